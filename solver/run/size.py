"""Run-size estimates, checked before any work starts: a case that would need more cells or time
steps than its ``limits`` allow is refused with the estimate and how it was made.

The estimates are the run's own numbers, not re-derivations: the cells along x are those of
the case's line layout (``fv.layout.line_layout``, counted by ``meshes.line.line_widths``
without building the mesh), times the cells across (2D) and through (3D); the steps are
``len`` of the case's step plan (``run.plan.case_step_count``, counted without building it).
"""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING

from ...meshes.line import line_widths
from ..errors import CaseError
from ..fv.layout import line_layout
from ..physics.derived import derive
from ..config.units import format_quantity
from .plan import case_step_count

if TYPE_CHECKING:
    from ..config.schema import Case

log = logging.getLogger("vip_transport")

__all__ = ["estimate_cells", "estimate_steps", "estimate_evaluations", "current_changes", "check_run_size"]


def current_changes(case: Case) -> tuple[int, str]:
    """Times the current changes within the run, the switch-on included (a square wave: at most
    twice a period, counted without listing them), and why."""
    spec, duration = case.transport.current, case.time.duration
    if spec.schedule == "square" and spec.duty < 1.0:
        periods = max(duration - spec.t_on, 0.0) / spec.period
        return (2 * math.ceil(min(periods, 1e18)) + 1,
                f"a square wave of period {format_quantity(spec.period, 'time')} changes twice a period")
    if spec.schedule == "table":
        return len(spec.times), "one per time of the table"
    return 1, "switch-on"


def _cells(case: Case, derived: dict) -> tuple[int, str]:
    g, fv = case.geometry, case.fv
    layout = line_layout(case, derived)
    along = sum(len(w) for w in line_widths(layout.parts, layout.dx, fv.grading,
                                            sharp_ends=layout.sharp_ends, max_width=layout.max_width))
    across = fv.cells_across if g.dimension >= 2 else 1
    through = fv.cells_through if g.dimension == 3 else 1
    how = f"{along:,} along the length"
    if g.dimension >= 2:
        how += f" x {across:,} across the width"
    if g.dimension == 3:
        how += f" x {through:,} through the thickness"
    return along * across * through, how


def estimate_cells(case: Case) -> int:
    """Finite-volume cells of ``case``: the 1D line's cells along x (exact), times
    fv.cells_across in 2D and 3D and fv.cells_through in 3D (the block mesh adds a few columns
    where leads of other widths join)."""
    return _cells(case, derive(case))[0]


def estimate_steps(case: Case) -> int:
    """Time steps of the case's finite-volume step plan (2D/3D: with the step sizes quantised on
    the direct solvers' ladder, as the run will)."""
    ladder = None
    if case.geometry.dimension > 1:
        from ..fv.block_model import STEP_LADDER

        ladder = STEP_LADDER
    return case_step_count(case, derive(case), ladder=ladder)


SECONDS_PER_EVALUATION = 1.3e-5   # of the closed form N(t) on the 2-core box (1.5e6 in ~20 s)
WARN_SECONDS = 10.0


def estimate_evaluations(case: Case) -> int:
    """Evaluations of the closed form N(t) an analytic run needs at least: 15 per piece of its
    time integral (each output interval, each current change, the decades before the first
    output), ``physics.quadrature.initial_evaluations``."""
    from ..physics.quadrature import initial_evaluations
    from ..physics.schedule import schedule_from_spec

    T = case.time.duration
    return initial_evaluations(case.time.output_times(), schedule_from_spec(case.transport.current).breakpoints(T))


def _warn_analytic(case: Case) -> None:
    """Log a warning, with the estimate, before an analytic run of more than WARN_SECONDS."""
    evaluations = estimate_evaluations(case)
    seconds = SECONDS_PER_EVALUATION * evaluations
    if seconds > WARN_SECONDS:
        log.warning(f"{case.source}: an analytic run of {case.time.outputs:,} outputs needs about {evaluations:,} "
                    f"evaluations of the closed form, roughly {seconds:.0f} s on a 2-core machine; fewer "
                    f"time.outputs are faster")


def check_run_size(case: Case) -> None:
    """Raise CaseError, naming the limits key and the estimate, if ``case`` is too big to run:
    more current changes than limits.max_steps (any method), or, for method fv, more cells than
    limits.max_cells or more steps than limits.max_steps."""
    changes, how = current_changes(case)
    where = f"{case.source}: limits.max_steps"
    if changes > case.limits.max_steps:
        raise CaseError(f"{where}: expected at most {case.limits.max_steps:,} current changes; got "
                        f"{changes:,} ({how}): lengthen transport.current.period or shorten "
                        f"time.duration, or raise limits.max_steps")
    if case.method == "analytic":
        _warn_analytic(case)
    if case.method != "fv":
        return
    derived = derive(case)
    cells, how = _cells(case, derived)
    if cells > case.limits.max_cells:
        raise CaseError(f"{case.source}: limits.max_cells: expected at most {case.limits.max_cells:,} "
                        f"cells; got an estimated {cells:,} cells ({how}): lower fv.cells_per_target "
                        f"or geometry.dimension, or raise limits.max_cells")
    steps = case_step_count(case, derived)
    if steps > case.limits.max_steps:
        raise CaseError(f"{where}: expected at most {case.limits.max_steps:,} time steps; got an "
                        f"estimated {steps:,}: lower fv.time_steps or fv.steps_per_front, or raise "
                        f"limits.max_steps")
