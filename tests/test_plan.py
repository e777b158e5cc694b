"""solver.timestepping.plan: the step plan covers [0, T] without gaps, ends a step exactly on every
output time and every change of the current, starts with implicit-Euler steps, keeps the steps
the docstring promises (log or uniform spacing, short enough for a passing front, on the ladder
q^k in 2D/3D), and ``count_steps`` counts it without building it.

The properties are checked on random plans (hypothesis) and on the plans of real cases.
"""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import integrate

from conftest import make_case
from vip_transport.solver.physics.derived import derive
from vip_transport.solver.physics.schedule import schedule_from_spec
from vip_transport.solver.run.plan import case_steps
from vip_transport.solver.timestepping.plan import count_steps, ladder_step, plan_steps

Q = math.sqrt(2.0)    # the 2D/3D ladder ratio


@st.composite
def plans(draw):
    """Random arguments of plan_steps: (output times, T, keyword arguments)."""
    T = draw(st.floats(1.0, 1e5))
    outputs = sorted(set(draw(st.lists(st.floats(1e-4, 1.0), min_size=1, max_size=12))))
    outputs = [o * T for o in outputs]
    breaks = draw(st.lists(st.floats(1e-3, 0.999), max_size=5))
    kwargs = dict(breakpoints=[b * T for b in breaks], time_steps=draw(st.integers(1, 400)),
                  first_step=draw(st.one_of(st.none(), st.floats(1e-6, 1e-2).map(lambda f: f * min(outputs)))),
                  startup_steps=draw(st.integers(0, 4)),
                  scheme=draw(st.sampled_from(["crank-nicolson", "implicit-euler"])),
                  spacing=draw(st.sampled_from(["log", "uniform"])),
                  ladder=draw(st.sampled_from([None, Q, 2.0])))
    if draw(st.booleans()):
        kwargs.update(front_speed=draw(st.floats(1e-5, 1e-2)), diffusivity=draw(st.floats(1e-7, 1e-3)),
                      steps_per_front=draw(st.integers(1, 40)), front_until=draw(st.sampled_from([math.inf, T / 3])))
    return outputs, T, kwargs


def check_plan(steps, outputs, T, kwargs):
    """The properties every plan must have."""
    t0 = np.array([s.t0 for s in steps])
    t1 = np.array([s.t1 for s in steps])
    assert t0[0] == 0.0 and t1[-1] == T
    assert np.array_equal(t0[1:], t1[:-1])                        # no gaps, no overlaps
    assert np.all(t1 > t0)
    ends = set(t1.tolist())
    assert set(outputs) <= ends                                   # outputs hit exactly
    assert {b for b in kwargs.get("breakpoints", ()) if 0 < b < T} <= ends   # current changes too
    reached = [(s.output, s.t1) for s in steps if s.output >= 0]
    assert [k for k, _ in reached] == list(range(len(outputs)))   # each output once, in order
    assert all(t == outputs[k] for k, t in reached)
    dt = np.array([s.dt for s in steps])
    assert np.allclose(dt, t1 - t0, rtol=1e-9, atol=4 * np.finfo(float).eps * T)
    startup = kwargs.get("startup_steps", 4)
    theta = np.array([s.theta for s in steps])
    assert np.all(theta[:startup] == 1.0)                         # implicit-Euler start-up
    later = {"crank-nicolson": 0.5, "implicit-euler": 1.0}[kwargs.get("scheme", "crank-nicolson")]
    assert np.all(theta[startup:] == later)


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_random_plans_cover_the_run_and_hit_every_event(plan):
    outputs, T, kwargs = plan
    steps = plan_steps(outputs, T, **kwargs)
    check_plan(steps, outputs, T, kwargs)
    count_kwargs = {k: v for k, v in kwargs.items() if k != "scheme"}
    assert count_steps(outputs, T, **count_kwargs) == len(steps)


@settings(max_examples=80, deadline=None, derandomize=True)
@given(plans())
def test_ladder_steps_are_powers_of_the_ratio_except_the_last_of_an_interval(plan):
    outputs, T, kwargs = plan
    kwargs = {**kwargs, "ladder": Q}
    steps = plan_steps(outputs, T, **kwargs)
    startup = kwargs["startup_steps"]
    events = np.unique(np.concatenate([outputs, kwargs["breakpoints"], [T]]))
    for k, s in enumerate(steps[startup:], start=startup):
        power = math.log(s.dt) / math.log(Q)
        if abs(power - round(power)) > 1e-9:                      # a remainder step ...
            assert np.any(events == s.t1), (k, s)                 # ... ends on an event
        nxt = steps[k + 1] if k + 1 < len(steps) else None
        if nxt is not None and not np.any(events == s.t1):        # inside an interval: equal steps,
            assert nxt.dt == s.dt or np.any(events == nxt.t1)     # or the remainder that ends it


def test_log_spacing_keeps_dt_over_t_nearly_constant():
    """200 log-spaced outputs from 1 s to 1e4 s, N = 2000 steps after a start-up ending at
    t_s = 4e-3 s: between the outputs dt/t is at most ln(T/t_s)/N and at least 0.8 of it (each
    interval, ratio 1.047, gets ceil(6.28) = 7 equal steps: 0.88-0.91 of it measured); ceil adds
    at most one step per interval."""
    outputs = np.geomspace(1.0, 1e4, 200)
    steps = plan_steps(outputs, 1e4, time_steps=2000, first_step=1e-3, startup_steps=4)
    rate = math.log(1e4 / 4e-3) / 2000
    ratio = np.array([s.dt / s.t1 for s in steps if s.t0 >= 1.0]) / rate
    assert np.all(ratio <= 1.0) and np.all(ratio >= 0.8), (ratio.min(), ratio.max())
    assert 2000 <= len(steps) - 4 <= 2000 + 200


def test_uniform_spacing_gives_equal_steps():
    """Four equal intervals, N = 200 uniform steps: equal steps of about T/N in each, one more at
    most per interval (the count is ceil'd)."""
    steps = plan_steps([25.0, 50.0, 75.0, 100.0], 100.0, time_steps=200, startup_steps=0, spacing="uniform")
    assert 200 <= len(steps) <= 204
    for a in (0.0, 25.0, 50.0, 75.0):
        dts = [s.t1 - s.t0 for s in steps if a <= s.t0 < a + 25.0]
        assert np.allclose(dts, 25.0 / len(dts), rtol=1e-12) and 50 <= len(dts) <= 51


@pytest.mark.parametrize("k, v, D", [(40, 7.4e-3, 1.1e-4), (40, 7.4e-3, 1.1e-6), (160, 2.1e-4, 1.1e-6)])
def test_a_passing_front_gets_its_steps(k, v, D):
    """Each step before front_until is at most s(b)/(k v), s = sqrt(4 D t) the front's width at
    the end b of its interval; the steps of [a, b] are at least the integral of k v/s(t)."""
    outputs = list(np.geomspace(0.1, 1e3, 9))
    steps = plan_steps(outputs, 1e3, time_steps=50, first_step=1e-3, front_speed=v, diffusivity=D,
                       steps_per_front=k, front_until=300.0)
    events = np.array(outputs)
    for s in steps[4:]:
        b = events[np.searchsorted(events, s.t1 * (1 - 1e-12))]
        if s.t1 <= 300.0:
            assert s.dt <= math.sqrt(4 * D * b) / (k * v) * (1 + 1e-9), s
    bounds = [steps[3].t1, *outputs]
    for a, b in zip(bounds[:-1], bounds[1:]):
        inside = sum(1 for s in steps[4:] if a < s.t1 <= b)
        need = integrate.quad(lambda t: k * v / math.sqrt(4 * D * t), a, min(b, 300.0))[0] if a < 300 else 0.0
        assert inside >= need - 1e-9, (a, b, inside, need)


def test_ladder_step_is_the_power_at_or_below():
    for dt in (1e-6, 0.3, 1.0, 1.5, 2.0, 7.77, 1e4):
        q = ladder_step(dt, Q)
        assert q <= dt * (1 + 1e-9) and q * Q > dt
        assert abs(math.log(q) / math.log(Q) - round(math.log(q) / math.log(Q))) < 1e-9


@pytest.mark.parametrize("current", [
    "100 A",
    {"schedule": "square", "high": "100 A", "low": "10 A", "period": "200 s", "duty": 0.3, "t_on": "50 s"},
    {"schedule": "table", "times": ["0 s", "3 s", "3000 s"], "values": ["0 A", "100 A", "40 A"]},
], ids=["constant", "square", "table"])
@pytest.mark.parametrize("dimension, ladder", [(1, None), (2, Q)])
def test_a_case_plan_hits_its_outputs_and_current_changes(current, dimension, ladder):
    case = make_case("vip2", method="fv", geometry={"dimension": dimension}, transport={"current": current},
                     time={"outputs": 50}, fv={"time_steps": 500})
    steps = case_steps(case, derive(case), ladder=ladder)
    changes = schedule_from_spec(case.transport.current).breakpoints(case.time.duration)
    if isinstance(current, dict):
        assert len(changes) > 0
    check_plan(steps, list(case.time.output_times()), case.time.duration,
               {"breakpoints": changes, "startup_steps": case.fv.startup_steps, "scheme": case.fv.scheme})
