"""``vip-transport bound BOUND.yaml``: the bound printed with the assumptions it rests on and
written to a results folder (``bound.json``, ``bound.md``, ``case.resolved.yaml``)."""

from __future__ import annotations

from pathlib import Path

from ..config.bound_file import load_bound
from ..config.loading import write_resolved
from ..io.outdir import claim
from ..io.results import atomic_folder, now_iso, provenance
from ..io.tables import format_value as fv
from ..io.tables import markdown_table, write_json
from .spectrum import bound_from_spectrum

__all__ = ["format_bound", "run_bound"]

VARIANT_COLUMNS = ("variant", "diffusivity", "speeds", "reservoir", "capture", "scattering",
                   "xrays_per_unit_violation", "bound_feldman_cousins")
VARIANT_HEADERS = ("variant", "D", "speeds", "reservoir", "r", "scattering", "X-rays per beta^2/2",
                   "beta^2/2 < (FC)")


def format_bound(r: dict) -> str:
    """The bound as lines of text: counts, signal limits with the methods named, the bound with
    the model choices it rests on, Ramberg-Snow's, and the systematic spread."""
    cl = f"{100 * r['confidence_level']:g}% C.L."
    on, off = r["current_on"], r["current_off"]
    lines = [
        f"{r['source']}: bound on beta^2/2 at {cl} (case {r['case']})",
        f"  counts in the signal region: {on['counts']} in {on['live_time_s']:.6g} s with current, "
        f"{off['counts']} in {off['live_time_s']:.6g} s without",
        f"  expected background with current: b = {r['background_expected']:.6g} (known; the off counts' "
        f"Poisson spread +-{r['background_spread']:.3g} is not folded in)",
        f"  signal counts: Feldman-Cousins (Poisson signal over a known background) "
        f"[{r['signal_feldman_cousins'][0]:.4g}, {r['signal_feldman_cousins'][1]:.4g}]; "
        f"Bayesian (flat prior) < {r['signal_bayesian_upper']:.4g}",
        f"  model: {r['choices']}; detection efficiency {r['detection_efficiency']:g}",
        f"  expected detected X-rays per unit beta^2/2: {r['xrays_per_unit_violation']:.4g} "
        f"(S = {r['scatterings']:.4g} scatterings with current)",
        f"  bound: beta^2/2 < {fv(r['beta2_half_bound_feldman_cousins'])} (Feldman-Cousins), "
        f"< {fv(r['beta2_half_bound_bayesian'])} (Bayesian)",
        f"  Ramberg-Snow straight path (capture 1/10, L/mu per electron passed): beta^2/2 < "
        f"{fv(r['rs_beta2_half_bound_feldman_cousins'])} (Feldman-Cousins)",
    ]
    if r["systematic_range"]:
        lo, hi = r["systematic_range"]
        extra = ", ".join(f"{v['variant'].split(', ')[-1]}: x{v['bound_feldman_cousins'] / r['beta2_half_bound_feldman_cousins']:.3g}"
                          for v in r["variants"] if v["variant"].endswith(("1/10", "1/tau")))
        lines.append(f"  model choices (diffusivity x speeds x reservoir): beta^2/2 < {lo:.3e} ... {hi:.3e} "
                     f"(x{hi / lo:.3g}); {extra}")
    return "\n".join(lines)


def run_bound(args) -> int:
    """CLI entry: ``args.bound`` (BOUND file), ``args.out`` (or None: results/<case>-bound),
    ``args.force``."""
    bound = load_bound(args.bound)
    out = Path(args.out) if args.out else Path("results") / f"{bound.case.name}-bound"
    started = now_iso()
    with claim(out, force=args.force) as out:
        result = bound_from_spectrum(bound)
        text = format_bound(result)
        with atomic_folder(out, force=args.force) as tmp:
            write_resolved(bound.case, tmp / "case.resolved.yaml")
            write_json(tmp / "bound.json", {**result, "provenance": provenance(wall_time_s=None, started=started)})
            (tmp / "bound.md").write_text(
                "# Bound on beta^2/2 from a measured spectrum\n\n```\n" + text + "\n```\n\n"
                "## The bound for each model choice (docs/model-choices.md)\n\n"
                + markdown_table(result["variants"], VARIANT_COLUMNS, VARIANT_HEADERS), encoding="utf-8")
    print(text)
    print(f"results: {out}")
    return 0
