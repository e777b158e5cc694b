"""The 2D/3D stepper: the theta scheme with step sizes on a ladder, one preconditioner each."""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp

from ..errors import SolverError
from ..linalg.amg import amg_preconditioner
from ..linalg.backends import BACKENDS, is_direct
from ..linalg.direct import factorise
from ..linalg.tridiagonal import dot
from .base import RESIDUAL_TOLERANCE, check_solution
from .caches import FactorisationCache, OperatorCache

__all__ = ["LadderStepper"]


class LadderStepper:
    """Theta-scheme stepper for 2D/3D: one preconditioner per ladder step size, re-used.

    For each distinct (current, ladder size q^k, theta) it keeps either a sparse LU of
    M_k = V/q^k - theta K (``backend="splu"``: SuperLU; ``"pardiso"``: MKL PARDISO, whose
    factorisations dropped from the cache are re-used for the next ladder size: same pattern,
    so only the numerical factorisation is redone; ``solver.direct``) or a classical
    Ruge-Stueben AMG hierarchy of it (``backend="amg"``, pyamg).  A step whose size is exactly
    a ladder size is solved by that LU directly; any other step (the remainder that ends on an
    output time), and every AMG step, by GMRES on the step's own matrix, preconditioned by the
    nearest ladder size's LU/hierarchy and started from the previous increment scaled by the
    step ratio, to relative residual ``rtol`` or to the round-off floor of the residual,
    eps (V/dt + theta |K|) |c| (the through-thickness conductances of 3D cells are ~1e4 times
    V/dt, so that floor, not rtol, is what a solve can reach).  ``ratio`` is the ladder ratio q
    (the plan must use the same, ``plan_steps(..., ladder=q)``).

    Conservative finish (``rates``, the model's ``boundary_rates``): the step must satisfy
    sum V (c' - c)/dt = theta R(c') + (1 - theta) R(c), R = inflow - outflow from the face
    formulas.  Round-off breaks it by up to a few 1e-6 of the flows in 3D (2e-11 in 2D): far
    cells 1 m long and 25 um thick have through-thickness coefficients 1e9 times the boundary
    flows, and both FiPy's assembly and the LU solve err by eps times those.  So the solution
    gets c' += beta max(c', 0) with beta restoring the balance (a relative change below
    ~1e-6 x dt x flow / content per step: far below the discretisation error); a mismatch above
    ``MISMATCH_TOLERANCE`` of the flows is not round-off and raises SolverError (operator and
    boundary rates disagree).  ``stats`` records iterations and the largest mismatch.
    """

    name = "ladder"
    MISMATCH_TOLERANCE = 1e-5
    LARGE = 300_000

    def __init__(self, operator, volume, backend="splu", ratio=math.sqrt(2.0), cache_size=None,
                 rtol=1e-12, rates=None):
        if backend not in BACKENDS:
            raise ValueError(f"backend must be one of {BACKENDS}; got {backend!r}")
        if cache_size is None:
            cache_size = self.default_cache_size(len(volume), backend)
        self.operators = OperatorCache(operator)
        self.volume = np.asarray(volume, float)
        self._factors = FactorisationCache(cache_size, on_evict=self._evicted)
        self.backend, self.ratio, self.rtol, self.rates = backend, ratio, rtol, rates
        self.name = f"ladder-{backend}"
        self.stats = {"gmres_iterations": 0, "direct_solves": 0, "iterative_solves": 0,
                      "worst_balance_mismatch": 0.0}
        self._last = None
        self._spare = None          # a PARDISO factorisation dropped from the cache, to re-use

    @classmethod
    def default_cache_size(cls, cells, backend):
        """Preconditioners kept for ``cells`` unknowns: 4 up to LARGE; above, an LU of 1e6 2D
        cells takes ~1.2 GB, so SuperLU and AMG keep 2 and PARDISO 1 (its refactorisation
        re-uses the analysis: ~2.5 s at 1e6 cells, and the log-spaced plan returns to an
        evicted size only after an output time's remainder step: ~3 more factorisations in
        1000 steps)."""
        if cells <= cls.LARGE:
            return 4
        return 1 if backend == "pardiso" else 2

    @property
    def factorisations(self) -> int:
        """Preconditioners (LU factorisations or AMG hierarchies) built so far."""
        return self._factors.built

    @property
    def direct(self) -> bool:
        """Whether the cached preconditioners are exact LU factorisations (not AMG)."""
        return is_direct(self.backend)

    def _abs_operator(self, current):
        """|K| (entrywise) at ``current`` [A], sharing K's index arrays (built on each call:
        it is needed only by remainder steps, and kept it would add to the memory peak)."""
        K = self.operators(current)[0]
        return sp.csr_matrix((np.abs(K.data), K.indices, K.indptr), shape=K.shape)

    def _evicted(self, value):
        """Keep a dropped PARDISO factorisation for the next ``_factorise`` to refactor
        (without its matrix: the refactorisation brings the next one)."""
        factor = value[3]
        if self.backend == "pardiso":
            if self._spare is not None:
                self._spare.free()
            factor.drop_matrix()
            self._spare = factor

    def _factorise(self, M):
        """The preconditioner of ``M`` (CSR): (solve function, factor object or None)."""
        if not self.direct:
            return amg_preconditioner(M), None
        if self._spare is not None:
            factor, self._spare = self._spare.refactor(M), None
        else:
            factor = factorise(M, self.backend)
        return factor.solve, factor

    def _preconditioner(self, current, k, theta):
        """(q^k [s], solve, M_k CSR, factor) for ladder size k, built once (LRU cache)."""
        dt = self.ratio ** k

        def build():
            K, _ = self.operators(current)
            M = (sp.diags(self.volume / dt) - theta * K).tocsr()
            solve, factor = self._factorise(M)
            return dt, solve, M, factor

        return self._factors.get((float(current), int(k), float(theta)), build)

    def _conserve(self, c, x, step, current):
        """x + beta max(x, 0) restoring the step's balance with the boundary rates."""
        dt, theta = step.dt, step.theta
        net = lambda y: float(np.subtract(*self.rates(y, current)))   # noqa: E731
        net_old, net_new, net_zero = net(c), net(x), net(np.zeros_like(x))
        change = self.volume * (x - c)      # (sums of products, not BLAS dots: see dot)
        created = float(np.sum(change)) / dt - theta * net_new - (1.0 - theta) * net_old
        flows = float(np.sum(np.abs(change))) / dt + abs(net_old) + abs(net_new)
        if flows <= 0:
            return x
        mismatch = abs(created) / flows
        self.stats["worst_balance_mismatch"] = max(self.stats["worst_balance_mismatch"], mismatch)
        if mismatch > self.MISMATCH_TOLERANCE:
            raise SolverError(f"{self.name}: at step {step.t0:.6g} s -> {step.t1:.6g} s the operator "
                              f"and the boundary rates disagree by {mismatch:.3e} of the flows")
        weight = np.maximum(x, 0.0)
        denom = dot(self.volume, weight) / dt - theta * (net(weight) - net_zero)
        return x - (created / denom) * weight if denom > 0 else x

    def advance(self, c, step, current):
        """Density after ``step`` [m^-3] from ``c`` with the current ``current`` [A], in
        increment form (V/dt - theta K) delta = K c + f."""
        from scipy.sparse.linalg import LinearOperator, gmres

        dt, theta = step.dt, step.theta
        K, f = self.operators(current)
        rhs = K @ c
        rhs += f
        k = round(math.log(dt) / math.log(self.ratio))
        dt_k, precond, M, _ = self._preconditioner(current, k, theta)
        if dt_k != dt:          # V/dt - theta K as products: no third matrix at the memory peak
            M = _step_operator(self.volume / dt, theta, K)
        floor_norm = None           # evaluated only where needed (a matrix product)
        if dt_k == dt and self.direct:
            delta = precond(rhs)
            self.stats["direct_solves"] += 1
        else:
            n = len(rhs)
            counter = []
            floor_norm = self._floor_norm(c, dt, theta, current)
            guess = None if self._last is None else self._last[0] * (dt / self._last[1])
            delta, _ = gmres(M, rhs, x0=guess, rtol=self.rtol, atol=4.0 * floor_norm,
                             restart=60, maxiter=20, M=LinearOperator((n, n), matvec=precond, dtype=float),
                             callback=lambda r: counter.append(r), callback_type="pr_norm")
            self.stats["gmres_iterations"] += len(counter)
            self.stats["iterative_solves"] += 1
        self._last = (delta, dt)     # the next increment starts from this one (warm start)
        x = delta + c
        if self.rates is not None:
            x = self._conserve(c, x, step, current)
        residual = M @ (x - c) - rhs
        # accepted: |residual| below 1e-9 of |rhs| or below 16 x the round-off floor (the floor
        # is only needed when the first test fails)
        scale = float(np.max(np.abs(rhs)))
        worst = float(np.max(np.abs(residual)))
        if worst > RESIDUAL_TOLERANCE * scale:
            if floor_norm is None:
                floor_norm = self._floor_norm(c, dt, theta, current)
            scale = max(scale, 16.0 * floor_norm / RESIDUAL_TOLERANCE)
        check_solution(x, worst, scale, step, self.name)
        return x

    def _floor_norm(self, c, dt, theta, current):
        """2-norm of the round-off floor of a step's residual, eps (V/dt |c| + theta |K| |c|)
        [m^-3 m^3/s = 1/s per cell]: what no solve of the step can get below."""
        abs_c = np.abs(c)
        floor = self._abs_operator(current) @ abs_c
        floor *= theta
        floor += self.volume / dt * abs_c
        floor *= np.finfo(float).eps
        return math.sqrt(dot(floor, floor))


def _step_operator(diagonal, theta, K):
    """The step matrix diag(``diagonal``) - theta K as a LinearOperator (products only)."""
    from scipy.sparse.linalg import LinearOperator

    def matvec(x):
        x = np.ravel(x)
        out = K @ x
        out *= -theta
        out += diagonal * x
        return out

    return LinearOperator(K.shape, matvec=matvec, dtype=float)
