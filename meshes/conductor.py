"""A conductor made of straight pieces (leads) laid end to end along x, and how it is resolved:
the geometry specs of the 2D/3D block meshes (frozen dataclasses, metres), kept apart from the
mesh builder (``meshes.blocks``).

Coordinates: x along the current (target entrance at x = 0), y across the width, zeta through
the thickness; on a cylinder shell y is the arc length at the mid-surface radius (periodic).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["Lead", "Conductor", "Resolution", "axis_faces", "lead_bands"]

_REL = 1e-12   # relative tolerance for coincident coordinates


@dataclass(frozen=True)
class Lead:
    """One straight piece of conductor along x.

    ``name``; ``length`` [m] along x; ``width`` [m], the total width across (for feed tabs on a
    shell, shared equally by the tabs); ``thickness`` [m]; placement across: ``offset`` [m] of
    its centre line from the target's centre line (strip; (w_target - width)/2 puts it flush
    with an edge), or ``angles`` [rad] of the tab centres on the shell (angle 0 at y = 0).
    """

    name: str
    length: float
    width: float
    thickness: float
    offset: float = 0.0
    angles: tuple = ()

    def __post_init__(self):
        for key in ("length", "width", "thickness"):
            value = getattr(self, key)
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"lead {self.name!r}: {key} must be finite and > 0, got {value!r}")
        if not math.isfinite(self.offset):
            raise ValueError(f"lead {self.name!r}: offset must be finite, got {self.offset!r}")

    @property
    def area(self) -> float:
        """Cross-section width*thickness [m^2]."""
        return self.width * self.thickness


@dataclass(frozen=True)
class Conductor:
    """Leads in order along x (upstream first), one of them named "target".

    ``shape`` "strip" or "shell"; ``radius`` [m] the shell's mid-surface radius (its target
    width must be the circumference 2 pi radius).
    """

    leads: tuple
    shape: str = "strip"
    radius: float | None = None

    def __post_init__(self):
        names = [lead.name for lead in self.leads]
        if "target" not in names or len(set(names)) != len(names):
            raise ValueError(f"a conductor needs unique lead names including 'target'; got {names}")
        if self.shape not in ("strip", "shell"):
            raise ValueError(f"shape must be 'strip' or 'shell', got {self.shape!r}")
        if self.shape == "shell":
            if not (self.radius and self.radius > 0):
                raise ValueError("a shell needs a radius > 0")
            if not math.isclose(self.target.width, self.circumference, rel_tol=1e-9):
                raise ValueError(f"shell target width {self.target.width!r} m must be 2 pi r = "
                                 f"{self.circumference!r} m")

    @property
    def target(self) -> Lead:
        return next(lead for lead in self.leads if lead.name == "target")

    @property
    def circumference(self) -> float:
        """2 pi r [m] (shell only)."""
        return 2.0 * math.pi * self.radius


@dataclass(frozen=True)
class Resolution:
    """Cells: ``dx`` [m] along x in the fine leads, growing by ``grading`` away from them
    (as in 1D, :func:`meshes.line.build_line_mesh`, with ``sharp_ends`` and ``max_width``);
    ``cells_across`` over the target's width; ``cells_through`` over its thickness (3D)."""

    dx: float
    grading: float
    cells_across: int
    cells_through: int = 2
    fine: tuple = ("connector", "target")
    sharp_ends: tuple = ()
    max_width: tuple = ()      # ((lead name, width [m]), ...)


def axis_faces(lo: float, hi: float, breaks, h: float) -> np.ndarray:
    """Face coordinates [m] on [lo, hi] through every break inside, with cells of about ``h``:
    each stretch between consecutive breaks gets max(1, round(length/h)) equal cells."""
    span = hi - lo
    points = [lo]
    for b in sorted(float(b) for b in breaks):
        if lo + _REL * span < b < hi - _REL * span and b - points[-1] > _REL * span:
            points.append(b)
    points.append(hi)
    faces = [np.array([lo])]
    for a, b in zip(points[:-1], points[1:]):
        m = max(1, round((b - a) / h))
        faces.append(a + (b - a) * np.arange(1, m + 1) / m)
    out = np.concatenate(faces)
    out[-1] = hi
    return out


def lead_bands(lead: Lead, conductor: Conductor) -> tuple:
    """Intervals (lo, hi) across [m] occupied by ``lead``.

    Strip: one band centred on y = offset.  Shell (y in [0, 2 pi r)): the whole ring if the
    width is the circumference, else one tab per angle (default: one at angle 0) of width
    width/n centred on y = r angle, split in two where it crosses the seam y = 0.
    """
    if conductor.shape == "strip":
        if lead.angles:
            raise ValueError(f"lead {lead.name!r}: angles are for a cylinder shell; use offset on a strip")
        half = 0.5 * lead.width
        return ((lead.offset - half, lead.offset + half),)
    c = conductor.circumference
    if lead.offset != 0.0:
        raise ValueError(f"lead {lead.name!r}: offset is for a strip; give angles on a cylinder shell")
    if lead.width > c * (1 + 1e-9):
        raise ValueError(f"lead {lead.name!r}: width {lead.width!r} m exceeds the circumference {c!r} m")
    if lead.width >= c * (1 - 1e-9):
        if len(lead.angles) > 1:
            raise ValueError(f"lead {lead.name!r}: {len(lead.angles)} tabs cannot share the whole circumference")
        return ((0.0, c),)
    angles = lead.angles or (0.0,)
    w = lead.width / len(angles)
    centres = sorted((conductor.radius * a) % c for a in angles)
    gaps = np.diff(centres + [centres[0] + c])
    if np.any(gaps < w * (1 - 1e-9)):
        raise ValueError(f"lead {lead.name!r}: tabs of width {w!r} m at angles {lead.angles} overlap")
    bands = []
    for s in centres:
        lo, hi = s - 0.5 * w, s + 0.5 * w
        if lo < 0:
            bands += [(0.0, hi), (lo + c, c)]
        elif hi > c:
            bands += [(lo, c), (0.0, hi - c)]
        else:
            bands.append((lo, hi))
    return tuple(sorted(bands))
