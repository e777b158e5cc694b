"""The walk on the quasi-1D line: the same physics as the finite-volume ``LineModel``.

The line is a chain of segments of cross-section A_k [m^2] (parts of equal cross-section are
merged), segment 0 extends to x = -inf (a semi-infinite reservoir, or the feed line behind a
finite one), and an electron that passes the far end of the output circuit is gone.  For the
density c [m^-3] of the FV model,

    d(A c)/dt + d(Q c)/dx = d/dx(A D dc/dx),      Q(t) = I(t)/(n e) [m^3/s],

an electron's position X(t) is the diffusion with drift Q/A(x) (faster where narrower) and
diffusivity D (the kernel diffusivity of the case's convention) whose density is A c; at a change
of cross-section c is continuous, so X is a *skew* Brownian motion there: after touching the
interface it continues on the side of cross-section A_R with probability A_R/(A_L + A_R).

Steps (per electron; ``advance``):
- *exact*: inside a segment, X(t+h) = X(t) + (Q(t+h) - Q(t))/(n e A_k) + sqrt(2 D h) xi, exact for
  any current schedule, whenever the segment's ends lie more than K_SIGMA spreads (plus the drift)
  away; far from interfaces h is as long as that allows (up to the next observation time).  In
  a uniform line every step is exact.
- *near an interface* (steps of at most ``time_step``): Strang splitting.  Drift half a step,
  exactly (the drift is the uniform translation of the volume coordinate V = integral A dx by
  Q dt), then diffusion for the whole step as an exact skew Brownian motion (free Gaussian end
  point W; the path touched the interface if W lies beyond it, else with the Brownian-bridge
  probability exp(-d_0 d_W/(D h)); if it touched, it ends |W - b| from the interface on the side
  chosen with probability A_side/(A_L + A_R)), then drift the other half.  The splitting is the
  only time-step error (drift and skew diffusion do not commute at the interface); the step is
  also limited so that no second interface is within K_SIGMA spreads.
"""

from __future__ import annotations

import math

import numpy as np
from .kernels import K_SIGMA, charge_at, compiled, locate, safe_time, tally

__all__ = ["walk_line", "segment_of", "advect"]


@compiled(inline=True)
def segment_of(x, edges):
    """Segment k with edges[k] <= x < edges[k+1]; len(edges) - 1 beyond the far end."""
    return locate(edges, x)


@compiled(inline=True)
def advect(x, volume, edges, areas):
    """Move x downstream by the volume ``volume`` [m^3] of electron fluid (drift alone: the
    volume coordinate V = integral A dx advances by Q dt); exact across segments."""
    last = len(areas)
    k = segment_of(x, edges)
    while k < last:
        room = (edges[k + 1] - x) * areas[k]
        if volume <= room:
            return x + volume / areas[k]
        volume -= room
        x = edges[k + 1]
        k += 1
    return x + volume / areas[last - 1]


@compiled()
def _skew_diffuse(x, h, diffusivity, edges, areas, rng):
    """Diffuse x for h [s] as skew Brownian motion about its nearest interior edge (module
    docstring).  Returns the new x."""
    last = len(areas)
    sigma = math.sqrt(2.0 * diffusivity * h)
    w = x + sigma * rng.standard_normal()
    k = segment_of(x, edges)
    best, side = np.inf, 0
    if 1 <= k <= last - 1 and x - edges[k] < best:
        best, side = x - edges[k], k
    if 0 <= k <= last - 2 and edges[k + 1] - x < best:
        best, side = edges[k + 1] - x, k + 1
    if side == 0:
        return w
    b = edges[side]
    d0, d1 = x - b, w - b
    touched = d0 * d1 <= 0.0
    if not touched:
        touched = rng.random() < math.exp(-d0 * d1 / (diffusivity * h))
    if not touched:
        return w
    a_left, a_right = areas[side - 1], areas[side]
    r = abs(d1)
    if rng.random() < a_right / (a_left + a_right):
        return b + r
    return b - r


@compiled(inline=True)
def _second_distance(x, edges, last):
    """Distance [m] from x to the second-nearest interior edge (inf if there is none)."""
    first, second = np.inf, np.inf
    for j in range(1, last):
        d = abs(x - edges[j])
        if d < first:
            first, second = d, first
        elif d < second:
            second = d
    return second


@compiled()
def advance(x, t0, t1, p, rng, counts):
    """Walk an electron at x from t0 to t1 [s]; returns its position (>= the far end: gone).

    ``p`` packs the line: (edges, areas, volume per coulomb 1/(n e) [m^3/C], D [m^2/s], time step
    [s], largest current [A], schedule edges, charge at the edges, currents).  ``counts`` [0]
    exact steps, [1] split steps."""
    edges, areas, per_coulomb, diffusivity, time_step, current_max, s_edges, s_charge, s_current = p
    last = len(areas)
    end = edges[last]
    b = K_SIGMA * math.sqrt(2.0 * diffusivity)
    t = t0
    q = charge_at(t, s_edges, s_charge, s_current)
    while t < t1:
        k = segment_of(x, edges)
        if k >= last:
            return x
        rem = t1 - t
        speed = current_max * per_coulomb / areas[k]
        down = np.inf if k == last - 1 else edges[k + 1] - x
        up = np.inf if k == 0 else x - edges[k]
        safe = min(safe_time(down, speed, b), safe_time(up, 0.0, b))
        if safe >= rem or safe >= time_step:
            h = min(safe, rem)
            q1 = charge_at(t + h, s_edges, s_charge, s_current)
            x = x + (q1 - q) * per_coulomb / areas[k] + math.sqrt(2.0 * diffusivity * h) * rng.standard_normal()
            counts[0] += 1
        else:
            h = min(time_step, rem)
            second = _second_distance(x, edges, last)
            if second < np.inf:
                cap = (second / K_SIGMA) ** 2 / (2.0 * diffusivity) if diffusivity > 0 else np.inf
                h = min(h, max(cap, 1e-6 * time_step))
            qm = charge_at(t + 0.5 * h, s_edges, s_charge, s_current)
            q1 = charge_at(t + h, s_edges, s_charge, s_current)
            x = advect(x, (qm - q) * per_coulomb, edges, areas)
            if x < end:
                x = _skew_diffuse(x, h, diffusivity, edges, areas, rng)
                x = advect(x, (q1 - qm) * per_coulomb, edges, areas)
            counts[1] += 1
        t = t1 if h >= rem else t + h
        q = q1
        if x >= end:
            return x
    return x


@compiled()
def walk_line(x0, weight, population, times, target_lo, target_hi, p, rng, sums, integrals, counts):
    """Walk the electrons starting at ``x0`` [m] (weights [electrons], population 0 new / 1 old)
    through the observation times ``times`` [s] and add to the tallies.

    At every output time t_k an electron in the target [target_lo, target_hi) adds its weight
    to ``sums[:, population, k]`` (value, square, count: ``kernels.tally``).  For the time
    integral it is also observed once at a uniformly random time in every interval
    (t_{k-1}, t_k] (t_0 = 0): in the target there, it adds (t_k - t_{k-1}) to its running time
    in the target, whose value times the weight goes to ``integrals`` at t_k: an unbiased
    estimate of integral_0^t_k (probability in the target) dt, free of quadrature error."""
    end = p[0][len(p[1])]
    for i in range(len(x0)):
        x, w, pop = x0[i], weight[i], population[i]
        t = 0.0
        dwell = 0.0
        for k in range(len(times)):
            lo = 0.0 if k == 0 else times[k - 1]
            if x < end:
                tau = lo + (times[k] - lo) * rng.random()
                x = advance(x, t, tau, p, rng, counts)
                if target_lo <= x < target_hi:
                    dwell += times[k] - lo
                x = advance(x, tau, times[k], p, rng, counts)
                t = times[k]
                if target_lo <= x < target_hi:
                    tally(sums, k, pop, w)
            tally(integrals, k, pop, w * dwell)
