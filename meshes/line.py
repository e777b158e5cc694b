"""Graded 1D (quasi-1D) meshes of a conductor line: reservoir, connector, target, outlet.

The line is a sequence of parts laid end to end along x, each with a length [m] and a
cross-section [m^2].  Coordinates put the target entrance at x = 0.  Cells are uniform
(width ``dx``) in the *fine* parts (connector and target by default) and grow geometrically by
``grading`` away from them, so a reservoir or an outlet of any length costs few cells.  Every
part boundary is a face, so the named cell sets are exact.

Geometry only: no physics here (the solver decides how long the far buffers must be).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Part", "LineMesh", "Widths", "graded_widths", "line_widths", "build_line_mesh"]


@dataclass(frozen=True)
class Part:
    """One piece of the line: ``name``, ``length`` [m] (> 0, finite) and ``area`` [m^2]."""

    name: str
    length: float
    area: float

    def __post_init__(self):
        if not (math.isfinite(self.length) and self.length > 0):
            raise ValueError(f"part {self.name!r}: length must be finite and > 0, got {self.length!r}")
        if not (math.isfinite(self.area) and self.area > 0):
            raise ValueError(f"part {self.name!r}: area must be finite and > 0, got {self.area!r}")


@dataclass
class LineMesh:
    """A FiPy 1D mesh with its named cell sets and faces.

    Attributes
    ----------
    mesh : fipy.Grid1D (local coordinates from 0: add ``origin``; a translated FiPy mesh would
        be a second copy of every geometric array)
    parts : tuple of Part, left to right
    cells : dict name -> bool array over cells (one per part)
    faces : dict name -> bool array over faces: ``upstream_end`` and ``downstream_end``
        (the two exterior faces) and ``<part>_start`` for each part boundary.
    cell_area : cross-section of each cell [m^2]
    face_area : cross-section of each face [m^2]; a face between two parts takes the smaller
        (the constriction through which the current passes)
    """

    mesh: object
    parts: tuple
    cells: dict
    faces: dict
    cell_area: np.ndarray
    face_area: np.ndarray
    edges: dict = field(default_factory=dict)
    origin: float = 0.0

    @property
    def x(self) -> np.ndarray:
        """Cell centres [m]."""
        return np.asarray(self.mesh.cellCenters[0]) + self.origin

    @property
    def dx(self) -> np.ndarray:
        """Cell widths [m]."""
        return np.asarray(self.mesh.cellVolumes)

    @property
    def volume(self) -> np.ndarray:
        """Cell volumes A_i dx_i [m^3] (quasi-1D)."""
        return self.cell_area * self.dx

    @property
    def face_x(self) -> np.ndarray:
        """Face positions [m]."""
        return np.asarray(self.mesh.faceCenters[0]) + self.origin


@dataclass(frozen=True)
class Widths:
    """Cell widths [m] of one part, kept compact: ``segments`` in order, each an explicit array
    of widths or a run (width, count) of equal cells, so that a mesh of 1e12 cells can be
    counted (run-size estimates) without being built."""

    segments: tuple

    def __len__(self) -> int:
        return sum(len(s) if isinstance(s, np.ndarray) else s[1] for s in self.segments)

    @property
    def first(self) -> float:
        s = self.segments[0]
        return float(s[0]) if isinstance(s, np.ndarray) else s[0]

    @property
    def last(self) -> float:
        s = self.segments[-1]
        return float(s[-1]) if isinstance(s, np.ndarray) else s[0]

    def array(self) -> np.ndarray:
        """All the widths [m] as one array."""
        return np.concatenate([s if isinstance(s, np.ndarray) else np.full(s[1], s[0])
                               for s in self.segments])

    def reversed(self) -> "Widths":
        return Widths(tuple(s[::-1] if isinstance(s, np.ndarray) else s for s in self.segments[::-1]))

    def __add__(self, other: "Widths") -> "Widths":
        return Widths(self.segments + other.segments)


def _graded(length: float, first: float, grading: float, max_width: float = math.inf) -> Widths:
    """Cell widths that start near ``first`` and grow by ``grading`` (up to ``max_width``) until
    they fill ``length``: w_k = min(first g^k, max_width) s, k = 0..m-1, with the smallest m
    for which the unscaled sum reaches ``length`` and the scale s <= 1 chosen so that
    sum(w) == length exactly."""
    first = min(first, max_width)
    if grading <= 1.0 or first >= max_width:
        m = max(1, math.ceil(min(length / first - 1e-9, 1e18)))
        return Widths(((length / m, m),))
    n_grow = math.ceil(math.log(max_width / first) / math.log(grading)) if math.isfinite(max_width) else None
    m_free = max(1, math.ceil(math.log1p(length * (grading - 1.0) / first) / math.log(grading) - 1e-12))
    if n_grow is None or m_free <= n_grow:
        w = first * grading ** np.arange(m_free)
        return Widths((w * (length / w.sum()),))
    head = np.minimum(first * grading ** np.arange(n_grow), max_width)
    rest = length - head.sum()
    repeat = max(1, math.ceil(min(rest / max_width - 1e-9, 1e18)))
    scale = length / (head.sum() + repeat * max_width)
    return Widths((head * scale, (max_width * scale, repeat)))


def graded_widths(length: float, first: float, grading: float, max_width: float = math.inf) -> np.ndarray:
    """Cell widths [m] that start near ``first`` and grow by ``grading`` (up to ``max_width``)
    until they fill ``length`` exactly (see ``_graded``)."""
    return _graded(length, first, grading, max_width).array()


def _part_widths(length, left, right, grading, max_width) -> Widths:
    """Widths for a graded part whose ends ask for cells ``left`` / ``right`` wide (None: no
    wish at that end); with both, it grows from each end towards the middle."""
    if left is not None and right is not None:
        half = 0.5 * length
        return _graded(half, left, grading, max_width) + _graded(half, right, grading, max_width).reversed()
    if left is not None:
        return _graded(length, left, grading, max_width)
    return _graded(length, right, grading, max_width).reversed()


def line_widths(parts, dx: float, grading: float, fine=("connector", "target"), sharp_ends=(),
                max_width=None) -> list:
    """Cell widths of each of ``parts`` (left to right), as :func:`build_line_mesh` meshes them,
    without building a mesh: a list of :class:`Widths`, one per part (``len`` counts cells)."""
    max_width = dict(max_width or {})
    parts = tuple(parts)
    names = [p.name for p in parts]
    if len(set(names)) != len(names):
        raise ValueError(f"part names must be unique: {names}")
    if "target" not in names:
        raise ValueError("a line needs a part named 'target'")
    fine_idx = [i for i, p in enumerate(parts) if p.name in fine]
    if not fine_idx or fine_idx != list(range(fine_idx[0], fine_idx[-1] + 1)):
        raise ValueError(f"fine parts {fine} must be present and contiguous in {names}")
    lo, hi = fine_idx[0], fine_idx[-1]

    widths = [None] * len(parts)
    for i in fine_idx:
        m = max(1, round(min(parts[i].length / dx, 1e18)))
        widths[i] = Widths(((parts[i].length / m, m),))
    edge = widths[lo].first
    for i in range(lo - 1, -1, -1):          # grow leftwards from the fine block
        far = dx if parts[i].name in sharp_ends else None
        widths[i] = _part_widths(parts[i].length, far, edge * grading, grading,
                                 max_width.get(parts[i].name, math.inf))
        edge = widths[i].first
    edge = widths[hi].last
    for i in range(hi + 1, len(parts)):      # grow rightwards
        far = dx if parts[i].name in sharp_ends else None
        widths[i] = _part_widths(parts[i].length, edge * grading, far, grading,
                                 max_width.get(parts[i].name, math.inf))
        edge = widths[i].last
    return widths


def build_line_mesh(parts, dx: float, grading: float, fine=("connector", "target"),
                    sharp_ends=(), max_width=None) -> LineMesh:
    """Build the mesh of ``parts`` (left to right) with uniform cells of about ``dx`` in the
    ``fine`` parts and cells growing by ``grading`` away from them on both sides.

    The fine parts must be contiguous; a fine part of length l gets round(l/dx) (>= 1) equal
    cells.  Parts named in ``sharp_ends`` start with cells of about ``dx`` at their far end
    too (a reservoir edge where the density jumps), and ``max_width`` {part name: width [m]}
    caps the cells of a part (where a front travels).  The part named "target" starts at x = 0.
    """
    from fipy import Grid1D

    parts = tuple(parts)
    names = [p.name for p in parts]
    widths = line_widths(parts, dx, grading, fine, sharp_ends, max_width)
    target_start = sum(p.length for p in parts[: names.index("target")])
    widths = [w.array() for w in widths]
    all_w = np.concatenate(widths)
    mesh = Grid1D(dx=all_w)

    counts = [len(w) for w in widths]
    bounds = np.concatenate([[0], np.cumsum(counts)])
    ncells = int(bounds[-1])
    cells, cell_area = {}, np.empty(ncells)
    edges, x0 = {}, -target_start
    for i, p in enumerate(parts):
        mask = np.zeros(ncells, dtype=bool)
        mask[bounds[i]:bounds[i + 1]] = True
        cells[p.name] = mask
        cell_area[mask] = p.area
        edges[p.name] = (x0, x0 + p.length)
        x0 += p.length

    # Faces of a Grid1D are ordered left to right: face k lies between cells k-1 and k.
    nfaces = ncells + 1
    face_area = np.empty(nfaces)
    face_area[0], face_area[-1] = cell_area[0], cell_area[-1]
    face_area[1:-1] = np.minimum(cell_area[:-1], cell_area[1:])
    faces = {"upstream_end": np.zeros(nfaces, bool), "downstream_end": np.zeros(nfaces, bool)}
    faces["upstream_end"][0] = True
    faces["downstream_end"][-1] = True
    for i, p in enumerate(parts):
        mask = np.zeros(nfaces, dtype=bool)
        mask[bounds[i]] = True
        faces[f"{p.name}_start"] = mask
    return LineMesh(mesh=mesh, parts=parts, cells=cells, faces=faces,
                    cell_area=cell_area, face_area=face_area, edges=edges, origin=-target_start)
