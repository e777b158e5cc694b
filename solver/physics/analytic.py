"""Closed-form 1D drift-diffusion solutions (Milotti et al., Entropy 2018, 20, 515, eqs. 14-24).

The equation is

    dc/dt + v(t) dc/dx = D d2c/dx2        on the infinite line, SI units throughout
                                          (x, L [m]; t [s]; D [m^2/s]; c, n [m^-3]).

Drift displacement instead of drift speed
    The drift is uniform in space but may change in time (a current schedule).  Then the Green's
    function is the constant-drift Gaussian with v*t replaced by the drift displacement
    X(t) = integral_0^t v(t') dt' [m].  Every function therefore takes ``X`` (broadcast against
    ``t``); for a constant current X = v*t.  ``scatterings`` takes a callable t -> X(t).

Conventions (see docs/physics.md, misprint 1)
    ``convention="standard"`` (default): kernel variance 2 D t, spread s = sqrt(4 D t).
    ``convention="paper"``: the paper's eq. (14), variance D t, s = sqrt(2 D t) -- exactly the
    standard solution with D -> D/2.  This is implemented once, in ``kernel_diffusivity`` and
    ``spread``; every other function goes through them.

Geometry
    The target spans (0, L).  A reservoir [x_min, x_max] (x_max <= 0, x_min may be -inf) holds
    the new-electron density n at t = 0 and is empty elsewhere; eq. (24) is used with the
    factor 1/2 restored (docs/physics.md, misprint 2).  At time t its edges sit at x_min + X and
    x_max + X.

Numerical stability
    Differences of error functions are evaluated in the erfc form on the side where both terms
    are small, so tiny densities and electron numbers (a reservoir 1e5 m away, the front not yet
    arrived through a connector) keep their relative accuracy instead of cancelling to zero.
    Integrals of erf/erfc over [p, q] with 0 <= p <= q use the repeated error-function integral
    ierfc(z) = exp(-z^2)/sqrt(pi) - z erfc(z), and a 16-point Gauss-Legendre rule on intervals
    that are short on the scale over which erfc changes (where the ierfc difference would
    cancel).  Interval lengths are taken from the caller's end points (b - a), never from
    differences of large shifted coordinates.  t = 0 (s = 0) gives the exact step-function limit.

Return values are numpy arrays (numpy scalars for scalar input).
"""

from __future__ import annotations

import numpy as np
from scipy import special

from ..errors import SolverError
from .quadrature import ATOL_FLOOR

__all__ = [
    "CONVENTIONS",
    "kernel_diffusivity",
    "spread",
    "greens_function",
    "erf_integral",
    "probability_in_target",
    "reservoir_density",
    "electrons_in_interval",
    "electrons_in_target",
    "cumulative_time_integral",
    "scatterings",
    "scatterings_infinite",
]

CONVENTIONS = ("standard", "paper")

_SQRT_PI = np.sqrt(np.pi)
_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(16)
_Z_UNDERFLOW = 30.0  # ierfc(z) = 0 in float64 for z >= ~27.3


# ----------------------------------------------------------------------------- conventions


def kernel_diffusivity(D, convention="standard"):
    """Diffusivity [m^2/s] of the standard kernel that reproduces ``convention``.

    "standard": D (kernel variance 2 D t).  "paper": D/2, because the paper's eq. (14) has
    variance D t, which is the standard Green's function for diffusivity D/2.
    D [m^2/s] >= 0.  Raises ValueError for an unknown convention or a negative D.
    """
    D = np.asarray(D, dtype=float)
    if np.any(D < 0):
        raise ValueError(f"diffusivity D must be >= 0 m^2/s; got {D}")
    if convention == "standard":
        return D[()]
    if convention == "paper":
        return (0.5 * D)[()]
    raise ValueError(f"convention must be one of {CONVENTIONS}; got {convention!r}")


def spread(t, D, convention="standard"):
    """Spread s = sqrt(4 D_k t) [m] of the kernel, D_k = kernel_diffusivity(D, convention).

    Standard: s = sqrt(4 D t); paper (eq. 14): s = sqrt(2 D t).  t [s] >= 0, D [m^2/s].
    """
    t = np.asarray(t, dtype=float)
    if np.any(t < 0):
        raise ValueError("time t must be >= 0 s")
    return np.sqrt(4.0 * kernel_diffusivity(D, convention) * t)[()]


# ----------------------------------------------------------------------------- private helpers


def _scaled(u, s):
    """u/s with the s = 0 limit: +-inf for u != 0 and 0 for u = 0 (erf(u/0) = sign(u))."""
    u, s = np.broadcast_arrays(np.asarray(u, float), np.asarray(s, float))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        z = u / s
    return np.where(s > 0, z, np.where(u == 0, 0.0, np.copysign(np.inf, u)))


def _erf_difference(u_hi, u_lo, s):
    """erf(u_hi/s) - erf(u_lo/s) for u_hi >= u_lo, in the erfc form where both terms are near +-1.

    Both arguments >= 1/2 (or both <= -1/2): erfc(z_lo) - erfc(z_hi) (or its mirror image), two
    terms <= erfc(1/2) = 0.48; otherwise the erf form, where erf(z_lo) is at most erf(1/2) = 0.52.
    """
    z_hi, z_lo = _scaled(u_hi, s), _scaled(u_lo, s)
    return np.where(z_lo >= 0.5, special.erfc(z_lo) - special.erfc(z_hi),
                    np.where(z_hi <= -0.5, special.erfc(-z_hi) - special.erfc(-z_lo),
                             special.erf(z_hi) - special.erf(z_lo)))


def _ierfc(z):
    """Repeated erfc integral ierfc(z) = integral_z^inf erfc = exp(-z^2)[1/sqrt(pi) - z erfcx(z)], z >= 0."""
    z = np.minimum(z, _Z_UNDERFLOW)
    return np.exp(-z * z) * (1.0 / _SQRT_PI - z * special.erfcx(z))


def _nonneg_integrals(p, q, h, s):
    """(integral_p^q erf(u/s) du, integral_p^q erfc(u/s) du) [m] for 0 <= p <= q <= inf, h = q - p.

    h is passed separately so that the length keeps full precision when p and q are large.
    """
    z1, z2, delta = _scaled(p, s), _scaled(q, s), _scaled(h, s)
    # Gauss-Legendre where erfc changes little over the interval (decay rate ~ 2 z per unit z);
    # there the ierfc difference below would cancel.
    with np.errstate(over="ignore", invalid="ignore"):
        use_gl = delta * (1.0 + z1) <= 1.0
    zg = np.where(use_gl, z1, 0.0)[..., None] + 0.5 * np.where(use_gl, delta, 0.0)[..., None] * (1.0 + _GL_NODES)
    h_gl = 0.5 * np.where(use_gl, h, 0.0)
    gl_erf = h_gl * (special.erf(zg) @ _GL_WEIGHTS)
    gl_erfc = h_gl * (special.erfc(zg) @ _GL_WEIGHTS)
    with np.errstate(invalid="ignore"):
        tail = s * (_ierfc(z1) - _ierfc(z2))
        return np.where(use_gl, gl_erf, h - tail), np.where(use_gl, gl_erfc, tail)


def _erf_erfc_integrals(u1, u2, h, s):
    """(integral_u1^u2 erf(u/s) du, integral_u1^u2 erfc(u/s) du) [m] for u1 <= u2, h = u2 - u1.

    The interval is split into its part on u >= 0 and the mirror image of its part on u <= 0
    (erf is odd, erfc(-v) = 2 - erfc(v)); lengths come from h unless the interval straddles 0.
    """
    u1, u2, h, s = np.broadcast_arrays(*(np.asarray(v, float) for v in (u1, u2, h, s)))
    p_pos, q_pos = np.maximum(u1, 0.0), np.maximum(u2, 0.0)
    h_pos = np.where(u1 >= 0, h, q_pos)
    p_neg, q_neg = np.maximum(-u2, 0.0), np.maximum(-u1, 0.0)
    h_neg = np.where(u2 <= 0, h, q_neg)
    erf_pos, erfc_pos = _nonneg_integrals(p_pos, q_pos, h_pos, s)
    erf_neg, erfc_neg = _nonneg_integrals(p_neg, q_neg, h_neg, s)
    with np.errstate(invalid="ignore"):
        return erf_pos - erf_neg, erfc_pos + (2.0 * h_neg - erfc_neg)


def _reservoir_edges(X, x_min, x_max):
    """Drifted reservoir [m]: edges lo = x_min + X, hi = x_max + X, centre m, half-length w.

    For x_min = -inf: lo = m = -inf and w = inf.
    """
    x_min, x_max = np.asarray(x_min, float), np.asarray(x_max, float)
    if np.any(~np.isfinite(x_max)) or np.any(np.isnan(x_min)) or np.any(x_min == np.inf):
        raise ValueError("reservoir: x_max must be finite and x_min finite or -inf")
    if np.any(x_min >= x_max):
        raise ValueError(f"reservoir: need x_min < x_max; got x_min={x_min}, x_max={x_max}")
    semi = np.isinf(x_min)
    centre = np.where(semi, -np.inf, 0.5 * (np.where(semi, 0.0, x_min) + x_max))
    return x_min + X, x_max + X, centre + X, 0.5 * (x_max - x_min)


def _reservoir_fraction_integral(a, b, X, x_min, x_max, s):
    """integral_a^b (1/2)[erf((x-lo)/s) - erf((x-hi)/s)] dx [m], a <= b (either may be infinite).

    Right of the reservoir centre m the integrand is (1/2)[erfc((x-hi)/s) - erfc((x-lo)/s)], left
    of it (1/2)[erfc((lo-x)/s) - erfc((hi-x)/s)]: two non-negative erfc terms, the first dominant.
    Where the interval is cut at m, the offsets from the edges are -+w exactly (from x_max - x_min,
    not from the drifted edges), so the whole line holds x_max - x_min to rounding at any X.
    """
    lo, hi, m, w = _reservoir_edges(X, x_min, x_max)
    a, b, lo, hi, m, w, s = np.broadcast_arrays(*(np.asarray(v, float) for v in (a, b, lo, hi, m, w, s)))
    with np.errstate(invalid="ignore"):
        cut_a, cut_b = a < m, b > m            # the interval is cut at m from the left / right
        br = np.maximum(b, m)
        h_right = np.where(cut_a, br - m, b - a)
        right = 0.5 * (_erf_erfc_integrals(np.where(cut_a, -w, a - hi), br - hi, h_right, s)[1]
                       - _erf_erfc_integrals(np.where(cut_a, w, a - lo), br - lo, h_right, s)[1])
        al = np.minimum(a, m)
        h_left = np.where(cut_a, np.where(cut_b, m - a, b - a), 0.0)
        left = 0.5 * (_erf_erfc_integrals(np.where(cut_b, -w, lo - b), lo - al, h_left, s)[1]
                      - _erf_erfc_integrals(np.where(cut_b, w, hi - b), hi - al, h_left, s)[1])
    return right + np.where(h_left > 0, left, 0.0)


# ----------------------------------------------------------------------------- public functions


def greens_function(x, t, X, D, convention="standard"):
    """Green's function [1/m]: G = exp(-(x - X)^2/s^2)/(sqrt(pi) s), s = spread(t, D, convention).

    Eq. (14) with v t -> X: the probability density at x [m] and time t [s] of an electron
    injected at x = 0 at t = 0 and displaced by the drift X [m]; D [m^2/s].  At t = 0 (s = 0)
    the delta function is returned as inf at x = X and 0 elsewhere.
    """
    s = spread(t, D, convention)
    x, s, X = np.broadcast_arrays(np.asarray(x, float), np.asarray(s, float), np.asarray(X, float))
    z = _scaled(x - X, s)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.exp(-z * z) / (_SQRT_PI * s)
    return np.where(s > 0, g, np.where(x == X, np.inf, 0.0))[()]


def erf_integral(a, b, shift, s):
    """integral_a^b erf((x - shift)/s) dx [m], for finite a, b, shift [m] and s [m] >= 0.

    With u = x - shift, integral_u1^u2 erf(u/s) du is evaluated as (u2 - u1) - s[ierfc(u1/s) -
    ierfc(u2/s)] for 0 <= u1 <= u2 (ierfc(z) = exp(-z^2)/sqrt(pi) - z erfc(z)), or by 16-point
    Gauss-Legendre where erf changes little over the interval, using the oddness of erf for
    u <= 0 and splitting intervals that straddle 0; the length is b - a.  This stays accurate
    when |a - shift| >> b - a (a naive F(b) - F(a) cancels).  s = 0 gives the limit erf -> sign.
    a > b gives minus the integral over (b, a).
    """
    a, b, shift, s = np.broadcast_arrays(*(np.asarray(v, float) for v in (a, b, shift, s)))
    if np.any(s < 0):
        raise ValueError("spread s must be >= 0 m")
    sign = np.where(a <= b, 1.0, -1.0)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    return (sign * _erf_erfc_integrals(lo - shift, hi - shift, hi - lo, s)[0])[()]


def probability_in_target(t, X, L, D, convention="standard"):
    """Eq. (18): P(t) = (1/2)[erf((L - X)/s) - erf(-X/s)] [dimensionless].

    Probability that one electron injected at x = 0 at t = 0 is in the target (0, L) at time
    t [s], drift displacement X [m], target length L [m], D [m^2/s]; s = spread(t, D, convention).
    P(0) = 1/2 (the electron starts on the target's edge).
    """
    s = spread(t, D, convention)
    X = np.asarray(X, float)
    return (0.5 * _erf_difference(L - X, -X, s))[()]


def reservoir_density(x, t, X, x_min, x_max, D, n, convention="standard"):
    """Eq. (24) times n: density of new electrons c(x, t) [m^-3].

    c = (n/2)[erf((x - x_min - X)/s) - erf((x - x_max - X)/s)] with the factor 1/2 of eq. (24)
    restored (docs/physics.md misprint 2).  x [m], t [s], drift displacement X [m], reservoir
    [x_min, x_max] [m] (x_min may be -inf: c = (n/2) erfc((x - x_max - X)/s)), D [m^2/s],
    initial density n [m^-3].  At t = 0: n inside, 0 outside, n/2 exactly on an edge.
    """
    s = spread(t, D, convention)
    lo, hi, _, _ = _reservoir_edges(X, x_min, x_max)
    x = np.asarray(x, float)
    return (0.5 * np.asarray(n, float) * _erf_difference(x - lo, x - hi, s))[()]


def electrons_in_interval(t, X, a, b, x_min, x_max, D, n, area, convention="standard"):
    """Number of new electrons in (a, b): area * integral_a^b c dx [dimensionless count].

    c is eq. (24) times n (see ``reservoir_density``); the integral is in closed form (integrals
    of erf/erfc, evaluated stably).  t [s], X [m], a <= b [m] (a may be -inf, b may be +inf),
    reservoir [x_min, x_max] [m] (x_min may be -inf), D [m^2/s], n [m^-3], area [m^2].
    Over (-inf, inf) a finite reservoir holds n*area*(x_max - x_min) at every t.  A semi-infinite
    reservoir holds infinitely many electrons, so a = -inf with x_min = -inf raises ValueError.
    """
    s = spread(t, D, convention)
    a, b, x_min = np.asarray(a, float), np.asarray(b, float), np.asarray(x_min, float)
    if np.any(np.isnan(a)) or np.any(np.isnan(b)) or np.any(a > b):
        raise ValueError("interval: need a <= b")
    if np.any(np.isneginf(a) & np.isneginf(x_min)):
        raise ValueError("a semi-infinite reservoir (x_min = -inf) holds infinitely many electrons in (-inf, b)")
    length = _reservoir_fraction_integral(a, b, np.asarray(X, float), x_min, x_max, s)
    return (np.asarray(n, float) * np.asarray(area, float) * length)[()]


def electrons_in_target(t, X, L, x_min, x_max, D, n, area, convention="standard"):
    """N(t): new electrons in the target (0, L) [count] = electrons_in_interval over (0, L).

    Integral of eq. (24) times n over the target (the integrand of eq. 26 with 1/2 restored).
    t [s], X [m], L [m], reservoir [x_min, x_max] [m] with x_max <= 0 (x_max = -connector
    length, x_min may be -inf), D [m^2/s], n [m^-3], area [m^2].
    """
    return electrons_in_interval(t, X, 0.0, L, x_min, x_max, D, n, area, convention)


def cumulative_time_integral(f, times, breakpoints=(), rtol=1e-12, limit=1000, atol=ATOL_FLOOR):
    """Cumulative integral_0^t f(t') dt' at each t of the sorted array ``times`` [s] (t >= 0).

    The range [0, max(times)] is cut at every output time and at every breakpoint inside it
    (equivalent to quad's ``points``; kinks of f, e.g. a current switched on, must be listed).
    Each piece is integrated by scipy.integrate.quad in log-time, tau = ln t', of f(e^tau) e^tau
    (epsabs=0, epsrel=rtol); the first piece is (-inf, ln t_1], which handles f ~ t^-1/2 near 0
    and long tails without a time scale.  f(t) [any unit] takes a scalar t > 0 (f is never
    evaluated at t = 0) and returns a scalar.  Returns an array like ``times`` [f's unit x s].
    Raises SolverError if quad reports a failure whose error estimate exceeds both rtol times
    the accumulated |integral| at that piece and the absolute floor ``atol`` [f's unit x s]
    (near float64 underflow f has no relative precision: ``quadrature.ATOL_FLOOR``), or if f is
    not finite.  This is the slow, independent reference of
    ``quadrature.cumulative_log_time_integral``.
    """
    from scipy import integrate     # here, not at the top: it costs 21 MB that FV runs never need

    times = np.asarray(times, dtype=float)
    flat = times.ravel()
    if flat.size and (np.any(~np.isfinite(flat)) or np.any(flat < 0) or np.any(np.diff(flat) < 0)):
        raise ValueError("times must be finite, >= 0 and sorted in increasing order")
    t_end = flat[-1] if flat.size else 0.0
    bps = np.asarray(breakpoints, dtype=float).ravel()
    nodes = np.unique(np.concatenate([[0.0], flat, bps[(bps > 0) & (bps < t_end)]]))

    def integrand(tau):
        t = np.exp(tau)
        return np.asarray(f(t), dtype=float).item() * t if t > 0 else 0.0    # t f(t) -> 0 for an integrable f

    values, errors, failures = [0.0], [0.0], []
    for lo, hi in zip(nodes[:-1], nodes[1:]):
        lo_tau = -np.inf if lo == 0 else np.log(lo)
        out = integrate.quad(integrand, lo_tau, np.log(hi), epsabs=0.0, epsrel=rtol, limit=limit, full_output=1)
        if not np.isfinite(out[0]):
            raise SolverError(f"cumulative_time_integral: integrand not finite on [{lo:g}, {hi:g}] s")
        values.append(out[0])
        errors.append(out[1])
        if len(out) > 3:
            failures.append((len(values) - 1, lo, hi, out[3]))
    scale = np.cumsum(np.abs(values))
    for k, lo, hi, message in failures:
        if errors[k] > max(rtol * scale[k], atol):
            raise SolverError(f"cumulative_time_integral: quad did not reach rtol={rtol:g} on [{lo:g}, {hi:g}] s "
                              f"(error estimate {errors[k]:.3g}, integral so far {scale[k]:.3g}): {message}")
    cumulative = np.cumsum(values)
    return cumulative[np.searchsorted(nodes, flat)].reshape(times.shape)


def scatterings(T, X_of_t, L, D, tau, convention="standard", breakpoints=(), rtol=1e-12):
    """Eq. (19): S(T) = (1/tau) integral_0^T P(t) dt [dimensionless count of scatterings].

    P is eq. (18) (``probability_in_target``) with X = X_of_t(t); T [s] scalar or array (any
    order, >= 0), X_of_t a callable scalar t [s] -> X [m], L [m], D [m^2/s], tau [s] the time
    between scatterings.  ``breakpoints`` [s]: times where the drift speed jumps.
    """
    T = np.asarray(T, dtype=float)
    order = np.argsort(T, axis=None)

    def prob(t):
        return probability_in_target(t, X_of_t(t), L, D, convention)

    sorted_integral = cumulative_time_integral(prob, T.ravel()[order], breakpoints, rtol)
    out = np.empty(T.size)
    out[order] = sorted_integral
    return (out.reshape(T.shape) / tau)[()]


def scatterings_infinite(L, v, tau):
    """Eq. (23): S_inf = L/(v tau) = transit time/tau [dimensionless]; np.inf for v <= 0.

    L [m] target length, v [m/s] drift speed, tau [s] time between scatterings.  Exact for both
    conventions (the integral of P over all t does not depend on D).
    """
    L, v, tau = np.broadcast_arrays(*(np.asarray(q, float) for q in (L, v, tau)))
    with np.errstate(divide="ignore"):
        return np.where(v > 0, L / (np.where(v > 0, v, 1.0) * tau), np.inf)[()]
