"""The results folder: written to a temporary folder beside the target, renamed when complete.

Contract (stable; later versions add, never rename):
- ``timeseries.csv``: time_s, new_electrons_in_target, scattering_rate_per_s, cumulative_scatterings
- ``summary.json``: case, method, derived{...}, new_electrons_in_target_final, scatterings_total,
  xrays_per_unit_violation, beta2_half_bound, provenance{...}; plus counts, numerics, files
- ``case.resolved.yaml``: the validated case with every default filled in (loadable again)
- ``electrons_in_target.png``, ``cumulative_scatterings.png``; ``xray_rate.png``, ``results.nc``,
  ``run.log`` (``io.plots``, ``io.dataset``)
"""

from __future__ import annotations

import csv
import datetime as _dt
import json
import logging
import math
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ..physics.choices import model_choices
from .outdir import publish, temporary_prefix, write_marker
from .plots import plot_result
from .provenance import provenance

log = logging.getLogger("vip_transport")

__all__ = ["TIMESERIES_COLUMNS", "SUMMARY_KEYS", "atomic_folder", "write_results", "provenance",
           "summary_dict", "json_safe"]

TIMESERIES_COLUMNS = ("time_s", "new_electrons_in_target", "scattering_rate_per_s", "cumulative_scatterings")
SUMMARY_KEYS = ("case", "method", "derived", "new_electrons_in_target_final", "scatterings_total",
                "xrays_per_unit_violation", "beta2_half_bound", "provenance")


def json_safe(value):
    """Plain JSON types: numpy scalars and arrays to Python, inf/NaN to None."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, np.ndarray):
        return json_safe(value.tolist())
    if isinstance(value, (np.floating, float)):
        v = float(value)
        return v if math.isfinite(v) else None
    if isinstance(value, (np.integer,)):
        return int(value)
    return value


def summary_dict(result, *, started, error=None, wall_time_parts=None):
    """The summary.json object of a ``RunResult`` (``error``: why a run stopped early; then
    ``complete`` is false and the numbers are those of the last finished output)."""
    counts = dict(result.counts)
    return json_safe({
        "complete": error is None,
        "error": error,
        "case": result.case.name,
        "method": result.method,
        "derived": result.derived,
        "new_electrons_in_target_final": float(result.electrons_in_target[-1]),
        "scatterings_total": float(result.cumulative_scatterings[-1]),
        "xrays_per_unit_violation": counts.pop("xrays_per_unit_violation"),
        "beta2_half_bound": counts.pop("beta2_half_bound"),
        "provenance": provenance(wall_time_s=sum(wall_time_parts) if wall_time_parts else result.wall_time_s,
                                 started=started, wall_time_parts=wall_time_parts, case=result.case),
        "counts": counts,
        "numerics": result.numerics,
        "injection": result.case.transport.injection,
        **_stderr_keys(result),
        "model_choices": model_choices(result.case),
    })


def _stderr_keys(result) -> dict:
    """Monte Carlo: standard errors of the final N and of the total scatterings."""
    if not result.stderr:
        return {}
    return {"new_electrons_in_target_final_stderr": float(result.stderr["new_electrons_in_target"][-1]),
            "scatterings_total_stderr": float(result.stderr["cumulative_scatterings"][-1])}


@contextmanager
def atomic_folder(target, *, force: bool = False):
    """Yield a temporary folder beside ``target``; on success it replaces ``target`` as a whole
    (``outdir.publish``: our previous results are replaced, anything else is moved aside to a
    visible name and logged, never deleted), on any exception it is removed and ``target`` is
    left as it was.  The folder is marked as ours (``outdir.MARKER``) with the files written."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=temporary_prefix(target), dir=target.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)          # mkdtemp makes it private; results are for sharing
    try:
        write_marker(tmp, [])              # a temporary folder left by a kill is recognisably ours
        yield tmp
        write_marker(tmp, [p.relative_to(tmp).as_posix() for p in tmp.rglob("*") if p.is_file()])
        moved = publish(tmp, target, force=force)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if moved:
        log.warning(moved)


def write_timeseries(path, result):
    """TIMESERIES_COLUMNS, then (Monte Carlo) ``<column>_stderr`` for each standard error."""
    stderr = result.stderr or {}
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(list(TIMESERIES_COLUMNS) + [f"{k}_stderr" for k in stderr])
        for row in zip(result.times, result.electrons_in_target, result.scattering_rate,
                       result.cumulative_scatterings, *stderr.values()):
            w.writerow([repr(float(v)) for v in row])


def write_results(out, result, *, started, error=None, force=False, wall_time_parts=None, plots=True,
                  log_lines=None):
    """Write the whole results folder for ``result`` atomically; returns the summary dict.
    With ``error`` the folder holds the outputs finished before a failure, marked incomplete;
    ``force``: an existing folder that is not ours is moved aside (see ``atomic_folder``);
    ``plots=False`` leaves out the two PNGs (a sweep's many cases; 0.1-0.3 s each);
    ``log_lines``: the run's log, written as run.log."""
    from ..config.loading import write_resolved
    from .dataset import write_netcdf
    from .snapshots import write_fields

    with atomic_folder(out, force=force) as tmp:
        write_resolved(result.case, tmp / "case.resolved.yaml")
        write_timeseries(tmp / "timeseries.csv", result)
        netcdf = write_netcdf(tmp / "results.nc", result)   # the same series and the density snapshots
        pngs = plot_result(tmp, result) if plots else []
        pngs += write_fields(tmp, result)      # 2D/3D field snapshots in fields/ (solver.io.snapshots)
        summary = summary_dict(result, started=started, error=error, wall_time_parts=wall_time_parts)
        logs = []
        if log_lines is not None:
            (tmp / "run.log").write_text("".join(line + "\n" for line in log_lines), encoding="utf-8")
            logs = ["run.log"]
        summary["files"] = ["case.resolved.yaml", "timeseries.csv", "summary.json", netcdf, *pngs, *logs]
        with open(tmp / "summary.json", "w") as fh:
            json.dump(summary, fh, indent=2, allow_nan=False)
            fh.write("\n")
    return summary


def now_iso():
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
