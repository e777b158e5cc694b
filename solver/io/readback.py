"""A results folder read back as a :class:`~solver.run.result.RunResult`: the case
(``case.resolved.yaml``), the time series and their standard errors (``timeseries.csv``) and
the derived quantities, counts and numerics (``summary.json``).  What ``compare`` re-uses of a
finished run, and what a script needs to work with results as arrays."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from ..config import load_case
from ..errors import UserError
from ..run.result import RunResult
from .results import TIMESERIES_COLUMNS

__all__ = ["read_result", "is_complete"]


def is_complete(folder) -> bool:
    """Whether ``folder`` holds the complete results of a run (summary.json says so)."""
    try:
        return bool(json.loads((Path(folder) / "summary.json").read_text(encoding="utf-8")).get("complete"))
    except (OSError, ValueError):
        return False


def read_result(folder) -> RunResult:
    """The RunResult of the results folder ``folder`` (arrays in SI units); UserError if it is
    not a complete results folder."""
    folder = Path(folder)
    if not is_complete(folder):
        raise UserError(f"{folder}: expected a complete results folder of vip-transport (summary.json with "
                        f"complete: true)")
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    with open(folder / "timeseries.csv", newline="") as fh:
        rows = list(csv.reader(fh))
    head, values = rows[0], np.array(rows[1:], dtype=float).reshape(len(rows) - 1, len(rows[0]))
    column = {name: values[:, k] for k, name in enumerate(head)}
    stderr = {name[:-len("_stderr")]: column[name] for name in head if name.endswith("_stderr")}
    counts = dict(summary.get("counts", {}))
    counts["xrays_per_unit_violation"] = summary["xrays_per_unit_violation"]
    counts["beta2_half_bound"] = summary["beta2_half_bound"]
    result = RunResult(case=load_case(folder / "case.resolved.yaml"), method=summary["method"],
                       times=column[TIMESERIES_COLUMNS[0]], electrons_in_target=column[TIMESERIES_COLUMNS[1]],
                       scattering_rate=column[TIMESERIES_COLUMNS[2]],
                       cumulative_scatterings=column[TIMESERIES_COLUMNS[3]],
                       derived=summary["derived"],
                       counts=counts, numerics=summary.get("numerics", {}),
                       wall_time_s=float(summary["provenance"].get("wall_time_s", 0.0)))
    if stderr:
        result.stderr = stderr
    return result
