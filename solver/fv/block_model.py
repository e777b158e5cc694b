"""Finite-volume model of the conductor in 2D and 3D, discretised with FiPy.

Equation (density c [m^-3], drift v = J/(n e) from the potential, ``solver.fv.potential``):

    dc/dt + div(v c) = div(D grad c)

on a ``meshes.blocks.BlockMesh`` (true volumes V = g_c V_FiPy, face coefficients times g_f: the
strip's thickness in 2D, the shell's cylindrical metric in 3D).  FiPy terms give the
semi-discrete system  V dc/dt = K(I) c + f(I):
``DiffusionTerm(D g_f)`` and convection terms whose face coefficient is the face flow
q_f(I) = I q_f(1 A) [m^3/s] (as a velocity q_f/A_FiPy along the face normal), split by the same
``auto`` rule as in 1D (``solver.fv.assembly.convection_faces``: central where the cell Peclet number
|q_f| d_f/(D g_f A_f) < 2, exponential elsewhere).  Every current gets freshly built terms
(FiPy issue #1223: the exponential scheme's coefficient is never changed in place).  The terms
are built and assembled on FiPy meshes of x-slabs of the grid (``solver.fv.slabs``), which give
the whole mesh's rows exactly at a fraction of its memory; ``fipy_equation`` (the plain-FiPy
cross-check) builds them on FiPy's mesh of the whole grid.

Boundaries are those of the 1D line (``solver.fv.line_model.LineModel``), face by face:
- upstream end (the far end of a semi-infinite reservoir): c = n held for diffusion, inflow
  q_f n by convection (q_f < 0 along the outward normal), as a source; else closed.
- downstream end (far end of the output circuitry): advective outflow q_f c, as an implicit
  source, no diffusive flux.
- walls (and the faces of inactive cells): no flux (g_f = 0).

The far reservoir and circuit are the same cross-section as their leads, meshed with the 1D
line's graded cells (``meshes.line``) times the leads' cells across.  Graded full cross-sections
rather than quasi-1D lines: the junction of a 2D/3D mesh with a 1D line would need its own
coupling terms and a hanging-node face; the graded cells cost only ~300-700 layers x cells
across, they keep the whole model one mesh with one set of terms, and in them the current
is uniform a few widths past a junction (transverse modes of the potential decay like
exp(-pi x/w)) and the density uniform within w^2/D (~4 s for 20 mm), so they behave as the
1D line does.

``build_nd_model(case, derived) -> (model, c0)`` is what ``solver.fv.model.build_model`` calls.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ...meshes.blocks import Conductor, Lead, Resolution, build_block_mesh
from ...meshes.grid import Slab
from ..errors import CaseError
from ..linalg.backends import check_available, choose_backend, is_direct
from ..linalg.memory import release_memory
from .assembly import CONVECTION_TERMS, convection_faces, convection_term
from .layout import LineLayout, line_layout, single_electron
from .potential import DriftField, solve_potential
from .slabs import assemble_on_slabs

if TYPE_CHECKING:
    from ..config.schema import Case

__all__ = ["BlockModel", "block_mesh_of_case", "build_nd_model", "conductor_of_case"]

STEP_LADDER = math.sqrt(2.0)    # step-size ratio of the quantised step plan (LU in 2D/3D)
AMG_LADDER = 4.0                # step-size ratio between re-used AMG hierarchies (plan not quantised)


@dataclass
class BlockModel:
    """FV model on a ``BlockMesh`` with a drift field (see the module docstring).

    Parameters: ``block`` (BlockMesh), ``drift`` (DriftField for 1 A), ``diffusivity`` kernel D
    [m^2/s], ``electron_density`` n [m^-3], ``inflow_density`` held at the upstream end [m^-3]
    (None: closed), ``convection`` "auto" | "exponential" | "central" | "upwind",
    ``linear_solver`` "splu" | "pardiso" | "amg" (the stepper's backend).
    """

    block: object
    drift: DriftField
    diffusivity: float
    electron_density: float
    inflow_density: float | None = None
    convection: str = "auto"
    linear_solver: str = "splu"
    info: dict = field(default_factory=dict)

    @property
    def step_ladder(self) -> float | None:
        """Ratio q of the quantised step plan (``plan_steps(ladder=q)``): with LU, steps of
        sizes q^k hit cached factorisations; AMG solves every step by GMRES, so its plan is
        not quantised (None)."""
        return STEP_LADDER if is_direct(self.linear_solver) else None

    @property
    def preconditioner_ladder(self) -> float:
        """Step-size ratio between the stepper's cached LU factorisations / AMG hierarchies."""
        return STEP_LADDER if is_direct(self.linear_solver) else AMG_LADDER

    def __post_init__(self):
        if self.convection not in CONVECTION_TERMS:
            raise ValueError(f"convection must be one of {CONVECTION_TERMS}, got {self.convection!r}")
        b = self.block
        c0, c1 = b.face_cells
        self._inner = (c1 >= 0) & (b.face_factor > 0)
        self._up = np.flatnonzero(b.faces["upstream_end"])
        self._down = np.flatnonzero(b.faces["downstream_end"])
        self._conductance = b.face_factor * b.face_area / b.face_distance   # true A/d [m]

    @property
    def volume(self) -> np.ndarray:
        """Cell volumes [m^3] (inactive cells keep their box volume; they never hold electrons)."""
        return self.block.volume

    @property
    def cell_centers(self) -> np.ndarray:
        """Cell centres (dim, cells) [m] (x along the current, target entrance at x = 0)."""
        return self.block.cell_centers

    @property
    def cells(self) -> dict:
        """Named cell sets (bool arrays): reservoir/feed, connector, target, outlet, circuit."""
        return self.block.cells

    @property
    def number_of_cells(self) -> int:
        return self.block.grid.number_of_cells

    def flow(self, current: float) -> np.ndarray:
        """Face flows q_f [m^3/s] along FiPy's face normals at the current ``current`` [A]."""
        return self.drift.face_flow(current)

    def mesh_info(self) -> dict:
        """What summary.json records about the mesh."""
        b = self.block
        sections = self.drift.cross_section_currents()
        return {"dimension": b.dimension, "shape": b.conductor.shape,
                "cells": int(b.active.sum()), "cells_in_target": int(b.cells["target"].sum()),
                "grid_cells": self.number_of_cells, "grid": list(b.shape),
                "domain_m": [float(b.axes[0][0]), float(b.axes[0][-1])],
                "parts_m": {k: [float(x0), float(x1)] for k, (x0, x1) in b.edges.items()},
                "bands_m": {k: [list(map(float, band)) for band in v] for k, v in b.bands.items()},
                "volume_m3": float(b.volume[b.active].sum()),
                "potential_drop_per_ampere_V": float(self.drift.potential.max()),
                "current_balance_worst": float(np.max(np.abs(sections - 1.0))),
                "linear_solver": self.linear_solver, **self.info}

    def _convection_faces(self, q):
        denom = self.diffusivity * self._conductance
        peclet = np.divide(np.abs(q), denom, out=np.zeros_like(q), where=denom > 0)
        return convection_faces(self.convection, self._inner, peclet)

    def _inflow_cells(self, q):
        """Convective inflow q n into each cell of the upstream end [1/s] (0 if closed)."""
        if self.inflow_density is None:
            return np.zeros(self.number_of_cells)
        c0 = self.block.face_cells[0]
        return np.bincount(c0[self._up], weights=-q[self._up] * self.inflow_density,
                           minlength=self.number_of_cells)

    def fipy_terms(self, current: float, slab=None):
        """Fresh FiPy variable and steady terms for ``current`` [A] on ``slab`` (a
        ``meshes.grid.Slab``; default: the whole mesh): (var, steady, inflow) with
        steady = DiffusionTerm(D g_f) - convection(q) - outflow source, inflow [1/s] per cell
        of the whole mesh."""
        q = self.flow(current)
        slab = slab if slab is not None else self._whole_mesh()
        return (*self._terms_on(slab, q, self._convection_faces(q)), self._inflow_cells(q))

    def _whole_mesh(self):
        b = self.block
        everything = np.arange(b.grid.number_of_faces)
        return Slab(mesh=b.mesh, lo=0, hi=b.shape[0], cells=np.arange(self.number_of_cells),
                    faces=everything)

    def _terms_on(self, slab, q, schemes):
        """(var, steady) on ``slab`` for the face flows ``q`` [m^3/s] of the whole mesh and the
        convection ``schemes`` ({scheme: bool over the whole mesh's faces})."""
        from fipy import CellVariable, DiffusionTerm, FaceVariable, ImplicitSourceTerm

        b, mesh, faces = self.block, slab.mesh, slab.faces
        # FiPy: coeff . n A_f = q_f.  On a slab's two cut faces the slab's normal is reversed,
        # which only touches the overlap cells' rows (dropped by solver.fv.slabs).
        velocity = (q / b.face_area)[faces] * np.asarray(mesh.faceNormals)
        var = CellVariable(mesh=mesh, value=0.0, hasOld=True)
        outflow = FaceVariable(mesh=mesh, rank=1, value=velocity * b.faces["downstream_end"][faces])
        steady = (DiffusionTerm(coeff=FaceVariable(mesh=mesh, value=self.diffusivity * b.face_factor[faces]))
                  - ImplicitSourceTerm(coeff=outflow.divergence))
        if self.inflow_density is not None:
            var.constrain(self.inflow_density, where=b.faces["upstream_end"][faces])
        for scheme, where in schemes.items():
            coeff = FaceVariable(mesh=mesh, rank=1, value=velocity * where[faces])
            steady = steady - convection_term(scheme)(coeff=coeff)
        return var, steady

    def operator(self, current: float):
        """K [m^3/s] (scipy CSR) and f [1/s] of V dc/dt = K c + f at ``current`` [A], assembled
        by fresh FiPy terms on x-slabs of the mesh (``solver.fv.slabs``: the rows are those of the
        whole mesh).  All terms at once: FiPy's exponential convection term takes its Peclet
        number from the diffusion term of the same equation (assembled alone it would be
        upwind), so the terms cannot be assembled one by one."""
        q = self.flow(current)
        schemes = self._convection_faces(q)
        K, f = assemble_on_slabs(self.block.grid, lambda slab: self._terms_on(slab, q, schemes))
        return K, f + self._inflow_cells(q)

    def fipy_equation(self, current: float):
        """TransientTerm(g_c) == steady + inflow/V_FiPy on the whole mesh, and its variable
        (plain FiPy)."""
        from fipy import CellVariable, TransientTerm

        var, steady, inflow = self.fipy_terms(current)
        mesh = self.block.mesh
        source = CellVariable(mesh=mesh, value=inflow / np.asarray(mesh.cellVolumes))
        eq = TransientTerm(coeff=CellVariable(mesh=mesh, value=self.block.cell_factor)) == steady + source
        return eq, var

    def boundary_rates(self, c: np.ndarray, current: float):
        """Electrons per second through the two ends, from the face formulas [1/s]:
        inflow = sum over upstream faces of (-q_f) n + D (A/d)_f (n - c_cell) (semi-infinite
        reservoir; else 0); outflow = sum over downstream faces of q_f c_cell.  Only the end
        faces are evaluated (this runs several times per time step)."""
        c0 = self.block.face_cells[0]
        inflow = 0.0
        if self.inflow_density is not None:
            up = self._up
            n = self.inflow_density
            inflow = float(np.sum(-self.drift.face_flow(current, up)) * n
                           + self.diffusivity * np.sum(self._conductance[up] * (n - c[c0[up]])))
        down = self._down
        return inflow, float(np.sum(self.drift.face_flow(current, down) * c[c0[down]]))

    def content(self, c: np.ndarray, part: str | None = None) -> float:
        """Number of electrons sum V_i c_i in ``part`` (or the whole conductor)."""
        mask = self.block.active if part is None else self.block.cells[part]
        return float(self.volume[mask] @ c[mask])


# ----------------------------------------------------------------------------- from a case


_SECTION_OF = {"feed": "reservoir", "reservoir": "reservoir", "connector": "connector",
               "target": None, "outlet": "outlet", "circuit": "outlet"}


def conductor_of_case(case: Case, parts) -> Conductor:
    """The conductor of ``case`` with the pieces ``parts`` (``fv.layout.line_layout``): each piece
    takes the width, thickness and placement of its section (feed: the reservoir's, circuit:
    the outlet's)."""
    g = case.geometry
    leads = []
    for part in parts:
        key = _SECTION_OF[part.name]
        if key is None:
            leads.append(Lead(part.name, part.length, g.width, g.thickness))
            continue
        s = getattr(g, key)
        leads.append(Lead(part.name, part.length, s.width, s.thickness, offset=s.offset,
                          angles=tuple(s.angles)))
    if g.shape == "cylinder":
        return Conductor(tuple(leads), shape="shell", radius=g.radius)
    return Conductor(tuple(leads), shape="strip")


def _single_electron_density(block, model):
    """One electron on the plane x = 0, shared by the connector/target junction faces in
    proportion to their true areas and, across each face, split between its two cells so that
    its centroid sits on the face (as in 1D)."""
    faces = np.flatnonzero(block.faces["target_start"])
    weight = block.true_face_area[faces]
    weight = weight / weight.sum()
    c0, c1 = block.face_cells[:, faces]
    nx = block.shape[0]
    widths = np.diff(block.axes[0])
    dl, dr = widths[c0 % nx], widths[c1 % nx]
    c = np.zeros(model.number_of_cells)
    np.add.at(c, c0, weight * dr / (dl + dr) / model.volume[c0])
    np.add.at(c, c1, weight * dl / (dl + dr) / model.volume[c1])
    return c


def block_mesh_of_case(case: Case, layout: LineLayout):
    """The 2D/3D block mesh of ``case`` on the 1D line's layout ``layout``
    (``fv.layout.line_layout``): its pieces, dx, grading, sharp ends and widest cells along x;
    ``fv.cells_across`` and ``fv.cells_through`` across.  Raises CaseError for a geometry that
    cannot be meshed."""
    fv = case.fv
    resolution = Resolution(dx=layout.dx, grading=fv.grading, cells_across=fv.cells_across,
                            cells_through=fv.cells_through, sharp_ends=layout.sharp_ends,
                            max_width=tuple(layout.max_width.items()))
    try:
        return build_block_mesh(conductor_of_case(case, layout.parts), resolution, case.geometry.dimension)
    except ValueError as exc:
        raise CaseError(f"{case.source}: geometry: {exc}") from None


def build_nd_model(case: Case, derived: dict):
    """Mesh, drift field and FV model of ``case`` in 2D or 3D, and the initial density c0
    [m^-3].  The pieces along x and their far-field lengths are the 1D line's
    (``fv.layout.line_layout``); across, ``fv.cells_across`` cells over the target width and, in
    3D, ``fv.cells_through`` through its thickness.  Returns (model, c0)."""
    fv = case.fv
    layout = line_layout(case, derived)
    block = block_mesh_of_case(case, layout)
    active = int(block.active.sum())
    if active > case.limits.max_cells:
        raise CaseError(f"{case.source}: limits.max_cells: the mesh has {active} cells, more than "
                        f"the limit {case.limits.max_cells}")
    solver = choose_backend(fv.linear_solver, active)
    missing = check_available(solver)
    if missing:
        raise CaseError(f"{case.source}: fv.linear_solver: {missing}")
    n = layout.electron_density
    # The potential is solved once, by LU whatever the stepper uses: pyamg (RS and SA, with CG)
    # stalls on it (1e-2..1e-7 after 300 iterations at 1e5 cells) -- the graded far cells are
    # up to 1e4 times longer than wide and phi is held only at the far downstream end.
    drift = solve_potential(block, case.material.conductivity, n,
                            solver="splu" if solver == "splu" else "direct")
    release_memory()            # the potential's factorisation and FiPy terms
    model = BlockModel(block=block, drift=drift, diffusivity=layout.diffusivity, electron_density=n,
                       inflow_density=layout.inflow_density, convection=fv.convection,
                       linear_solver=solver)
    if single_electron(case):
        c0 = _single_electron_density(block, model)
    else:
        c0 = np.where(block.cells["reservoir"], n, 0.0)
    return model, c0
