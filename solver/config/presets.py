"""Table 1 of Milotti et al., Entropy 2018, 20, 515: the VIP and VIP-2 targets, kept once.

A preset fills geometry, transport.current and counting.geometric_factor wherever a case file
leaves them out (or null): :func:`fill_preset`.  :func:`preset_target` gives the same values in
SI units, for the comparison of a case with the paper (``solver.paper.comparison``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from .units import format_quantity, to_si

__all__ = ["PRESETS", "PRESET_FILLED", "fill_preset", "preset_target"]

#: Table 1, as a case file would give it.
PRESETS: dict[str, dict[str, object]] = {
    "vip": {"shape": "cylinder", "radius": "45 mm", "length": "88 mm", "thickness": "50 um",
            "current": "40 A", "geometric_factor": 0.01},
    "vip2": {"shape": "strip", "width": "20 mm", "length": "71 mm", "thickness": "50 um",
             "current": "100 A", "geometric_factor": 0.018},
}

#: (section, key) pairs a preset fills when the case leaves them out.
PRESET_FILLED = {("geometry", "length"), ("geometry", "thickness"), ("transport", "current"),
                 ("counting", "geometric_factor")}


def _width(values: Mapping) -> str:
    """The target width of a preset as text: its width, or the circumference 2 pi r."""
    if "width" in values:
        return values["width"]
    return format_quantity(2.0 * math.pi * to_si(values["radius"], "length"), "length")


def fill_preset(data: dict) -> dict:
    """``data`` (a case's sections as plain mappings) with the values of its geometry.preset
    filled in wherever they are missing or null; unchanged without a known preset."""
    geometry, transport, counting = data["geometry"], data["transport"], data["counting"]
    preset = geometry.get("preset") if isinstance(geometry, Mapping) else None
    if not isinstance(preset, str) or preset not in PRESETS:
        return data
    values = PRESETS[preset]
    geometry = dict(geometry)
    for key in ("shape", "length", "thickness"):
        if geometry.get(key) is None:
            geometry[key] = values[key]
    if geometry.get("width") is None and geometry.get("radius") is None:
        if geometry["shape"] == "cylinder" and "radius" in values:
            geometry["radius"] = values["radius"]
        else:       # a strip; a cylinder preset used as a strip keeps the circumference
            geometry["width"] = _width(values)
    data = {**data, "geometry": geometry}
    if isinstance(transport, Mapping) and transport.get("current") is None:
        data["transport"] = {**transport, "current": values["current"]}
    if isinstance(counting, Mapping) and counting.get("geometric_factor") is None:
        data["counting"] = {**counting, "geometric_factor": values["geometric_factor"]}
    return data


def preset_target(preset: str) -> dict[str, float]:
    """Table 1's target of ``preset`` in SI units: length [m], area z w [m^2], current [A]."""
    values = PRESETS[preset]
    return {"length": to_si(values["length"], "length"),
            "area": to_si(_width(values), "length") * to_si(values["thickness"], "length"),
            "current": to_si(values["current"], "current")}
