"""The model-choice axes, as changes to a case: which diffusivity, which speeds, which
reservoir, what counts as a scattering and with what capture probability
(docs/model-choices.md).

A variant is a name and the case keys it changes ({dotted key: value as in a case file},
applied by :func:`.overrides.with_changes` to the case as written, so derived values follow).  :func:`choice_variants` spans the factorial grid of
diffusivity (einstein | degenerate) x speeds (the paper's | v_F for both) x reservoir (the
case's | the circuit as a loop), plus the capture probability of Ramberg and Snow (1/10) and
the conduction scatterings (1/tau) on the paper's choices.
"""

from __future__ import annotations

from .overrides import with_changes
from .schema import Case
from .units import format_quantity

__all__ = ["DIFFUSIVITIES", "SPEEDS", "EXTRA", "Variant", "choice_variants", "circuit_changes", "with_changes"]

#: axis value -> the case keys (dotted, values as in a case file) that select it
DIFFUSIVITIES = {"einstein": {"transport.diffusivity": "einstein"},
                 "degenerate": {"transport.diffusivity": "degenerate"}}
SPEEDS = {"paper": {"counting.mean_free_path_speed": "fermi", "counting.encounter_speed": "average"},
          "fermi": {"counting.mean_free_path_speed": "fermi", "counting.encounter_speed": "fermi"}}
EXTRA = {"capture 1/10": {"counting.capture_probability": 0.1},
         "conduction 1/tau": {"counting.scattering": "conduction"}}


class Variant(dict):
    """A named variant: ``name`` and, per axis, the value it takes (the dict itself), with
    ``changes`` the case keys it sets ({dotted key: value}, for ``overrides.with_changes``)."""

    def __init__(self, name: str, axes: dict, changes: dict):
        super().__init__(axes)
        self.name, self.changes = name, changes


def circuit_changes(length: float) -> dict:
    """The reservoir as the circuit: ``length`` [m] of copper of the reservoir's cross-section,
    closed into a loop with the connector, target and outlet."""
    return {"geometry.reservoir.length": format_quantity(length, "length"),
            "geometry.reservoir.target_volumes": None, "geometry.reservoir.circuit": True}


def choice_variants(case: Case, circuit_length: float) -> list[Variant]:
    """The variants of ``case``: every combination of diffusivity, speeds and reservoir (the
    case's own, or the circuit of ``circuit_length`` [m]), the paper's choices first, then the
    capture probability 1/10 and the conduction scatterings on the paper's choices."""
    own = "semi-infinite" if case.geometry.reservoir.semi_infinite else (
        "circuit" if case.geometry.reservoir.circuit else "finite")
    reservoirs = {own: {}}
    if own != "circuit":
        reservoirs["circuit"] = circuit_changes(circuit_length)
    capture, scattering = float(case.counting.capture_probability), case.counting.scattering
    out = []
    for d_name, d_changes in DIFFUSIVITIES.items():
        for s_name, s_changes in SPEEDS.items():
            for r_name, r_changes in reservoirs.items():
                axes = {"diffusivity": d_name, "speeds": s_name, "reservoir": r_name, "capture": capture,
                        "scattering": scattering}
                out.append(Variant(f"{d_name}, {s_name} speeds, {r_name}", axes,
                                   {**d_changes, **s_changes, **r_changes}))
    paper = {**DIFFUSIVITIES["einstein"], **SPEEDS["paper"]}
    for name, changes in EXTRA.items():
        axes = {"diffusivity": "einstein", "speeds": "paper", "reservoir": own,
                "capture": 0.1 if "capture" in name else capture,
                "scattering": "conduction" if "conduction" in name else scattering}
        out.append(Variant(f"einstein, paper speeds, {own}, {name}", axes, {**paper, **changes}))
    return out
