"""The 1D step's inner loops (solver.tridiagonal) against independent computations.

The C kernels must agree with scipy (SuperLU solve, sparse matvec) to round-off: 1e-12
relative for the solve of a diagonally dominant system, 1e-13 for products and sums; without
the extension the stepper's general path (numpy FluxForm + SuperLU) must give the same step.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.sparse.linalg import splu

from conftest import make_case
from vip_transport.solver.linalg import tridiagonal as tri
from vip_transport.solver.physics.derived import derive
from vip_transport.solver.fv.line_model import build_line_model
from vip_transport.solver.timestepping.cached import CachedStepper
from vip_transport.solver.timestepping.flux import FluxForm, StepMatrix
from vip_transport.solver.timestepping.plan import Step


def test_the_c_extension_is_built():
    """pip builds solver/_tridiagonal.c on this machine (it has a compiler); without it the
    1D benchmark's speed cannot be met, so a silent fallback would be a regression."""
    assert tri.AVAILABLE


def random_m_matrix(n, seed=0):
    """A column diagonally dominant tridiagonal M = V/dt - K with K >= 0 off the diagonal and
    column sums <= 0 (the structure of every 1D step matrix), entries spanning 1e6."""
    rng = np.random.default_rng(seed)
    up = 10 ** rng.uniform(-3, 3, n - 1)          # K[i, i+1]
    lo = 10 ** rng.uniform(-3, 3, n - 1)          # K[i+1, i]
    K = sp.diags([lo, up], [-1, 1], shape=(n, n)).tocsc()
    K = K - sp.diags(np.asarray(K.sum(axis=0)).ravel())
    volume_over_dt = 10 ** rng.uniform(-2, 1, n)
    return (sp.diags(volume_over_dt) - K).tocsc()


@pytest.mark.parametrize("n", [1, 2, 3, 1000])
def test_thomas_solve_matches_superlu(n):
    M = random_m_matrix(n) if n > 1 else sp.csc_matrix([[2.5]])
    bands = tri.TridiagonalMatrix.from_sparse(M)
    assert bands.column_dominant()
    b = np.random.default_rng(1).normal(size=n)
    x = tri.ThomasLU(bands).solve(b)
    np.testing.assert_allclose(x, splu(M).solve(b), rtol=1e-12, atol=1e-14 * np.max(np.abs(x)))


def test_residual_matches_sparse_matvec():
    M = random_m_matrix(500)
    rng = np.random.default_rng(2)
    x, b = rng.normal(size=500), rng.normal(size=500)
    r, total, biggest = tri.TridiagonalMatrix.from_sparse(M).residual(x, b)
    expected = M @ x - b
    np.testing.assert_allclose(r, expected, rtol=1e-13, atol=1e-13 * np.max(np.abs(expected)))
    assert total == pytest.approx(expected.sum(), rel=1e-10, abs=1e-12 * np.abs(expected).sum())
    assert biggest == pytest.approx(np.max(np.abs(expected)), rel=1e-14)


def test_chain_rhs_matches_the_sparse_product():
    """K c + f along a chain (flux form, compiled; the column sums and f on their few non-zero
    cells) equals the sparse product K c + f."""
    rng = np.random.default_rng(3)
    K = -random_m_matrix(300) + sp.diags(np.full(300, 1.0))      # any chain operator
    f = np.zeros(300)
    f[[0, 7, 299]] = rng.normal(size=3)
    flux = FluxForm(K, f)
    c, volume = rng.uniform(0, 1, 300), rng.uniform(1, 2, 300)
    out, biggest, c_max, content = flux.rhs(c, volume)
    expected = K @ c + f
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12 * np.max(np.abs(expected)))
    assert biggest == pytest.approx(np.max(np.abs(out)), rel=1e-15)
    assert c_max == np.max(c)
    assert content == pytest.approx(np.dot(volume, c), rel=1e-13)
    with pytest.raises(ValueError, match="indices must increase"):
        tri.chain_rhs(c, flux.w, flux.net, np.array([5, 3], dtype=np.int64), np.zeros(2), np.zeros(2), volume)


def test_a_matrix_that_is_not_column_dominant_goes_to_superlu():
    """Central convection above cell Peclet 2 makes off-diagonals negative: no Thomas LU
    without pivoting then; the stepper falls back to SuperLU and still solves exactly."""
    M = sp.diags([np.full(9, -3.0), np.full(10, 1.0), np.full(9, 2.5)], [-1, 0, 1]).tocsc()
    assert not tri.TridiagonalMatrix.from_sparse(M).column_dominant()
    K = -M + sp.diags(np.full(10, 1.0))                 # V/dt = 1, theta = 1 gives back M
    stepper = CachedStepper(lambda current: (K, np.zeros(10)), np.ones(10))
    system, lu = stepper._factor(1.0, 1.0, 1.0)
    assert isinstance(system, StepMatrix)
    b = np.arange(10.0)
    np.testing.assert_allclose(M @ lu.solve(b), b, atol=1e-12)


def test_the_1d_stepper_uses_the_thomas_factorisation():
    case = make_case("vip2", method="fv", fv={"cells_per_target": 50})
    model, c0 = build_line_model(case, derive(case))
    stepper = CachedStepper(model.operator, model.volume)
    c = stepper.advance(c0, Step(0.0, 0.1, 1.0, dt=0.1), 100.0)
    system, lu = stepper._factor(100.0, 0.1, 1.0)
    assert isinstance(lu, tri.ThomasLU)
    # the step solved the sparse system the model assembled (independent check with SuperLU)
    K, f = model.operator(100.0)
    M = (sp.diags(model.volume / 0.1) - K).tocsc()
    np.testing.assert_allclose(c - c0, splu(M).solve(K @ c0 + f), rtol=1e-10, atol=1e-10 * np.max(c0))


def test_without_the_extension_the_general_path_gives_the_same_steps(monkeypatch):
    case = make_case("vip2", method="fv", fv={"cells_per_target": 200})
    model, c0 = build_line_model(case, derive(case))
    steps = [Step(0.1 * k, 0.1 * (k + 1), 1.0 if k < 2 else 0.5, dt=0.1) for k in range(6)]

    def run():
        stepper, c = CachedStepper(model.operator, model.volume), c0
        for s in steps:
            c = stepper.advance(c, s, 100.0)
        return c, stepper

    compiled, stepper = run()
    assert isinstance(stepper._factor(100.0, 0.1, 0.5)[1], tri.ThomasLU)
    monkeypatch.setattr(tri, "AVAILABLE", False)
    general, stepper = run()
    assert isinstance(stepper._factor(100.0, 0.1, 0.5)[0], StepMatrix)
    np.testing.assert_allclose(general, compiled, rtol=1e-11, atol=1e-11 * np.max(c0))


def test_dot_matches_numpy():
    from vip_transport.solver.linalg.tridiagonal import dot

    rng = np.random.default_rng(4)
    for n in (0, 1, 7, 8, 9, 1001):
        u, v = rng.normal(size=n), rng.normal(size=n)
        assert dot(u, v) == pytest.approx(float(np.dot(u, v)), rel=1e-12, abs=1e-13 * np.abs(u * v).sum())
    c = rng.normal(size=100)
    assert dot(c[10:60], c[10:60]) == pytest.approx(float(c[10:60] @ c[10:60]), rel=1e-13)
