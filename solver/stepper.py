"""Time stepping of  V dc/dt = K(I) c + f(I)  with the theta scheme.

    (V/dt - theta K) c^{k+1} = (V/dt + (1 - theta) K) c^k + f

theta = 1/2 is Crank-Nicolson (second order), theta = 1 implicit Euler (first order).  After
the switch-on at t = 0 a few implicit-Euler steps damp the discontinuity of the initial
reservoir step (Rannacher start-up) before Crank-Nicolson takes over.

``CachedStepper`` assembles K, f once per distinct current (with FiPy, ``LineModel.operator``)
and factorises the step matrix once per distinct (current, dt, theta) (the compiled Thomas LU
of ``solver.tridiagonal`` in 1D, SuperLU otherwise; re-used across steps).  ``LadderStepper``
does the same in 2D/3D with step sizes on a ladder and PARDISO, SuperLU or AMG.
``FiPyStepper`` is the plain ``eq.solve`` loop, kept as a cross-check.  All check the residual
of every linear solve and raise ``SolverError`` rather than return a wrong answer.

The plan (``plan_steps``) hits every output time and every change of the current exactly:
steps are equal within each interval between such events and their number follows a
logarithmic spacing over the run.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import splu

from .errors import SolverError
from . import tridiagonal

__all__ = ["THETA", "Step", "plan_steps", "StepState", "CachedStepper", "FiPyStepper",
           "LadderStepper", "ladder_step", "StepMatrix", "dot", "RESIDUAL_TOLERANCE"]

THETA = {"crank-nicolson": 0.5, "implicit-euler": 1.0}
RESIDUAL_TOLERANCE = 1e-9   # max |M x - b| / max|b| accepted from any linear solve
# one forward Gauss-Seidel sweep before and one backward after the coarse correction: half the
# work of pyamg's default symmetric sweeps: ~20% more GMRES iterations, ~25% less time (2D, 1e5 cells)
AMG_SMOOTHER = (("gauss_seidel", {"sweep": "forward"}), ("gauss_seidel", {"sweep": "backward"}))


@dataclass(frozen=True)
class Step:
    """One step from t0 to t1 [s] with the scheme weight theta; ``output`` is the index of the
    output time reached at t1, or -1.  ``dt`` is the planned step size: the same float for
    every step of an interval (t1 - t0 can differ from it in the last bit), so that cached
    factorisations are found again."""

    t0: float
    t1: float
    theta: float
    output: int = -1
    dt: float = None

    def __post_init__(self):
        if self.dt is None:
            object.__setattr__(self, "dt", self.t1 - self.t0)


def plan_steps(output_times, duration, *, breakpoints=(), time_steps=2000, first_step=None,
               startup_steps=4, scheme="crank-nicolson", front_speed=0.0, diffusivity=None,
               steps_per_front=40, front_until=math.inf, spacing="log", ladder=None):
    """Steps over [0, duration] that hit ``output_times`` and ``breakpoints`` [s] exactly.

    ``startup_steps`` implicit-Euler steps of size ``first_step`` [s] come first; afterwards the
    interval [a, b] between consecutive events gets ceil(N ln(b/a)/ln(T/t_s)) equal steps (at
    least one), N = ``time_steps``, t_s the end of the start-up: log-spaced on average
    (``spacing="log"``), or ceil(N (b - a)/(T - t_s)) steps (``spacing="uniform"``).
    With a drift ``front_speed`` v [m/s] and ``diffusivity`` D [m^2/s], the steps are also
    kept below the time a front of width s = sqrt(4 D t) takes to pass, s/(k v) with
    k = ``steps_per_front``: that adds k v (sqrt(b) - sqrt(a))/sqrt(D) steps to [a, b] for
    the part of [a, b] before ``front_until`` [s] (when the fronts have left the region of
    interest).

    ``ladder`` (a ratio q > 1, for 2D/3D) quantises the step sizes so that few factorisations
    are needed: the equal steps of [a, b] become steps of the ladder size q^k s just below
    them (``ladder_step``) plus one shorter remainder step that ends on b.
    """
    theta = THETA[scheme]
    outputs = np.asarray(output_times, float)
    events = np.unique(np.concatenate([outputs, np.asarray(breakpoints, float), [duration]]))
    events = events[(events > 0) & (events <= duration)]
    first_step = duration * 1e-7 if first_step is None else first_step
    if startup_steps:
        first_step = min(first_step, events[0] / startup_steps)
    out_index = {float(v): i for i, v in enumerate(outputs)}
    steps = [Step(k * first_step, (k + 1) * first_step, 1.0, dt=first_step) for k in range(startup_steps)]
    t = startup_steps * first_step
    if steps and out_index.get(t, -1) >= 0:
        steps[-1] = Step(steps[-1].t0, t, 1.0, out_index[t], dt=first_step)
    t_s = max(t, first_step)
    log_span = max(math.log(duration / t_s), 1e-12)
    for b in events:
        if b <= t:
            continue
        if spacing == "uniform":
            m = max(1, math.ceil(time_steps * (b - t) / (duration - t_s) - 1e-9))
        else:
            m = max(1, math.ceil(time_steps * math.log(b / max(t, t_s)) / log_span - 1e-9))
        if front_speed > 0 and diffusivity and t < front_until:
            m = max(m, math.ceil(steps_per_front * front_speed * (math.sqrt(min(b, front_until)) - math.sqrt(t))
                                 / math.sqrt(diffusivity)))
        dt = (b - t) / m
        if ladder:
            steps += _ladder_steps(t, float(b), dt, ladder, theta, out_index.get(float(b), -1))
            t = float(b)
            continue
        steps += [Step(t + j * dt, t + (j + 1) * dt, theta, dt=dt) for j in range(m - 1)]
        steps.append(Step(t + (m - 1) * dt, float(b), theta, out_index.get(float(b), -1), dt=dt))
        t = float(b)
    return steps


def ladder_step(dt, ratio):
    """The ladder step size q^k [s] (q = ``ratio``, k integer) at or just below ``dt`` [s]."""
    k = math.floor(math.log(dt) / math.log(ratio) + 1e-9)
    return ratio ** k


def _ladder_steps(a, b, dt, ratio, theta, output):
    """Steps over [a, b] of the ladder size at or below ``dt``, then a remainder ending on b."""
    q = ladder_step(dt, ratio)
    full = math.floor((b - a) / q * (1 + 1e-12))
    remainder = (b - a) - full * q
    if remainder <= 1e-9 * q:                # the last ladder step ends on b
        steps = [Step(a + j * q, a + (j + 1) * q, theta, dt=q) for j in range(full - 1)]
        return steps + [Step(a + (full - 1) * q, b, theta, output, dt=q)]
    steps = [Step(a + j * q, a + (j + 1) * q, theta, dt=q) for j in range(full)]
    t0 = a + full * q
    return steps + [Step(t0, b, theta, output, dt=b - t0)]


@dataclass
class StepState:
    """Everything needed to continue a run: time [s], density c [m^-3], the index of the next
    step, and the running integrals (a dict of floats, e.g. boundary flows, integral of N dt)."""

    t: float
    c: np.ndarray
    next_step: int = 0
    integrals: dict = field(default_factory=dict)


def _check_solution(x, residual_norm, rhs_norm, step, where):
    if not np.all(np.isfinite(x)):
        raise SolverError(f"{where}: non-finite density at step {step.t0:.6g} s -> {step.t1:.6g} s")
    if residual_norm > RESIDUAL_TOLERANCE * max(rhs_norm, np.finfo(float).tiny):
        raise SolverError(
            f"{where}: linear solve did not converge at step {step.t0:.6g} s -> {step.t1:.6g} s: "
            f"residual {residual_norm:.3e} > {RESIDUAL_TOLERANCE:.0e} x |rhs| ({rhs_norm:.3e})")


class FluxForm:
    """K c (and, for ``rhs``, K c + f with the source ``f`` [1/s]) evaluated as a sum of face
    fluxes, so that round-off scales with the fluxes and not with the (much larger) diagonal
    terms of a fine mesh.

    A finite-volume operator couples cells i < j through one face; the flow from i to j is
    F_ij = K_ji c_i - K_ij c_j = K_ij (c_i - c_j) + (K_ji - K_ij) c_i, and
    (K c)_i = sum_j F_ji - sum_j F_ij + d_i c_i with d_i = sum over column i of K: zero inside
    (interior faces only move electrons), non-zero where a boundary removes or adds them.
    Column sums below 1e-12 of the diagonal are FiPy's round-off and are set to zero.  With
    1e5 cells this keeps the conservation balance ~1e3 times closer than K @ c.
    """

    def __init__(self, K, f=None):
        K = sp.csr_matrix(K)
        upper = sp.triu(K, k=1).tocsr()
        lower_t = sp.tril(K, k=-1).T.tocsr()
        faces = (abs(upper) + abs(lower_t)).tocoo()            # a face wherever either is non-zero
        self.i, self.j = faces.row, faces.col
        self.w = np.asarray(upper[self.i, self.j]).ravel()      # K_ij, i < j
        self.net = np.asarray(lower_t[self.i, self.j]).ravel() - self.w   # K_ji - K_ij
        diag = K.diagonal()
        colsum = np.asarray(K.sum(axis=0)).ravel()
        self.d = np.where(np.abs(colsum) > 1e-12 * np.abs(diag), colsum, 0.0)
        self.n = K.shape[0]
        self._chain = bool(np.all(self.j == self.i + 1)) and len(self.i) == self.n - 1
        self.f = np.zeros(self.n) if f is None else np.asarray(f, dtype=float)
        support = np.flatnonzero((self.d != 0) | (self.f != 0))    # the ends: few cells
        self._sparse_source = (support.astype(np.int64), self.d[support], self.f[support])

    def rhs(self, c, volume, out=None):
        """(K c + f [1/s], max |K c + f|, max |c|, sum volume c) with the source f given at
        construction: what a step needs of c, in one compiled pass along a 1D chain;
        K c + f written into ``out`` if given."""
        if self._chain and self.n > 1 and tridiagonal.AVAILABLE:
            return tridiagonal.chain_rhs(c, self.w, self.net, *self._sparse_source, volume, out=out)
        out = np.add(self @ c, self.f, out=out)
        return out, float(np.max(np.abs(out))), float(np.max(np.abs(c))), dot(volume, c)

    def __matmul__(self, c):
        flow = self.w * (c[self.i] - c[self.j]) + self.net * c[self.i]
        out = self.d * c
        if self._chain:                       # 1D: face k joins cells k and k+1
            out[1:] += flow
            out[:-1] -= flow
        else:
            out += np.bincount(self.j, flow, minlength=self.n) - np.bincount(self.i, flow, minlength=self.n)
        return out


class StepMatrix:
    """A sparse step matrix M = V/dt - theta K (``matrix``, scipy CSC) and its residual
    r = M x - b, computed from M itself (never from its factors); ``tridiagonal.TridiagonalMatrix``
    is the same for 1D."""

    def __init__(self, M):
        self.matrix = sp.csc_matrix(M)

    def residual(self, x, b, out=None):
        """(r = M x - b, sum r, max |r|), r written into ``out`` if given."""
        r = np.subtract(self.matrix @ x, b, out=out)
        return r, float(r.sum()), float(np.max(np.abs(r)))


class CachedStepper:
    """Theta-scheme stepper that re-uses assembled operators and LU factorisations.

    ``operator(current) -> (K, f)`` assembles the spatial operator; ``volume`` is V [m^3].
    Column diagonally dominant tridiagonal systems (1D) use the compiled Thomas LU and flux
    kernels of ``solver.tridiagonal`` (when its C extension is built), others SuperLU.  Up to
    ``cache_size`` factorisations are kept (least recently used dropped): the step plan uses each step size
    over one contiguous interval, so a few suffice (two currents of a square wave included).
    """

    name = "cached"

    def __init__(self, operator, volume, cache_size=4):
        self._assemble = operator
        self.volume = np.asarray(volume, float)
        self._volume_max = float(np.max(self.volume))
        self._ops = {}
        self._flux = {}
        self._bands = {}
        self._scratch = None
        self._lu = OrderedDict()
        self.cache_size = cache_size
        self.factorisations = 0

    def operators(self, current):
        """(K, f) for ``current`` [A], assembled once."""
        key = float(current)
        if key not in self._ops:
            self._ops[key] = self._assemble(key)
        return self._ops[key]

    def _tridiagonal_bands(self, current):
        """K's bands at ``current`` [A] when K is tridiagonal and the compiled kernels are
        built, else None; found once, when a factorisation first needs them (the 2D/3D
        stepper never does)."""
        key = float(current)
        if key not in self._bands:
            K = self.operators(key)[0]
            use = tridiagonal.AVAILABLE and tridiagonal.is_tridiagonal(K)
            self._bands[key] = tridiagonal.TridiagonalMatrix.from_sparse(K) if use else None
        return self._bands[key]

    def flux_form(self, current):
        """``FluxForm`` of K c + f at ``current`` [A], built once (on first use)."""
        key = float(current)
        if key not in self._flux:
            self._flux[key] = FluxForm(*self.operators(key))
        return self._flux[key]

    def _cached(self, key, build):
        """The factorisation cached under ``key``, built by ``build()`` on a miss (LRU)."""
        if key in self._lu:
            self._lu.move_to_end(key)
            return self._lu[key]
        if len(self._lu) >= self.cache_size:      # drop the least recently used first
            self._evicted(self._lu.popitem(last=False)[1])
        value = self._lu[key] = build()
        self.factorisations += 1
        return value

    def _evicted(self, value):
        """Called with a factorisation dropped from the cache (nothing to do here)."""

    def _factor(self, current, dt, theta):
        def build():
            bands = self._tridiagonal_bands(current)
            if bands is not None:
                M = bands.shifted(self.volume / dt, -theta)
                if M.column_dominant():
                    return M, tridiagonal.ThomasLU(M)
            K, _ = self.operators(current)
            M = (sp.diags(self.volume / dt) - theta * K).tocsc()
            return StepMatrix(M), splu(M, permc_spec="COLAMD")

        return self._cached((float(current), float(dt), float(theta)), build)

    def advance(self, c, step, current):
        """Density after ``step`` [m^-3] from ``c`` with the current ``current`` [A].

        Solved in increment form, (V/dt - theta K) (c' - c) = K c + f, so that round-off
        scales with the change of the step rather than with the density itself (this keeps
        the conservation balance at round-off over thousands of large late-time steps).
        """
        dt = step.dt
        M, lu = self._factor(current, dt, step.theta)
        if self._scratch is None or len(self._scratch[0]) != len(c):
            self._scratch = (np.empty(len(c)), np.empty(len(c)))     # rhs, residual: internal only
        rhs, rhs_max, c_max, content = self.flux_form(current).rhs(c, self.volume, out=self._scratch[0])
        delta = lu.solve(rhs)
        residual, created, worst = M.residual(delta, rhs, out=self._scratch[1])
        # dt * sum(residual) is exactly the number of electrons this solve created or lost:
        # refine (once) when it exceeds 1e-15 of the content, so that conservation holds to
        # round-off over many thousands of steps.
        if dt * abs(created) > 1e-15 * abs(content):
            delta -= lu.solve(residual)
            residual, created, worst = M.residual(delta, rhs, out=self._scratch[1])
        scale = max(rhs_max, c_max * self._volume_max / dt * np.finfo(float).eps)
        delta += c
        _check_solution(delta, worst, scale, step, "cached stepper")
        return delta


class FiPyStepper:
    """Plain FiPy loop: builds ``TransientTerm(V) == K c + f`` terms and calls ``eq.solve`` every
    step (implicit Euler only).  ``equation(current)`` returns (eq, var) for FiPy; the matrix
    and RHS of every solve are cached to check the residual independently of FiPy's solver,
    which with its default settings can return an unchanged solution without warning."""

    name = "fipy"

    def __init__(self, equation, solver=None):
        from fipy.solvers.scipy import LinearLUSolver

        self._equation = equation
        self._cache = {}
        # FiPy's default LU solver stops at 1e-5 of |rhs| (and may not move at all): ask for
        # round-off, and check the residual ourselves anyway.
        self.solver = solver if solver is not None else LinearLUSolver(tolerance=1e-14, criterion="RHS", iterations=10)

    def advance(self, c, step, current):
        if step.theta != 1.0:
            raise SolverError("the FiPy cross-check stepper supports implicit Euler only")
        key = float(current)
        if key not in self._cache:
            self._cache[key] = self._equation(key)
        eq, var = self._cache[key]
        var.setValue(c)
        var.updateOld()
        eq.cacheMatrix()
        eq.cacheRHSvector()
        eq.solve(var=var, dt=step.dt, solver=self.solver)
        x = np.array(var.value, dtype=float)
        M = eq.matrix.matrix
        b = np.asarray(eq.RHSvector, dtype=float)
        _check_solution(x, np.max(np.abs(M @ x - b)), np.max(np.abs(b)), step, "FiPy stepper")
        return x


def dot(a, b):
    """sum a_i b_i without BLAS: OpenBLAS's threaded ddot is ~100x slower than this on a
    loaded 2-core box (threads spin against each other); compiled where the extension is
    (0.03 ms at 1e5 values, numpy's einsum 0.05 ms)."""
    if tridiagonal.AVAILABLE:
        return tridiagonal.dot(a, b)
    return float(np.einsum("i,i->", a, b))


class LadderStepper(CachedStepper):
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
        if cache_size is None:
            cache_size = self.default_cache_size(len(volume), backend)
        super().__init__(operator, volume, cache_size=cache_size)
        if backend not in ("splu", "pardiso", "amg"):
            raise ValueError(f"backend must be splu, pardiso or amg; got {backend!r}")
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
    def direct(self) -> bool:
        """Whether the cached preconditioners are exact LU factorisations (not AMG)."""
        return self.backend != "amg"

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
        if self.backend == "amg":
            import pyamg

            ml = pyamg.ruge_stuben_solver(M, presmoother=AMG_SMOOTHER[0], postsmoother=AMG_SMOOTHER[1])
            return ml.aspreconditioner(cycle="V"), None
        if self.backend == "pardiso" and self._spare is not None:
            factor, self._spare = self._spare.refactor(M), None
        else:
            from .direct import factorise

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

        return self._cached((float(current), int(k), float(theta)), build)

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
        _check_solution(x, worst, scale, step, self.name)
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
