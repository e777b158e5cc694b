"""``vip-transport modulation CASE``: an on/off current and a lock-in analysis, from the model.

For each period, the case's current (its largest value) switched on and off with duty 1/2 from
t = 0 with the reservoir connected throughout, over the measurement time: the modulation depth
of the last period and of the run, the rate's harmonics, and the uncertainty of beta^2/2 from a
lock-in at the fundamental, from counts on minus counts off, and from a plain comparison of a
run with the current and one without new electrons (``physics.modulation.lockin_comparison``).
The period with the smallest lock-in uncertainty is reported as the optimum of those scanned.
The folder (atomic): ``modulation.csv``, ``modulation.md``, ``modulation.json``.
"""

from __future__ import annotations

from pathlib import Path

from .config.loading import load_case
from .io.outdir import claim
from .io.results import atomic_folder, now_iso, provenance
from .io.tables import markdown_table, write_csv, write_json
from .physics.choices import describe_choices, model_choices
from .physics.modulation import lockin_comparison

__all__ = ["COLUMNS", "scan_periods", "run_modulation"]

COLUMNS = ("period_s", "depth_last_period", "depth_run", "first_harmonic_over_mean", "sigma_lockin",
           "sigma_square", "sigma_plain", "lockin_over_plain", "square_over_plain")
HEADERS = ("period [s]", "depth, last period", "depth, run", "A_1/mean", "sigma lock-in", "sigma on-off phases",
           "sigma plain", "lock-in / plain", "on-off / plain")


def scan_periods(case, periods, duration: float, background_rate: float, bins_per_period: int = 4) -> dict:
    """``lockin_comparison`` for each period [s]; returns {"rows", "optimum" (the row with the
    smallest lock-in sigma), "choices"}."""
    rows = []
    for period in periods:
        r = lockin_comparison(case, float(period), duration, background_rate, bins_per_period=bins_per_period)
        h = r.pop("harmonics")
        rows.append({**r, "first_harmonic_over_mean": h["amplitude"][0] / h["mean"] if h["amplitude"] else None,
                     "harmonics": h})
    best = min(rows, key=lambda r: r["sigma_lockin"])
    return {"rows": rows, "optimum": best, "choices": describe_choices(model_choices(case))}


def run_modulation(args) -> int:
    """CLI entry: ``args.case``, ``args.periods`` [s], ``args.time`` [s], ``args.background``
    [counts/s], ``args.out`` (or None: results/<case>-modulation), ``args.force``."""
    case = load_case(args.case)
    out = Path(args.out) if args.out else Path("results") / f"{case.name}-modulation"
    started = now_iso()
    with claim(out, force=args.force) as out:
        report = scan_periods(case, args.periods, args.time, args.background)
        table = markdown_table(report["rows"], COLUMNS, HEADERS)
        best = report["optimum"]
        head = (f"{case.name}: on/off current of {best['current_A']:g} A (duty 1/2), reservoir connected, over "
                f"{args.time:.6g} s; background {args.background:g} counts/s; {report['choices']}\n"
                f"smallest lock-in uncertainty at the period {best['period_s']:g} s: "
                f"{best['lockin_over_plain']:.3g} x that of a plain on/off comparison (reservoir disconnected "
                "when off)\n")
        with atomic_folder(out, force=args.force) as tmp:
            write_csv(tmp / "modulation.csv", report["rows"], COLUMNS)
            write_json(tmp / "modulation.json", {**report, "provenance": provenance(wall_time_s=None, started=started)})
            (tmp / "modulation.md").write_text("# Modulated current and lock-in\n\n" + head + "\n" + table,
                                               encoding="utf-8")
    print(head + table, end="")
    print(f"results: {out}")
    return 0
