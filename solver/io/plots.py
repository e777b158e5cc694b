"""The plots of a results folder, as a physicist would put them on a slide.

- ``electrons_in_target.png``: N(t)/(n V), the fraction of the target filled with new electrons
  (a probability P(t) for a single electron), with the "target full" line c = n and the transit
  time L/v_d marked; N(t) itself on the right axis.
- ``cumulative_scatterings.png``: S(t) on log axes, beside Ramberg and Snow's straight-path count
  (Q(t)/e) L/mu: the ratio is the amplification factor.
- ``xray_rate.png``: the detected X-ray rate per unit violation, r g nu N(t) [1/s], the quantity
  an experiment measures, with its value for a full target.

Titles carry the case's key choices (method, dimension, current, diffusivity model, convention,
scattering model).  Monte Carlo results draw their standard errors as bands.  Figures use
matplotlib's object interface with fixed margins (no pyplot, no tight_layout: those were most of
an analytic run's wall time).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ..physics.choices import describe_choices, model_choices

__all__ = ["plot_result", "choices_title"]


def choices_title(result) -> str:
    """The case's key choices, for figure titles: method, dimension, current, and the model
    choices the numbers rest on (``physics.choices``: diffusivity, convention, speeds,
    scattering model, r, g, reservoir)."""
    case = result.case
    head = (f"{case.name}: {result.method}, {case.geometry.dimension}D {case.geometry.shape}, "
            f"I = {case.transport.current.nominal():g} A ({case.transport.current.schedule})")
    text = describe_choices(model_choices(case)).replace("m^2/s", "m$^2$/s")
    return f"{head}; {text}"


def _figure():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.2, 4.6))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    fig.subplots_adjust(left=0.12, right=0.86, bottom=0.12, top=0.82)
    return fig, ax


def _band(ax, times, values, stderr, colour):
    if stderr is not None:
        ax.fill_between(times, values - stderr, values + stderr, color=colour, alpha=0.25, lw=0,
                        label="$\\pm$ 1 standard error")


def _finish(fig, ax, result, title, path):
    ax.set_xscale("log")
    ax.set_xlabel("time since switch-on t [s]")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    import textwrap

    fig.suptitle("\n".join([title, *textwrap.wrap(choices_title(result), 110)]), fontsize=8)
    fig.savefig(path, dpi=120)


def _transit(ax, result):
    transit = result.derived.get("transit_time_s")
    if transit is not None and math.isfinite(transit) and result.times[0] <= transit <= result.times[-1]:
        ax.axvline(transit, color="0.4", ls=":", lw=1.0, label=f"transit time L/v$_d$ = {transit:.3g} s")


def _stderr(result, key):
    stderr = getattr(result, "stderr", None) or {}
    return None if key not in stderr else np.asarray(stderr[key], float)


def _full_target(result) -> float:
    """n V: the new electrons in a full target (1 for a single electron's probability)."""
    if result.case.transport.injection == "single-electron":
        return 1.0
    return result.derived["electron_density_m3"] * result.case.geometry.volume


def _filling(folder, result) -> str:
    single = result.case.transport.injection == "single-electron"
    full = _full_target(result)
    fig, ax = _figure()
    values = np.asarray(result.electrons_in_target, float) / full
    err = _stderr(result, "new_electrons_in_target")
    _band(ax, result.times, values, None if err is None else err / full, "C0")
    ax.plot(result.times, values, color="C0", lw=1.6,
            label="P(t): the electron is in the target" if single else "N(t)/(n V): target filled")
    if not single:
        ax.axhline(1.0, color="k", ls="--", lw=0.8, label="target full (c = n)")
    _transit(ax, result)
    ax.set_ylim(0.0, max(1.08, 1.05 * float(np.nanmax(values))))
    ax.set_ylabel("probability in the target" if single else "fraction of the target filled N/(n V)")
    if not single:
        right = ax.secondary_yaxis("right", functions=(lambda f: f * full, lambda n: n / full))
        right.set_ylabel("new electrons in the target N(t)")
    name = "electrons_in_target.png"
    _finish(fig, ax, result, "New electrons in the target", Path(folder) / name)
    return name


def _scatterings(folder, result) -> str:
    from ..physics.schedule import schedule_from_spec

    fig, ax = _figure()
    values = np.asarray(result.cumulative_scatterings, float)
    _band(ax, result.times, values, _stderr(result, "cumulative_scatterings"), "C1")
    ax.plot(result.times, values, color="C1", lw=1.6, label="S(t) = $\\nu \\int$ N dt (this model)")
    charge = schedule_from_spec(result.case.transport.current).charge(result.times, result.case.time.duration)
    rs = result.counts.get("rs_scatterings_per_electron", 0.0) * np.asarray(charge) / 1.602176634e-19
    if np.any(rs > 0):
        ax.plot(result.times, rs, color="0.4", ls="--", lw=1.2,
                label="Ramberg-Snow straight path (Q(t)/e) L/$\\mu$")
    ax.set_yscale("log")
    positive = np.concatenate([values[values > 0], rs[rs > 0]])
    if positive.size:               # both curves, down to 1e-15 of the final S
        ax.set_ylim(bottom=max(positive.min(), values[-1] * 1e-15))
    ax.set_ylabel("cumulative scatterings in the target")
    name = "cumulative_scatterings.png"
    _finish(fig, ax, result, "Scatterings of new electrons", Path(folder) / name)
    return name


def _xray_rate(folder, result) -> str:
    c = result.case.counting
    factor = c.capture_probability * c.geometric_factor            # r g: per scattering, detected
    fig, ax = _figure()
    rate = factor * np.asarray(result.scattering_rate, float)
    err = _stderr(result, "new_electrons_in_target")
    nu = result.derived.get("scattering_rate_per_s")
    _band(ax, result.times, rate, None if err is None or nu is None else factor * nu * err, "C2")
    ax.plot(result.times, rate, color="C2", lw=1.6, label="r g $\\nu$ N(t)")
    if result.case.transport.injection != "single-electron" and nu is not None:
        full = factor * nu * _full_target(result)
        ax.axhline(full, color="k", ls="--", lw=0.8, label=f"full target: {full:.3g} /s")
    _transit(ax, result)
    positive = rate[rate > 0]
    if positive.size and positive.max() / positive.min() > 100:
        ax.set_yscale("log")
    ax.set_ylabel("detected X-rays per second per unit $\\beta^2/2$ [1/s]")
    name = "xray_rate.png"
    _finish(fig, ax, result, f"Expected X-ray rate (r = {c.capture_probability:g}, g = {c.geometric_factor:g})",
            Path(folder) / name)
    return name


def plot_result(folder, result) -> list:
    """Write the three plots into ``folder``; returns their file names."""
    return [_filling(folder, result), _scatterings(folder, result), _xray_rate(folder, result)]
