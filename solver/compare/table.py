"""The comparison table: one row per dimension and method, with each run's figures and their
differences to the 1D run of the same method (and, for Monte Carlo rows, to the finite-volume
run of the same dimension in units of the standard error).

Quantities, each named for what it is:
- ``new_electrons_in_target_final`` N(T) and ``scatterings_total`` S(T) = nu integral N dt;
- ``mean_residence_time_s``: the time an electron that passed spends in the target on average,
  integral N dt / N_passed with N_passed = Q(T)/e [s] (n e V/I once the target is full): NOT the
  transit time L/v_d of summary.json;
- ``amplification_factor`` S(T)/(N_passed L/mu).
Both of the last two are S(T) times a factor that is the same in every dimension, so their
relative differences to 1D equal that of S(T) by construction: the table gives that one
difference once (``rel_diff_to_1d_scatterings_total``), besides that of N(T) and the largest
difference of N(t) over the run relative to max N_1D (``max_rel_diff_N_t``).
"""

from __future__ import annotations


import numpy as np

from ..config.loading import case_from_dict

__all__ = ["COLUMNS", "COMPARED", "rows_of", "columns", "markdown_table", "case_in_dimension"]

COLUMNS = ("dimension", "method", "cells", "steps", "wall_time_s", "new_electrons_in_target_final",
           "scatterings_total", "mean_residence_time_s", "amplification_factor", "max_rel_diff_N_t")
COMPARED = ("new_electrons_in_target_final", "scatterings_total")
METHOD_COLUMNS = ("new_electrons_in_target_final_stderr", "scatterings_total_stderr",
                  "N_final_diff_to_fv_in_stderr", "S_total_diff_to_fv_in_stderr",
                  "max_abs_N_t_diff_to_fv_in_stderr")


def case_in_dimension(case, dimension: int, method: str = "fv"):
    """``case`` with geometry.dimension = ``dimension`` and ``method``, validated again."""
    data = case.to_resolved_dict()
    data["geometry"]["dimension"] = int(dimension)
    data["method"] = method
    return case_from_dict(data, source=case.source)


def _row(result):
    counts, derived = result.counts, result.derived
    passed = counts["electrons_passed"]
    integral = float(result.cumulative_scatterings[-1]) / derived["scattering_rate_per_s"]
    return {"dimension": result.case.geometry.dimension, "method": result.method,
            "cells": result.numerics.get("cells"),
            "steps": result.numerics.get("steps"), "wall_time_s": result.wall_time_s,
            "new_electrons_in_target_final": float(result.electrons_in_target[-1]),
            "scatterings_total": float(result.cumulative_scatterings[-1]),
            "mean_residence_time_s": integral / passed if passed > 0 else None,
            "amplification_factor": counts["amplification_factor"]}


def _rel(a, b):
    if a is None or b is None or b == 0:
        return None
    return (a - b) / abs(b)


def _method_row(row, result, fv):
    """The Monte Carlo columns of ``row``: standard errors and differences to ``fv``."""
    if not result.stderr:
        return
    se_n, se_s = result.stderr["new_electrons_in_target"], result.stderr["cumulative_scatterings"]
    row["new_electrons_in_target_final_stderr"] = float(se_n[-1])
    row["scatterings_total_stderr"] = float(se_s[-1])
    if fv is None:
        return
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (np.asarray(result.electrons_in_target) - fv.electrons_in_target) / se_n
    row["N_final_diff_to_fv_in_stderr"] = float(z[-1])
    row["S_total_diff_to_fv_in_stderr"] = float((result.cumulative_scatterings[-1] - fv.cumulative_scatterings[-1])
                                                / se_s[-1])
    row["max_abs_N_t_diff_to_fv_in_stderr"] = float(np.max(np.abs(z[np.isfinite(z)]))) if np.isfinite(z).any() else None


def rows_of(results, fv_results=None) -> list:
    """The rows of one method's runs {dimension: RunResult} (``fv_results``: the finite-volume runs
    of the same dimensions, for the Monte Carlo columns)."""
    rows = []
    ref = results.get(1)
    for d, result in results.items():
        row = _row(result)
        base = _row(ref) if ref is not None else {}
        for key in COMPARED:
            row[f"rel_diff_to_1d_{key}"] = _rel(row[key], base.get(key))
        row["max_rel_diff_N_t"] = None
        if ref is not None:
            n_ref = np.asarray(ref.electrons_in_target)
            row["max_rel_diff_N_t"] = float(np.max(np.abs(np.asarray(result.electrons_in_target) - n_ref))
                                            / max(float(np.max(n_ref)), 1e-300))
        _method_row(row, result, (fv_results or {}).get(d))
        rows.append(row)
    return rows


def columns(rows=()) -> list:
    """The table's columns: COLUMNS, the differences to 1D, and the Monte Carlo ones if used."""
    extra = [c for c in METHOD_COLUMNS if any(c in r for r in rows)]
    return list(COLUMNS) + [f"rel_diff_to_1d_{k}" for k in COMPARED] + extra


def _fmt(value):
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if value == 0 or (1e-3 <= abs(value) < 1e6):
        return f"{value:.6g}"
    return f"{value:.4e}"


def markdown_table(rows) -> str:
    """The comparison as a Markdown table."""
    cols = columns(rows)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(_fmt(r.get(c)) for c in cols) + " |" for r in rows]
    return "\n".join(lines) + "\n"
