"""solver.fv.assembly.assemble reads K and f from FiPy's linear system through a private FiPy
method; this checks it against FiPy's public route (``cacheMatrix``/``cacheRHSvector`` and a
sweep), so that a FiPy release that changes the private step fails here first."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from conftest import make_case
from vip_transport.solver.fv.assembly import assemble
from vip_transport.solver.fv.model import build_model
from vip_transport.solver.physics.derived import derive


def small_case(dimension):
    """VIP-2 with a thicker outlet (every cell active: the public route solves the system)."""
    return make_case("vip2", geometry={"dimension": dimension, "outlet": {"thickness": "100 um"}}, method="fv",
                     time={"duration": "20 s"}, fv={"cells_per_target": 20, "cells_across": 4, "linear_solver": "splu"})


def public_route(steady, var):
    """K and f as FiPy's public API exposes them after a sweep of the same terms."""
    from fipy.solvers.scipy import LinearLUSolver

    steady.cacheMatrix()
    steady.cacheRHSvector()
    steady.sweep(var=var, solver=LinearLUSolver())
    return sp.csr_matrix(steady.matrix.matrix), -np.asarray(steady.RHSvector, dtype=float)


@pytest.mark.parametrize("dimension", [1, 2])
def test_assemble_equals_fipys_public_matrix_and_rhs(dimension):
    case = small_case(dimension)
    model, _ = build_model(case, derive(case))
    var, steady, *_ = model.fipy_terms(100.0)
    K, f = assemble(steady, var)
    var, steady, *_ = model.fipy_terms(100.0)        # fresh terms: FiPy caches per term
    K_public, f_public = public_route(steady, var)
    assert abs(K - K_public).max() <= 1e-14 * abs(K).max()
    assert np.max(np.abs(f - f_public)) <= 1e-14 * max(np.max(np.abs(f)), 1e-300)
