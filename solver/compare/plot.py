"""The comparison's figure: N(t) of every run (Monte Carlo with error bars) and, below, the
difference of each to the 1D run of its method relative to max N_1D."""

from __future__ import annotations

import numpy as np

__all__ = ["plot_comparison"]


def plot_comparison(path, comparison, title: str) -> None:
    """Two panels into ``path`` (PNG): N(t) per dimension and method, and (N_d - N_1D)/max N_1D."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.2, 7.0))
    FigureCanvasAgg(fig)
    top, bottom = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    fig.subplots_adjust(left=0.13, right=0.97, bottom=0.08, top=0.92, hspace=0.08)
    for method, results in comparison["by_method"].items():
        ref = results.get(1)
        scale = float(np.max(ref.electrons_in_target)) if ref is not None else None
        for d, result in results.items():
            colour, style = f"C{d - 1}", ("-", "--", ":")[(d - 1) % 3]
            label = f"{d}D {method}" + (f" ({result.numerics.get('cells')} cells)" if method == "fv" else "")
            stderr = (result.stderr or {}).get("new_electrons_in_target")
            if stderr is not None:
                top.errorbar(result.times, result.electrons_in_target, yerr=stderr, fmt="o", ms=3, color=colour,
                             label=label)
            else:
                top.plot(result.times, result.electrons_in_target, lw=1.4, ls=style, color=colour, label=label)
            if ref is not None and d != 1:
                diff = (np.asarray(result.electrons_in_target) - ref.electrons_in_target) / scale
                bottom.plot(result.times, diff, lw=1.4, ls=style, color=colour, label=f"{d}D - 1D ({method})")
    bottom.axhline(0.0, color="k", lw=0.6)
    top.set_ylabel("new electrons in target N(t)")
    bottom.set_ylabel("(N$_{d}$ - N$_{1D}$) / max N$_{1D}$")
    bottom.set_xlabel("time since switch-on t [s]")
    for ax in (top, bottom):
        ax.set_xscale("log")
        ax.grid(True, which="both", alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8)
    fig.suptitle(title, fontsize=9)
    fig.savefig(path, dpi=120)
