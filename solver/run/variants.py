"""Running the model-choice variants of a case (``config.variants``): one transport solution
per distinct transport, each variant counted with its own choices.

Variants that differ only in how scatterings are counted (the speeds, the capture probability,
conduction or close encounters) share N(t): S(t) = nu integral N dt is recounted with each
variant's nu, which is exact.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import numpy as np
from scipy.constants import e as elementary_charge

from ..config.variants import with_changes
from ..physics.derived import derive
from . import run_case
from .result import RunResult, finish

if TYPE_CHECKING:
    from ..config.schema import Case
    from ..config.variants import Variant

__all__ = ["run_variants", "recounted"]


def _transport_key(case: Case) -> str:
    """What determines N(t): everything but the counting choices and the name."""
    data = case.to_resolved_dict()
    return json.dumps({k: v for k, v in data.items() if k not in ("counting", "name")}, sort_keys=True)


def recounted(result: RunResult, case: Case) -> RunResult:
    """``result``'s N(t) counted with ``case``'s counting choices (S = nu integral N dt with its nu;
    the same charge carried through)."""
    integral = np.asarray(result.cumulative_scatterings) / result.derived["scattering_rate_per_s"]
    return finish(case, result.method, derive(case), result.times, result.electrons_in_target, integral,
                  result.counts["electrons_passed"] * elementary_charge, result.numerics)


def run_variants(case: Case, variants: list[Variant]) -> list[tuple[Variant, Case, RunResult, bool]]:
    """(variant, its case, its result, whether its transport was solved for it rather than
    shared) for each of ``variants`` applied to ``case``, in order."""
    solved, out = {}, []
    for variant in variants:
        changed = with_changes(case, variant.changes)
        key = _transport_key(changed)
        first = key not in solved
        if first:
            solved[key] = run_case(changed)
        out.append((variant, changed, recounted(solved[key], changed), first))
    return out
