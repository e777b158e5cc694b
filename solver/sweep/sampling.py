"""Sampled axes of a sweep: input uncertainties as distributions, drawn by Latin hypercube
(scipy.stats.qmc) or plain random sampling, with a seed.

Each axis has a distribution whose parameters are quantities with units, as in case files:

    uniform       low, high        x = low + u (high - low)
    log-uniform   low, high > 0    ln x uniform on [ln low, ln high]
    normal        mean, std > 0    x = mean + std Phi^-1(u)

where u in (0, 1) is the axis's column of a Latin hypercube (one sample in each of ``count``
equal strata per axis, strata paired at random) or of uniform random numbers.  Values are drawn
in SI units and handed to the case as text with the SI unit (``units.format_quantity``).
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass

import numpy as np

from ..config.units import QuantityError, dimension_of, format_quantity, show, to_si
from ..errors import CaseError

__all__ = ["DISTRIBUTIONS", "METHODS", "Distribution", "parse_distribution", "draw"]

#: distribution -> its two parameters
DISTRIBUTIONS = {"uniform": ("low", "high"), "log-uniform": ("low", "high"), "normal": ("mean", "std")}
#: how the unit hypercube is filled
METHODS = ("latin-hypercube", "random")


@dataclass(frozen=True)
class Distribution:
    """One sampled axis: ``kind`` (a key of DISTRIBUTIONS), its two parameters ``a``, ``b`` in
    SI units, and the ``dimension`` of the values (units.DIMENSIONS)."""

    kind: str
    a: float
    b: float
    dimension: str

    def values(self, u: np.ndarray) -> np.ndarray:
        """The quantiles of the distribution at u in (0, 1) [SI unit of ``dimension``]."""
        if self.kind == "uniform":
            return self.a + u * (self.b - self.a)
        if self.kind == "log-uniform":
            return np.exp(math.log(self.a) + u * (math.log(self.b) - math.log(self.a)))
        from scipy.special import ndtri      # Phi^-1

        return self.a + self.b * ndtri(u)

    def text(self, value: float):
        """``value`` as the case file takes it: text with its SI unit (a number if dimensionless)."""
        return float(value) if self.dimension == "dimensionless" else format_quantity(value, self.dimension)


def parse_distribution(spec, where: str) -> Distribution:
    """A Distribution from ``{distribution: normal, mean: 5.9e7 S/m, std: 2e6 S/m}``; CaseError
    naming ``where`` (``<file>: sample.axes.<key>``) on a mistake."""
    if not isinstance(spec, dict):
        raise CaseError(f"{where}: expected a mapping such as {{distribution: uniform, low: 90 A, "
                        f"high: 110 A}}; got {show(spec)}")
    kind = spec.get("distribution")
    if kind not in DISTRIBUTIONS:
        raise CaseError(f"{where}.distribution: expected one of {', '.join(DISTRIBUTIONS)}; got {show(kind)}")
    names = DISTRIBUTIONS[kind]
    extra = sorted(set(spec) - {"distribution", *names})
    if extra:
        raise CaseError(f"{where}: expected the keys distribution, {', '.join(names)} for a {kind} "
                        f"distribution; got the unknown key \"{extra[0]}\"")
    given = [spec.get(name) for name in names]
    dimension = dimension_of(given[0])
    if dimension is None:
        raise CaseError(f"{where}.{names[0]}: expected a quantity with a unit, such as \"100 A\" (or a "
                        f"plain number); got {show(given[0])}")
    params = []
    for name, value in zip(names, given):
        try:
            params.append(to_si(value, dimension))
        except QuantityError as exc:
            raise CaseError(f"{where}.{name}: {exc} (the same kind of quantity as {names[0]})") from None
    a, b = params
    if kind in ("uniform", "log-uniform") and not a < b:
        raise CaseError(f"{where}.high: expected a value above low ({show(given[0])}); got {show(given[1])}")
    if kind == "log-uniform" and not a > 0:
        raise CaseError(f"{where}.low: expected a value above 0 for a log-uniform distribution; got {show(given[0])}")
    if kind == "normal" and not b > 0:
        raise CaseError(f"{where}.std: expected a standard deviation above 0; got {show(given[1])}")
    return Distribution(kind, a, b, dimension)


def _unit_hypercube(count: int, dims: int, method: str, seed: int) -> np.ndarray:
    """``count`` points in (0, 1)^dims: a Latin hypercube or uniform random numbers."""
    rng = np.random.default_rng(seed)
    if method == "random":
        return rng.random((count, dims))
    from scipy.stats import qmc

    keyword = "rng" if "rng" in inspect.signature(qmc.LatinHypercube).parameters else "seed"  # scipy >= 1.15
    return qmc.LatinHypercube(d=dims, **{keyword: rng}).random(count)


def draw(distributions, count: int, method: str, seed: int) -> list[list]:
    """``count`` samples of the axes ``distributions`` (a list of Distribution): one list of
    values per sample, each value as the case file takes it (``Distribution.text``)."""
    if not distributions:
        return [[] for _ in range(count)]
    u = _unit_hypercube(count, len(distributions), method, seed)
    u = np.clip(u, np.finfo(float).tiny, np.nextafter(1.0, 0.0))      # [0, 1) -> (0, 1): Phi^-1 finite
    columns = [d.values(u[:, k]) for k, d in enumerate(distributions)]
    return [[d.text(col[i]) for d, col in zip(distributions, columns)] for i in range(count)]
