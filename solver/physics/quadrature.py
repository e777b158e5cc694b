"""Cumulative time integrals of a vectorised integrand: adaptive Gauss-Kronrod in log time.

    F(t_k) = integral_0^{t_k} f(t) dt        at every output time t_k [s]

is what turns N(t) into the cumulative scatterings S(t) = nu F(t) (eq. 19).  Substituting
tau = ln t, F is the integral of g(tau) = f(e^tau) e^tau, which is smooth on a scale of a
fraction of a decade for the closed forms of eqs. (18) and (24) (an erf front in t is an erf
front in ln t) and needs no time scale.

The method is QUADPACK's 7-point Gauss / 15-point Kronrod pair (the constants of qk15.f),
applied to *all* pieces at once: each round calls ``f`` once on the 15 nodes of every piece
still open, accepts the pieces whose error estimate |K15 - G7| is small enough and bisects the
others.  A typical analytic run takes 3-5 rounds and a few thousand evaluations of f (scipy's
``quad``, one piece at a time and one scalar call per node, takes ~50x longer: ``analytic.
cumulative_time_integral``, kept as the independent reference).

Error control (stated, and tested against the reference)
    The range is cut at every output time and breakpoint ("bins"), and every bin into pieces at
    most one decade long.  A piece p inside bin j is accepted when

        |K15_p - G7_p| <= max(rtol * max(A_p, A_j w_p / w_j), atol)

    with A_p = K15 of |g| on p, A_j the same summed over the bin, w the widths in ln t.  Since
    |K15 - G7| bounds the error of the lower-order rule (K15 is much more accurate), the error
    of F(t_k) is at most 2 rtol integral_0^{t_k} |f| dt plus atol per piece.  ``atol`` is an
    absolute floor near float64's underflow: where f itself is within a few decades of the
    smallest normal number (2.2e-308) it carries no relative precision, and a purely relative
    test cannot be met (the crash of issue 12: a front still ~1e-306 in the target).
    Below the first output time (or breakpoint) t_1 the range is cut at t_1 10^-40; for an f
    bounded by M near t = 0 the part left out is at most M t_1 10^-40.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import SolverError

__all__ = ["ATOL_FLOOR", "DECADES_BELOW", "cumulative_log_time_integral", "gauss_kronrod_15"]

#: absolute floor of the error test [f's unit x s]: about 1e18 float64 smallest normal numbers
ATOL_FLOOR = 1e-290
#: decades below the first output time or breakpoint where the integration starts
DECADES_BELOW = 40
_MAX_PIECES = 200_000   # pieces evaluated in total before giving up (3e6 evaluations of f)

# QUADPACK qk15.f: Kronrod abscissae x_k >= 0 (x_1, x_3, x_5, x_7 = 0 are the Gauss points),
# Kronrod weights, and the 7-point Gauss weights of x_1, x_3, x_5, x_7.
_XGK = (0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
        0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
        0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
        0.207784955007898467600689403773245, 0.0)
_WGK = (0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
        0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
        0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
        0.204432940075298892414161999234649, 0.209482141084727828012999174891714)
_WG = (0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
       0.381830050505118944950369775488975, 0.417959183673469387755102040816327)


def gauss_kronrod_15():
    """(nodes, Kronrod weights, Gauss weights) on [-1, 1], 15 each (Gauss weight 0 off its 7
    nodes): K15 integrates polynomials of degree <= 22 exactly, G7 those of degree <= 13."""
    half_x, half_k = np.array(_XGK), np.array(_WGK)
    half_g = np.zeros(8)
    half_g[1::2] = _WG
    nodes = np.concatenate([-half_x[:-1], half_x[::-1]])
    return (nodes, np.concatenate([half_k[:-1], half_k[::-1]]),
            np.concatenate([half_g[:-1], half_g[::-1]]))


_NODES, _W_KRONROD, _W_GAUSS = gauss_kronrod_15()


def _initial_pieces(log_nodes):
    """Pieces (a, b, bin) in ln t: every bin between consecutive nodes cut into equal pieces at
    most one decade (ln 10) long."""
    widths = np.diff(log_nodes)
    counts = np.maximum(1, np.ceil(widths / math.log(10.0))).astype(int)
    bins = np.repeat(np.arange(len(widths)), counts)
    k = np.arange(len(bins)) - np.repeat(np.cumsum(counts) - counts, counts)
    step = widths[bins] / counts[bins]
    a = log_nodes[bins] + k * step
    b = np.where(k + 1 == counts[bins], log_nodes[bins + 1], a + step)
    return a, b, bins


def _evaluate(f, a, b):
    """K15, G7 and K15 of |g| on the pieces [a, b] (ln t) of g(tau) = f(e^tau) e^tau."""
    half = 0.5 * (b - a)
    t = np.exp(0.5 * (a + b)[:, None] + half[:, None] * _NODES)
    values = np.asarray(f(t.ravel()), dtype=float).reshape(t.shape) * t
    if not np.all(np.isfinite(values)):
        row = int(np.argmax(~np.all(np.isfinite(values), axis=1)))
        raise SolverError(f"cumulative_log_time_integral: integrand not finite on "
                          f"[{math.exp(a[row]):g}, {math.exp(b[row]):g}] s")
    return half * (values @ _W_KRONROD), half * (values @ _W_GAUSS), half * (np.abs(values) @ _W_KRONROD)


CHUNK_PIECES = 20_000   # pieces evaluated per call of f (bounds the memory; progress in between)


def _integration_nodes(times, breakpoints):
    """(flat times, nodes [s] the range is cut at) of a cumulative integral to ``times``."""
    times = np.asarray(times, dtype=float)
    flat = times.ravel()
    if flat.size and (np.any(~np.isfinite(flat)) or np.any(flat < 0) or np.any(np.diff(flat) < 0)):
        raise ValueError("times must be finite, >= 0 and sorted in increasing order")
    positive = flat[flat > 0]
    if positive.size == 0:
        return flat, None
    bps = np.asarray(breakpoints, dtype=float).ravel()
    bps = bps[(bps > 0) & (bps < positive[-1])]
    start = min(positive[0], bps.min() if bps.size else math.inf) * 10.0 ** -DECADES_BELOW
    return flat, np.unique(np.concatenate([[start], positive, bps]))


def initial_evaluations(times, breakpoints=()) -> int:
    """Evaluations of f in the first round of :func:`cumulative_log_time_integral` (15 per
    initial piece): the least it will cost, the most of it for smooth integrands."""
    _, nodes = _integration_nodes(times, breakpoints)
    return 0 if nodes is None else len(_initial_pieces(np.log(nodes))[0]) * len(_NODES)


def _evaluate_chunked(f, a, b, progress, done_before, total):
    """_evaluate on chunks of CHUNK_PIECES pieces, telling ``progress(done, total)`` after each."""
    parts = []
    for lo in range(0, a.size, CHUNK_PIECES):
        parts.append(_evaluate(f, a[lo:lo + CHUNK_PIECES], b[lo:lo + CHUNK_PIECES]))
        if progress is not None:
            progress(done_before + min(lo + CHUNK_PIECES, a.size), total)
    return tuple(np.concatenate(column) for column in zip(*parts))


def cumulative_log_time_integral(f, times, breakpoints=(), rtol=1e-12, atol=ATOL_FLOOR, info=None, progress=None):
    """Cumulative integral_0^t f(t') dt' at each t of the sorted array ``times`` [s] (t >= 0).

    ``f`` takes a 1D array of times t > 0 [s] (any order) and returns an array of the same
    shape [any unit]; it is called once per round on all open pieces.  ``breakpoints`` [s]:
    times where f has a kink or a jump (a current switched on or off); the range is cut there.
    Error control as in the module docstring: |error of F(t)| <= 2 rtol integral_0^t |f| dt' +
    atol per piece.  Returns an array shaped like ``times`` [f's unit x s] (0 where t = 0).
    ``info``, a dict, receives the rounds, pieces and evaluations of f used; ``progress(done,
    total)`` is told the pieces evaluated (total: those evaluated and open so far).
    Raises ValueError for unsorted, negative or non-finite times; SolverError if f is not
    finite or the tolerance is not reached within 200,000 pieces.
    """
    times = np.asarray(times, dtype=float)
    flat, nodes = _integration_nodes(times, breakpoints)
    if nodes is None:
        return np.zeros_like(times)
    log_nodes = np.log(nodes)
    bin_width = np.diff(log_nodes)
    n_bins = len(bin_width)

    a, b, bins = _initial_pieces(log_nodes)
    done, done_abs = np.zeros(n_bins), np.zeros(n_bins)
    evaluated, rounds = 0, 0
    while a.size:
        evaluated += a.size
        rounds += 1
        if evaluated > _MAX_PIECES:
            worst = int(np.argmax(b - a))
            raise SolverError(f"cumulative_log_time_integral: did not reach rtol={rtol:g} within "
                              f"{_MAX_PIECES:,} pieces ({a.size:,} still open, e.g. on "
                              f"[{math.exp(a[worst]):g}, {math.exp(b[worst]):g}] s)")
        kronrod, gauss, absolute = _evaluate_chunked(f, a, b, progress, evaluated - a.size, evaluated)
        bin_abs = done_abs + np.bincount(bins, absolute, minlength=n_bins)
        share = bin_abs[bins] * (b - a) / bin_width[bins]
        ok = np.abs(kronrod - gauss) <= np.maximum(rtol * np.maximum(absolute, share), atol)
        done += np.bincount(bins[ok], kronrod[ok], minlength=n_bins)
        done_abs += np.bincount(bins[ok], absolute[ok], minlength=n_bins)
        a, b, bins = a[~ok], b[~ok], bins[~ok]
        mid = 0.5 * (a + b)
        a, b, bins = np.concatenate([a, mid]), np.concatenate([mid, b]), np.concatenate([bins, bins])
    if info is not None:
        info.update(rounds=rounds, pieces=evaluated, evaluations=evaluated * len(_NODES))
    cumulative = np.concatenate([[0.0], np.cumsum(done)])     # F at nodes[0], nodes[1], ...
    return np.where(flat > 0, cumulative[np.searchsorted(nodes, flat)], 0.0).reshape(times.shape)
