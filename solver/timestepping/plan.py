"""The step plan: time steps over [0, T] that hit every output time and every change of the
current exactly.

Steps are equal within each interval between such events and their number follows a
logarithmic spacing over the run, with more steps while a drifting density front passes
(``steps_per_front``).  After the switch-on at t = 0 a few implicit-Euler steps damp the
discontinuity of the initial reservoir step (Rannacher start-up) before Crank-Nicolson takes
over.  For 2D/3D the step sizes can be quantised on a ladder q^k so that few factorisations
serve the whole run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["THETA", "Step", "plan_steps", "count_steps", "ladder_step"]

THETA = {"crank-nicolson": 0.5, "implicit-euler": 1.0}


@dataclass(frozen=True)
class Step:
    """One step from t0 to t1 [s] with the scheme weight theta; ``output`` is the index of the
    output time reached at t1, or -1; ``snapshot`` the index of the field-snapshot time reached
    at t1, or -1.  ``dt`` is the planned step size: the same float for
    every step of an interval (t1 - t0 can differ from it in the last bit), so that cached
    factorisations are found again."""

    t0: float
    t1: float
    theta: float
    output: int = -1
    dt: float = None
    snapshot: int = -1

    def __post_init__(self):
        if self.dt is None:
            object.__setattr__(self, "dt", self.t1 - self.t0)


def _start(output_times, duration, breakpoints, first_step, startup_steps, snapshot_times=()):
    """(events, first step [s], end of the start-up t [s], output index by time) of a plan."""
    outputs = np.asarray(output_times, float)
    events = np.unique(np.concatenate([outputs, np.asarray(breakpoints, float), np.asarray(snapshot_times, float),
                                       [duration]]))
    events = events[(events > 0) & (events <= duration)]
    first_step = duration * 1e-7 if first_step is None else first_step
    if startup_steps:
        first_step = min(first_step, events[0] / startup_steps)
    out_index = {float(v): i for i, v in enumerate(outputs)}
    return events, first_step, startup_steps * first_step, out_index


def _intervals(events, duration, t, first_step, *, time_steps, front_speed, diffusivity,
               steps_per_front, front_until, spacing):
    """(a, b, m) for each interval [a, b] between events after the start-up (which ends at
    ``t``): m equal steps of it (see :func:`plan_steps`)."""
    t_s = max(t, first_step)
    log_span = max(math.log(duration / t_s), 1e-12)
    for b in events:
        if b <= t:
            continue
        if spacing == "uniform":
            m = max(1, math.ceil(time_steps * (b - t) / (duration - t_s) - 1e-9))
        else:
            m = max(1, math.ceil(time_steps * math.log(b / max(t, t_s)) / log_span - 1e-9))
        if front_speed > 0 and diffusivity and t < front_until:
            m = max(m, math.ceil(steps_per_front * front_speed * (math.sqrt(min(b, front_until)) - math.sqrt(t))
                                 / math.sqrt(diffusivity)))
        yield t, float(b), m
        t = float(b)


def plan_steps(output_times, duration, *, breakpoints=(), time_steps=2000, first_step=None,
               startup_steps=4, scheme="crank-nicolson", front_speed=0.0, diffusivity=None,
               steps_per_front=40, front_until=math.inf, spacing="log", ladder=None, snapshot_times=()):
    """Steps over [0, duration] that hit ``output_times``, ``breakpoints`` and ``snapshot_times``
    [s] exactly (a step ending on the k-th snapshot time carries ``snapshot=k``).

    ``startup_steps`` implicit-Euler steps of size ``first_step`` [s] come first; afterwards the
    interval [a, b] between consecutive events gets ceil(N ln(b/a)/ln(T/t_s)) equal steps (at
    least one), N = ``time_steps``, t_s the end of the start-up: log-spaced on average
    (``spacing="log"``), or ceil(N (b - a)/(T - t_s)) steps (``spacing="uniform"``).
    With a drift ``front_speed`` v [m/s] and ``diffusivity`` D [m^2/s], the steps are also
    kept below the time a front of width s = sqrt(4 D t) takes to pass, s/(k v) with
    k = ``steps_per_front``: that adds k v (sqrt(b) - sqrt(a))/sqrt(D) steps to [a, b] for
    the part of [a, b] before ``front_until`` [s] (when the fronts have left the region of
    interest).

    ``ladder`` (a ratio q > 1, for 2D/3D) quantises the step sizes so that few factorisations
    are needed: the equal steps of [a, b] become steps of the ladder size q^k s just below
    them (``ladder_step``) plus one shorter remainder step that ends on b.
    """
    theta = THETA[scheme]
    events, first_step, t, out_index = _start(output_times, duration, breakpoints, first_step, startup_steps,
                                              snapshot_times)
    snap_index = {float(v): i for i, v in enumerate(np.asarray(snapshot_times, float))}
    steps = [Step(k * first_step, (k + 1) * first_step, 1.0, dt=first_step) for k in range(startup_steps)]
    if steps and (out_index.get(t, -1) >= 0 or snap_index.get(t, -1) >= 0):
        steps[-1] = Step(steps[-1].t0, t, 1.0, out_index.get(t, -1), dt=first_step, snapshot=snap_index.get(t, -1))
    for a, b, m in _intervals(events, duration, t, first_step, time_steps=time_steps,
                              front_speed=front_speed, diffusivity=diffusivity,
                              steps_per_front=steps_per_front, front_until=front_until, spacing=spacing):
        dt = (b - a) / m
        if ladder:
            steps += _ladder_steps(a, b, dt, ladder, theta, out_index.get(b, -1), snap_index.get(b, -1))
            continue
        steps += [Step(a + j * dt, a + (j + 1) * dt, theta, dt=dt) for j in range(m - 1)]
        steps.append(Step(a + (m - 1) * dt, b, theta, out_index.get(b, -1), dt=dt, snapshot=snap_index.get(b, -1)))
    return steps


def count_steps(output_times, duration, *, breakpoints=(), time_steps=2000, first_step=None,
                startup_steps=4, front_speed=0.0, diffusivity=None, steps_per_front=40,
                front_until=math.inf, spacing="log", ladder=None, snapshot_times=()) -> int:
    """len(plan_steps(...)) with the same arguments, without building the steps (a run-size
    estimate of a plan of 1e9 steps takes a moment, not the memory of 1e9 objects)."""
    events, first_step, t, _ = _start(output_times, duration, breakpoints, first_step, startup_steps,
                                      snapshot_times)
    total = startup_steps
    for a, b, m in _intervals(events, duration, t, first_step, time_steps=time_steps,
                              front_speed=front_speed, diffusivity=diffusivity,
                              steps_per_front=steps_per_front, front_until=front_until, spacing=spacing):
        total += _ladder_count(a, b, (b - a) / m, ladder) if ladder else m
    return total


def ladder_step(dt, ratio):
    """The ladder step size q^k [s] (q = ``ratio``, k integer) at or just below ``dt`` [s]."""
    k = math.floor(math.log(dt) / math.log(ratio) + 1e-9)
    return ratio ** k


def _ladder_split(a, b, dt, ratio):
    """(q, full, ends_on_b): ``full`` steps of the ladder size q at or below ``dt`` fit in
    [a, b]; ``ends_on_b`` if the last of them ends on b (else a shorter remainder follows)."""
    q = ladder_step(dt, ratio)
    full = math.floor((b - a) / q * (1 + 1e-12))
    return q, full, (b - a) - full * q <= 1e-9 * q


def _ladder_count(a, b, dt, ratio) -> int:
    """len(_ladder_steps(a, b, dt, ratio, ...))."""
    _, full, ends_on_b = _ladder_split(a, b, dt, ratio)
    return full if ends_on_b else full + 1


def _ladder_steps(a, b, dt, ratio, theta, output, snapshot=-1):
    """Steps over [a, b] of the ladder size at or below ``dt``, then a remainder ending on b."""
    q, full, ends_on_b = _ladder_split(a, b, dt, ratio)
    if ends_on_b:                            # the last ladder step ends on b
        steps = [Step(a + j * q, a + (j + 1) * q, theta, dt=q) for j in range(full - 1)]
        return steps + [Step(a + (full - 1) * q, b, theta, output, dt=q, snapshot=snapshot)]
    steps = [Step(a + j * q, a + (j + 1) * q, theta, dt=q) for j in range(full)]
    t0 = a + full * q
    return steps + [Step(t0, b, theta, output, dt=b - t0, snapshot=snapshot)]
