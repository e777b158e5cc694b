"""Running the same case in several dimensions and methods: in memory
(:func:`compare_dimensions`), or into a comparison folder (:func:`compare_into`) where every run
is a results folder of its own, kept in the work folder ``.DIR.compare/`` while the comparison
goes on: a comparison stopped half-way (Ctrl-C, SIGTERM, a kill) and started again re-uses the
runs that finished and resumes the one that was stopped from its checkpoint."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

from ..errors import UserError
from ..io.outdir import claim
from ..io.progress import progress_bar
from ..io.readback import is_complete, read_result
from ..io.results import atomic_folder
from ..io.checkpoint import checkpoint_folder
from ..run import run_case
from ..runner import resume_to_folder, run_to_folder
from .plot import plot_comparison
from .table import case_in_dimension, columns, markdown_table, rows_of

__all__ = ["compare_dimensions", "compare_into", "work_folder", "write_comparison"]

log = logging.getLogger("vip_transport")


def _assemble(by_method: dict, methods) -> dict:
    rows = []
    for method, results in by_method.items():
        rows += rows_of(results, by_method.get("fv"))
    return {"rows": rows, "results": by_method[methods[0]], "by_method": by_method}


def compare_dimensions(case, dims=(1, 2, 3), progress=None, methods=("fv",)) -> dict:
    """Run ``case`` in each of ``dims`` with each of ``methods`` (in memory) and compare with 1D.

    ``progress``: None or a callable(dimension, done_steps, total_steps).  Returns {"rows":
    [one dict per dimension and method: ``table.COLUMNS`` plus rel_diff_to_1d_<quantity> and,
    for Monte Carlo rows, ``table.METHOD_COLUMNS``], "results": {dimension: RunResult} of the
    first method, "by_method": {method: {dimension: RunResult}}}.
    """
    by_method = {}
    for method in methods:
        results = by_method.setdefault(method, {})
        for d in dims:
            update = None if progress is None else (lambda done, total, d=d: progress(d, done, total))
            results[int(d)] = run_case(case_in_dimension(case, d, method), progress=update)
    return _assemble(by_method, methods)


def work_folder(out) -> Path:
    """Where the runs of the comparison folder ``out`` are kept until it is complete."""
    out = Path(out)
    return out.parent / f".{out.name}.compare"


def _request(case, dims, methods) -> dict:
    return {"case": case.to_resolved_dict(), "case_sha256": case.digest(), "dims": list(dims),
            "methods": list(methods)}


def _one_run(case, sub: Path) -> object:
    """The result of the run of ``case`` in the folder ``sub``: re-used when it finished with this
    case, resumed from its checkpoint when it was stopped, else run."""
    if is_complete(sub):
        previous = read_result(sub)
        if previous.case == case:
            log.info(f"{sub.name}: finished earlier, re-used")
            return previous
    update, close = progress_bar(f"{case.name} {sub.name}")
    try:
        stopped = checkpoint_folder(sub)
        if (stopped / "state.npz").is_file():
            log.info(f"{sub.name}: resumed from its checkpoint")
            return resume_to_folder(sub, progress=update).result
        return run_to_folder(case, sub, force=True, progress=update).result
    finally:
        close()


def compare_into(case, out, dims=(1, 2, 3), methods=("fv",), *, force: bool = False) -> dict:
    """Run the comparison into the folder ``out`` (claimed as a results folder: see
    ``io.outdir``), re-using and resuming the runs of an earlier, stopped attempt with the same
    case, dimensions and methods.  Returns the comparison (as :func:`compare_dimensions`)."""
    with claim(out, force=force) as out:
        work = work_folder(out)
        request = _request(case, dims, methods)
        saved = work / "request.json"
        if saved.is_file() and json.loads(saved.read_text(encoding="utf-8")) != request:
            log.warning(f"discarded the runs of an earlier comparison of another request in {work}")
            shutil.rmtree(work)
        work.mkdir(parents=True, exist_ok=True)
        saved.write_text(json.dumps(request, indent=1), encoding="utf-8")
        by_method = {}
        for method in methods:
            for d in dims:
                sub_case = case_in_dimension(case, d, method)
                by_method.setdefault(method, {})[int(d)] = _one_run(sub_case, work / f"{d}D-{method}")
        comparison = _assemble(by_method, methods)
        write_comparison(out, case, dims, methods, comparison, work, force=force)
        shutil.rmtree(work, ignore_errors=True)
    return comparison


def resume_request(out) -> tuple:
    """(case, dims, methods) of the stopped comparison whose folder is ``out``."""
    from ..config import case_from_dict

    saved = work_folder(out) / "request.json"
    if not saved.is_file():
        raise UserError(f"{out}: nothing to resume: no comparison was stopped there ({saved} is missing); "
                        f"start it again with the case file")
    request = json.loads(saved.read_text(encoding="utf-8"))
    return case_from_dict(request["case"], source=str(saved)), request["dims"], request["methods"]


def write_comparison(out, case, dims, methods, comparison, work=None, *, force=False) -> None:
    """The comparison folder, atomically: case.resolved.yaml, compare.csv, compare.md,
    compare.png (N(t) and the differences to 1D) and, from ``work``, each run's results folder
    under runs/."""
    import csv

    from ..config import write_resolved

    rows = comparison["rows"]
    with atomic_folder(out, force=force) as tmp:
        write_resolved(case, tmp / "case.resolved.yaml")
        cols = columns(rows)
        with open(tmp / "compare.csv", "w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(cols)
            for r in rows:
                writer.writerow(["" if r.get(c) is None else (repr(float(r[c])) if isinstance(r[c], float) else r[c])
                                 for c in cols])
        header = (f"# {case.name}: the same case in {', '.join(f'{d}D' for d in dims)} ({', '.join(methods)})\n\n"
                  "mean_residence_time_s is integral N dt per electron passed (not the transit time L/v_d); its "
                  "relative difference to 1D, like the amplification factor's, equals that of scatterings_total "
                  "by construction.\n\n")
        (tmp / "compare.md").write_text(header + markdown_table(rows), encoding="utf-8")
        plot_comparison(tmp / "compare.png", comparison, f"{case.name}: N(t) by dimension and method")
        if work is not None:
            for sub in sorted(Path(work).iterdir()):
                if sub.is_dir() and not sub.name.startswith(".") and is_complete(sub):
                    shutil.copytree(sub, tmp / "runs" / sub.name)
