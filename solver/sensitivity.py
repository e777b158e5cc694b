"""How much the model choices move the answer: ``vip-transport sensitivity CASE [CASE ...]``.

For each case, every variant of :func:`solver.config.variants.choice_variants` (diffusivity
einstein | degenerate x speeds of the paper | v_F for both x the case's reservoir | the circuit
as a loop, plus the capture probability 1/10 and the conduction scatterings) is run over the
measurement time T with the case's method (at ``outputs`` log-spaced times), and tabulated:
N/(n V) at ten transit times (interpolated in ln t) and at T, the time the target is 90 % full, the scatterings S(T) = nu integral_0^T N dt, the
amplification factor S(T)/(N_passed L/mu), the detected X-rays per unit beta^2/2 and the bound
for the count limit, with its ratio to the paper's choices.  Variants that differ only in how
scatterings are counted share one transport solution (S is rescaled by their own nu, exactly).

The folder (atomic): ``sensitivity.csv``, ``sensitivity.md``, ``sensitivity.json``,
``sensitivity.png`` (N(t)/(n V) per transport variant, a panel per case).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .config.loading import load_case
from .config.units import format_quantity
from .config.variants import choice_variants, with_changes
from .io.outdir import claim
from .io.results import atomic_folder, now_iso, provenance
from .io.tables import markdown_table, write_csv, write_json
from .physics.choices import describe_choices, model_choices
from .run.variants import run_variants

__all__ = ["COLUMNS", "sensitivity", "run_sensitivity"]

COLUMNS = ("case", "variant", "diffusivity", "speeds", "reservoir", "capture", "scattering",
           "fraction_at_10_transits", "fraction_at_T", "time_to_90pct_s", "scatterings_T",
           "amplification_factor", "xrays_per_unit_violation", "beta2_half_bound", "bound_over_paper")
HEADERS = ("case", "variant", "D", "speeds", "reservoir", "r", "scattering", "N/nV at 10 dt_T",
           "N/nV at T", "t_90% [s]", "S(T)", "amplification", "X-rays per beta^2/2", "bound", "bound / paper's")


def _fraction_at(result, t) -> float:
    """N(t)/(n V) by linear interpolation in ln t between the outputs."""
    full = result.derived["electron_density_m3"] * result.derived["target_volume_m3"]
    times = np.asarray(result.times)
    return float(np.interp(np.log(t), np.log(times), np.asarray(result.electrons_in_target) / full))


def _time_to(result, level: float) -> float | None:
    full = result.derived["electron_density_m3"] * result.derived["target_volume_m3"]
    frac = np.asarray(result.electrons_in_target) / full
    above = np.flatnonzero(frac >= level)
    if not len(above):
        return None
    k = int(above[0])
    if k == 0:
        return float(result.times[0])
    t0, t1 = np.log(result.times[k - 1]), np.log(result.times[k])
    return float(np.exp(np.interp(level, [frac[k - 1], frac[k]], [t0, t1])))


def sensitivity(cases, *, duration: float | None = None, circuit_length: float = 2.0,
                count_limit: float | None = None, outputs: int = 120) -> dict:
    """Run every variant of every case over ``duration`` [s] (default: each case's own).
    ``count_limit``: the X-ray count limit of the bound (default: the case's, else 1 count).
    Returns {"rows": [...] (COLUMNS), "curves": {case: [(label, times, N/(nV))]}, "settings"}."""
    rows, curves = [], {}
    for case in cases:
        T = case.time.duration if duration is None else float(duration)
        base = with_changes(case, {"time.duration": format_quantity(T, "time"), "time.outputs": outputs,
                                   "time.first_output": None})
        limit = count_limit if count_limit is not None else (case.counting.xray_count_limit or 1.0)
        paper_bound = None
        curves[case.name] = []
        for v, vc, result, first in run_variants(base, choice_variants(base, circuit_length)):
            if first:
                full = result.derived["electron_density_m3"] * result.derived["target_volume_m3"]
                curves[case.name].append((f"D {v['diffusivity']}, {v['reservoir']}", np.asarray(result.times),
                                          np.asarray(result.electrons_in_target) / full))
            xrays = result.counts["xrays_per_unit_violation"]
            bound = limit / xrays if xrays > 0 else None
            paper_bound = bound if paper_bound is None else paper_bound
            transit = result.derived["transit_time_s"]
            t1 = min(T, 10 * transit) if transit else T
            rows.append({"case": case.name, "variant": v.name, **v,
                         "fraction_at_10_transits": _fraction_at(result, t1),
                         "fraction_at_T": _fraction_at(result, T), "time_to_90pct_s": _time_to(result, 0.9),
                         "scatterings_T": float(result.cumulative_scatterings[-1]),
                         "amplification_factor": result.counts["amplification_factor"],
                         "xrays_per_unit_violation": xrays, "beta2_half_bound": bound,
                         "bound_over_paper": None if bound is None or not paper_bound else bound / paper_bound,
                         "count_limit": limit, "duration_s": T, "ten_transits_s": t1,
                         "model_choices": model_choices(vc), "choices": describe_choices(model_choices(vc))})
    return {"rows": rows, "curves": curves,
            "settings": {"circuit_length_m": circuit_length, "durations_s": {r["case"]: r["duration_s"] for r in rows},
                         "count_limits": {r["case"]: r["count_limit"] for r in rows}}}


def _plot(path, curves):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5.2 * len(curves), 4.2))
    for k, (name, lines) in enumerate(curves.items()):
        ax = fig.add_subplot(1, len(curves), k + 1)
        for (label, t, frac), style in zip(lines, ("-", "--", "-.", ":")):
            ax.plot(t, frac, ls=style, lw=1.5, label=label)
        ax.set_xscale("log")
        ax.set_xlabel("time since switch-on t [s]")
        ax.set_ylabel("N(t)/(n V_target)")
        ax.set_title(f"{name}: the model choices")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.13, top=0.92, wspace=0.25)
    fig.savefig(path, dpi=120)


def run_sensitivity(args) -> int:
    """CLI entry: ``args.cases`` (paths), ``args.time`` [s] or None, ``args.circuit_length`` [m],
    ``args.count_limit`` or None, ``args.outputs``, ``args.out`` (or None: results/sensitivity),
    ``args.force``."""
    cases = [load_case(p) for p in args.cases]
    out = Path(args.out) if args.out else Path("results") / "sensitivity"
    started = now_iso()
    with claim(out, force=args.force) as out:
        report = sensitivity(cases, duration=args.time, circuit_length=args.circuit_length,
                             count_limit=args.count_limit, outputs=args.outputs)
        table = markdown_table(report["rows"], COLUMNS, HEADERS)
        with atomic_folder(out, force=args.force) as tmp:
            write_csv(tmp / "sensitivity.csv", report["rows"], COLUMNS)
            write_json(tmp / "sensitivity.json", {"rows": report["rows"], "settings": report["settings"],
                                                  "provenance": provenance(wall_time_s=None, started=started)})
            (tmp / "sensitivity.md").write_text(
                "# How much the model choices move the answer\n\n"
                f"Measurement time T and count limit per case: {report['settings']}; the circuit is a loop of "
                f"{args.circuit_length:g} m of the reservoir's cross-section. 'bound / paper's' is relative to "
                "the first row of each case (the paper's choices). See docs/model-choices.md.\n\n" + table,
                encoding="utf-8")
            _plot(tmp / "sensitivity.png", report["curves"])
    print(table, end="")
    print(f"results: {out}")
    return 0
