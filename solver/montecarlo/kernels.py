"""Small compiled helpers shared by the 1D and 2D/3D walks (numba, ``cache=True``).

Why compiled: every electron of the walk has its own clock (exact long steps where the drift is
uniform, short ones near a change of cross-section or in a non-uniform field) and its own path
through the cells with reflections at walls; per-electron control flow of this kind does not
vectorise over electrons without an active-set loop whose tail dominates.  A numba loop over
electrons runs it at 3e7-1e8 steps per second per core; numba costs ~100 MB of memory and a
one-off compilation (cached on disk next to this file).

Compiled without numba's reference counting (``_nrt=False``): every array the walk touches is
allocated outside and passed in; with reference counting, each helper call that takes arrays
costs an atomic increment and decrement per array (~150 ns per step instead of ~20 ns).

Random numbers come from the batch's ``numpy.random.Generator`` (passed into the compiled
functions; numba draws from the same bit generator), so a batch is reproducible from its seed.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["compiled", "charge_at", "locate", "safe_time", "fold", "tally", "K_SIGMA"]

def compiled(inline: bool = False):
    """The decorator of the walk's compiled functions: numba ``njit``, cached on disk, without
    reference counting; ``inline``: inlined into its callers (numba IR inlining)."""
    return njit(cache=True, _nrt=False, **({"inline": "always"} if inline else {}))


#: an exact step is taken only if the region's edge is this many spreads sqrt(2 D dt) (beyond the
#: drift) away: the chance to reach it within the step is below erfc(8/sqrt 2)/2 ~ 6e-16.
K_SIGMA = 8.0


@compiled(inline=True)
def locate(edges, x):
    """The k with edges[k] <= x < edges[k+1] in a sorted array (-1 below edges[0],
    len(edges) - 1 at or above the last): numpy's searchsorted(side="right") - 1, by bisection
    (numba's searchsorted costs ~30 ns on a scalar)."""
    lo, hi = 0, len(edges)
    while lo < hi:
        mid = (lo + hi) >> 1
        if edges[mid] <= x:
            lo = mid + 1
        else:
            hi = mid
    return lo - 1


@compiled(inline=True)
def charge_at(t, edges, charge_edges, currents):
    """Q(t) = integral_0^t I dt' [C] of a piecewise-constant current: ``edges`` [s] (from 0),
    ``charge_edges`` Q at the edges [C], ``currents`` [A] on each piece (the last holds on)."""
    k = locate(edges, t)
    if k < 0:
        k = 0
    return charge_edges[k] + currents[k] * (t - edges[k])


@compiled(inline=True)
def safe_time(distance, speed, b):
    """Largest dt [s] with speed dt + b sqrt(dt) <= distance (b = K_SIGMA sqrt(2 D)); inf for an
    infinite distance, 0 for a non-positive one."""
    if distance == np.inf:
        return np.inf
    if distance <= 0.0:
        return 0.0
    if speed <= 0.0:
        if b <= 0.0:
            return np.inf
        r = distance / b
        return r * r
    if b <= 0.0:
        return distance / speed
    root = (-b + math.sqrt(b * b + 4.0 * speed * distance)) / (2.0 * speed)
    return root * root


@compiled(inline=True)
def fold(y, lo, hi):
    """Reflect the coordinate y into [lo, hi] (mirror images at both walls): the position of a
    free path reflected at two parallel walls; returns (folded y, parity) where parity = -1 if
    an odd number of reflections reversed the direction of motion."""
    width = hi - lo
    if width <= 0.0:
        return lo, 1.0
    u = (y - lo) % (2.0 * width)
    if u <= width:
        return lo + u, 1.0
    return lo + 2.0 * width - u, -1.0


@compiled(inline=True)
def tally(sums, k, population, value):
    """Add an electron's contribution ``value`` (weight times indicator, or weight times time in
    the target) to the sums of output ``k``: sums[0] value, sums[1] value^2, sums[2] count."""
    if value != 0.0:
        sums[0, population, k] += value
        sums[1, population, k] += value * value
        sums[2, population, k] += 1.0
