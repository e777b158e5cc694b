"""The step plan of a case: ``timestepping.plan`` with the case's times, current changes, front
speed and kernel diffusivity.  The driver runs it; the run-size estimate counts it.  Also the
outputs at which a 2D/3D run keeps a field snapshot."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..fv.layout import case_kernel_diffusivity, fastest_drift, fronts_clear_time
from ..physics.schedule import schedule_from_spec
from ..timestepping.plan import Step, count_steps, plan_steps

if TYPE_CHECKING:
    from ..config.schema import Case

__all__ = ["case_steps", "case_step_count", "snapshot_times", "DEFAULT_SNAPSHOTS"]


def _plan_arguments(case: Case, derived: dict) -> tuple:
    """(output times, duration, keyword arguments) of the case's plan, shared by both below."""
    T, fv = case.time.duration, case.fv
    schedule = schedule_from_spec(case.transport.current)
    fastest = fastest_drift(case, derived)
    D_k = case_kernel_diffusivity(case, derived)
    return case.time.output_times(), T, dict(
        breakpoints=schedule.breakpoints(T), time_steps=fv.time_steps, first_step=fv.first_step,
        startup_steps=fv.startup_steps, front_speed=fastest, diffusivity=D_k,
        steps_per_front=fv.steps_per_front, front_until=fronts_clear_time(case, fastest, D_k),
        spacing=fv.spacing, snapshot_times=snapshot_times(case))


def case_steps(case: Case, derived: dict, ladder: float | None = None) -> list[Step]:
    """The steps of the case's finite-volume run (``ladder``: the model's step ladder)."""
    times, T, kwargs = _plan_arguments(case, derived)
    return plan_steps(times, T, scheme=case.fv.scheme, ladder=ladder, **kwargs)


def case_step_count(case: Case, derived: dict, ladder: float | None = None) -> int:
    """len(case_steps(case, derived, ladder)), without building the steps."""
    times, T, kwargs = _plan_arguments(case, derived)
    return count_steps(times, T, ladder=ladder, **kwargs)


DEFAULT_SNAPSHOTS = 6


def snapshot_times(case: Case) -> np.ndarray:
    """Times [s], increasing, at which the run keeps the density field (1D profiles c(x, t),
    2D/3D fields): ``output.fields`` exactly as given (the step plan hits them), or by default
    DEFAULT_SNAPSHOTS of the output times, log-spaced over the run; none for ``fields: []``."""
    times = case.time.output_times()
    wanted = case.output.fields
    if wanted is not None:
        return np.unique(np.asarray(wanted, float))
    picks = np.geomspace(times[0], times[-1], min(DEFAULT_SNAPSHOTS, len(times)))
    return np.unique([times[int(np.argmin(np.abs(np.log(times) - np.log(t))))] for t in picks])
