"""The paper's printed numbers (``printed_values.yaml``, data) and the rule that decides whether
one of ours agrees with one of them.

Verdict rule: a printed value p agrees with ours x when |x - p| <= half a unit of the last
printed digit of p (x rounds to p at the printed precision); trailing zeros of a printed
integer ("about 420 s", "10 s") are not counted as significant.  A printed bound ("more than
10^8") agrees when x satisfies it.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from decimal import Decimal
from importlib.resources import files

import yaml

__all__ = ["PaperEntry", "PRESETS", "paper_entries", "paper_values", "claims", "agrees_with_printed"]

PRESETS = ("vip", "vip2")


@dataclass(frozen=True)
class PaperEntry:
    """One printed number: ``printed`` is the literal (its digits fix the precision);
    ``scope`` 'material' (the same for every case) or 'case' (needs a preset's L, A, I)."""

    key: str
    printed: str
    unit: str
    section: str
    scope: str
    cause: str = ""
    kind: str = "value"  # 'value' or 'lower_bound'
    quote: str = ""

    @property
    def value(self) -> float:
        return float(self.printed)


@functools.lru_cache(maxsize=1)
def _data() -> dict:
    """printed_values.yaml as {group: tuple of PaperEntry}."""
    raw = yaml.safe_load(files(__package__).joinpath("printed_values.yaml").read_text(encoding="utf-8"))
    scope = {"material": "material", "vip": "case", "vip2": "case"}
    return {group: tuple(PaperEntry(**{"scope": scope.get(group, "case"), **entry}) for entry in entries)
            for group, entries in raw.items()}


def paper_entries(preset: str) -> list[PaperEntry]:
    """Every printed number for ``preset`` ('vip' | 'vip2'), material ones first.

    A key can occur twice when the paper prints it twice (VIP's L/mu: 2.2e6 and 2.3e6).
    """
    if preset not in PRESETS:
        raise ValueError(f"preset must be one of {PRESETS}, got {preset!r}")
    return list(_data()["material"] + _data()[preset])


def paper_values(preset: str) -> dict[str, float]:
    """The paper's printed numbers for 'vip' or 'vip2', keyed like ``derive()`` (SI floats).

    Where a number is printed twice the first printing is given (VIP L/mu: 2.2e6; the later
    2.3e6 is in ``paper_entries``). Misprinted values are given as printed (7.38e-4 m/C for
    VIP-2); the r ~ 1.6 of sec. 3 is given under each of its readings.
    """
    out: dict[str, float] = {}
    for e in paper_entries(preset):
        out.setdefault(e.key, e.value)
    return out


def claims() -> dict[str, PaperEntry]:
    """The printed values of the claims ledger that are not keys of ``derive()``, by claim id."""
    return {e.key: e for e in _data()["claims"]}


def _half_unit(printed: str) -> float:
    """Half a unit of the last significant printed digit of ``printed`` (e.g. '8.46e28' -> 5e25).

    Trailing zeros of an integer mantissa are not significant ('4.2e2' is how "about 420" is
    stored; '100' has unit 100).
    """
    d = Decimal(printed).normalize()
    return 0.5 * 10.0 ** d.as_tuple().exponent


def agrees_with_printed(ours: float | None, printed: str, kind: str = "value") -> bool:
    """The verdict rule: |ours - p| <= half a unit of p's last printed digit; bounds: ours > p."""
    if ours is None or not math.isfinite(ours):
        return False
    p = float(printed)
    if kind == "lower_bound":
        return ours > p
    tol = _half_unit(printed)
    return abs(ours - p) <= tol * (1.0 + 1e-9)
