"""solver.timestepping: every stepper against a dense solve of the same theta step and against the
exact solution of the ODE; the caches, the registry and the acceptance test of a solve.

The system is a chain of cells written out here, V dc/dt = K c + f: diffusion conductance g
between neighbours, a drift flow q (upwind), density n_in held at the upstream end (inflow
q n_in + g (n_in - c_0)) and advective outflow q c_last.  Its exact solution is
c(t) = c_inf + expm(V^-1 K t)(c_0 - c_inf) with c_inf = -K^-1 f (scipy.linalg.expm).

- one step of each stepper equals numpy's dense solve of (V/dt - theta K) c' = (V/dt + (1 -
  theta) K) c + f: 1e-12 of max c for the direct solves, 1e-10 for GMRES remainder steps and AMG;
- the observed order against expm: Crank-Nicolson >= 1.9, implicit Euler >= 0.95;
- the 2D/3D stepper's conservative finish closes sum V (c' - c)/dt = theta R(c') + (1 -
  theta) R(c) to round-off, and refuses boundary rates that disagree with K.
"""

import math

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.linalg import expm

from conftest import make_case
from vip_transport.solver.errors import SolverError
from vip_transport.solver.fv.line_model import build_line_model
from vip_transport.solver.linalg.direct import pardiso_available
from vip_transport.solver.physics.derived import derive
from vip_transport.solver.timestepping.base import Stepper, check_solution
from vip_transport.solver.timestepping.cached import CachedStepper
from vip_transport.solver.timestepping.caches import FactorisationCache, OperatorCache
from vip_transport.solver.timestepping.fipy_loop import FiPyStepper
from vip_transport.solver.timestepping.ladder import LadderStepper
from vip_transport.solver.timestepping.plan import Step
from vip_transport.solver.timestepping.registry import make_stepper

CELLS, N_IN = 30, 1.0
RNG = np.random.default_rng(11)
VOLUME = RNG.uniform(0.5, 2.0, CELLS)
CONDUCTANCE = RNG.uniform(0.5, 1.5, CELLS)     # g between cell i-1 and i (index 0: the upstream end)


def chain(current):
    """(K, f) of the chain with drift flow q = 0.7 ``current`` (upwind) as scipy CSR."""
    q, g = 0.7 * current, CONDUCTANCE
    K = np.zeros((CELLS, CELLS))
    for i in range(1, CELLS):                   # face between i-1 and i: flux g (c_{i-1} - c_i) + q c_{i-1}
        K[i, i - 1] += g[i] + q
        K[i - 1, i - 1] -= g[i] + q
        K[i - 1, i] += g[i]
        K[i, i] -= g[i]
    K[0, 0] -= g[0]                             # upstream end: g (n_in - c_0) + q n_in
    K[-1, -1] -= q                              # downstream end: q c_last leaves
    f = np.zeros(CELLS)
    f[0] = (g[0] + q) * N_IN
    return sp.csr_matrix(K), f


def chain_rates(c, current):
    """(inflow, outflow) through the two ends from the face formulas (not from K)."""
    q = 0.7 * current
    return q * N_IN + CONDUCTANCE[0] * (N_IN - c[0]), q * c[-1]


def dense_step(c, dt, theta, current, operator=chain, volume=VOLUME):
    K, f = operator(current)
    K = K.toarray()
    V = np.diag(volume / dt)
    return np.linalg.solve(V - theta * K, (V + (1 - theta) * K) @ c + f)


def exact(c0, t, current):
    K, f = chain(current)
    K = K.toarray()
    c_inf = -np.linalg.solve(K, f)
    return c_inf + expm(K / VOLUME[:, None] * t) @ (c0 - c_inf)


C0 = np.where(np.arange(CELLS) < 5, N_IN, 0.0)
STEPPERS = {
    "cached (Thomas)": lambda: CachedStepper(chain, VOLUME),
    "ladder splu": lambda: LadderStepper(chain, VOLUME, backend="splu", rates=chain_rates),
    "ladder pardiso": lambda: LadderStepper(chain, VOLUME, backend="pardiso", rates=chain_rates),
    "ladder amg": lambda: LadderStepper(chain, VOLUME, backend="amg", rates=chain_rates),
}


def make(name):
    if "pardiso" in name and not pardiso_available():
        pytest.skip("MKL PARDISO (pypardiso) is not available here")
    return STEPPERS[name]()


# ----------------------------------------------------------------------------- one step, many steps


@pytest.mark.parametrize("name", STEPPERS)
@pytest.mark.parametrize("theta", [0.5, 1.0])
def test_a_step_is_the_dense_solve_of_the_theta_scheme(name, theta):
    """Ladder sizes (0.5 s = sqrt(2)^-2, solved directly) and a step between them (0.3 s: GMRES
    preconditioned by the nearest ladder size, as every AMG step)."""
    stepper = make(name)
    assert isinstance(stepper, Stepper)
    c, ref = C0.copy(), C0.copy()
    for k, dt in enumerate([0.5, 0.5, 0.3, 0.5]):
        step = Step(k * 1.0, k * 1.0 + dt, theta, dt=dt)
        c = stepper.advance(c, step, 2.0)
        ref = dense_step(ref, dt, theta, 2.0)
        direct = (dt == 0.5 or name.startswith("cached")) and "amg" not in name
        assert np.max(np.abs(c - ref)) <= (1e-12 if direct else 1e-10) * np.max(ref), (name, k)


@pytest.mark.parametrize("name", STEPPERS)
@pytest.mark.parametrize("theta, order", [(0.5, 1.9), (1.0, 0.95)])
def test_observed_order_against_the_exact_solution(name, theta, order):
    """Errors at t = 2 s for dt = 1/4 ... 1/32 s (ladder sizes), fitted as C dt^p."""
    stepper = make(name)
    T, errors, dts = 2.0, [], [2.0**-k for k in range(2, 6)]
    ref = exact(C0, T, 1.0)
    for dt in dts:
        c = C0.copy()
        for k in range(round(T / dt)):
            c = stepper.advance(c, Step(k * dt, (k + 1) * dt, theta, dt=dt), 1.0)
        errors.append(np.max(np.abs(c - ref)))
    p = np.polyfit(np.log(dts), np.log(errors), 1)[0]
    assert p >= order, (p, errors)


def test_the_fipy_loop_is_the_dense_implicit_euler_step_of_the_models_operator():
    """FiPy's eq.solve on the 1D model's own equation against numpy's solve with the operator
    K, f that the model assembles for the factorising steppers (two currents)."""
    case = make_case("vip2", method="fv", fv={"cells_per_target": 20})
    model, c0 = build_line_model(case, derive(case))
    stepper = FiPyStepper(model.fipy_equation)
    assert isinstance(stepper, Stepper) and stepper.factorisations is None
    c, ref = c0.copy(), c0.copy()
    for k, current in enumerate([100.0, 40.0, 100.0]):
        step = Step(0.1 * k, 0.1 * (k + 1), 1.0, dt=0.1)
        c = stepper.advance(c, step, current)
        ref = dense_step(ref, 0.1, 1.0, current, operator=model.operator, volume=model.volume)
        assert np.max(np.abs(c - ref)) <= 1e-11 * model.electron_density, k
    with pytest.raises(SolverError, match="implicit Euler only"):
        stepper.advance(c, Step(0.3, 0.4, 0.5, dt=0.1), 100.0)


# ----------------------------------------------------------------------------- conservation (2D/3D stepper)


@pytest.mark.parametrize("backend", ["splu", "amg"])
def test_the_ladder_steppers_steps_conserve_electrons_with_the_boundary_rates(backend):
    stepper = LadderStepper(chain, VOLUME, backend=backend, rates=chain_rates)
    c = C0.copy()
    t = 0.0
    for dt, theta in [(0.25, 1.0), (0.25, 1.0), (0.7, 0.5), (1.0, 0.5), (0.37, 0.5)]:
        new = stepper.advance(c, Step(t, t + dt, theta, dt=dt), 3.0)
        made = float(np.sum(VOLUME * (new - c))) / dt
        inflow_old, outflow_old = chain_rates(c, 3.0)
        inflow_new, outflow_new = chain_rates(new, 3.0)
        booked = theta * (inflow_new - outflow_new) + (1 - theta) * (inflow_old - outflow_old)
        flows = abs(inflow_old) + abs(outflow_old) + float(np.sum(np.abs(VOLUME * (new - c)))) / dt
        assert abs(made - booked) <= 1e-13 * flows, (dt, made, booked)
        c, t = new, t + dt
    assert stepper.stats["worst_balance_mismatch"] < 1e-9


def test_boundary_rates_that_disagree_with_the_operator_are_refused():
    """Inflow reported 1 % high: not round-off, so the step stops and says so."""
    def wrong(c, current):
        inflow, outflow = chain_rates(c, current)
        return 1.01 * inflow, outflow

    stepper = LadderStepper(chain, VOLUME, backend="splu", rates=wrong)
    with pytest.raises(SolverError, match="disagree"):
        stepper.advance(C0.copy(), Step(0.0, 0.5, 1.0, dt=0.5), 1.0)


# ----------------------------------------------------------------------------- caches


def test_operators_are_assembled_once_per_current():
    calls = []
    cache = OperatorCache(lambda current: calls.append(current) or chain(current))
    for current in (1.0, 2.0, 1.0, 1, 2.0):
        K, f = cache(current)
        assert abs(K - chain(current)[0]).max() == 0
    assert calls == [1.0, 2.0]
    built = []
    assert cache.derived("bands", 1.0, lambda: built.append(1) or "b") == "b"
    assert cache.derived("bands", 1.0, lambda: built.append(1) or "other") == "b" and built == [1]


def test_the_factorisation_cache_drops_the_least_recently_used():
    dropped = []
    cache = FactorisationCache(2, on_evict=dropped.append)
    for key in "ABACADB":
        cache.get(key, lambda key=key: f"LU of {key}")
    # A B (A hit) C: drops B; A hit; D: drops C; B: drops A
    assert cache.built == 5 and dropped == ["LU of B", "LU of C", "LU of A"]


def test_the_cached_stepper_factorises_once_per_current_step_size_and_theta():
    stepper = CachedStepper(chain, VOLUME)
    c, t = C0.copy(), 0.0
    for current, dt, theta in [(1.0, 0.5, 1.0)] * 3 + [(1.0, 0.5, 0.5)] * 3 + [(2.0, 0.5, 0.5), (1.0, 0.5, 0.5)]:
        c = stepper.advance(c, Step(t, t + dt, theta, dt=dt), current)
        t += dt
    assert stepper.factorisations == 3


# ----------------------------------------------------------------------------- registry and acceptance


class StubModel:
    """The parts of a transport model the registry reads."""

    def __init__(self, linear_solver):
        self.linear_solver = linear_solver
        self.volume = VOLUME
        self.preconditioner_ladder = math.sqrt(2.0)

    operator = staticmethod(chain)
    boundary_rates = staticmethod(chain_rates)

    def fipy_equation(self, current):
        raise AssertionError("not called by make_stepper")


@pytest.mark.parametrize("backend, kind, name", [
    ("tridiagonal", CachedStepper, "cached"), ("splu", LadderStepper, "ladder-splu"),
    ("pardiso", LadderStepper, "ladder-pardiso"), ("amg", LadderStepper, "ladder-amg")])
def test_the_registry_gives_the_backends_stepper(backend, kind, name):
    stepper = make_stepper("cached", StubModel(backend))
    assert type(stepper) is kind and stepper.name == name and isinstance(stepper, Stepper)
    fipy = make_stepper("fipy", StubModel(backend))
    assert type(fipy) is FiPyStepper and fipy.name == "fipy"


def test_a_solve_is_accepted_only_finite_and_to_1e_9_of_the_right_hand_side():
    step = Step(1.0, 1.5, 0.5)
    check_solution(np.ones(3), 0.9e-9, 1.0, step, "test")
    with pytest.raises(SolverError, match=r"test: linear solve did not converge at step 1 s -> 1.5 s"):
        check_solution(np.ones(3), 1.1e-9, 1.0, step, "test")
    with pytest.raises(SolverError, match=r"test: non-finite density at step 1 s -> 1.5 s"):
        check_solution(np.array([1.0, np.nan]), 0.0, 1.0, step, "test")
