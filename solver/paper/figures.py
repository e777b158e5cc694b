"""Figures 2 and 3 of Milotti et al., Entropy 2018, 20, 515, from the closed forms, and the
``vip-transport paper`` command (figures + claims ledger, written atomically).

Figure 2: probability density of one new electron, p(x, t) = c(x, t)/(n L_res) (eq. 24 with its
factor 1/2 restored, docs/physics.md misprint 2), for the VIP target (Table 1), a reservoir of
``reservoir_target_volumes`` target volumes (default 2.3e6, the caption's number; its "0.25 m^3"
is inconsistent with it, misprint 6), a 1 cm connector, D/100 and the paper's convention (eq. 14,
variance D t). Panels: 40 A, 0-1000 s every 100 s; 0 A, 0-1000 s; 0 A, 0-10000 s every 1000 s.
Over the whole line p integrates to 1 at every time (tests/test_figures.py).

Figure 3: the integral of eq. 24 over the target, N(t)/(n A L_res) = the probability that a given
new electron is in the target, for several currents, short and long times. The paper does not
say which target; we follow ``cases/fig3.yaml`` (VIP-2, true D, paper convention, the same
number of target volumes in the reservoir as Figure 2).

Everything is in SI units; the closed forms are :mod:`solver.physics.analytic`, the line
:class:`solver.physics.line.Line`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..config.loading import case_from_dict
from ..physics import analytic
from ..physics.line import Line, line_of

__all__ = [
    "DEFAULT_RESERVOIR_TARGET_VOLUMES",
    "FIGURE3_CURRENTS",
    "figure2_case",
    "figure3_case",
    "Figure2Panel",
    "figure2_data",
    "Figure3Data",
    "figure3_data",
    "figure2_figure",
    "figure3_figure",
    "plot_figure2",
    "plot_figure3",
]

DEFAULT_RESERVOIR_TARGET_VOLUMES = 2.3e6
"""Figure 2's caption: "a reservoir that has a volume about 2.3e6-times larger than the target"."""

FIGURE3_CURRENTS = (0.0, 10.0, 20.0, 50.0, 100.0)
"""Currents [A] of our Figure 3 (the paper does not list its values; VIP-2 runs at 100 A)."""


# ----------------------------------------------------------------------------- cases


def figure2_case(current: float = 40.0, reservoir_target_volumes: float = DEFAULT_RESERVOIR_TARGET_VOLUMES):
    """The Figure 2 case (as ``cases/fig2.yaml``) at ``current`` [A]: VIP, 1 cm connector,
    reservoir of ``reservoir_target_volumes`` target volumes, D/100, paper convention."""
    return case_from_dict({
        "name": "fig2",
        "geometry": {"preset": "vip", "connector": {"length": "1 cm"},
                     "reservoir": {"target_volumes": float(reservoir_target_volumes)}},
        "transport": {"current": f"{float(current)!r} A", "diffusivity": "einstein",
                      "diffusivity_scale": 0.01, "convention": "paper"},
        "time": {"duration": "1e4 s"},
    }, source="solver.paper.figures.figure2_case")


def figure3_case(current: float = 100.0, reservoir_target_volumes: float = DEFAULT_RESERVOIR_TARGET_VOLUMES):
    """The Figure 3 case (as ``cases/fig3.yaml``) at ``current`` [A]: VIP-2, 1 cm connector,
    reservoir of ``reservoir_target_volumes`` target volumes, true D, paper convention."""
    return case_from_dict({
        "name": "fig3",
        "geometry": {"preset": "vip2", "connector": {"length": "1 cm"},
                     "reservoir": {"target_volumes": float(reservoir_target_volumes)}},
        "transport": {"current": f"{float(current)!r} A", "diffusivity": "einstein", "convention": "paper"},
        "time": {"duration": "1e4 s"},
    }, source="solver.paper.figures.figure3_case")


# ----------------------------------------------------------------------------- figure 2


@dataclass(frozen=True)
class Figure2Panel:
    """One panel: ``pdf[k]`` [1/m] is p(x, times[k]) on the grid ``x`` [m]; ``line`` holds
    every parameter used (so the curves can be checked against the closed form)."""

    label: str
    line: Line
    times: np.ndarray
    x: np.ndarray
    pdf: np.ndarray


def _grid(line: Line, t_end: float, points: int) -> np.ndarray:
    """Uniform x grid [m] of about ``points`` points around the target, from the reservoir edge
    minus 3.5 spreads to past the drifted edge or the target end plus 3.5 spreads. It is anchored
    on x_max (a grid point), so at t = 0 the step lies on a node with the same spacing on both
    sides and the trapezoid rule integrates it exactly."""
    s = float(analytic.spread(t_end, line.diffusivity, line.convention))
    lo = line.x_max - max(3.5 * s, 0.5 * line.length)
    hi = max(line.length, line.x_max + float(line.displacement(t_end))) + max(3.5 * s, 0.25 * line.length)
    h = (hi - lo) / (points - 1)
    j = np.arange(math.floor((lo - line.x_max) / h), math.ceil((hi - line.x_max) / h) + 1)
    return line.x_max + h * j


def figure2_data(reservoir_target_volumes: float = DEFAULT_RESERVOIR_TARGET_VOLUMES,
                 points: int = 1201) -> list[Figure2Panel]:
    """The three panels of Figure 2 (paper convention, D/100, VIP, 1 cm connector)."""
    with_current = line_of(figure2_case(40.0, reservoir_target_volumes))
    without = line_of(figure2_case(0.0, reservoir_target_volumes))
    specs = [("(a) 40 A, 0-1000 s", with_current, np.arange(0.0, 1000.1, 100.0)),
             ("(b) no current, 0-1000 s", without, np.arange(0.0, 1000.1, 100.0)),
             ("(c) no current, 0-10000 s", without, np.arange(0.0, 10000.1, 1000.0))]
    panels = []
    for label, line, times in specs:
        x = _grid(line, times[-1], points)
        pdf = np.array([line.pdf(x, t) for t in times])
        panels.append(Figure2Panel(label=label, line=line, times=times, x=x, pdf=pdf))
    return panels


# ----------------------------------------------------------------------------- figure 3


@dataclass(frozen=True)
class Figure3Data:
    """N(t)/(n A L_res) for each current: ``short[I]`` on ``short_times``, ``long[I]`` on
    ``long_times`` [s]; ``lines[I]`` the parameters."""

    currents: tuple
    lines: dict
    short_times: np.ndarray
    short: dict
    long_times: np.ndarray
    long: dict


def figure3_data(currents=FIGURE3_CURRENTS, reservoir_target_volumes: float = DEFAULT_RESERVOIR_TARGET_VOLUMES,
                 short_end: float = 100.0, long_range=(1e-1, 1e5), points: int = 400) -> Figure3Data:
    """Figure 3's curves: short times 0..``short_end`` [s] (linear), long times log-spaced over
    ``long_range`` [s]; VIP-2, true D, paper convention."""
    currents = tuple(float(i) for i in currents)
    lines = {i: line_of(figure3_case(i, reservoir_target_volumes)) for i in currents}
    short_t = np.linspace(0.0, short_end, points)
    long_t = np.geomspace(long_range[0], long_range[1], points)
    return Figure3Data(currents=currents, lines=lines, short_times=short_t,
                       short={i: lines[i].fraction_in_target(short_t) for i in currents},
                       long_times=long_t, long={i: lines[i].fraction_in_target(long_t) for i in currents})


# ----------------------------------------------------------------------------- plots


def _reservoir_note(line: Line, preset_volume: float) -> str:
    volume = line.reservoir_length * line.area
    return (f"reservoir {volume / preset_volume:.3g} target volumes = {volume:.3g} m$^3$ "
            f"(L$_{{res}}$ = {line.reservoir_length:.3g} m);\nthe caption's 0.25 m$^3$ would be "
            f"{0.25 / preset_volume:.2g} target volumes (docs/physics.md misprint 6)")


def figure2_figure(panels: list[Figure2Panel]):
    """Figure 2 as a matplotlib Figure (no pyplot state): three stacked panels, grey levels by
    time, red bars at the target's start and end."""
    from matplotlib import colormaps
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9.0, 11.0))
    axes = fig.subplots(len(panels), 1)
    for ax, p in zip(axes, panels):
        greys = colormaps["Greys"](np.linspace(0.3, 1.0, len(p.times)))
        for k, t in enumerate(p.times):
            ax.plot(p.x * 100, p.pdf[k], color=greys[k], lw=1.3, label=f"{t:g} s")
        ymax = 1.15 * float(p.pdf.max())
        for edge in (0.0, p.line.length):
            ax.axvline(edge * 100, color="red", lw=2.5)
        ax.text(p.line.length * 50, ymax * 0.04, "target", color="red", ha="center", va="bottom", fontsize=8)
        ax.annotate("reservoir", xy=(p.x[0] * 100, ymax * 0.45), xytext=(p.line.x_max * 100 - 1.0, ymax * 0.45),
                    ha="right", va="center", fontsize=8, arrowprops={"arrowstyle": "->"})
        ax.set_ylim(0, ymax)
        ax.set_xlim(p.x[0] * 100, p.x[-1] * 100)
        ax.set_xlabel("position along the line x [cm] (target from 0 to L = %.1f cm)" % (p.line.length * 100))
        ax.set_ylabel("pdf of one new electron p(x,t) [1/m]")
        ax.set_title(f"{p.label}: v$_d$ = {p.line.drift_velocity * 1e3:.3g} mm/s", fontsize=10)
        ax.ticklabel_format(axis="y", style="sci", scilimits=(0, 0))
        ax.legend(fontsize=7, ncol=2, loc="center left", bbox_to_anchor=(1.0, 0.5), title="t")
        ax.grid(alpha=0.3)
    line = panels[0].line
    vip_volume = line.length * line.area
    fig.suptitle("Figure 2 (Milotti et al. 2018) from eq. 24 with its factor 1/2 restored: VIP target, 1 cm "
                 "connector,\n" f"D/100 = {line.diffusivity:.3g} m$^2$/s, paper convention (eq. 14, variance D t); "
                 + _reservoir_note(line, vip_volume), fontsize=9)
    fig.tight_layout()
    return fig


def plot_figure2(panels: list[Figure2Panel], path) -> Path:
    """Save :func:`figure2_figure` as a PNG at ``path``; returns the path."""
    path = Path(path)
    figure2_figure(panels).savefig(path, dpi=110)
    return path


def figure3_figure(data: Figure3Data):
    """Figure 3 as a matplotlib Figure: top, short times (linear); bottom, long times (log t).
    Right axes: N/(n A L), the fraction of the target filled with new electrons. The paper's
    values as markers: the 100 A transit time (10 s) and the half-rate without current."""
    from matplotlib import colormaps
    from matplotlib.figure import Figure

    any_line = data.lines[data.currents[0]]
    per_target = any_line.length / any_line.reservoir_length       # N/(n A L_res) when the target is full
    fig = Figure(figsize=(8.5, 10.0))
    axes = fig.subplots(2, 1)
    colours = colormaps["viridis"](np.linspace(0.0, 0.85, len(data.currents)))
    for ax, times, curves, kind in ((axes[0], data.short_times, data.short, "short"),
                                    (axes[1], data.long_times, data.long, "long")):
        for c, i in zip(colours, data.currents):
            line = data.lines[i]
            transit = f" (transit L/v$_d$ = {line.length / line.drift_velocity:.3g} s)" if i > 0 else ""
            label = f"I = {i:g} A{transit}"
            ax.plot(times, curves[i], color=c, lw=1.6, label=label)
        ax.axhline(per_target, color="k", ls="--", lw=0.8)
        ax.axhline(0.5 * per_target, color="k", ls=":", lw=0.8)
        ax.set_ylabel("probability that a new electron is in the target\nN(t)/(n A L$_{res}$)")
        ax.set_ylim(0, 1.1 * per_target)
        sec = ax.secondary_yaxis("right", functions=(lambda y: y / per_target, lambda f: f * per_target))
        sec.set_ylabel("N(t)/(n A L): target filled")
        ax.grid(alpha=0.3, which="both")
        if kind == "long":
            ax.set_xscale("log")
            ax.set_xlabel("time since the reservoir was connected t [s] (log scale)")
            ax.set_title("long-time development", fontsize=10)
        else:
            ax.set_xlabel("time since the reservoir was connected t [s]")
            ax.set_title("short-time development", fontsize=10)
    # The paper's numbers as markers: VIP-2 transit time 10 s at 100 A (sec. 2.1) and the
    # no-current final rate = half the with-current rate (sec. 4).
    if 100.0 in data.lines:
        for ax, times, curves in ((axes[0], data.short_times, data.short), (axes[1], data.long_times, data.long)):
            if times[0] <= 10.0 <= times[-1]:
                ax.plot([10.0], [np.interp(10.0, times, curves[100.0])], "rs", ms=8,
                        label="paper: transit time 10 s at 100 A (sec. 2.1)")
    axes[1].plot([data.long_times[-1]], [0.5 * per_target], "r<", ms=9,
                 label="paper: no-current final rate = 1/2 of with-current (sec. 4)")
    axes[1].plot([], [], "k--", lw=0.8, label="target full (c = n)")
    axes[1].plot([], [], "k:", lw=0.8, label="target half full")
    handles, labels = axes[1].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=2, fontsize=8, frameon=False)
    fig.suptitle("Figure 3 (Milotti et al. 2018) from the integral of eq. 24 over the target: VIP-2 strip, "
                 f"1 cm connector,\nD = {any_line.diffusivity:.3g} m$^2$/s (true), paper convention (eq. 14); "
                 + _reservoir_note(any_line, any_line.length * any_line.area), fontsize=9)
    fig.tight_layout(rect=(0.0, 0.1, 1.0, 1.0))
    return fig


def plot_figure3(data: Figure3Data, path) -> Path:
    """Save :func:`figure3_figure` as a PNG at ``path``; returns the path."""
    path = Path(path)
    figure3_figure(data).savefig(path, dpi=110)
    return path
