"""The circuit as the reservoir: a closed loop of copper of uniform cross-section A, in closed
form (the finite-volume model of the same loop is ``solver.fv``'s, with any cross-sections).

The line runs reservoir [x_min, x_max], connector [x_max, 0], target (0, L), outlet [L, L + l_out]
and closes there: what leaves the outlet re-enters the reservoir at x_min.  The loop has the
circumference P = L + l_out - x_min.  New electrons fill the reservoir at t = 0 (density n; the
connector, target and outlet hold none), and then drift (displacement X(t) = Q(t)/(n e A)) and
diffuse (D) round the loop.  On the unrolled line the initial density is periodic, the
reservoir repeated at every x_min + k P, so the density and N(t) are sums over these images of
the finite-reservoir solution (eq. 24 with 1/2 restored, ``analytic.electrons_in_target``):

    N(t) = sum_k N_finite(t; x_min + k P, x_max + k P)                   (images)

          = n A L_res L/P + 2 A Re sum_{m >= 1} c_m exp(-D_k q_m^2 t) e^{-i q_m X} (e^{i q_m L} - 1)/(i q_m)
                                                                         (Fourier series)

with q_m = 2 pi m/P, c_m = (n/P)(e^{-i q_m x_min} - e^{-i q_m x_max})/(i q_m) and D_k the kernel
diffusivity of the convention.  The image sum needs about 2 x 27 s/P + 2 terms (s = sqrt(4 D_k t),
erfc(27) underflows), the Fourier series about sqrt(40) P/(pi s); each is used where it is the
shorter (s < P: images).  The loop holds n A L_res at every t; N -> n A L L_res/P as the
electrons mix round it.
"""

from __future__ import annotations

import math

import numpy as np

from . import analytic

__all__ = ["electrons_in_target_loop", "electrons_in_target_line"]

_Z = 27.0          # erfc(_Z) underflows: images farther than _Z spreads add nothing


def _images(t, X, L, x_min, x_max, period, D, n, area, convention):
    s = np.asarray(analytic.spread(t, D, convention), float)
    centre = 0.5 * (x_min + x_max)
    k0 = np.round((0.5 * L - centre - X) / period)          # the image nearest to the target
    reach = int(math.ceil((_Z * float(s.max(initial=0.0)) + (x_max - x_min) + L) / period)) + 1
    shift = (k0[None, :] + np.arange(-reach, reach + 1)[:, None]) * period     # images x times
    each = analytic.electrons_in_target(t[None, :], X[None, :], L, x_min + shift, x_max + shift, D, n, area,
                                        convention)
    return np.sum(each, axis=0)


def _fourier(t, X, L, x_min, x_max, period, D, n, area, convention):
    d_k = float(analytic.kernel_diffusivity(D, convention))
    s = np.asarray(analytic.spread(t, D, convention), float)
    m_max = int(math.ceil(math.sqrt(40.0) * period / (math.pi * float(s.min())))) + 1
    total = np.full_like(np.asarray(t, float), n * area * (x_max - x_min) * L / period)
    for m_ in range(1, m_max + 1):
        q = 2.0 * math.pi * m_ / period
        c = (n / period) * (np.exp(-1j * q * x_min) - np.exp(-1j * q * x_max)) / (1j * q)
        term = c * np.exp(-d_k * q * q * t) * np.exp(-1j * q * X) * (np.exp(1j * q * L) - 1.0) / (1j * q)
        total = total + 2.0 * area * term.real
    return total


def electrons_in_target_loop(t, X, L, x_min, x_max, period, D, n, area, convention="standard"):
    """N(t) [count] in the target (0, L) of a loop of circumference ``period`` P [m] whose
    reservoir [x_min, x_max] [m] (finite, no longer than the loop) held the density n [m^-3]
    at t = 0; t [s] and drift displacement X [m] (broadcast), D [m^2/s], area A [m^2].  Any
    stretch (a, b) of the loop: the same with (0, b - a) and the reservoir shifted by -a."""
    if not (math.isfinite(x_min) and x_min < x_max and x_max - x_min <= period):
        raise ValueError(f"loop: need a finite reservoir inside the loop; got x_min={x_min}, x_max={x_max}, "
                         f"period={period}")
    t, X = np.broadcast_arrays(np.asarray(t, float), np.asarray(X, float))
    s = np.asarray(analytic.spread(t, D, convention), float)
    out = np.empty(t.shape)
    near = s < period
    if near.any():
        out[near] = _images(t[near], X[near], L, x_min, x_max, period, D, n, area, convention)
    if (~near).any():
        out[~near] = _fourier(t[~near], X[~near], L, x_min, x_max, period, D, n, area, convention)
    return out[()]


def electrons_in_target_line(t, X, L, x_min, x_max, D, n, area, convention="standard", period=None):
    """N(t) [count] of an open line (``period`` None: ``analytic.electrons_in_target``) or of a
    loop of circumference ``period`` [m] (:func:`electrons_in_target_loop`)."""
    if period is None:
        return analytic.electrons_in_target(t, X, L, x_min, x_max, D, n, area, convention)
    return electrons_in_target_loop(t, X, L, x_min, x_max, period, D, n, area, convention)
