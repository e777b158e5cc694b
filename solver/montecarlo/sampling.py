"""Where the simulated electrons start, and what each one stands for.

Two populations of conduction electrons fill the line at t = 0 with the same density n:

* *new* electrons, in the reservoir (eq. 24's initial condition);
* *old* electrons, everywhere else: connector, target, outlet and circuit, and the feed line
  behind a finite reservoir.

The density of all electrons, n, is stationary (div v = 0), so new + old electrons in the target
always number n V_target: the target's new electrons can be counted directly, or as n V_target
minus the old ones still there.  Early on few new electrons have arrived (count them); late, few
old ones remain (count those); ``estimate`` combines both at every output time.

Only electrons that can matter are simulated: a semi-infinite reservoir (or the feed behind a
finite one) up to the drift displacement plus the FV model's far-field margin
(``fv.far_field`` spreads sqrt(4 D T), ``fv.layout``) upstream of its edge, and downstream of the
target as far as that margin.  Start positions x0 are drawn stratified (one electron per
quantile u_i in ((i + U_i)/M)) from the density

    g(x0) proportional to 1/(d(x0) + s0),    d = distance to the target (0 inside it),

which gives every decade of distance -- and hence of arrival time -- a similar number of
electrons; s0 is the distance the drift plus sqrt(4 D t_1) covers by the first output time t_1.
Each electron carries the weight w = n A(x0)/(M g(x0)) [electrons], A the cross-section there,
so that sums of weights are unbiased for numbers of electrons.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["LogDistance", "Population"]


@dataclass(frozen=True)
class LogDistance:
    """Density proportional to 1/(d(x) + s0) on a union of ``intervals`` [(a, b), ...] [m]
    (finite), d = distance from x to the target [0, length]; ``s0`` [m] > 0."""

    intervals: tuple
    length: float
    s0: float

    def _pieces(self):
        """(a, b, kind) with kind -1 upstream of the target, 0 inside, +1 downstream."""
        out = []
        for a, b in self.intervals:
            for lo, hi, kind in ((a, min(b, 0.0), -1), (max(a, 0.0), min(b, self.length), 0),
                                 (max(a, self.length), b, 1)):
                if hi > lo:
                    out.append((lo, hi, kind))
        return out

    def _mass(self, lo, hi, kind):
        s0 = self.s0
        if kind == 0:
            return (hi - lo) / s0
        if kind < 0:
            return math.log((-lo + s0) / (-hi + s0))
        return math.log((hi - self.length + s0) / (lo - self.length + s0))

    @property
    def total(self) -> float:
        return sum(self._mass(*p) for p in self._pieces())

    def density(self, x) -> np.ndarray:
        """g(x) [1/m], normalised on the intervals."""
        x = np.asarray(x, float)
        d = np.maximum(np.maximum(-x, x - self.length), 0.0)
        return 1.0 / ((d + self.s0) * self.total)

    def quantile(self, u) -> np.ndarray:
        """Inverse of the cumulative distribution at u in [0, 1)."""
        u = np.asarray(u, float)
        pieces = self._pieces()
        masses = np.array([self._mass(*p) for p in pieces])
        cum = np.concatenate([[0.0], np.cumsum(masses)]) / masses.sum()
        j = np.clip(np.searchsorted(cum, u, side="right") - 1, 0, len(pieces) - 1)
        out = np.empty_like(u)
        s0 = self.s0
        for idx, (lo, hi, kind) in enumerate(pieces):
            sel = j == idx
            f = np.clip((u[sel] - cum[idx]) / (cum[idx + 1] - cum[idx]), 0.0, 1.0) * masses[idx]
            if kind == 0:
                out[sel] = lo + f * s0
            elif kind < 0:
                out[sel] = s0 - (-hi + s0) * np.exp(f)
            else:
                out[sel] = (lo - self.length + s0) * np.exp(f) + self.length - s0
            out[sel] = np.clip(out[sel], lo, hi)
        return out

    def stratified(self, count: int, rng) -> np.ndarray:
        """``count`` start positions, one in each quantile stratum [i/count, (i+1)/count)."""
        u = (np.arange(count) + rng.random(count)) / count
        return self.quantile(u)


@dataclass(frozen=True)
class Population:
    """One population's sampling: ``sampler`` (LogDistance), ``index`` 0 new / 1 old."""

    sampler: LogDistance
    index: int

    def draw(self, count: int, density: float, area, rng):
        """(x0 [m], weights [electrons]) of ``count`` electrons; ``area(x)`` the cross-section
        [m^2] at x, ``density`` n [m^-3]."""
        x0 = self.sampler.stratified(count, rng)
        weight = density * area(x0) / (count * self.sampler.density(x0))
        return x0, weight

    def resolution(self, count: int, density: float, area_min: float) -> float:
        """The smallest weight an electron of this population can carry [electrons]."""
        g_max = 1.0 / (self.sampler.s0 * self.sampler.total)
        return density * area_min / (count * g_max)
