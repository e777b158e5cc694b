"""A case into its results folder, safely: claim the folder (``io.outdir``: checked, locked,
stale temporaries removed), keep a checkpoint while a finite-volume run goes on, run, write the
results atomically, remove the checkpoint.  What ``vip-transport run`` does, callable from
Python (and from sweeps).

An interrupted run (KeyboardInterrupt, which the CLI also raises for SIGTERM) keeps its last
checkpoint; :func:`resume_to_folder` continues it.  A numerical failure writes the outputs
finished before it to ``DIR.incomplete`` and raises.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from .io.checkpoint import Checkpointer, checkpoint_folder, load_checkpoint, remove_checkpoint
from .io.outdir import claim
from .io.results import now_iso, write_results
from .run import IncompleteRun, run_case
from .run.size import check_run_size

__all__ = ["FolderRun", "run_to_folder", "resume_to_folder"]

log = logging.getLogger("vip_transport")


class _Capture(logging.Handler):
    """Collects the package's log records of one run, for run.log in its results folder."""

    def __init__(self):
        super().__init__(level=logging.INFO)
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


def _logged_progress(progress, unit: str, every: float = 0.1):
    """``progress`` that also logs (INFO) each tenth of the work done (time steps, or pieces of
    an analytic time integral)."""
    marks = {"next": every}

    def update(done, total):
        if total and done / total >= marks["next"] - 1e-12:
            log.info(f"{done:,} of {total:,} {unit} done ({100 * done / total:.0f} %)")
            while marks["next"] <= done / total + 1e-12:
                marks["next"] += every
        if progress is not None:
            progress(done, total)

    return update


@dataclass
class FolderRun:
    """What a run into a folder gives back: the results folder, the run result and summary."""

    out: Path
    result: object
    summary: dict


def run_to_folder(case, out, *, force: bool = False, checkpoint_every: float = 30.0, progress=None,
                  _resume=None) -> FolderRun:
    """Run ``case`` and write its results folder ``out`` (see the module docstring).

    ``force``: an existing folder at ``out`` that is not a vip-transport results folder is
    moved aside instead of refused; ``checkpoint_every`` [s] of wall time between checkpoints
    (0: at every output); ``progress(done, total)`` is called after every time step.
    Raises UserError/CaseError for a user's mistake before any work, SolverError (an
    IncompleteRun) on a numerical failure, KeyboardInterrupt when stopped.
    """
    check_run_size(case)
    capture = _Capture()
    log.addHandler(capture)
    try:
        return _run_claimed(case, out, force, checkpoint_every, progress, _resume, capture)
    finally:
        log.removeHandler(capture)


def _run_claimed(case, out, force, checkpoint_every, progress, _resume, capture) -> FolderRun:
    with claim(out, force=force) as out:
        work = checkpoint_folder(out)
        if _resume is None:
            state = records = None
            meta = {"elapsed_s": 0.0, "started": now_iso()}
            if work.exists():
                remove_checkpoint(work)
                log.warning(f"discarded the checkpoint of an earlier, interrupted run on {out} "
                            f"(resume such a run with: vip-transport run --resume {out})")
        else:
            state, records, meta = _resume
        checkpointer = None
        if case.method == "fv":
            checkpointer = Checkpointer(work, case, interval_s=checkpoint_every,
                                        elapsed_s=meta["elapsed_s"], started=meta["started"])
        start = time.perf_counter()
        log.info(f"case {case.name} ({case.source}, digest {case.digest()[:12]}): method {case.method}, "
                 f"{case.geometry.dimension}D, {case.time.outputs} outputs to {case.time.duration:g} s"
                 + (f", resumed at step {state.next_step:,}" if state is not None else ""))
        try:
            unit = {"fv": "time steps", "analytic": "pieces of the time integral"}.get(case.method, "electrons")
            result = run_case(case, progress=_logged_progress(progress, unit),
                              checkpoint=checkpointer, resume=None if state is None else (state, records))
        except IncompleteRun as exc:
            if exc.partial is not None:
                partial = out.parent / f"{out.name}.incomplete"
                write_results(partial, exc.partial, started=meta["started"], error=str(exc))
                log.warning(f"outputs finished before the failure: {partial}")
            raise
        except KeyboardInterrupt:
            if checkpointer is not None and checkpointer.saved:
                log.warning(f"stopped; continue with: vip-transport run --resume {out}")
            raise
        parts = [meta["elapsed_s"], time.perf_counter() - start] if _resume is not None else None
        log.info(f"finished in {time.perf_counter() - start:.3g} s; writing {out}")
        summary = write_results(out, result, started=meta["started"], force=force, wall_time_parts=parts,
                                log_lines=capture.lines)
        remove_checkpoint(work)
    return FolderRun(out=out, result=result, summary=summary)


def resume_to_folder(out, *, checkpoint_every: float = 30.0, progress=None) -> FolderRun:
    """Continue the stopped finite-volume run whose results folder is ``out`` from its verified
    checkpoint (``io.checkpoint.load_checkpoint``), as :func:`run_to_folder` would have."""
    out = Path(out)
    case, state, records, meta = load_checkpoint(checkpoint_folder(out))
    return run_to_folder(case, out, checkpoint_every=checkpoint_every, progress=progress,
                         _resume=(state, records, meta))
