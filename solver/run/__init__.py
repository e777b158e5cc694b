"""Running a validated case: the analytic method (:mod:`.analytic`), finite volumes
(:mod:`.time_loop`) or the Monte Carlo walk (``solver.montecarlo``), into a
:class:`RunResult` (no file I/O; ``solver.io`` writes the folder).

A case flows one way: validated case -> size check (:mod:`.size`) -> derived quantities ->
(model + step plan -> time loop with bookkeeping) -> N(t), R(t) = nu N(t), S(t) -> counts.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from ..physics.derived import derive
from .analytic import run_analytic
from .result import IncompleteRun, RunResult
from .size import check_run_size

if TYPE_CHECKING:
    from ..config.schema import Case

__all__ = ["RunResult", "IncompleteRun", "run_case", "METHODS"]

def _run_fv(case: Case, derived: dict, **options) -> RunResult:
    """The finite-volume method (:func:`.time_loop.run_fv`); FiPy is imported only here, so an
    analytic run never pays for it."""
    from .time_loop import run_fv

    return run_fv(case, derived, **options)


def _run_montecarlo(case: Case, derived: dict, **options) -> RunResult:
    """The Monte Carlo walk (:mod:`.montecarlo`); numba is imported only for this method."""
    from .montecarlo import run_montecarlo

    return run_montecarlo(case, derived, **options)


#: case.method -> the function that runs it
METHODS = {"analytic": lambda case, derived, progress=None, **options: run_analytic(case, derived,
                                                                                   progress=progress),
           "fv": _run_fv, "montecarlo": _run_montecarlo}


def run_case(case: Case, *, store_profiles=False, progress=None, stop_after=None, resume=None,
             checkpoint=None) -> RunResult:
    """Run ``case`` with its method.  ``progress`` is a callable(done_steps, total_steps) or None.

    FV only: ``resume`` = (StepState, Records) continues an interrupted run from a checkpoint;
    ``checkpoint(state, records)`` is called after every output (``records``: the output
    indices, N and integral of N dt so far, and the 2D/3D field snapshots taken);
    ``stop_after`` stops after that many steps (tests of interruption); ``store_profiles`` keeps
    the density at every output (``RunResult.profiles``).  Raises CaseError (too big to run:
    ``size.check_run_size``) before any work, SolverError on a numerical failure.
    """
    start = time.perf_counter()
    check_run_size(case)
    result = METHODS[case.method](case, derive(case), store_profiles=store_profiles, progress=progress,
                                  stop_after=stop_after, resume=resume, checkpoint=checkpoint)
    result.wall_time_s = time.perf_counter() - start
    return result
