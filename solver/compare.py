"""Run one case in 1, 2 and 3 dimensions and tabulate how much the dimension matters.

``compare_dimensions(case, dims)`` runs the case with the finite-volume method in each
dimension (same numerics otherwise: the same line along x, the same time steps) and returns
per dimension N(T), the total scatterings S(T) = nu integral N dt, the mean time an electron
that passed spends in the target, t_res = integral N dt / N_passed with N_passed = Q(T)/e [s]
(the transit time n e V/I once the target is full), and the amplification factor
S(T)/(N_passed L/mu), each with its relative difference to 1D, and the largest difference of
N(t) over the run relative to max N_1D.

With ``methods`` (``--methods fv montecarlo``) every dimension runs with each method; the Monte
Carlo rows carry the standard errors of N(T) and S(T) and their differences to the finite-volume
row of the same dimension in units of the standard error (``*_diff_to_fv_in_stderr``; for N(t)
the largest over the output times).

``vip-transport compare CASE.yaml --dims 1 2 3 [--methods fv montecarlo] [--out DIR]`` (``run_compare``) writes
``compare.csv``, ``compare.md``, ``electrons_in_target.png`` (N(t) per dimension) and
``case.resolved.yaml`` into the folder atomically.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from .config.loading import case_from_dict, load_case, write_resolved
from .io.outdir import claim
from .io.results import atomic_folder
from .run import run_case

__all__ = ["COLUMNS", "compare_dimensions", "run_compare", "case_in_dimension"]

COLUMNS = ("dimension", "method", "cells", "steps", "wall_time_s", "new_electrons_in_target_final",
           "scatterings_total", "transit_time_s", "amplification_factor", "max_rel_diff_N_t")
COMPARED = ("new_electrons_in_target_final", "scatterings_total", "transit_time_s",
            "amplification_factor")
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
            "transit_time_s": integral / passed if passed > 0 else None,
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


def compare_dimensions(case, dims=(1, 2, 3), progress=None, methods=("fv",)) -> dict:
    """Run ``case`` in each of ``dims`` with each of ``methods`` and compare with 1D.

    ``progress``: None or a callable(dimension, done_steps, total_steps).  Returns {"rows":
    [one dict per dimension and method: COLUMNS plus rel_diff_to_1d_<quantity> for each
    compared quantity (None without a 1D run of that method), and METHOD_COLUMNS for Monte
    Carlo rows], "results": {dimension: RunResult} of the first method, "by_method": {method:
    {dimension: RunResult}}}.
    """
    by_method, rows = {}, []
    for method in methods:
        results = by_method.setdefault(method, {})
        for d in dims:
            update = None if progress is None else (lambda done, total, d=d: progress(d, done, total))
            results[int(d)] = run_case(case_in_dimension(case, d, method), progress=update)
    for method, results in by_method.items():
        rows += _rows(results, by_method.get("fv"))
    return {"rows": rows, "results": by_method[methods[0]], "by_method": by_method}


def _rows(results, fv_results):
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


def _columns(rows=()):
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
    cols = _columns(rows)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(_fmt(r.get(c)) for c in cols) + " |" for r in rows]
    return "\n".join(lines) + "\n"


def _plot(path, comparison, name):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for k, (method, results) in enumerate(comparison["by_method"].items()):
        for d, result in results.items():
            label = f"{d}D {method}" + (f" ({result.numerics.get('cells')} cells)" if method == "fv" else "")
            if result.stderr:
                ax.errorbar(result.times, result.electrons_in_target, yerr=result.stderr["new_electrons_in_target"],
                            fmt="o", ms=3, color=f"C{d - 1}", label=label)
            else:
                ax.plot(result.times, result.electrons_in_target, lw=1.4, ls=("-", "--", ":")[(d - 1) % 3],
                        color=f"C{d - 1}", label=label)
    ax.set_xscale("log")
    ax.set_xlabel("time since switch-on t [s]")
    ax.set_ylabel("new electrons in target N(t)")
    ax.set_title(f"{name}: N(t) by dimension")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def run_compare(args) -> int:
    """CLI entry: ``args.case`` (path), ``args.dims`` (list of int), ``args.methods`` (list, or
    None: fv), ``args.out`` (or None: results/<case name>-compare).  Writes the folder
    atomically; returns the exit code 0."""
    case = load_case(args.case)
    dims = sorted(set(int(d) for d in (args.dims or (1, 2, 3))))
    methods = tuple(dict.fromkeys(getattr(args, "methods", None) or ("fv",)))
    out = Path(args.out) if getattr(args, "out", None) else Path("results") / f"{case.name}-compare"
    force = getattr(args, "force", False)
    with claim(out, force=force) as out:
        comparison = compare_dimensions(case, dims, methods=methods)
        _write(out, case, dims, comparison, force, methods)
    print(markdown_table(comparison["rows"]), end="")
    print(f"results: {out}")
    return 0


def _write(out, case, dims, comparison, force, methods=("fv",)):
    """The comparison folder: case, CSV, Markdown table, plot."""
    rows = comparison["rows"]
    with atomic_folder(out, force=force) as tmp:
        write_resolved(case, tmp / "case.resolved.yaml")
        with open(tmp / "compare.csv", "w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(_columns(rows))
            for r in rows:
                writer.writerow(["" if r.get(c) is None else (repr(float(r[c])) if isinstance(r[c], float) else r[c])
                                 for c in _columns(rows)])
        (tmp / "compare.md").write_text(f"# {case.name}: the same case in {', '.join(f'{d}D' for d in dims)}"
                                        f" ({', '.join(methods)})\n\n"
                                        + markdown_table(rows), encoding="utf-8")
        _plot(tmp / "electrons_in_target.png", comparison, case.name)
