"""The rows of the claims ledger: their shape, the verdicts, and the cases they are computed on.

Each row is a dict: id, claim, section, unit, printed, paper, ours, rel_diff, verdict, cause,
details (SI units; ``ours``/``paper`` None where there is no number).
"""

from __future__ import annotations

import math

from ...config.loading import case_from_dict
from ..printed import agrees_with_printed, claims

__all__ = ["VERDICTS", "DAY", "row", "claim_row", "ledger_case"]

VERDICTS = ("confirmed", "corrected", "interpretation", "refuted", "not recomputable", "not yet checked")

DAY = 86400.0


def _rel(ours, paper):
    if ours is None or paper in (None, 0) or not math.isfinite(ours):
        return None
    return (ours - paper) / paper


def row(claim_id, claim, section, unit, printed, ours, verdict, cause="", details=None, paper=None):
    """One ledger row; ``paper`` defaults to float(printed) when printed is a number."""
    if paper is None and printed:
        try:
            paper = float(printed.lstrip("<> "))
        except ValueError:
            paper = None
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {VERDICTS}; got {verdict!r}")
    ours = None if ours is None or not math.isfinite(float(ours)) else float(ours)
    return {"id": claim_id, "claim": claim, "section": section, "unit": unit, "printed": printed,
            "paper": paper, "ours": ours, "rel_diff": _rel(ours, paper), "verdict": verdict,
            "cause": cause, "details": details or {}}


def claim_row(claim_id, claim, ours, *, rtol=None, ok_cause="", bad_verdict="corrected", bad_cause="",
              details=None):
    """A row for a printed claim (``printed.claims()``): confirmed when ours agrees (to ``rtol``, or at the
    printed precision), else ``bad_verdict`` with ``bad_cause``."""
    e = claims()[claim_id]
    if ours is None:
        ok = False
    elif rtol is not None:
        ok = abs(ours - e.value) <= rtol * abs(e.value)
    else:
        ok = agrees_with_printed(ours, e.printed, e.kind)
    return row(claim_id, claim, e.section, e.unit, e.printed, ours, "confirmed" if ok else bad_verdict,
               ok_cause if ok else bad_cause, details)


def ledger_case(preset: str, *, current=None, reservoir=None, convention="standard",
                scattering="close-encounters", diffusivity_scale=1.0, diffusivity="einstein",
                encounter_speed="average"):
    """A Table 1 case for the ledger: preset 'vip' or 'vip2', our physics (standard convention,
    true Einstein D), 1 cm connector; ``reservoir`` in target volumes (None: semi-infinite);
    ``diffusivity`` and ``encounter_speed`` the model choices (the paper's by default)."""
    geometry = {"preset": preset, "connector": {"length": "1 cm"}}
    if reservoir is not None:
        geometry["reservoir"] = {"target_volumes": float(reservoir)}
    transport = {"convention": convention, "diffusivity_scale": diffusivity_scale, "diffusivity": diffusivity}
    if current is not None:
        transport["current"] = f"{float(current)!r} A"
    return case_from_dict({"name": f"ledger-{preset}", "geometry": geometry, "transport": transport,
                           "counting": {"scattering": scattering, "encounter_speed": encounter_speed}},
                          source="solver.paper.ledger")
