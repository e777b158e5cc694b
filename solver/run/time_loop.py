"""The finite-volume method: build the model, plan the steps, and march; every step booked and
checked (``bookkeeping``), every output recorded and offered to the checkpoint."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..errors import SolverError, UserError
from ..fv.model import build_model
from ..physics.schedule import schedule_from_spec
from ..timestepping.base import StepState
from ..timestepping.registry import make_stepper
from .bookkeeping import Bookkeeping, Records, Totals
from .plan import case_steps, snapshot_times
from .result import IncompleteRun, RunResult, finish

if TYPE_CHECKING:
    from ..config.schema import Case

__all__ = ["run_fv"]


def _index(mask):
    """A slice for a contiguous bool mask (cheap views in the time loop), else the indices."""
    idx = np.flatnonzero(mask)
    if len(idx) and idx[-1] - idx[0] + 1 == len(idx):
        return slice(int(idx[0]), int(idx[-1]) + 1)
    return idx


def _current_of_steps(schedule, steps, duration) -> np.ndarray:
    """The current [A] during each step (its value at the step's midpoint)."""
    edges, currents = schedule.pieces(duration)
    mid = np.array([0.5 * (s.t0 + s.t1) for s in steps])
    return currents[np.searchsorted(edges, mid, side="right") - 1]


def run_fv(case: Case, derived: dict, *, store_profiles=False, progress=None, stop_after=None,
           resume=None, checkpoint=None) -> RunResult:
    """March the case's finite-volume model through its step plan (see ``run_case``)."""
    model, c0 = build_model(case, derived)
    schedule = schedule_from_spec(case.transport.current)
    T, times = case.time.duration, case.time.output_times()
    steps = case_steps(case, derived, ladder=model.step_ladder)
    currents = _current_of_steps(schedule, steps, T)
    stepper = make_stepper(case.fv.stepper, model)
    if resume is None:
        state, records = StepState(t=0.0, c=c0.copy(), next_step=0), Records()
    else:
        state, records = resume
        if len(state.c) != len(c0) or state.next_step > len(steps):
            raise UserError(f"{case.source}: the checkpoint does not fit this case ({len(state.c)} cells and "
                            f"step {state.next_step}; the case has {len(c0)} cells and {len(steps)} steps)")
    earlier = {k: int(v) for k, v in state.counters.items()}    # counters of the earlier parts
    books = Bookkeeping(model, c0, _index(model.cells["target"]), Totals.from_dict(state.integrals))
    snapshot_at = snapshot_times(case)
    profiles, c = [], state.c
    n_old, done = books.in_target(c), 0
    try:
        for k in range(state.next_step, len(steps)):
            step, current = steps[k], float(currents[k])
            rates_old = model.boundary_rates(c, current)
            c_new = stepper.advance(c, step, current)
            n_old = books.step(k, step, current, c, c_new, rates_old, n_old)
            c = c_new
            if step.snapshot >= 0:
                records.snapshots.append((step.snapshot, c.copy()))
            if step.output >= 0:
                records.add(step.output, n_old, books.totals.n_target_dt)
                if store_profiles:
                    profiles.append(c.copy())
                if checkpoint is not None:
                    checkpoint(StepState(t=step.t1, c=c, next_step=k + 1, integrals=books.totals.to_dict(),
                                         counters=_counters(stepper, earlier)), records)
            done += 1
            if progress is not None:
                progress(k + 1, len(steps))
            if stop_after is not None and done >= stop_after:
                raise KeyboardInterrupt(f"stopped after {done} steps (stop_after)")
    except SolverError as exc:
        raise IncompleteRun(str(exc), _partial(case, derived, schedule, times, records,
                                               {**model.mesh_info(), "steps": len(steps)})) from exc
    if records.index != list(range(len(times))):
        raise SolverError("internal: the step plan did not reach every output time")
    numerics = {
        **model.mesh_info(),
        "steps": len(steps),
        "stepper": stepper.name,
        "scheme": case.fv.scheme,
        "convection": case.fv.convection,
        "factorisations": _counters(stepper, earlier).get("factorisations"),
        **({"resumed_parts": earlier.get("parts", 1) + 1} if resume is not None else {}),
        **({"stepper_stats": stepper.stats} if stepper.stats else {}),
        "conservation": books.conservation(c),
        "min_density_m3": books.totals.min_density,
    }
    result = finish(case, "fv", derived, times, records.n_target, records.n_target_dt,
                    float(schedule.charge(T, T)), numerics,
                    {"times": times, "x": model.cell_centers, "c": np.asarray(profiles), "model": model}
                    if store_profiles else None)
    if records.snapshots:
        index = [k for k, _ in records.snapshots]
        result.fields = {"index": index, "times": snapshot_at[index], "c": [v for _, v in records.snapshots],
                         "model": model}
    return result


def _counters(stepper, earlier: dict) -> dict:
    """The run's performance counters so far: this part's plus those of the earlier parts of a
    resumed run (``parts``: how many parts the run had before this one)."""
    out = {"parts": earlier.get("parts", 0) + 1}
    if stepper.factorisations is not None:
        out["factorisations"] = earlier.get("factorisations", 0) + stepper.factorisations
    return out


def _partial(case, derived, schedule, times, records, numerics) -> RunResult | None:
    """The RunResult of the outputs finished before a failure (None if none was)."""
    if not records.index:
        return None
    done = times[:len(records.index)]
    return finish(case, "fv", derived, done, records.n_target, records.n_target_dt,
                  float(schedule.charge(done[-1], case.time.duration)), numerics)
