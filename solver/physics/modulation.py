"""A modulated current and what a lock-in analysis gains from it (Milotti et al. 2018, sec. 4).

Rates are handled as bin means: y_j [any rate unit, e.g. X-rays/s per unit beta^2/2, or the
fraction N/(n V) of a full target] on equal bins of width w, whole periods P of the current
(bins per period an integer), which is what a counting experiment histograms.  For such a
piecewise-constant rate the Fourier coefficients over the run T = m P are exact:

    c_k = (1/T) integral_0^T y(t) exp(-2 pi i k t/P) dt
        = (1/T) [sum_j y_j exp(-2 pi i k m j/N)] (1 - exp(-i omega_k w))/(i omega_k),

omega_k = 2 pi k/P, the bracket the discrete Fourier transform (numpy.fft) at index k m.  The
k-th harmonic of the rate is 2 |c_k| cos(omega_k t + arg c_k).

Sensitivity: a linear estimator s^ = sum_events w(t_i) / integral w y dt of the signal strength
s (y the rate per unit s) over a background of B counts/s has, for s -> 0 (limit setting),

    sigma_s = sqrt(B integral w^2 dt) / |integral w y dt|.

* lock-in at the fundamental (w = cos(omega_1 t + arg c_1)): sigma = sqrt(B/(2 T))/|c_1|;
* square reference in phase with the current (w = +1 on, -d/(1 - d) off, so that the
  background cancels over a period; duty d): "counts with current on minus counts with it off";
* plain on/off with separate runs, the off run with no new electrons in the target (reservoir
  disconnected), live times T_on and T_off: sigma = sqrt(B T_on (1 + T_on/T_off)) / Y_on,
  Y_on = integral of y over the on run.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from .circuit import electrons_in_target_line
from .derived import derive
from .line import loop_period, nonuniform_part, reservoir_span
from .material import drift_displacement
from .schedule import CurrentSchedule, schedule_from_spec

if TYPE_CHECKING:
    from ..config.schema import Case

__all__ = ["fourier_coefficients", "harmonics", "binned_fraction", "lockin_sigma", "square_reference_sigma",
           "plain_onoff_sigma", "modulation_depth", "square_wave", "full_target_rate", "lockin_comparison"]

_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(16)


def _periods(means, bins_per_period: int) -> int:
    n = len(means)
    if bins_per_period < 2 or n == 0 or n % bins_per_period:
        raise ValueError(f"need whole periods of bins: {n} bins, {bins_per_period} per period")
    return n // bins_per_period


def fourier_coefficients(means, bins_per_period: int, period: float, orders=(0, 1, 2, 3)) -> np.ndarray:
    """c_k [rate unit] for each k of ``orders`` of the piecewise-constant rate ``means`` on equal
    bins spanning whole periods ``period`` [s] (``bins_per_period`` bins each); exact for the
    bins.  Raises ValueError beyond the Nyquist order (bins_per_period / 2)."""
    y = np.asarray(means, float)
    m = _periods(y, bins_per_period)
    n = len(y)
    width = period / bins_per_period
    spectrum = np.fft.rfft(y)
    out = []
    for k in orders:
        if k == 0:
            out.append(complex(y.mean()))
            continue
        if not 0 < k < bins_per_period / 2:
            raise ValueError(f"order {k} is beyond the Nyquist order of {bins_per_period} bins per period")
        omega = 2.0 * math.pi * k / period
        out.append(spectrum[k * m] * (1.0 - np.exp(-1j * omega * width)) / (1j * omega) / (n * width))
    return np.asarray(out)


def harmonics(means, bins_per_period: int, period: float, orders=(1, 2, 3)) -> dict:
    """{"mean": c_0, "amplitude": [2 |c_k|], "phase": [arg c_k] (rad)} of the rate: the k-th
    harmonic is amplitude_k cos(2 pi k t/P + phase_k)."""
    c = fourier_coefficients(means, bins_per_period, period, (0, *orders))
    return {"orders": list(orders), "mean": float(c[0].real), "amplitude": (2.0 * np.abs(c[1:])).tolist(),
            "phase": np.angle(c[1:]).tolist()}


def modulation_depth(means) -> float:
    """(max - min)/max of the bin means [1]."""
    y = np.asarray(means, float)
    return float((y.max() - y.min()) / y.max())


def lockin_sigma(means, bins_per_period: int, period: float, background_rate: float) -> float:
    """sigma of the signal strength [1/rate unit x counts] from a lock-in at the fundamental,
    sqrt(B/(2 T))/|c_1|, with B [counts/s] and T the run."""
    c1 = fourier_coefficients(means, bins_per_period, period, (1,))[0]
    duration = len(means) * period / bins_per_period
    return math.sqrt(background_rate / (2.0 * duration)) / abs(c1)


def square_reference_sigma(means, bins_per_period: int, period: float, background_rate: float,
                           duty: float = 0.5) -> float:
    """sigma of the signal strength from counts during the on-phases minus d/(1 - d) times the
    counts during the off-phases (the first round(duty x bins_per_period) bins of each period
    are on)."""
    y = np.asarray(means, float)
    _periods(y, bins_per_period)
    on = round(duty * bins_per_period)
    if not 0 < on < bins_per_period:
        raise ValueError(f"duty {duty} leaves no on- or off-bins of {bins_per_period} per period")
    w = np.where(np.arange(len(y)) % bins_per_period < on, 1.0, -on / (bins_per_period - on))
    width = period / bins_per_period
    return math.sqrt(background_rate * width * float(w @ w)) / abs(width * float(w @ y))


def plain_onoff_sigma(on_yield: float, on_time: float, off_time: float, background_rate: float) -> float:
    """sigma of the signal strength from a run with current (``on_yield`` = integral of the rate
    per unit signal over ``on_time`` [s]) and a separate run of ``off_time`` [s] without new
    electrons: sqrt(B T_on (1 + T_on/T_off))/Y_on."""
    return math.sqrt(background_rate * on_time * (1.0 + on_time / off_time)) / on_yield


def binned_fraction(case: Case, edges, schedule: CurrentSchedule | None = None) -> np.ndarray:
    """Bin means of N(t)/(n V_target) [1] on the bins ``edges`` [s] (increasing, from >= 0) for
    a uniform 1D case, with the case's current or ``schedule``: the closed form (eq. 24
    integrated over the target, X(t) = Q(t)/(n e A)) by 16-point Gauss-Legendre in each bin.
    No current change may fall inside a bin (N has a kink there): ValueError otherwise."""
    odd = nonuniform_part(case)
    if odd is not None:
        raise ValueError(f"binned_fraction needs a uniform 1D line ({odd} is not)")
    edges = np.asarray(edges, float)
    if edges[0] < 0 or np.any(np.diff(edges) <= 0):
        raise ValueError("edges must increase from t >= 0")
    schedule = schedule_from_spec(case.transport.current) if schedule is None else schedule
    horizon = float(edges[-1])
    switches = schedule.breakpoints(horizon)
    k = np.searchsorted(edges, switches)
    if np.any((k < len(edges)) & (edges[np.minimum(k, len(edges) - 1)] != switches) & (k > 0)):
        raise ValueError("a current change falls inside a bin: align the bins with the schedule")
    d = derive(case)
    g = case.geometry
    n, area, D = d["electron_density_m3"], g.area, d["diffusivity_m2_s"]
    x_min, x_max = reservoir_span(case)
    a, b = edges[:-1, None], edges[1:, None]
    t = (0.5 * (a + b) + 0.5 * (b - a) * _GL_NODES).ravel()
    X = drift_displacement(schedule.charge(t, horizon), n, area)
    values = electrons_in_target_line(t, X, g.length, x_min, x_max, D, n, area, case.transport.convention,
                                      loop_period(case)) / (n * area * g.length)
    return 0.5 * (values.reshape(len(a), -1) @ _GL_WEIGHTS)


def square_wave(high: float, period: float, duty: float = 0.5, low: float = 0.0) -> CurrentSchedule:
    """On/off current from t = 0: ``high`` [A] for duty x period [s], then ``low``."""
    return CurrentSchedule(edges=(0.0, duty * period), currents=(high, low), period=period)


def full_target_rate(case: Case) -> float:
    """Detected X-rays per second per unit beta^2/2 from a full target [1/s]: r g nu n V
    (detection efficiency 1)."""
    d = derive(case)
    return (case.counting.capture_probability * case.counting.geometric_factor
            * d["scattering_rate_per_s"] * d["electron_density_m3"] * d["target_volume_m3"])


def lockin_comparison(case: Case, period: float, duration: float, background_rate: float, *,
                      duty: float = 0.5, bins_per_period: int = 4, high: float | None = None) -> dict:
    """Lock-in on a square-wave current against a plain on/off comparison, from the model.

    The modulated run: current ``high`` [A] (default: the case's) on for duty x period [s] of
    each period, off otherwise, reservoir connected throughout, from switch-on for the whole
    periods within ``duration`` [s].  The plain comparison: the same time split in a run with
    the constant current (T_on = duty x T) and a separate run without new electrons in the
    target (reservoir disconnected).  ``background_rate`` B [counts/s] in the signal region.
    Returns sigma of beta^2/2 for the fundamental lock-in, the in-phase square reference and
    the plain comparison (the rate per unit beta^2/2 is r g nu N(t), efficiency 1), their ratios
    to the plain one (independent of B), the modulation depth of the last period and of the
    whole run, and the harmonics (order 1-3) of the whole run in units of the full-target rate.
    """
    if high is None:
        high = float(schedule_from_spec(case.transport.current).nominal)
    periods = math.floor(duration / period)
    if periods < 1:
        raise ValueError(f"duration {duration} s holds no whole period of {period} s")
    total = periods * period
    on = round(duty * bins_per_period)
    edges = np.linspace(0.0, total, periods * bins_per_period + 1)
    y = binned_fraction(case, edges, square_wave(high, period, on / bins_per_period))
    full = full_target_rate(case)
    t_on = total * on / bins_per_period
    constant = CurrentSchedule(edges=(0.0,), currents=(high,))
    plain_edges = np.unique(np.concatenate([[0.0], np.geomspace(t_on * 1e-9, t_on, 801),
                                            np.linspace(0.0, t_on, 2001)]))
    plain_yield = full * float(binned_fraction(case, plain_edges, constant) @ np.diff(plain_edges))
    plain = plain_onoff_sigma(plain_yield, t_on, total - t_on, background_rate)
    lockin = lockin_sigma(full * y, bins_per_period, period, background_rate)
    square = square_reference_sigma(full * y, bins_per_period, period, background_rate, on / bins_per_period)
    return {"period_s": period, "duration_s": total, "duty": on / bins_per_period, "current_A": high,
            "background_per_s": background_rate, "full_target_rate_per_s": full,
            "depth_last_period": modulation_depth(y[-bins_per_period:]), "depth_run": modulation_depth(y),
            "harmonics": harmonics(y, bins_per_period, period, tuple(range(1, min(4, (bins_per_period + 1) // 2)))),
            "sigma_lockin": lockin, "sigma_square": square, "sigma_plain": plain,
            "lockin_over_plain": lockin / plain, "square_over_plain": square / plain}
