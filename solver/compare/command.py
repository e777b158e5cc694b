"""``vip-transport compare``: say what will run and roughly how long it takes, warn when the
comparison cannot show anything (a geometry uniform across the width: 2D and 3D equal 1D by
symmetry), run (``runs.compare_into``: progress, resumable), print the table."""

from __future__ import annotations

import logging
import math
from pathlib import Path

from ..config import load_case, with_changes
from ..run.size import estimate_cells, estimate_steps
from .runs import compare_into, resume_request
from .table import case_in_dimension, markdown_table

__all__ = ["run_compare", "uniform_across", "plan_text", "SECONDS_PER_CELL_STEP", "SECONDS_PER_RUN"]

log = logging.getLogger("vip_transport")

#: rough cost of one cell for one time step on the 2-core box the package is tested on [s]
#: (1D: 1,572 cells x 2,200 steps in ~0.2 s; 2D/3D: the 1e6-cell benchmarks of the README)
SECONDS_PER_CELL_STEP = {1: 6e-8, 2: 2e-7, 3: 3.5e-7}
#: and of setting a run up (FiPy, the mesh, the potential, the assembly) [s]
SECONDS_PER_RUN = {1: 0.3, 2: 1.5, 3: 2.5}


def uniform_across(case) -> bool:
    """Whether every lead has the target's width and thickness, centred (strip) or all round
    (cylinder): the solution is then uniform across, and 2D/3D equal 1D by symmetry."""
    g = case.geometry
    for lead in (g.connector, g.reservoir, g.outlet):
        if not (math.isclose(lead.width, g.width, rel_tol=1e-9) and math.isclose(lead.thickness, g.thickness,
                                                                                  rel_tol=1e-9)):
            return False
        if lead.offset != 0.0:
            return False
    return True


def plan_text(case, dims, methods) -> str:
    """What the comparison will run: cells, steps (or electrons) and a rough time per run."""
    lines, total = [], 0.0
    for method in methods:
        for d in dims:
            run = case_in_dimension(case, d, method)
            if method == "fv":
                cells, steps = estimate_cells(run), estimate_steps(run)
                seconds = SECONDS_PER_RUN[d] + SECONDS_PER_CELL_STEP[d] * cells * steps
                lines.append(f"  {d}D fv: {cells:,} cells x {steps:,} time steps, roughly {seconds:.3g} s")
            elif method == "montecarlo":
                m = run.montecarlo
                lines.append(f"  {d}D montecarlo: {m.electrons:,} electrons in {m.batches} batches")
                seconds = 0.0
            else:
                lines.append(f"  {d}D {method}: closed form")
                seconds = 0.0
            total += seconds
    return "\n".join([f"compare {case.name}: {len(lines)} runs (rough times for a 2-core machine; "
                      f"finite volumes about {total:.3g} s in all)", *lines])


def run_compare(args) -> int:
    """CLI entry: ``args.case`` or ``args.resume``, ``args.dims``, ``args.methods``,
    ``args.resolution`` (cells along the target), ``args.duration`` (text with a unit),
    ``args.out``, ``args.force``, ``args.quiet``; returns the exit code 0."""
    if getattr(args, "resume", None):
        out = Path(args.resume)
        case, dims, methods = resume_request(out)
    else:
        case = load_case(args.case)
        changes = {}
        if getattr(args, "resolution", None):
            changes["fv.cells_per_target"] = int(args.resolution)
        if getattr(args, "duration", None):
            changes["time.duration"] = args.duration
        if changes:
            case = with_changes(case, changes)
        dims = sorted(set(int(d) for d in (args.dims or (1, 2, 3))))
        methods = tuple(dict.fromkeys(getattr(args, "methods", None) or ("fv",)))
        out = Path(args.out) if getattr(args, "out", None) else Path("results") / f"{case.name}-compare"
    quiet = getattr(args, "quiet", False)
    if not quiet:
        print(plan_text(case, dims, methods), flush=True)
    if uniform_across(case) and any(d > 1 for d in dims):
        log.warning(f"{case.source}: every lead has the target's width and thickness, centred: the solution is "
                    f"uniform across, so 2D and 3D equal 1D by symmetry and this comparison can only show the "
                    f"discretisation. To test the dimensional claim use a narrow or off-centre connector "
                    f"(cases/vip2-narrow-connector.yaml) or feed tabs (cases/vip-feed-tab.yaml)")
    comparison = compare_into(case, out, dims, methods, force=getattr(args, "force", False))
    if not quiet:
        print(markdown_table(comparison["rows"]), end="")
        print(f"results: {out}")
    return 0
