"""Structured 2D/3D meshes of a conductor made of straight pieces laid end to end along x.

Coordinates: x along the current (target entrance at x = 0), y across the width, zeta through
the thickness.  For the cylinder shell y is the arc length s at the mid-surface radius r (so the
shell is *unrolled*: periodic in y with period 2 pi r) and zeta = r' - r is the radial offset
from the mid-surface.

The mesh is a tensor-product grid over the bounding box of all pieces, numbered as FiPy's
``NonUniformGrid2D/3D`` (or FiPy's y-periodic grids for the shell) and held as the few numpy
arrays the solver reads (``meshes.grid.TensorGrid``); FiPy meshes of it, whole or by x-slabs,
are built when terms are assembled.  Every piece boundary (along x, across y,
through zeta) is a grid line, so a cell lies wholly inside or wholly outside the conductor:
*active* cells make up the conductor, the few others (beside a narrow connector, between feed
tabs) are *inactive*: their faces carry a zero area factor, so no flux reaches them and they
stay out of every named set.  Parts therefore join through whole shared faces (no hanging
nodes, no orphan faces).

Metric factors (geometry only; the solver multiplies its coefficients by them):
- ``cell_factor`` g_c: true cell volume = g_c x FiPy cell volume.
- ``face_factor`` g_f: true (area / centre distance) of a face = g_f x FiPy's; 0 on walls.
In 2D the thickness is a coefficient (a sheet): g_c = the piece's thickness z [m], g_f = the
smaller thickness of the two cells (the constriction).  That is exact where the thickness is
uniform (the density and potential do not vary through 50 um), and the quasi-1D approximation
at a change of thickness.  In 3D the thickness is resolved: g = 1 for the strip; for the shell
the exact cylindrical metric with r' = r + zeta: g_c = r'/r, x-faces r'/r, zeta-faces r'_f/r,
y(arc)-faces r/r'.  Hence the 3D shell volume is exactly 2 pi r z L (sum of r' dr' = r z), the
2D shell volume is w z L with w = 2 pi r.

Geometry only: the solver decides the piece lengths (far-field margins) and the resolution.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from .conductor import Conductor, Lead, Resolution, axis_faces, lead_bands
from .grid import TensorGrid
from .line import Part, build_line_mesh

__all__ = ["Lead", "Conductor", "Resolution", "BlockMesh", "build_block_mesh", "axis_faces",
           "lead_bands"]


@dataclass
class BlockMesh:
    """A 2D/3D tensor grid with active cells, metric factors and named cell and face sets.

    Attributes
    ----------
    grid : ``meshes.grid.TensorGrid`` in FiPy's numbering (local coordinates from 0; add
        ``origin`` for the conductor's); ``mesh`` is FiPy's mesh of the whole grid, built
        on first use (the solver assembles on slabs, ``grid.slab``)
    dimension : 2 or 3
    conductor : Conductor
    origin : (x0, y0[, z0]) [m] of the grid's corner
    axes : tuple of face-coordinate arrays (x, y[, zeta]) [m]
    active : bool over cells
    cells : dict lead name -> bool over cells (active cells of that lead)
    faces : dict -> bool over faces: ``upstream_end``, ``downstream_end`` (exterior x-faces of
        active cells), ``<lead>_start`` (x-faces between two active cells where a lead begins),
        ``walls`` (faces of an active cell that carry no flux), ``seam_duplicates`` (the
        shell's second copy of the periodic seam, kept by FiPy, never used)
    cell_factor, face_factor : metric factors (see the module docstring)
    face_axis : 0/1/2 for x/y/zeta faces
    face_cells : (2, faces) int32, the two cells of a face (-1: none); FiPy's normal points from
        the first to the second (outwards on exterior faces)
    bands : dict lead name -> tuple of (lo, hi) intervals across [m]
    edges : dict lead name -> (x0, x1) [m]
    """

    grid: TensorGrid
    conductor: Conductor
    origin: tuple
    axes: tuple
    active: np.ndarray
    cells: dict
    faces: dict
    cell_factor: np.ndarray
    face_factor: np.ndarray
    bands: dict
    edges: dict
    extras: dict = field(default_factory=dict)

    @property
    def dimension(self) -> int:
        """2 or 3."""
        return self.grid.dimension

    @property
    def periodic(self) -> bool:
        """Whether the grid is periodic across (the shell)."""
        return self.grid.periodic

    @property
    def face_axis(self) -> np.ndarray:
        """Normal axis of every face (0 x, 1 y, 2 zeta)."""
        return self.grid.face_axis

    @property
    def face_cells(self) -> np.ndarray:
        """(2, faces) the two cells of every face (``meshes.grid.TensorGrid.face_cells``)."""
        return self.grid.face_cells

    @property
    def shape(self) -> tuple:
        """Cells along each axis (nx, ny[, nz])."""
        return tuple(len(a) - 1 for a in self.axes)

    @functools.cached_property
    def mesh(self):
        """FiPy's mesh of the whole grid (built on first use: 1.1-2.5 GB at 1e6 cells)."""
        return self.grid.fipy_mesh()

    @property
    def volume(self) -> np.ndarray:
        """True cell volumes g_c V [m^3] (inactive cells: their box volume times 1)."""
        return self.cell_factor * self.grid.cell_volumes

    @property
    def cell_centers(self) -> np.ndarray:
        """Cell centres (dim, cells) [m] in the conductor's coordinates."""
        return self.grid.cell_centers + np.asarray(self.origin)[:, None]

    @property
    def face_area(self) -> np.ndarray:
        """FiPy face areas (2D: lengths) [m^2 or m]."""
        return self.grid.face_areas

    @property
    def face_distance(self) -> np.ndarray:
        """FiPy distance between the cell centres of a face (exterior: cell to face) [m]."""
        return self.grid.cell_distances

    @property
    def true_face_area(self) -> np.ndarray:
        """True face areas [m^2] (0 on walls): g_f A_f, except on the 3D shell's arc faces,
        where the metric is in the distance and the area is FiPy's."""
        area = self.face_factor * self.face_area
        if self.periodic and self.dimension == 3:
            arc = (self.face_axis == 1) & (self.face_factor > 0)
            area[arc] = self.face_area[arc]
        return area

    def geometric_volume(self, name: str | None = None) -> float:
        """Volume the leads should have: length x width x thickness [m^3]."""
        leads = self.conductor.leads if name is None else [l for l in self.conductor.leads if l.name == name]
        return float(sum(l.length * l.width * l.thickness for l in leads))

    def x_plane_faces(self, index: int) -> np.ndarray:
        """x-faces (bool over faces) on the grid plane x = axes[0][index]."""
        return self.extras["x_plane"] == index


def _x_layout(conductor: Conductor, res: Resolution):
    """Cell widths along x [m] and the x-range of each lead, from the 1D line builder."""
    parts = [Part(lead.name, lead.length, lead.area) for lead in conductor.leads]
    line = build_line_mesh(parts, dx=res.dx, grading=res.grading, fine=res.fine,
                           sharp_ends=res.sharp_ends, max_width=dict(res.max_width))
    faces = np.concatenate([[line.face_x[0]], line.face_x[0] + np.cumsum(line.dx)])
    return faces, line.edges, {name: np.flatnonzero(mask) for name, mask in line.cells.items()}


def build_block_mesh(conductor: Conductor, resolution: Resolution, dimension: int) -> BlockMesh:
    """Mesh ``conductor`` in ``dimension`` 2 or 3 with ``resolution``; see the module docstring.

    Raises ValueError for a geometry that cannot be meshed (leads that do not touch, tabs that
    overlap, a shell thicker than its radius).
    """
    if dimension not in (2, 3):
        raise ValueError(f"dimension must be 2 or 3, got {dimension!r}")
    c, leads = conductor, conductor.leads
    shell = c.shape == "shell"
    x_faces, edges, x_cells = _x_layout(c, resolution)
    bands = {lead.name: lead_bands(lead, c) for lead in leads}
    for a, b in zip(leads[:-1], leads[1:]):
        if not any(min(h1, h2) > max(l1, l2) for l1, h1 in bands[a.name] for l2, h2 in bands[b.name]):
            raise ValueError(f"leads {a.name!r} and {b.name!r} do not touch across the width")
    target = c.target
    if shell:
        y_lo, y_hi = 0.0, c.circumference
    else:
        y_lo = min(lo for bs in bands.values() for lo, _ in bs)
        y_hi = max(hi for bs in bands.values() for _, hi in bs)
    breaks = [v for bs in bands.values() for band in bs for v in band]
    y_faces = axis_faces(y_lo, y_hi, breaks, target.width / resolution.cells_across)
    axes = [x_faces, y_faces]
    if dimension == 3:
        t_max = max(lead.thickness for lead in leads)
        if shell and 0.5 * t_max >= c.radius:
            raise ValueError("the shell is thicker than its radius")
        z_breaks = [s * 0.5 * lead.thickness for lead in leads for s in (-1, 1)]
        axes.append(axis_faces(-0.5 * t_max, 0.5 * t_max, z_breaks,
                               target.thickness / max(1, resolution.cells_through)))
    grid = TensorGrid([np.diff(a) for a in axes], periodic=shell)
    origin = tuple(float(a[0]) for a in axes)
    shape = tuple(len(a) - 1 for a in axes)
    active, lead_index = _activity(leads, bands, x_cells, axes, shape)
    cells = {lead.name: active & (lead_index == n) for n, lead in enumerate(leads)}
    lead_thickness = np.array([lead.thickness for lead in leads])
    if dimension == 2:
        cell_factor = np.where(active, lead_thickness[lead_index], 1.0)
    elif shell:
        zeta = grid.cell_centers_along(2) + origin[2]
        cell_factor = np.where(active, (c.radius + zeta) / c.radius, 1.0)
    else:
        cell_factor = np.ones(len(active))
    faces, face_factor, plane = _faces(grid, origin, active, lead_index, lead_thickness, c)
    return BlockMesh(grid=grid, conductor=c, origin=origin, axes=tuple(axes),
                     active=active, cells=cells, faces=faces, cell_factor=cell_factor,
                     face_factor=face_factor, bands=bands, edges=dict(edges),
                     extras={"x_plane": plane, "lead_index": lead_index})


def _activity(leads, bands, x_cells, axes, shape):
    """(active, lead index) over cells: a cell is active if its centre lies inside its lead's
    bands across and within the lead's thickness (3D); the lead follows from the x-column."""
    lead_of_x = np.empty(shape[0], dtype=int)
    for n, lead in enumerate(leads):
        lead_of_x[x_cells[lead.name]] = n
    yc = 0.5 * (axes[1][1:] + axes[1][:-1])
    in_band = np.zeros((len(leads), shape[1]), dtype=bool)
    for n, lead in enumerate(leads):
        for lo, hi in bands[lead.name]:
            in_band[n] |= (yc > lo) & (yc < hi)
    active = in_band[lead_of_x[None, :], np.arange(shape[1])[:, None]]          # (ny, nx)
    if len(axes) == 3:
        thick = np.array([lead.thickness for lead in leads])[lead_of_x]          # (nx,)
        zc = 0.5 * (axes[2][1:] + axes[2][:-1])
        active = active[None, :, :] & (np.abs(zc)[:, None, None] < 0.5 * thick[None, None, :])
    return active.ravel(), np.broadcast_to(lead_of_x, shape[::-1]).ravel()


def _faces(grid, origin, active, lead_index, lead_thickness, conductor):
    """Named face sets, metric factors and x-plane index (-1: not an x-face) of every face."""
    face_axis, position, sign = grid.face_axis, grid.face_position, grid.face_sign
    c0, c1 = grid.face_cells
    act0 = active[c0]
    act1 = np.where(c1 >= 0, active[np.maximum(c1, 0)], False)
    nfaces = grid.number_of_faces
    shell = conductor.shape == "shell"
    if shell:           # FiPy's unused second copy of the periodic seam (the faces y = max y)
        seam = (face_axis == 1) & (position == grid.shape[1])
    else:
        seam = np.zeros(nfaces, dtype=bool)
    exterior_x = (c1 < 0) & act0 & (face_axis == 0)
    upstream = exterior_x & (sign < 0)          # exterior normals point outwards
    downstream = exterior_x & (sign > 0)
    live = ((act0 & act1) | upstream | downstream) & ~seam
    walls = (act0 | act1) & ~live & ~seam

    face_factor = np.zeros(nfaces)
    if grid.dimension == 2:
        t0 = np.where(act0, lead_thickness[lead_index[c0]], np.inf)
        t1 = np.where(act1, lead_thickness[lead_index[np.maximum(c1, 0)]], np.inf)
        face_factor[live] = np.minimum(t0, t1)[live]
    elif shell:
        zeta = grid.face_centers_along(2) + origin[2]
        r_rel = (conductor.radius + zeta) / conductor.radius
        face_factor[live] = np.where(face_axis == 1, 1.0 / r_rel, r_rel)[live]
    else:
        face_factor[live] = 1.0

    faces = {"upstream_end": upstream, "downstream_end": downstream, "walls": walls,
             "seam_duplicates": seam & (act0 | act1)}
    lead1 = lead_index[np.maximum(c1, 0)]
    junction = act0 & act1 & (face_axis == 0) & (lead_index[c0] != lead1)
    for n, lead in enumerate(conductor.leads[1:], start=1):
        faces[f"{lead.name}_start"] = junction & (lead1 == n)
    plane = np.where(face_axis == 0, position, -1).astype(np.int32)
    return faces, face_factor, plane
