"""Finite-volume model of the quasi-1D line, discretised with FiPy.

Equation (cross-section A(x) [m^2], density c [m^-3], volumetric current flow Q = I/(n e) [m^3/s]):

    d(A c)/dt + d(Q c)/dx = d/dx(A D dc/dx)

(A v = I/(n e) is the same in every part, so the drift is faster where the line is narrower.)
FiPy terms give the semi-discrete system  V dc/dt = K(I) c + f(I)  with V_i = A_i dx_i [m^3]:
``DiffusionTerm(A_f D)`` and a convection term with face coefficient Q on interior faces.

Boundaries (both far ends are placed where the analytic solution shows they cannot matter
within the run, ``solver.fv.layout``):
- upstream end: a semi-infinite reservoir holds c = n there (fixed value for diffusion, inflow
  Q n by convection); otherwise the end is closed (no flux).
- downstream end ("output circuitry"): advective outflow, flux Q c_last, no diffusive flux
  (FiPy's outlet recipe: zero convection coefficient on the face plus an implicit source
  Q c_last).  Far enough away this lets electrons leave without reflection.

FiPy 4.0.3 caches the Peclet-dependent stencil of the exponential scheme when a coefficient
changes in place (upstream issue #1223); we never change a coefficient in place: every distinct
current gets freshly built terms (``operator``), which a test checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from ...meshes.line import LineMesh, build_line_mesh
from ..errors import CaseError
from ..physics.material import volume_flow
from .assembly import CONVECTION_TERMS, assemble, convection_faces, convection_term
from .layout import line_layout, single_electron

if TYPE_CHECKING:
    from ..config.schema import Case

__all__ = ["LineModel", "build_line_model"]

@dataclass
class LineModel:
    """FV model on a ``LineMesh``.

    Parameters
    ----------
    line : LineMesh
    diffusivity : kernel diffusivity D [m^2/s] (already converted for the convention)
    electron_density : n [m^-3], the density of new electrons in a full reservoir
    inflow_density : density held at the upstream end [m^-3] (semi-infinite reservoir) or None
        for a closed upstream end
    convection : "auto" (default: central differences on faces whose cell Peclet number
        Q dx/(A D) is below 2, where they are second order and monotone, and the exponential
        (Scharfetter-Gummel) scheme on the others, which stays monotone on the coarse graded
        cells), or one FiPy scheme everywhere: "exponential", "central", "upwind"
    loop : the last cell's downstream face is the first cell's upstream face (a circuit
        reservoir): drift and diffusion carry electrons from the outlet's end into the
        reservoir's start through it (:meth:`loop_face`); no outflow, no inflow
    """

    line: LineMesh
    diffusivity: float
    electron_density: float
    inflow_density: float | None = None
    convection: str = "auto"
    loop: bool = False

    #: the 1D stepper's solver: its step matrices are tridiagonal (``solver.linalg.tridiagonal``)
    linear_solver: ClassVar[str] = "tridiagonal"
    #: 1D step sizes are not quantised (a factorisation costs as much as a step)
    step_ladder: ClassVar[float | None] = None

    def __post_init__(self):
        if self.convection not in CONVECTION_TERMS:
            raise ValueError(f"convection must be one of {CONVECTION_TERMS}, got {self.convection!r}")

    @property
    def volume(self) -> np.ndarray:
        """Cell volumes V_i = A_i dx_i [m^3]."""
        return self.line.volume

    @property
    def cell_centers(self) -> np.ndarray:
        """Cell centres x [m] (target entrance at x = 0)."""
        return self.line.x

    @property
    def cells(self) -> dict:
        """Named cell sets (bool arrays): reservoir, connector, target, outlet, ..."""
        return self.line.cells

    @property
    def number_of_cells(self) -> int:
        return int(self.line.mesh.numberOfCells)

    def mesh_info(self) -> dict:
        """What summary.json records about the mesh."""
        return {"dimension": 1, "cells": self.number_of_cells,
                "cells_in_target": int(self.line.cells["target"].sum()),
                "domain_m": [float(self.line.face_x[0]), float(self.line.face_x[-1])],
                "parts_m": {k: [float(a), float(b)] for k, (a, b) in self.line.edges.items()},
                **({"loop": True} if self.loop else {})}

    def flow(self, current: float) -> float:
        """Volumetric flow of the electron fluid Q = I/(n e) [m^3/s]."""
        return volume_flow(current, self.electron_density)

    def fipy_terms(self, current: float):
        """Fresh FiPy variable and steady terms for the current ``current`` [A].

        Returns (var, steady, inflow) with steady = DiffusionTerm(A_f D) - Convection(Q) -
        outflow source, and ``inflow`` the convective inflow Q n into the first cell [1/s]
        (0 for a closed upstream end).  The semi-discrete equation is V dc/dt = steady + inflow.
        """
        from fipy import CellVariable, DiffusionTerm, FaceVariable, ImplicitSourceTerm

        mesh = self.line.mesh
        q = self.flow(current)
        var = CellVariable(mesh=mesh, value=0.0, hasOld=True)
        outlet_flow = FaceVariable(mesh=mesh, value=(0.0,), rank=1)
        if not self.loop:
            outlet_flow.setValue(q, where=self.line.faces["downstream_end"])
        diff_coeff = FaceVariable(mesh=mesh, value=self.diffusivity * self.line.face_area)
        inflow = 0.0
        if self.inflow_density is not None:
            var.constrain(self.inflow_density, where=self.line.faces["upstream_end"])
            inflow = q * self.inflow_density
        steady = DiffusionTerm(coeff=diff_coeff) - ImplicitSourceTerm(coeff=outlet_flow.divergence)
        for scheme, faces in self._convection_faces(q).items():
            flow = FaceVariable(mesh=mesh, value=(0.0,), rank=1)
            flow.setValue(q, where=faces)
            steady = steady - convection_term(scheme)(coeff=flow)
        return var, steady, inflow

    def _convection_faces(self, q: float):
        """Interior faces of each convection scheme: {scheme: bool mask over faces}."""
        interior = np.asarray(self.line.mesh.interiorFaces)
        x = self.line.x
        spacing = np.zeros_like(self.line.face_area)
        spacing[1:-1] = np.diff(x)
        peclet = abs(q) * spacing / (self.line.face_area * self.diffusivity)
        return convection_faces(self.convection, interior, peclet)

    def operator(self, current: float):
        """Assemble K, f of  V dc/dt = K c + f  for the current ``current`` [A] with FiPy.

        Returns (K as scipy CSR [m^3/s], f [1/s]).  Fresh FiPy terms are built on every call.
        """
        var, steady, inflow = self.fipy_terms(current)
        K, f = assemble(steady, var)
        f[0] += inflow
        if self.loop:
            K = (K + self._loop_matrix(self.flow(current))).tocsr()
        return K, f

    def loop_face(self, q: float) -> tuple[float, float]:
        """(a, b) [m^3/s] of the flux a c_last - b c_first [1/s] through the loop's face, for the
        volume flow ``q`` [m^3/s]: Scharfetter-Gummel (exponential) drift and diffusion,
        a = g B(-Pe), b = g B(Pe), g = A D/h, Pe = q h/(A D), B(x) = x/(e^x - 1), with h the
        distance of the two cell centres and A the smaller of their cross-sections (it is
        q c_last at high Pe and g (c_last - c_first) without drift)."""
        from scipy.special import exprel

        h = 0.5 * (self.line.dx[-1] + self.line.dx[0])
        area = min(self.line.cell_area[-1], self.line.cell_area[0])
        g = area * self.diffusivity / h
        peclet = q * h / (area * self.diffusivity)
        return g / exprel(-peclet), g / exprel(peclet)

    def _loop_matrix(self, q: float):
        """The loop face's part of K: what leaves the last cell enters the first (columns sum to 0)."""
        import scipy.sparse as sp

        a, b = self.loop_face(q)
        last = self.number_of_cells - 1
        return sp.coo_matrix(([-a, b, a, -b], ([last, last, 0, 0], [last, 0, last, 0])),
                             shape=(last + 1, last + 1))

    def fipy_equation(self, current: float):
        """Plain FiPy equation TransientTerm(A) == steady terms + inflow, and its variable
        (for the ``eq.solve`` cross-check stepper, implicit Euler)."""
        from fipy import CellVariable, TransientTerm

        var, steady, inflow = self.fipy_terms(current)
        mesh = self.line.mesh
        source = np.zeros(mesh.numberOfCells)
        source[0] = inflow / self.line.dx[0]      # FiPy integrates sources over dx
        if self.loop:
            raise ValueError("the plain FiPy stepper has no loop face: use fv.stepper cached for a circuit")
        eq = TransientTerm(coeff=CellVariable(mesh=mesh, value=self.line.cell_area)) == steady + CellVariable(mesh=mesh, value=source)
        return eq, var

    def boundary_rates(self, c: np.ndarray, current: float):
        """Flows through the two ends, computed from the face formulas [1/s].

        upstream inflow = Q n + A_0 D (n - c_0)/(dx_0/2) for a semi-infinite reservoir, else 0;
        downstream outflow = Q c_last; round a loop, the flux through its face as both (it leaves
        the outlet and enters the reservoir).  Used for the conservation balance, independently of K.
        """
        q = self.flow(current)
        if self.loop:        # what leaves the outlet's end re-enters the reservoir
            a, b = self.loop_face(q)
            through = a * c[-1] - b * c[0]
            return through, through
        inflow = 0.0
        if self.inflow_density is not None:
            a0, dx0 = self.line.face_area[0], self.line.dx[0]
            inflow = q * self.inflow_density + a0 * self.diffusivity * (self.inflow_density - c[0]) / (dx0 / 2)
        return inflow, q * c[-1]

    def content(self, c: np.ndarray, part: str | None = None) -> float:
        """Number of electrons sum V_i c_i in ``part`` (or the whole line)."""
        v = self.volume * c
        return float(v.sum() if part is None else v[self.line.cells[part]].sum())


def build_line_model(case: Case, derived: dict):
    """Mesh and FV model of the case's line (``line_layout``), and the initial density [m^-3].
    Returns (model, c0)."""
    layout = line_layout(case, derived)
    D, n, inflow = layout.diffusivity, layout.electron_density, layout.inflow_density
    line = build_line_mesh(layout.parts, dx=layout.dx, grading=case.fv.grading,
                           sharp_ends=layout.sharp_ends, max_width=layout.max_width)
    if line.mesh.numberOfCells > case.limits.max_cells:
        raise CaseError(f"{case.source}: limits.max_cells: the mesh has {line.mesh.numberOfCells} cells, "
                        f"more than the limit {case.limits.max_cells}")
    model = LineModel(line=line, diffusivity=D, electron_density=n, inflow_density=inflow,
                      convection=case.fv.convection, loop=layout.loop)
    c0 = np.zeros(line.mesh.numberOfCells)
    if single_electron(case):
        left = np.flatnonzero(line.cells["connector"])[-1]
        right = left + 1
        dl, dr = line.dx[left], line.dx[right]
        # one electron split so that its centroid sits at x = 0: w_l dl/2 = w_r dr/2
        c0[left] = (dr / (dl + dr)) / line.volume[left]
        c0[right] = (dl / (dl + dr)) / line.volume[right]
    else:
        c0[line.cells["reservoir"]] = n
    return model, c0
