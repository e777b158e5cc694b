"""Figures 2 and 3 of Milotti et al., Entropy 2018, 20, 515, from the closed forms, and the
``vip-transport paper`` command (figures + claims ledger, written atomically).

Figure 2: probability density of one new electron, p(x, t) = c(x, t)/(n L_res) (eq. 24 with its
factor 1/2 restored, PHYSICS.md misprint 2), for the VIP target (Table 1), a reservoir of
``reservoir_target_volumes`` target volumes (default 2.3e6, the caption's number; its "0.25 m^3"
is inconsistent with it, misprint 6), a 1 cm connector, D/100 and the paper's convention (eq. 14,
variance D t). Panels: 40 A, 0-1000 s every 100 s; 0 A, 0-1000 s; 0 A, 0-10000 s every 1000 s.
Over the whole line p integrates to 1 at every time (tests/test_paper.py).

Figure 3: the integral of eq. 24 over the target, N(t)/(n A L_res) = the probability that a given
new electron is in the target, for several currents, short and long times. The paper does not
say which target; we follow ``cases/fig3.yaml`` (VIP-2, true D, paper convention, the same
number of target volumes in the reservoir as Figure 2).

Everything is in SI units; the closed forms are :mod:`solver.analytic`.
"""

from __future__ import annotations

import csv
import json
import math
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.constants as sc

from . import analytic
from .case import case_from_dict
from .derive import derive

__all__ = [
    "DEFAULT_RESERVOIR_TARGET_VOLUMES",
    "FIGURE3_CURRENTS",
    "Line",
    "line_of",
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
    "write_paper",
    "run_paper",
]

DEFAULT_RESERVOIR_TARGET_VOLUMES = 2.3e6
"""Figure 2's caption: "a reservoir that has a volume about 2.3e6-times larger than the target"."""

FIGURE3_CURRENTS = (0.0, 10.0, 20.0, 50.0, 100.0)
"""Currents [A] of our Figure 3 (the paper does not list its values; VIP-2 runs at 100 A)."""


# ----------------------------------------------------------------------------- cases and lines


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
    }, source="solver.paper.figure2_case")


def figure3_case(current: float = 100.0, reservoir_target_volumes: float = DEFAULT_RESERVOIR_TARGET_VOLUMES):
    """The Figure 3 case (as ``cases/fig3.yaml``) at ``current`` [A]: VIP-2, 1 cm connector,
    reservoir of ``reservoir_target_volumes`` target volumes, true D, paper convention."""
    return case_from_dict({
        "name": "fig3",
        "geometry": {"preset": "vip2", "connector": {"length": "1 cm"},
                     "reservoir": {"target_volumes": float(reservoir_target_volumes)}},
        "transport": {"current": f"{float(current)!r} A", "diffusivity": "einstein", "convention": "paper"},
        "time": {"duration": "1e4 s"},
    }, source="solver.paper.figure3_case")


@dataclass(frozen=True)
class Line:
    """The uniform 1D line of a case (SI): target (0, L), reservoir [x_min, x_max].

    ``length`` L [m], ``area`` A [m^2], ``x_min`` [m] (-inf: semi-infinite), ``x_max`` [m]
    (= -connector length), ``diffusivity`` D [m^2/s] (scale included), ``convention``,
    ``density`` n [m^-3], ``current`` I [A] (constant).
    """

    length: float
    area: float
    x_min: float
    x_max: float
    diffusivity: float
    convention: str
    density: float
    current: float

    @property
    def reservoir_length(self) -> float:
        """L_res = x_max - x_min [m] (inf for a semi-infinite reservoir)."""
        return self.x_max - self.x_min

    @property
    def drift_velocity(self) -> float:
        """v_d = I/(n e A) [m/s] (eq. 11)."""
        return self.current / (self.density * sc.e * self.area)

    def displacement(self, t):
        """Drift displacement X(t) = v_d t [m] for t [s]."""
        return self.drift_velocity * np.asarray(t, float)

    def pdf(self, x, t):
        """p(x, t) = c/(n L_res) [1/m]: eq. 24 (factor 1/2 restored) for one new electron."""
        return analytic.reservoir_density(x, t, self.displacement(t), self.x_min, self.x_max,
                                          self.diffusivity, 1.0 / self.reservoir_length, self.convention)

    def electrons_in_target(self, t):
        """N(t) [count]: new electrons in the target (integral of eq. 24 times n A L_res)."""
        return analytic.electrons_in_target(t, self.displacement(t), self.length, self.x_min, self.x_max,
                                            self.diffusivity, self.density, self.area, self.convention)

    def electrons_time_integral(self, T: float, decades: int = 14, per_decade: int = 4) -> float:
        """integral_0^T N(t) dt [count s], for T [s] > 0.

        16-point Gauss-Legendre in ln t on ``per_decade`` pieces per decade over ``decades``
        decades below T (N is smooth in ln t for a constant current), plus pieces of half a front
        width w = sqrt(4 D_k t)/v_d [s] within 12 w of the times t1, t2 when the back edge of a
        finite reservoir reaches the target's entrance and end (N falls there as a smoothed ramp).
        The part before T 10^-decades, at most n A L T 10^-decades, is left out. Agrees with
        adaptive quadrature (``analytic.cumulative_time_integral``) to ~1e-12 for the Table 1
        cases (tests/test_paper.py), about 100x faster.
        """
        nodes, weights = np.polynomial.legendre.leggauss(16)
        log_edges = np.linspace(math.log(T) - decades * math.log(10.0), math.log(T), decades * per_decade + 1)
        v = self.drift_velocity
        if math.isfinite(self.x_min) and v > 0:
            t1, t2 = -self.x_min / v, (self.length - self.x_min) / v
            width = math.sqrt(4.0 * float(analytic.kernel_diffusivity(self.diffusivity, self.convention)) * t2) / v
            around = width * np.linspace(-12.0, 12.0, 49)
            fine = np.concatenate([t1 + around, t2 + around, np.linspace(t1, t2, 11)])
            fine = fine[(fine > math.exp(log_edges[0])) & (fine < T)]
            log_edges = np.unique(np.concatenate([log_edges, np.log(fine)]))
        a, b = log_edges[:-1, None], log_edges[1:, None]
        t = np.exp(0.5 * (a + b) + 0.5 * (b - a) * nodes)
        values = np.asarray(self.electrons_in_target(t.ravel())).reshape(t.shape) * t
        return float((0.5 * (b - a)[:, 0] * (values @ weights)).sum())

    def fraction_in_target(self, t):
        """N(t)/(n A L_res): probability that a given new electron is in the target [1]."""
        return analytic.electrons_in_target(t, self.displacement(t), self.length, self.x_min, self.x_max,
                                            self.diffusivity, 1.0 / self.reservoir_length, 1.0,
                                            self.convention)


def line_of(case) -> Line:
    """The :class:`Line` of a validated, uniform, 1D, constant-current case.

    Raises ValueError for anything the closed forms do not describe: a connector or reservoir
    cross-section different from the target's, a 2D/3D case, or a current that is not a
    constant switched on at t = 0.
    """
    g, d = case.geometry, derive(case)
    current = case.transport.current
    if current.schedule != "constant" or current.t_on != 0.0:
        raise ValueError("line_of: the closed forms here need a constant current from t = 0; "
                         f"got schedule {current.schedule!r}")
    if g.dimension != 1 or any(not math.isclose(part.area, g.area, rel_tol=1e-12)
                               for part in (g.connector, g.reservoir)):
        raise ValueError("line_of: the closed forms need a uniform 1D line (connector and reservoir with the "
                         "target's cross-section); use method fv otherwise")
    x_max = -g.connector.length
    x_min = -math.inf if g.reservoir.semi_infinite else x_max - g.reservoir.length
    return Line(length=g.length, area=g.area, x_min=x_min, x_max=x_max,
                diffusivity=d["diffusivity_m2_s"], convention=case.transport.convention,
                density=d["electron_density_m3"], current=float(case.transport.current.nominal()))


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
            f"{0.25 / preset_volume:.2g} target volumes (PHYSICS.md misprint 6)")


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


# ----------------------------------------------------------------------------- output folder


def _write_figure2_csv(panels, folder: Path) -> list[str]:
    names = []
    for k, p in enumerate(panels):
        name = f"figure2_{'abc'[k]}.csv"
        with open(folder / name, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["x_m"] + [f"pdf_per_m_t{t:g}s" for t in p.times])
            for j, x in enumerate(p.x):
                w.writerow([repr(float(x))] + [repr(float(v)) for v in p.pdf[:, j]])
        names.append(name)
    return names


def _write_figure3_csv(data: Figure3Data, folder: Path) -> str:
    name = "figure3.csv"
    with open(folder / name, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["panel", "time_s"] + [f"fraction_in_target_I{i:g}A" for i in data.currents])
        for panel, times, curves in (("short", data.short_times, data.short), ("long", data.long_times, data.long)):
            for j, t in enumerate(times):
                w.writerow([panel, repr(float(t))] + [repr(float(curves[i][j])) for i in data.currents])
    return name


def write_paper(out, *, reservoir_target_volumes: float = DEFAULT_RESERVOIR_TARGET_VOLUMES,
                check_dimensions: bool = True) -> dict:
    """Write figures 2-3 (PNG + CSV), the claims ledger (ledger.md, ledger.json) and summary.json
    into the folder ``out``, atomically (all or nothing). Returns the summary dict."""
    from .ledger import build_ledger, write_ledger
    from .results import atomic_folder, json_safe, now_iso, provenance

    started, start = now_iso(), time.perf_counter()
    panels = figure2_data(reservoir_target_volumes)
    fig3 = figure3_data(reservoir_target_volumes=reservoir_target_volumes)
    rows = build_ledger(reservoir_target_volumes=reservoir_target_volumes, check_dimensions=check_dimensions)
    with atomic_folder(out) as tmp:
        files = [plot_figure2(panels, tmp / "figure2.png").name, *_write_figure2_csv(panels, tmp),
                 plot_figure3(fig3, tmp / "figure3.png").name, _write_figure3_csv(fig3, tmp),
                 *write_ledger(tmp, rows)]
        verdicts: dict[str, int] = {}
        for r in rows:
            verdicts[r["verdict"]] = verdicts.get(r["verdict"], 0) + 1
        line2, line3 = panels[0].line, fig3.lines[fig3.currents[-1]]
        summary = json_safe({
            "what": "Milotti et al., Entropy 2018, 20, 515: figures 2 and 3 (paper convention, closed forms) "
                    "and the claims ledger",
            "reservoir_target_volumes": reservoir_target_volumes,
            "figure2": {"target": "vip", "reservoir_length_m": line2.reservoir_length,
                        "reservoir_volume_m3": line2.reservoir_length * line2.area,
                        "diffusivity_m2_s": line2.diffusivity, "convention": line2.convention,
                        "connector_m": -line2.x_max,
                        "panels": [{"label": p.label, "current_A": p.line.current, "times_s": p.times}
                                   for p in panels]},
            "figure3": {"target": "vip2", "reservoir_length_m": line3.reservoir_length,
                        "reservoir_volume_m3": line3.reservoir_length * line3.area,
                        "diffusivity_m2_s": line3.diffusivity, "convention": line3.convention,
                        "currents_A": fig3.currents},
            "ledger_verdicts": verdicts,
            "files": files + ["summary.json"],
            "provenance": provenance(wall_time_s=time.perf_counter() - start, started=started),
        })
        with open(tmp / "summary.json", "w") as fh:
            json.dump(summary, fh, indent=2, allow_nan=False)
            fh.write("\n")
    return summary


def run_paper(args) -> int:
    """The ``vip-transport paper [--out DIR]`` command: write the folder, report, return 0."""
    out = Path(getattr(args, "out", None) or "results/paper")
    volumes = getattr(args, "reservoir_target_volumes", None) or DEFAULT_RESERVOIR_TARGET_VOLUMES
    summary = write_paper(out, reservoir_target_volumes=volumes)
    counts = ", ".join(f"{v} {k}" for k, v in sorted(summary["ledger_verdicts"].items()))
    print(f"figures 2 and 3 (reservoir {volumes:.3g} target volumes) and the claims ledger ({counts})")
    print(f"results: {out}")
    return 0
