"""The analytic method: N(t) from the closed form of eq. (24) integrated over the target, and
its cumulative time integral (uniform 1D line; any current schedule).

The time integral is vectorised adaptive Gauss-Kronrod in ln t
(:func:`..physics.quadrature.cumulative_log_time_integral`, milliseconds); ``time_integral=
"quad"`` uses scipy's adaptive quadrature one piece at a time instead
(:func:`..physics.analytic.cumulative_time_integral`, seconds): the independent reference of
the tests and the benchmark.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..errors import CaseError
from ..fv.layout import single_electron
from ..physics import analytic
from ..physics.circuit import electrons_in_target_line
from ..physics.line import loop_period, nonuniform_part, reservoir_span
from ..physics.material import drift_displacement
from ..physics.quadrature import cumulative_log_time_integral
from ..physics.schedule import schedule_from_spec
from .result import RunResult, finish

if TYPE_CHECKING:
    from ..config.schema import Case

__all__ = ["run_analytic", "require_uniform_line", "TIME_INTEGRALS"]

#: how run_analytic integrates N(t) over time: the fast default first, then the reference
TIME_INTEGRALS = ("gauss-kronrod", "quad")


def require_uniform_line(case: Case) -> None:
    """Raise CaseError, naming the key, unless ``case`` is a uniform 1D line."""
    odd = nonuniform_part(case)
    if odd == "geometry.dimension":
        raise CaseError(f"{case.source}: geometry.dimension: method 'analytic' is 1D; got "
                        f"{case.geometry.dimension}")
    if odd is not None:
        raise CaseError(f"{case.source}: {odd}: method 'analytic' needs the same cross-section as the "
                        f"target (width and thickness null); use method: fv for a non-uniform line")


def run_analytic(case: Case, derived: dict, time_integral: str = "gauss-kronrod", progress=None) -> RunResult:
    """N(t) [count] at the output times and its cumulative time integral [count s], by the
    closed forms; ``time_integral`` is one of :data:`TIME_INTEGRALS`; ``progress(done, total)``
    is told the pieces of the time integral evaluated."""
    if time_integral not in TIME_INTEGRALS:
        raise ValueError(f"time_integral must be one of {TIME_INTEGRALS}; got {time_integral!r}")
    require_uniform_line(case)
    g, D = case.geometry, derived["diffusivity_m2_s"]
    n, area, conv = derived["electron_density_m3"], g.area, case.transport.convention
    schedule = schedule_from_spec(case.transport.current)
    T = case.time.duration
    times = case.time.output_times()

    def displacement(t):
        return drift_displacement(schedule.charge(t, T), n, area)

    if single_electron(case):
        def n_target(t):
            t = np.atleast_1d(np.asarray(t, float))
            return analytic.probability_in_target(t, displacement(t), g.length, D, conv)
    else:
        x_min, x_max = reservoir_span(case)

        def n_target(t):
            t = np.atleast_1d(np.asarray(t, float))
            return electrons_in_target_line(t, displacement(t), g.length, x_min, x_max, D, n, area, conv,
                                            loop_period(case))

    values = n_target(times)
    breakpoints = schedule.breakpoints(T)
    numerics = {"solution": "closed form (eq. 24 integrated over the target)"}
    if loop_period(case) is not None:
        numerics["loop_circumference_m"] = loop_period(case)   # images round the circuit (physics.circuit)
    if time_integral == "quad":
        integral = analytic.cumulative_time_integral(lambda t: float(n_target(t)[0]), times,
                                                     breakpoints=breakpoints)
        numerics["time_integral"] = "scipy.integrate.quad in ln t, rtol 1e-12, per output interval"
    else:
        info = {}
        integral = cumulative_log_time_integral(n_target, times, breakpoints, info=info, progress=progress)
        numerics["time_integral"] = "vectorised adaptive Gauss-Kronrod (7/15) in ln t, rtol 1e-12"
        numerics["time_integral_evaluations"] = info["evaluations"]
    return finish(case, "analytic", derived, times, values, integral, float(schedule.charge(T, T)), numerics)
