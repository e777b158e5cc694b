"""solver.physics.schedule: the current I(t) of every schedule and its charge Q(t).

Each schedule is compared with the current written out here from the case file's description
(``cases/vip2.yaml``: constant switched on at t_on; square wave: high for the first duty x
period of each period after t_on, low for the rest, 0 before t_on; table: values[k] from
times[k] on, the last forever) at many times, exactly; Q(t) with adaptive quadrature of that
current (1e-12 relative) and with the sum of its pieces (1e-13); the breakpoints are exactly
the times where the written-out current changes.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate

from conftest import make_case
from vip_transport.solver.physics.schedule import CurrentSchedule, schedule_from_spec

T = 1000.0    # s: the run length of these tests


def spec(current):
    """The validated ``transport.current`` of a case with ``current`` (a case file's value)."""
    return make_case("vip2", transport={"current": current}).transport.current


def written_out(kind, **p):
    """I(t) [A] as the case file describes it, a function of an array of times [s]."""
    def current(t):
        t = np.asarray(t, float)
        if kind == "constant":
            return np.where(t >= p["t_on"], p["value"], 0.0)
        if kind == "square":
            phase = np.mod(t - p["t_on"], p["period"])
            on = np.where(phase < p["duty"] * p["period"], p["high"], p["low"])
            return np.where(t >= p["t_on"], on, 0.0)
        k = np.searchsorted(p["times"], t, side="right") - 1
        return np.asarray(p["values"], float)[k]
    return current


CASES = {   # id: (the case file's current, the same written out)
    "constant": ("100 A", written_out("constant", value=100.0, t_on=0.0)),
    "constant switched on at 37 s": ({"schedule": "constant", "value": "40 A", "t_on": "37 s"},
                                     written_out("constant", value=40.0, t_on=37.0)),
    "square": ({"schedule": "square", "high": "100 A", "period": "200 s"},
               written_out("square", high=100.0, low=0.0, period=200.0, duty=0.5, t_on=0.0)),
    "square, low 10 A, duty 0.3, from 55 s": (
        {"schedule": "square", "high": "100 A", "low": "10 A", "period": "70 s", "duty": 0.3, "t_on": "55 s"},
        written_out("square", high=100.0, low=10.0, period=70.0, duty=0.3, t_on=55.0)),
    "square with duty 1": ({"schedule": "square", "high": "60 A", "period": "70 s", "duty": 1, "t_on": "5 s"},
                           written_out("constant", value=60.0, t_on=5.0)),
    "table": ({"schedule": "table", "times": ["0 s", "10 s", "100 s", "400 s"],
               "values": ["0 A", "100 A", "40 A", "0 A"]},
              written_out("table", times=[0.0, 10.0, 100.0, 400.0], values=[0.0, 100.0, 40.0, 0.0])),
}


def sample_times(changes, count=4000):
    """A grid over [0, T) plus points just before and after every change of the current (the
    current at the end instant T itself never matters: it carries no charge)."""
    t = np.linspace(0.0, T, count, endpoint=False)
    near = [c * (1 + s) for c in changes for s in (-1e-9, 1e-9)]
    return np.unique(np.concatenate([t, [v for v in near if 0 < v < T]]))


def true_changes(current, t):
    """Where the written-out current changes between consecutive samples ``t`` (midpoints)."""
    values = current(t)
    jumps = np.flatnonzero(np.diff(values) != 0)
    return 0.5 * (t[jumps] + t[jumps + 1])


@pytest.fixture(params=CASES)
def schedule(request):
    """(the schedule built from the case, the current written out, its breakpoints over T)."""
    value, current = CASES[request.param]
    built = schedule_from_spec(spec(value))
    return built, current, built.breakpoints(T)


def test_current_is_the_case_files_description(schedule):
    built, current, changes = schedule
    t = sample_times(changes)
    np.testing.assert_array_equal(built.current(t, T), current(t))


def test_breakpoints_are_where_the_current_changes(schedule):
    _, current, changes = schedule
    assert np.all(np.diff(changes) > 0) and np.all((changes > 0) & (changes < T))
    found = true_changes(current, sample_times(changes))
    assert len(found) == len(changes)
    np.testing.assert_allclose(found, changes, rtol=1e-8)


def test_charge_is_the_integral_of_the_current(schedule):
    built, current, changes = schedule
    for t in (0.0, 1e-3, 36.9, 37.0, 100.0, 123.456, 555.0, T):
        ref = integrate.quad(lambda s: float(current(s)), 0.0, t, points=[c for c in changes if c < t] or None,
                             limit=500, epsabs=0.0, epsrel=1e-13)[0] if t > 0 else 0.0
        assert built.charge(t, T) == pytest.approx(ref, rel=1e-12, abs=1e-12), t
    q = built.charge(np.linspace(0.0, T, 101), T)
    assert np.all(np.diff(q) >= 0)                       # no negative currents


def test_nominal_is_the_largest_current():
    for name, expected in [("constant", 100.0), ("square, low 10 A, duty 0.3, from 55 s", 100.0), ("table", 100.0)]:
        assert schedule_from_spec(spec(CASES[name][0])).nominal == expected


def test_equal_neighbouring_values_are_one_piece():
    """A table that repeats a value changes the current only where the value changes."""
    schedule = schedule_from_spec(spec({"schedule": "table", "times": ["0 s", "10 s", "20 s", "30 s"],
                                        "values": ["5 A", "5 A", "7 A", "7 A"]}))
    edges, currents = schedule.pieces(T)
    np.testing.assert_array_equal(edges, [0.0, 20.0, T])
    np.testing.assert_array_equal(currents, [5.0, 7.0])


def test_square_wave_repeats_to_the_end_of_the_run():
    """100 periods of 10 s in 1000 s: 199 switches (on -> off, off -> on), Q(T) = high duty T."""
    schedule = schedule_from_spec(spec({"schedule": "square", "high": "100 A", "period": "10 s"}))
    assert len(schedule.breakpoints(T)) == 199
    assert schedule.charge(T, T) == pytest.approx(100.0 * 0.5 * T, rel=1e-13)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.floats(0.5, 200.0), st.floats(0.0, 200.0)), min_size=1, max_size=8),
       st.floats(0.0, 1.0))
def test_random_tables_charge_is_the_sum_of_the_pieces(pieces, where):
    """Q(t) of a random table equals sum I_k (min(t, t_{k+1}) - t_k) written out here."""
    times = np.concatenate([[0.0], np.cumsum([d for d, _ in pieces])[:-1]])
    values = [v for _, v in pieces]
    schedule = CurrentSchedule(edges=tuple(times), currents=tuple(values))
    horizon = float(times[-1]) + 100.0
    t = where * horizon
    ends = np.append(times[1:], math.inf)
    ref = sum(v * max(0.0, min(t, b) - a) for a, b, v in zip(times, ends, values))
    assert schedule.charge(t, horizon) == pytest.approx(ref, rel=1e-13, abs=1e-9)
