"""solver.slabs: FiPy terms assembled on x-slabs give the whole mesh's operator.

The 2D/3D convection-diffusion operator (all four convection choices, narrow connector, feed
tabs across the shell's periodic seam) and the potential's operator are assembled on slabs
as thin as one column and compared with FiPy's assembly on the whole mesh: the same entries to
1e-13 of the largest, the same right-hand side to 1e-13 of its largest.
"""

import math

import numpy as np
import pytest
import scipy.sparse as sp

from conftest import N_CU as N, shell, strip
from vip_transport.meshes.blocks import Resolution, build_block_mesh
from vip_transport.solver.fv.assembly import assemble
from vip_transport.solver.fv.block_model import BlockModel
from vip_transport.solver.fv.potential import solve_potential
from vip_transport.solver.fv.slabs import assemble_on_slabs, slab_ranges

RES = Resolution(dx=0.071 / 12, grading=1.3, cells_across=8, cells_through=2)
GEOMETRIES = {
    "strip, narrow connector on an edge": strip(0.005, offset=0.0075, reservoir=0.03, outlet=0.03),
    "shell, two feed tabs": shell(0.02, angles=(0.0, math.pi), reservoir=0.03, outlet=0.03),
}


def assert_same(K1, f1, K2, f2):
    scale = abs(K2).max()
    assert abs(K1 - K2).max() <= 1e-13 * scale
    assert np.max(np.abs(f1 - f2)) <= 1e-13 * max(np.max(np.abs(f2)), 1e-300)


def test_slab_ranges_cover_every_column_once():
    for columns, per_column, limit in [(10, 3, 7), (10, 3, 1), (1, 5, 100), (7, 1, 7)]:
        ranges = slab_ranges(columns, per_column, limit)
        covered = np.concatenate([np.arange(a, b) for a, b in ranges])
        assert np.array_equal(covered, np.arange(columns))
        assert all(b - a == max(1, limit // per_column) for a, b in ranges[:-1])


CASES = [(name, dim, "auto") for name in GEOMETRIES for dim in (2, 3)] + \
    [("shell, two feed tabs", 3, convection) for convection in ("exponential", "central", "upwind")]


@pytest.mark.parametrize("name, dim, convection", CASES, ids=lambda v: str(v))
def test_operator_on_slabs_is_the_whole_mesh_operator(name, dim, convection):
    block = build_block_mesh(GEOMETRIES[name], RES, dim)
    drift = solve_potential(block, 5.9e7, N)
    model = BlockModel(block=block, drift=drift, diffusivity=2e-3, electron_density=N,
                       inflow_density=N, convection=convection)
    current = 100.0
    q = model.flow(current)
    schemes = model._convection_faces(q)
    whole_var, whole_terms = model._terms_on(model._whole_mesh(), q, schemes)
    K_whole, f_whole = assemble(whole_terms, whole_var)
    per_column = block.grid.number_of_cells // block.shape[0]
    widths = (1, 7) if convection == "auto" else (3,)       # columns per slab
    for columns in widths:
        K, f = assemble_on_slabs(block.grid, lambda slab: model._terms_on(slab, q, schemes),
                                 columns * per_column)
        assert_same(K, f, K_whole, f_whole)
    K, f = model.operator(current)          # the default slabs: here one slab
    assert_same(K, f, K_whole, f_whole + model._inflow_cells(q))


@pytest.mark.parametrize("dim", [2, 3])
@pytest.mark.parametrize("name", GEOMETRIES)
def test_potential_operator_on_slabs_is_the_whole_mesh_operator(name, dim):
    from fipy import CellVariable, DiffusionTerm, FaceVariable

    block = build_block_mesh(GEOMETRIES[name], RES, dim)
    coeff = 5.9e7 * block.face_factor
    outlet = block.faces["downstream_end"]

    def terms_on(mesh, faces):
        phi = CellVariable(mesh=mesh, value=0.0)
        phi.constrain(0.0, where=outlet[faces])
        return phi, DiffusionTerm(coeff=FaceVariable(mesh=mesh, value=coeff[faces]))

    K_whole, f_whole = assemble(*reversed(terms_on(block.mesh, np.arange(block.grid.number_of_faces))))
    K, f = assemble_on_slabs(block.grid, lambda slab: terms_on(slab.mesh, slab.faces),
                             2 * block.grid.number_of_cells // block.shape[0])
    assert_same(sp.csr_matrix(K), f, K_whole, f_whole)


def test_a_2d_3d_run_never_builds_fipys_whole_mesh():
    """The memory bound of 2D/3D runs rests on this: FiPy meshes only of slabs (the whole
    mesh, built by ``block.mesh``, is ~1 KB per 2D cell, 2.4 KB per 3D cell)."""
    from vip_transport.solver.timestepping.ladder import LadderStepper
    from vip_transport.solver.timestepping.plan import Step

    block = build_block_mesh(GEOMETRIES["shell, two feed tabs"], RES, 3)
    model = BlockModel(block=block, drift=solve_potential(block, 5.9e7, N), diffusivity=2e-3,
                       electron_density=N, inflow_density=N, linear_solver="splu")
    stepper = LadderStepper(model.operator, model.volume, backend="splu", rates=model.boundary_rates)
    c = np.where(block.cells["reservoir"], N, 0.0)
    c = stepper.advance(c, Step(0.0, 1.0, 0.5, dt=1.0), 100.0)
    c = stepper.advance(c, Step(1.0, 1.7, 0.5, dt=0.7), 100.0)
    assert np.all(np.isfinite(c))
    assert "mesh" not in vars(block)
