"""Drift field from the electric potential on a 2D/3D block mesh (solved once, for 1 A).

Steady current flow in the conductor (conductivity sigma [S/m]):

    div(sigma grad phi) = 0,    J = -sigma grad phi,    v = J/(n e)

with the current I entering uniformly through the upstream end (J.n = -I/A_in there), leaving
through the downstream end (phi = 0 there) and no current through the walls.  phi here is the
potential of the electron flow (docs/physics.md: J is taken along the electrons' drift, so phi falls
downstream; the electric potential is -phi up to a constant).

Discretised with FiPy's ``DiffusionTerm(sigma g_f)`` on the mesh (g_f the metric/thickness
factor of each face, 0 on walls); the face current is the two-point flux

    I_f = sigma g_f (A_f/d_f) (phi_0 - phi_1)     [A], along FiPy's face normal (cell 0 -> 1),

and the face flow of the electron fluid q_f = I_f/(n e) [m^3/s] is what the convection term
needs (the face-normal velocity times the true face area).  Everything is linear in I, so the
potential is solved once for I = 1 A and a current schedule only rescales it: q_f(I) = I q_f(1).
The current through every cross-section x = const equals I up to the linear solver's residual
(``cross_section_currents``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import SolverError
from ..linalg.amg import amg_solver
from ..linalg.backends import DIRECT_LIMIT
from ..linalg.direct import direct_backend, factorise
from ..physics.material import volume_flow

__all__ = ["DriftField", "solve_potential", "linear_solver"]

POTENTIAL_RTOL = 1e-13      # relative residual of the iterative potential solve
REFINEMENTS = 3             # steps of iterative refinement of the potential


@dataclass
class DriftField:
    """The drift field of a block mesh for a current of 1 A.

    ``potential`` [V/A] per cell (0 in inactive cells); ``face_current`` I_f [A/A] along FiPy's
    face normals; ``electron_density`` n [m^-3].  Multiply by the current I [A] for the field
    at I.
    """

    block: object
    potential: np.ndarray
    face_current: np.ndarray
    electron_density: float

    def face_flow(self, current: float = 1.0, faces=None) -> np.ndarray:
        """q_f = I I_f/(n e) [m^3/s]: volume of electron fluid crossing each face per second
        (on the faces ``faces``, an index array, if given; else on all)."""
        face_current = self.face_current if faces is None else self.face_current[faces]
        return volume_flow(current * face_current, self.electron_density)

    def face_velocity(self, current: float = 1.0) -> np.ndarray:
        """Normal drift velocity v_f = q_f/(true face area) [m/s] along FiPy's face normals
        (0 on walls)."""
        area = self.block.true_face_area
        q = self.face_flow(current)
        return np.divide(q, area, out=np.zeros_like(q), where=area > 0)

    def cell_velocity(self, current: float = 1.0) -> np.ndarray:
        """Cell-centred drift velocity (dim, cells) [m/s]: on each axis the mean of the normal
        velocities on the cell's two faces of that axis (a wall counts as 0)."""
        block = self.block
        v = self.face_velocity(current)
        sign = block.grid.face_sign          # the normal is sign x the unit vector of its axis
        out = np.zeros((block.dimension, block.grid.number_of_cells))
        c0, c1 = block.face_cells
        for axis in range(block.dimension):
            faces = np.flatnonzero((block.face_axis == axis) & (block.face_factor > 0))
            comp = 0.5 * v[faces] * sign[faces]
            np.add.at(out[axis], c0[faces], comp)
            inner = faces[c1[faces] >= 0]
            np.add.at(out[axis], c1[inner], 0.5 * v[inner] * sign[inner])
        return out * block.active

    def cross_section_currents(self) -> np.ndarray:
        """Current [A/A] through every grid plane x = const (positive downstream), one value
        per plane of ``block.axes[0]``; each equals 1 for a conservative solution."""
        block = self.block
        plane = block.extras["x_plane"]             # >= 0 on x-faces only
        flux = np.where(block.face_factor > 0, self.face_current * block.grid.face_sign, 0.0)
        ok = plane >= 0
        return np.bincount(plane[ok], weights=flux[ok], minlength=len(block.axes[0]))


def linear_solver(A, method="auto", rtol=POTENTIAL_RTOL, symmetric=False):
    """A function b -> x solving A x = b: a sparse LU factorised once ("splu": SuperLU,
    "pardiso": MKL PARDISO, "direct": PARDISO if installed else SuperLU; ``solver.linalg.direct``)
    or classical Ruge-Stueben AMG ("amg"; hierarchy built once) as the preconditioner of CG
    (``symmetric``: A symmetric positive definite, also PARDISO's Cholesky) or GMRES to relative
    residual ``rtol``; "auto" picks PARDISO when installed, else SuperLU up to DIRECT_LIMIT
    unknowns and AMG above."""
    n = A.shape[0]
    if method == "auto":
        method = direct_backend("direct")
        if method == "splu" and n > DIRECT_LIMIT:
            method = "amg"
    if method in ("splu", "pardiso", "direct"):
        return factorise(A, method, spd=symmetric).solve
    if method != "amg":
        raise ValueError(f"linear solver must be auto, direct, splu, pardiso or amg; got {method!r}")
    return amg_solver(A, rtol, symmetric)


def solve_potential(block, conductivity: float, electron_density: float, solver: str = "auto") -> DriftField:
    """Potential and face currents of ``block`` (a ``meshes.blocks.BlockMesh``) for I = 1 A.

    conductivity sigma [S/m], electron_density n [m^-3]; ``solver`` as for ``linear_solver``.
    The linear system is assembled by FiPy (``DiffusionTerm(sigma g_f)`` with phi = 0 on the
    downstream end; on x-slabs of the mesh, ``solver.fv.slabs``) and solved on the active cells,
    then improved by iterative refinement with the cell balance evaluated face by face, as differences (phi_0 - phi_1): the matrix form
    d_i phi_i - sum G phi_j loses eps x (huge through-thickness conductance) x phi per cell,
    which over thousands of 50-um cells would break the 1e-8 current balance.  Raises
    SolverError if the current through some cross-section differs from I by more than 1e-8.
    """
    from fipy import CellVariable, DiffusionTerm, FaceVariable

    from .slabs import assemble_on_slabs

    grid = block.grid
    coeff = conductivity * block.face_factor
    outlet = block.faces["downstream_end"]

    def terms_on(slab):
        phi = CellVariable(mesh=slab.mesh, value=0.0)
        phi.constrain(0.0, where=outlet[slab.faces])
        return phi, DiffusionTerm(coeff=FaceVariable(mesh=slab.mesh, value=coeff[slab.faces]))

    K, _ = assemble_on_slabs(grid, terms_on)    # FiPy's sign: negative diagonal
    inlet = block.faces["upstream_end"]
    weight = block.face_factor * block.face_area
    share = np.zeros(grid.number_of_faces)
    share[inlet] = weight[inlet] / weight[inlet].sum()
    c0, c1 = block.face_cells
    inner = c1 >= 0
    conductance = coeff * block.face_area / block.face_distance

    def face_currents(values):
        other = np.where(inner, values[np.maximum(c1, 0)], 0.0)     # exterior: phi = 0 downstream
        current = conductance * (values[c0] - other)
        current[inlet] = -share[inlet]                               # into the conductor
        current[block.face_factor == 0] = 0.0
        return current

    def net_outflow(current):
        """Current leaving each cell [A/A]: 0 for the exact solution."""
        out = np.bincount(c0, weights=current, minlength=grid.number_of_cells)
        return out - np.bincount(c1[inner], weights=current[inner], minlength=grid.number_of_cells)

    act = np.flatnonzero(block.active)
    solve = linear_solver(-K[act][:, act], method=solver, symmetric=True)
    values = np.zeros(grid.number_of_cells)
    injected = np.bincount(c0[inlet], weights=share[inlet], minlength=grid.number_of_cells)
    values[act] = solve(injected[act])
    for _ in range(REFINEMENTS):
        values[act] -= solve(net_outflow(face_currents(values))[act])
    field = DriftField(block=block, potential=values, face_current=face_currents(values),
                       electron_density=electron_density)
    worst = float(np.max(np.abs(field.cross_section_currents() - 1.0)))
    if worst > 1e-8:
        raise SolverError(f"potential: current through a cross-section differs from I by {worst:.3e} (relative)")
    return field
