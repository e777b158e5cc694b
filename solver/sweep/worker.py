"""One case of a sweep, as a Dask task (or a plain call): run it and write its results folder.

A task is plain data, so that it travels to any worker: the resolved case (``Case.
to_resolved_dict``), a label for messages, the results folder and whether to draw its plots.
The worker writes the folder itself (``io.results.write_results``: a temporary folder renamed
when complete), so a finished case survives whatever happens to the sweep afterwards; a
cluster's workers must therefore see the sweep's folder (a shared file system).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ..config import case_from_dict
from ..errors import SolverError, UserError
from ..io.results import now_iso, write_results
from ..run import run_case

__all__ = ["Task", "run_task"]


@dataclass(frozen=True)
class Task:
    """``resolved`` case data, ``label`` (file and case index), ``folder`` (str), ``plots``."""

    key: str
    resolved: dict
    label: str
    folder: str
    plots: bool = False


def run_task(task: Task) -> dict:
    """Run ``task``; returns {"key", "status": "ok" | "failed", "error": None | message,
    "seconds": wall time of the whole task [s]}.  A mistake in the case or a numerical
    failure is reported, never raised, so that one case cannot stop a sweep."""
    start = time.perf_counter()
    try:
        case = case_from_dict(task.resolved, source=task.label)
        result = run_case(case)
        write_results(task.folder, result, started=now_iso(), plots=task.plots)
        error = None
    except (UserError, SolverError) as exc:
        error = str(exc)
    except Exception as exc:     # a bug: reported in the table with its type, the sweep goes on
        error = f"internal error: {type(exc).__name__}: {exc}"
    return {"key": task.key, "status": "ok" if error is None else "failed", "error": error,
            "seconds": time.perf_counter() - start}
