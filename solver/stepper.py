"""Time stepping of  V dc/dt = K(I) c + f(I)  with the theta scheme.

    (V/dt - theta K) c^{k+1} = (V/dt + (1 - theta) K) c^k + f

theta = 1/2 is Crank-Nicolson (second order), theta = 1 implicit Euler (first order).  After
the switch-on at t = 0 a few implicit-Euler steps damp the discontinuity of the initial
reservoir step (Rannacher start-up) before Crank-Nicolson takes over.

``CachedStepper`` assembles K, f once per distinct current (with FiPy, ``LineModel.operator``)
and factorises the step matrix once per distinct (current, dt, theta) (SuperLU, re-used across
steps).  ``FiPyStepper`` is the plain ``eq.solve`` loop, kept as a cross-check.  Both check the
residual of every linear solve and raise ``SolverError`` rather than return a wrong answer.

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

__all__ = ["THETA", "Step", "plan_steps", "StepState", "CachedStepper", "FiPyStepper",
           "RESIDUAL_TOLERANCE"]

THETA = {"crank-nicolson": 0.5, "implicit-euler": 1.0}
RESIDUAL_TOLERANCE = 1e-9   # max |M x - b| / max|b| accepted from any linear solve


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
               steps_per_front=40, front_until=math.inf, spacing="log"):
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
        steps += [Step(t + j * dt, t + (j + 1) * dt, theta, dt=dt) for j in range(m - 1)]
        steps.append(Step(t + (m - 1) * dt, float(b), theta, out_index.get(float(b), -1), dt=dt))
        t = float(b)
    return steps


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


class _TridiagonalLU:
    """LAPACK gttrf/gttrs factorisation of a tridiagonal matrix (the 1D operator): the
    banded solve re-used across steps, cheaper than SuperLU's general sparse triangular solves."""

    def __init__(self, M):
        from scipy.linalg import lapack

        dia = M.todia()
        diag = {int(o): row for o, row in zip(dia.offsets, dia.data)}
        n = M.shape[0]
        zero = np.zeros(n)
        lower = diag.get(-1, zero)[:n - 1]
        main = diag.get(0, zero)
        upper = diag.get(1, zero)[1:]
        self._factors = lapack.dgttrf(lower, main, upper)
        if self._factors[-1] != 0:
            raise SolverError(f"tridiagonal factorisation failed (LAPACK info {self._factors[-1]})")
        self._gttrs = lapack.dgttrs

    def solve(self, b):
        dl, d, du, du2, ipiv, _ = self._factors
        x, info = self._gttrs(dl, d, du, du2, ipiv, b)
        if info != 0:
            raise SolverError(f"tridiagonal solve failed (LAPACK info {info})")
        return x


class CachedStepper:
    """Theta-scheme stepper that re-uses assembled operators and LU factorisations.

    ``operator(current) -> (K, f)`` assembles the spatial operator; ``volume`` is V [m^3].
    Tridiagonal systems (1D) use LAPACK's banded LU, others SuperLU.  Up to ``cache_size``
    factorisations are kept (least recently used dropped): the step plan uses each step size
    over one contiguous interval, so a few suffice (two currents of a square wave included).
    """

    name = "cached"

    def __init__(self, operator, volume, cache_size=8):
        self._assemble = operator
        self.volume = np.asarray(volume, float)
        self._ops = {}
        self._lu = OrderedDict()
        self.cache_size = cache_size
        self.factorisations = 0

    def operators(self, current):
        """(K, f) for ``current`` [A], assembled once."""
        key = float(current)
        if key not in self._ops:
            self._ops[key] = self._assemble(key)
        return self._ops[key]

    def _factor(self, current, dt, theta):
        key = (float(current), float(dt), float(theta))
        if key in self._lu:
            self._lu.move_to_end(key)
            return self._lu[key]
        K, _ = self.operators(current)
        M = (sp.diags(self.volume / dt) - theta * K).tocsc()
        lu = _TridiagonalLU(M) if _is_banded(M) else splu(M, permc_spec="COLAMD")
        self.factorisations += 1
        self._lu[key] = (M, lu)
        if len(self._lu) > self.cache_size:
            self._lu.popitem(last=False)
        return M, lu

    def advance(self, c, step, current):
        """Density after ``step`` [m^-3] from ``c`` with the current ``current`` [A].

        Solved in increment form, (V/dt - theta K) (c' - c) = K c + f, so that round-off
        scales with the change of the step rather than with the density itself (this keeps
        the conservation balance at round-off over thousands of large late-time steps).
        """
        dt = step.dt
        K, f = self.operators(current)
        M, lu = self._factor(current, dt, step.theta)
        rhs = K @ c
        rhs += f
        delta = lu.solve(rhs)
        residual = M @ delta
        residual -= rhs
        scale = max(np.max(np.abs(rhs)), np.max(np.abs(c)) * np.max(self.volume) / dt * np.finfo(float).eps)
        delta += c
        _check_solution(delta, np.max(np.abs(residual)), scale, step, "cached stepper")
        return delta


def _is_banded(M, width=1):
    coo = M.tocoo()
    return coo.nnz == 0 or int(np.max(np.abs(coo.row - coo.col))) <= width


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
