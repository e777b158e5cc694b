"""Plots of a sweep's table (PNG, in ``OUT/plots/``), one per output:

- one swept axis (grid/zip): the output against it;
- two: a heat map over both (more: the output against the first, one line per combination of
  the others, up to 12 lines);
- sampled axes: the median and the 5-95 % band against the first grid/zip axis, or, without
  one, a histogram of the samples with the three quantiles marked.

Axes that are quantities are numeric (log scale where the values span more than two decades);
others (einstein, degenerate) are categories.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .table import OUTPUTS, axis_columns

__all__ = ["plot_sweep"]

_MAX_LINES = 12


def _figure():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 4.4))
    FigureCanvasAgg(fig)
    fig.subplots_adjust(left=0.17, right=0.96, bottom=0.14, top=0.93)   # fixed: one draw per figure
    return fig, fig.add_subplot()


def _save(fig, folder: Path, name: str) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{name}.tmp-{os.getpid()}.png"
    fig.savefig(tmp, dpi=110)
    os.replace(tmp, folder / name)
    return f"plots/{name}"


def _positions(values, numeric):
    """x positions and tick labels of axis values (categories at 0, 1, ...)."""
    if numeric:
        return np.array(values, dtype=float), None
    labels = list(dict.fromkeys(values))
    return np.array([labels.index(v) for v in values], dtype=float), labels


def _scale(ax, which, values):
    v = np.asarray([x for x in values if x is not None], dtype=float)
    if v.size and np.all(v > 0) and v.max() > 100 * v.min():
        (ax.set_xscale if which == "x" else ax.set_yscale)("log")


def _finish(ax, xname, labels, yvalues, ylabel, title):
    if labels is not None:
        ax.set_xticks(range(len(labels)), labels)
    _scale(ax, "y", yvalues)
    ax.set_xlabel(xname)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=9)
    ax.grid(True, which="both", alpha=0.3)


def _lines(sweep, rows, output, label, first, others, folder):
    (axis, xname, dim) = first
    fig, ax = _figure()
    ok = [r for r in rows if r["status"] == "ok" and r[output] is not None]
    keys = sorted({tuple(r[name] for _, name, _ in others) for r in ok}, key=str)
    if len(keys) > _MAX_LINES:
        return None
    for key in keys:
        members = [r for r in ok if tuple(r[name] for _, name, _ in others) == key]
        x, labels = _positions([r[xname] for r in members], dim is not None)
        order = np.argsort(x, kind="stable")
        legend = ", ".join(f"{name}={v}" for (_, name, _), v in zip(others, key)) or None
        ax.plot(x[order], np.array([r[output] for r in members])[order], "o-", ms=4, label=legend)
    if dim is not None:
        _scale(ax, "x", [r[xname] for r in ok])
    x, labels = _positions([r[xname] for r in ok], dim is not None)
    _finish(ax, xname, labels, [r[output] for r in ok], label, sweep.name)
    if others:
        ax.legend(fontsize=7)
    return _save(fig, folder, f"{output}_vs_{axis.key}.png")


def _heat(sweep, rows, output, label, first, second, folder):
    (ax1, n1, d1), (ax2, n2, d2) = first, second
    xs, ys = list(dict.fromkeys(r[n1] for r in rows)), list(dict.fromkeys(r[n2] for r in rows))
    grid = np.full((len(ys), len(xs)), np.nan)
    for r in rows:
        if r["status"] == "ok" and r[output] is not None:
            grid[ys.index(r[n2]), xs.index(r[n1])] = r[output]
    if np.all(np.isnan(grid)):
        return None
    fig, ax = _figure()
    finite = grid[np.isfinite(grid)]
    norm = None
    if np.all(finite > 0) and finite.max() > 100 * finite.min():
        from matplotlib.colors import LogNorm

        norm = LogNorm(finite.min(), finite.max())
    image = ax.imshow(grid, origin="lower", aspect="auto", norm=norm, cmap="viridis")
    fig.colorbar(image, ax=ax, label=label)
    if len(xs) <= 6 and len(ys) <= 10:
        for (i, j), v in np.ndenumerate(grid):
            if np.isfinite(v):
                bright = image.norm(v) > 0.6 if finite.max() > finite.min() else True
                ax.text(j, i, f"{v:.4g}", ha="center", va="center", fontsize=7, color="k" if bright else "w")
    ax.set_xticks(range(len(xs)), [f"{v:.3g}" if isinstance(v, float) else str(v) for v in xs],
                  rotation=45 if len(xs) > 6 else 0)
    ax.set_yticks(range(len(ys)), [f"{v:.3g}" if isinstance(v, float) else str(v) for v in ys])
    ax.set_xlabel(n1)
    ax.set_ylabel(n2)
    ax.set_title(sweep.name, fontsize=9)
    return _save(fig, folder, f"{output}_heatmap.png")


def _band(sweep, quantiles, output, label, first, others, folder):
    (axis, xname, dim) = first
    entries = [q for q in quantiles if q["output"] == output and q["q50"] is not None]
    keys = sorted({tuple(e[name] for _, name, _ in others) for e in entries}, key=str)
    if not entries or len(keys) > _MAX_LINES:
        return None
    fig, ax = _figure()
    for key in keys:
        members = [e for e in entries if tuple(e[name] for _, name, _ in others) == key]
        x, _ = _positions([e[xname] for e in members], dim is not None)
        order = np.argsort(x, kind="stable")
        q = {k: np.array([e[k] for e in members], dtype=float)[order] for k in ("q05", "q50", "q95")}
        legend = ", ".join(f"{name}={v}" for (_, name, _), v in zip(others, key))
        line, = ax.plot(x[order], q["q50"], "o-", ms=4, label=f"median {legend}".strip())
        ax.fill_between(x[order], q["q05"], q["q95"], alpha=0.25, color=line.get_color(),
                        label=f"5-95 % {legend}".strip())
    x, labels = _positions([e[xname] for e in entries], dim is not None)
    if dim is not None:
        _scale(ax, "x", x)
    _finish(ax, xname, labels, [e[k] for e in entries for k in ("q05", "q50", "q95")], label, sweep.name)
    ax.legend(fontsize=7)
    return _save(fig, folder, f"{output}_band_vs_{axis.key}.png")


def _histogram(sweep, rows, quantiles, output, label, folder):
    values = np.array([r[output] for r in rows if r["status"] == "ok" and r[output] is not None], dtype=float)
    if not values.size:
        return None
    fig, ax = _figure()
    ax.hist(values, bins=max(5, min(40, values.size // 5)), alpha=0.7)
    entry = next(q for q in quantiles if q["output"] == output)
    for key, style in (("q05", ":"), ("q50", "-"), ("q95", ":")):
        ax.axvline(entry[key], color="k", ls=style, lw=1, label=f"{key[1:]} %: {entry[key]:.4g}")
    ax.set_xlabel(label)
    ax.set_ylabel("samples")
    ax.set_title(sweep.name, fontsize=9)
    ax.legend(fontsize=7)
    return _save(fig, folder, f"{output}_histogram.png")


def plot_sweep(sweep, rows, quantiles, folder) -> list[str]:
    """Draw the plots of the table ``rows`` (and ``quantiles``) into ``folder``; returns the
    file names (relative to the sweep folder)."""
    folder = Path(folder)
    columns = axis_columns(sweep)
    varied = [c for c in columns if c[0].kind != "sample" and len(set(map(str, c[0].values))) > 1]
    files = []
    for output, (_, label) in OUTPUTS.items():
        if not any(r["status"] == "ok" and r[output] is not None for r in rows):
            continue
        if sweep.count:
            made = _band(sweep, quantiles, output, label, varied[0], varied[1:], folder) if varied else \
                _histogram(sweep, rows, quantiles, output, label, folder)
        elif len(varied) == 2:
            made = _heat(sweep, rows, output, label, varied[0], varied[1], folder)
        elif varied:
            made = _lines(sweep, rows, output, label, varied[0], varied[1:], folder)
        else:
            made = None
        files += [made] if made else []
    return files

