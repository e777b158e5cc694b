"""Upper limits on a Poisson signal over a known background: Feldman-Cousins and Bayesian.

An experiment counts n0 events where b background events are expected (b known, b >= 0) and a
signal of mean mu >= 0 may add to them: n0 ~ Poisson(mu + b).

Feldman-Cousins (G. J. Feldman and R. D. Cousins, Phys. Rev. D 57, 3873 (1998),
arXiv:physics/9711021): for each mu the acceptance region in n is filled in decreasing order of
the likelihood ratio

    R(n) = P(n | mu + b) / P(n | mu_best + b),      mu_best = max(0, n - b),

until its probability reaches the confidence level CL; the interval for n0 is every mu whose
acceptance region holds n0.  Equivalently n0 is accepted at mu when the probability of the n
ranked strictly before it is below CL, which is how it is evaluated here (no sorting): on a grid
of mu, then refined by bisection at the edges.  Their tables (IV-IX) make the upper end
non-increasing in b (their sec. IV B): the upper end printed for b is the largest upper end of
the plain construction for any background b' >= b.  ``feldman_cousins`` applies that rule by
default (``monotone=True``) over b' in [b, b + 2], which holds the next saw-tooth jump of the
plain upper end (about one per unit of b; the peaks after the jumps decrease with b).

Bayesian: a flat prior on mu >= 0 and the Poisson likelihood give the upper limit s with

    P(N <= n0 | s + b) / P(N <= n0 | b) = 1 - CL             (O. Helene, NIM 212, 319 (1983))

with P(N <= n | m) = Q(n + 1, m), the regularised upper incomplete gamma function.

All counts and means are dimensionless numbers of events.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, special

__all__ = ["feldman_cousins", "feldman_cousins_upper", "bayesian_upper", "poisson_cdf"]


def _check(n0, b, cl):
    if not (isinstance(n0, (int, np.integer)) and n0 >= 0):
        raise ValueError(f"observed count n0 must be an integer >= 0; got {n0!r}")
    if not (math.isfinite(b) and b >= 0):
        raise ValueError(f"background b must be finite and >= 0; got {b!r}")
    if not (0 < cl < 1):
        raise ValueError(f"confidence level must be in (0, 1); got {cl!r}")


def poisson_cdf(n: int, mean):
    """P(N <= n) for N ~ Poisson(mean) = Q(n + 1, mean) (scipy.special.gammaincc)."""
    return special.gammaincc(n + 1, np.asarray(mean, float))


def _window(b: float, mu_lo: float, mu_hi: float) -> np.ndarray:
    """The counts n that carry probability at some mu in [mu_lo, mu_hi]: Poisson(mu + b) within
    12 standard deviations (the tails beyond hold less than 1e-32)."""
    spread = 12.0 * math.sqrt(mu_hi + b + 1.0) + 10.0
    return np.arange(int(max(0.0, mu_lo + b - spread)), int(mu_hi + b + spread) + 1)


def _log_ratio(n, mu, b):
    """ln R(n) = ln P(n | mu + b) - ln P(n | mu_best + b), mu_best = max(0, n - b)."""
    best = np.maximum(n - b, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 0, n * (np.log(mu + b) - np.log(best + b)), 0.0) - (mu - best)


def _accepted(n0: int, mu, b: float, cl: float) -> np.ndarray:
    """Whether n0 lies in the Feldman-Cousins acceptance region of each mu (array): the n
    ranked before n0 (larger R; ties, a set of measure zero for mu > 0, ranked by n as a stable
    sort would) hold less than ``cl`` of the probability."""
    mu = np.atleast_1d(np.asarray(mu, float))
    n = _window(b, float(mu.min()), float(mu.max()))
    col = mu[:, None]
    ratio = _log_ratio(n[None, :], col, b)
    mine = _log_ratio(np.float64(n0), col, b)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_p = np.where(n > 0, n * np.log(col + b), 0.0) - (col + b) - special.gammaln(n + 1.0)
    before = (ratio > mine) | ((ratio == mine) & (n < n0)[None, :])
    return (np.exp(log_p) * before).sum(axis=1) < cl


def _edge(n0, b, cl, inside: float, outside: float, tol: float) -> float:
    """Bisection for the acceptance edge between mu = ``inside`` (accepted) and ``outside``."""
    while abs(outside - inside) > tol:
        mid = 0.5 * (inside + outside)
        if _accepted(n0, mid, b, cl)[0]:
            inside = mid
        else:
            outside = mid
    return inside


FINE_STEP = 1e-3        # mu step of the scans for islands of acceptance beyond the ends (small counts)
ISLAND_REACH = 1.0      # how far beyond an end they are looked for (the saw-tooth jumps are < 1)


def _fine(n0: int, b: float) -> float:
    """The mu step of the island scans: FINE_STEP for up to ~100 counts, growing as the Poisson
    spread sqrt(n0 + b) beyond (the ends are then known to 1e-4 of the spread)."""
    return FINE_STEP * max(1.0, math.sqrt(n0 + b + 1.0) / 10.0)


def _outermost(n0, b, cl, end: float, direction: float, tol: float) -> float:
    """The acceptance edge farthest from ``end`` in ``direction`` (+1 up, -1 down) within
    ISLAND_REACH: near a saw-tooth jump n0 is also accepted on a narrow island of mu apart from
    the main interval (seen once it is ``_fine`` wide); else ``end``."""
    step = _fine(n0, b)
    fine = end + direction * step * np.arange(1, int(ISLAND_REACH / step) + 1)
    fine = fine[fine >= 0.0]
    acc = _accepted(n0, fine, b, cl) if len(fine) else np.zeros(0, bool)
    if not acc.any():
        return end
    k = int(np.flatnonzero(acc)[-1])
    return _edge(n0, b, cl, fine[k], max(fine[k] + direction * step, 0.0), tol)


def _plain(n0: int, b: float, cl: float, tol: float) -> tuple[float, float]:
    """(lowest, highest) mu whose acceptance region holds n0, for one background b."""
    mu_max = max(n0 - b, 0.0) + 8.0 * math.sqrt(n0 + 1.0) + 12.0
    grid = np.linspace(0.0, mu_max, 1201)
    acc = _accepted(n0, grid, b, cl)
    if not acc.any() or acc[-1]:
        raise ArithmeticError(f"Feldman-Cousins: no acceptance edge found for n0={n0}, b={b}")
    idx = np.flatnonzero(acc)
    first, last = idx[0], idx[-1]
    lower = 0.0
    if first > 0:
        lower = _outermost(n0, b, cl, _edge(n0, b, cl, grid[first], grid[first - 1], tol), -1.0, tol)
    upper = _edge(n0, b, cl, grid[last], grid[last + 1], tol)
    return lower, _outermost(n0, b, cl, upper, +1.0, tol)


def _upper_near(n0: int, b: float, cl: float, guess: float) -> float:
    """The plain upper end (islands included) to ``_fine``, looked for in [guess - 0.05,
    guess + ISLAND_REACH] (the end falls slowly with b between jumps); ``_plain`` if not there."""
    step = _fine(n0, b)
    mu = np.arange(max(guess - 0.05, 0.0), guess + ISLAND_REACH, step)
    acc = _accepted(n0, mu, b, cl)
    if not acc[0] or acc[-1]:
        return _plain(n0, b, cl, step)[1]
    return float(mu[np.flatnonzero(acc)[-1]])


def feldman_cousins(n0: int, b: float, cl: float = 0.9, *, monotone: bool = True,
                    tol: float = 1e-7) -> tuple[float, float]:
    """Feldman-Cousins confidence interval (mu_1, mu_2) for the signal mean [events].

    ``n0`` observed events, ``b`` the known expected background, ``cl`` the confidence level.
    The ends are the lowest and highest mu whose acceptance region holds n0 (islands of
    acceptance included), found to ``tol`` once bracketed.  ``monotone``: the upper end made
    non-increasing in b as in Feldman & Cousins' tables: the largest plain upper end for any
    b' in [b, b + 2] (the peak after a saw-tooth jump found to about 2e-3); False gives the
    plain construction.
    """
    _check(n0, b, cl)
    lower, upper = _plain(n0, b, cl, tol)
    if monotone:
        shifts = np.linspace(0.0, 2.0, 101)
        ends = [upper]
        for s in shifts[1:]:
            ends.append(_upper_near(n0, b + s, cl, ends[-1]))
        for k in range(1, len(shifts)):
            if ends[k] > ends[k - 1] + _fine(n0, b):   # a saw-tooth jump between b + shifts[k-1] and here
                upper = max(upper, _jump_peak(n0, b, cl, shifts[k - 1], shifts[k], ends[k - 1], ends[k]))
    return lower, upper


def _jump_peak(n0, b, cl, lo_s, hi_s, before, after) -> float:
    """The plain upper end just after its saw-tooth jump between backgrounds b + lo_s (where it
    is ``before``, on the branch below the jump) and b + hi_s (``after``, above it).  Bisection
    in b' towards the jump, where the island of acceptance that makes the jump appears at its
    highest mu (the upper end falls with b' on both branches, so a value above ``before`` is on
    the upper branch)."""
    while hi_s - lo_s > 1e-4:
        mid = 0.5 * (lo_s + hi_s)
        end = _upper_near(n0, b + mid, cl, before)
        if end > before + _fine(n0, b):
            hi_s, after = mid, max(after, end)
        else:
            lo_s, before = mid, end
    return after


def feldman_cousins_upper(n0: int, b: float, cl: float = 0.9, **options) -> float:
    """The upper end mu_2 of :func:`feldman_cousins` [events]."""
    return feldman_cousins(n0, b, cl, **options)[1]


def bayesian_upper(n0: int, b: float, cl: float = 0.9) -> float:
    """Bayesian upper limit [events] on the signal mean with a flat prior on mu >= 0:
    Q(n0 + 1, s + b) / Q(n0 + 1, b) = 1 - CL (Helene's formula), solved by Brent's method."""
    _check(n0, b, cl)
    norm = float(poisson_cdf(n0, b))
    if norm <= 0.0:
        raise ArithmeticError(f"Bayesian limit: P(N <= {n0} | b = {b}) underflows")

    def excess(s):
        return float(poisson_cdf(n0, s + b)) / norm - (1.0 - cl)

    hi = max(1.0, n0 - b) + 10.0 * math.sqrt(n0 + b + 1.0) + 10.0
    while excess(hi) > 0:
        hi *= 2.0
    return float(optimize.brentq(excess, 0.0, hi, xtol=1e-12, rtol=1e-12))
