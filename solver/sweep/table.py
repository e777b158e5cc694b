"""The table of a sweep, read back from its cases' results folders (never from memory, so that a
resumed sweep's table equals an uninterrupted one's).

``sweep.csv``: one row per case, in the order of the sweep file: ``case`` (its index), one
column per axis (quantities as SI numbers, the unit in the header: "transport.current [A]";
other values as written), ``sample`` (sampled sweeps), ``status`` (ok, failed, not run), the
outputs of summary.json (:data:`OUTPUTS`), ``model_choices`` (the choices each bound rests on, in
one line), ``wall_time_s`` (the run's compute time, which
differs between runs), ``key`` (the case's results folder cases/<key>) and ``error``.

``quantiles.csv`` (sampled sweeps): for each combination of the grid/zip axes and each output,
the 5, 50 and 95 % quantiles over the samples that finished (numpy's linear interpolation).
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import numpy as np

from ..config.units import DIMENSIONS, dimension_of, to_si
from ..physics.choices import describe_choices

__all__ = ["OUTPUTS", "QUANTILES", "axis_columns", "build_rows", "quantile_rows", "write_csv", "read_table"]

#: summary.json outputs in the table: column -> where in summary.json, label with unit
OUTPUTS = {
    "new_electrons_in_target_final": (("new_electrons_in_target_final",), "new electrons in target at the end N(T)"),
    "scatterings_total": (("scatterings_total",), "scatterings S(T)"),
    "xrays_per_unit_violation": (("xrays_per_unit_violation",), "detected X-rays per unit beta^2/2"),
    "beta2_half_bound": (("beta2_half_bound",), "bound on beta^2/2"),
    "amplification_factor": (("counts", "amplification_factor"), "amplification over Ramberg-Snow"),
}
QUANTILES = (0.05, 0.5, 0.95)


def axis_columns(sweep) -> list[tuple]:
    """(axis, column name, dimension or None) per axis: a quantity axis is a numeric column in
    SI units named "key [unit]"; anything else (einstein, a schedule) keeps its text."""
    columns = []
    for axis in sweep.axes:
        dims = {axis.distribution.dimension} if axis.distribution else {dimension_of(v) for v in axis.values}
        dim = dims.pop() if len(dims) == 1 else None
        unit = DIMENSIONS[dim][0] if dim else ""
        columns.append((axis, f"{axis.key} [{unit}]" if unit else axis.key, dim))
    return columns


def _cell(value, dimension):
    if dimension is not None:
        return to_si(value, dimension)
    return value if isinstance(value, str) else json.dumps(value)


def _get(summary, path):
    for part in path:
        summary = summary.get(part) if isinstance(summary, dict) else None
    return summary


def build_rows(sweep, points, out) -> list[dict]:
    """One dict per case (column -> value; None where there is no value), from ``out``."""
    out = Path(out)
    columns = axis_columns(sweep)
    rows = []
    for p in points:
        row = {"case": p.index}
        for axis, name, dim in columns:
            row[name] = _cell(p.values[axis.key], dim)
        if sweep.count:
            row["sample"] = p.sample
        summary_path = out / "cases" / p.key / "summary.json"
        failed_path = out / "failed" / f"{p.key}.json"
        summary, error, status = {}, None, "not run"
        if summary_path.is_file():
            summary, status = json.loads(summary_path.read_text()), "ok"
        elif failed_path.is_file():
            error, status = json.loads(failed_path.read_text())["error"], "failed"
        row["status"] = status
        for name, (path, _) in OUTPUTS.items():
            row[name] = _get(summary, path)
        choices = summary.get("model_choices")      # what the bound rests on (docs/model-choices.md)
        row["model_choices"] = describe_choices(choices) if choices else None
        row["wall_time_s"] = _get(summary, ("provenance", "wall_time_s"))
        row["key"] = p.key
        row["error"] = error
        rows.append(row)
    return rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    return str(value)


def write_csv(path: Path, rows: list[dict]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(list(rows[0]))
    for row in rows:
        writer.writerow([_text(v) for v in row.values()])
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(buffer.getvalue())
    os.replace(tmp, path)


def quantile_rows(sweep, points, rows) -> list[dict]:
    """Quantiles of each output over the samples of each grid/zip combination."""
    fixed = [(a, name) for a, name, _ in axis_columns(sweep) if a.kind != "sample"]
    groups = {}
    for p, row in zip(points, rows):
        groups.setdefault(p.group, []).append(row)
    out = []
    for members in groups.values():
        ok = [r for r in members if r["status"] == "ok"]
        for output in OUTPUTS:
            values = np.array([r[output] for r in ok if r[output] is not None], dtype=float)
            q = np.quantile(values, QUANTILES) if values.size else [None] * len(QUANTILES)
            entry = {name: members[0][name] for _, name in fixed}
            entry["output"] = output
            entry.update({f"q{round(100 * level):02d}": (float(v) if v is not None else None)
                          for level, v in zip(QUANTILES, q)})
            entry.update(cases_ok=len(values), cases_failed=sum(r["status"] == "failed" for r in members))
            out.append(entry)
    return out


def read_table(path) -> list[dict]:
    """sweep.csv (or quantiles.csv) as a list of dicts of text, for tests and notebooks."""
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))
