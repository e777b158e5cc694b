"""The model-choice axes, as changes to a case: which diffusivity, which speeds, which
reservoir, what counts as a scattering and with what capture probability
(docs/model-choices.md).

A variant is a name and the case data it changes (sections merged key by key into the case's
resolved data, :func:`with_changes`).  :func:`choice_variants` spans the factorial grid of
diffusivity (einstein | degenerate) x speeds (the paper's | v_F for both) x reservoir (the
case's | the circuit as a loop), plus the capture probability of Ramberg and Snow (1/10) and
the conduction scatterings (1/tau) on the paper's choices.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping

from .loading import case_from_dict
from .schema import Case
from .units import format_quantity

__all__ = ["DIFFUSIVITIES", "SPEEDS", "Variant", "with_changes", "choice_variants", "circuit_changes"]

#: axis value -> the case data that selects it
DIFFUSIVITIES = {"einstein": {"transport": {"diffusivity": "einstein"}},
                 "degenerate": {"transport": {"diffusivity": "degenerate"}}}
SPEEDS = {"paper": {"counting": {"mean_free_path_speed": "fermi", "encounter_speed": "average"}},
          "fermi": {"counting": {"mean_free_path_speed": "fermi", "encounter_speed": "fermi"}}}
EXTRA = {"capture 1/10": {"counting": {"capture_probability": 0.1}},
         "conduction 1/tau": {"counting": {"scattering": "conduction"}}}


class Variant(dict):
    """A named variant: ``name`` and, per axis, the value it takes (the dict itself), with
    ``changes`` the case data it sets."""

    def __init__(self, name: str, axes: dict, changes: dict):
        super().__init__(axes)
        self.name, self.changes = name, changes


def _merge(base: dict, changes: Mapping) -> dict:
    out = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def with_changes(case: Case, changes: Mapping, name: str | None = None) -> Case:
    """``case`` with ``changes`` (case data, merged section by section) validated again;
    raises CaseError naming the key if the result is not a valid case."""
    data = _merge(case.to_resolved_dict(), changes)
    if name is not None:
        data["name"] = name
    return case_from_dict(data, source=case.source)


def circuit_changes(length: float) -> dict:
    """The reservoir as the circuit: ``length`` [m] of copper of the reservoir's cross-section,
    closed into a loop with the connector, target and outlet."""
    return {"geometry": {"reservoir": {"length": format_quantity(length, "length"), "target_volumes": None,
                                       "circuit": True}}}


def choice_variants(case: Case, circuit_length: float) -> list[Variant]:
    """The variants of ``case``: every combination of diffusivity, speeds and reservoir (the
    case's own, or the circuit of ``circuit_length`` [m]), the paper's choices first, then the
    capture probability 1/10 and the conduction scatterings on the paper's choices."""
    own = "semi-infinite" if case.geometry.reservoir.semi_infinite else (
        "circuit" if case.geometry.reservoir.circuit else "finite")
    reservoirs = {own: {}}
    if own != "circuit":
        reservoirs["circuit"] = circuit_changes(circuit_length)
    out = []
    for d_name, d_changes in DIFFUSIVITIES.items():
        for s_name, s_changes in SPEEDS.items():
            for r_name, r_changes in reservoirs.items():
                axes = {"diffusivity": d_name, "speeds": s_name, "reservoir": r_name,
                        "capture": float(case.counting.capture_probability),
                        "scattering": case.counting.scattering}
                changes = _merge(_merge(d_changes, s_changes), r_changes)
                out.append(Variant(f"{d_name}, {s_name} speeds, {r_name}", axes, changes))
    paper = _merge(DIFFUSIVITIES["einstein"], SPEEDS["paper"])
    for name, changes in EXTRA.items():
        axes = {"diffusivity": "einstein", "speeds": "paper", "reservoir": own,
                "capture": 0.1 if "capture" in name else float(case.counting.capture_probability),
                "scattering": "conduction" if "conduction" in name else case.counting.scattering}
        out.append(Variant(f"einstein, paper speeds, {own}, {name}", axes, _merge(paper, changes)))
    return out
