"""Solver failures are loud (issue 6, item 2): a linear solve that did not converge, a NaN or
infinite density, a broken conservation balance or a corrupted factorisation stops the run with
a SolverError naming the step and time; none is returned as a result.

(a) is the FiPy default-solver freeze of issue 3: with FiPy's default LinearLUSolver
(tolerance 1e-5, criterion 'RHS') on a 1D mesh of 1e5 cells, FiPy's own eq.solve loop stops
updating the solution after a few small steps and says nothing.
"""

from __future__ import annotations

import re

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import splu
import pytest

from conftest import make_case, merged
from vip_transport.solver.physics.derived import derive
from vip_transport.solver.errors import SolverError
from vip_transport.solver.fv.line_model import LineModel
from vip_transport.solver.fv.line_model import build_line_model
from vip_transport.solver.run import run_case
from vip_transport.solver.timestepping.cached import CachedStepper
from vip_transport.solver.timestepping.fipy_loop import FiPyStepper
from vip_transport.solver.timestepping.plan import Step
from vip_transport.solver.timestepping import registry

CURRENT = 100.0   # A, the VIP-2 preset
CONSERVATION_TOLERANCE = 1e-10   # the README's bound on the balance of every step


def fv_case(**fv):
    """VIP-2, finite volumes, a short run on a small mesh (fast), ``fv`` settings overridden."""
    return make_case("vip2", method="fv", time={"duration": "10 s", "outputs": 4, "first_output": "1 s"},
                     fv={"cells_per_target": 50, "time_steps": 60, "steps_per_front": 0, **fv})


@pytest.fixture(scope="module")
def baseline():
    """The unbroken run: the control for (b)-(d), which break one thing each."""
    return run_case(fv_case())


def test_unbroken_run_passes_every_check(baseline):
    assert np.all(np.isfinite(baseline.electrons_in_target))
    assert baseline.electrons_in_target[-1] > 0
    assert baseline.numerics["conservation"]["worst_relative_balance"] <= CONSERVATION_TOLERANCE


# ----------------------------------------------------------------------------- (a) the freeze

def fipy_default_solver():
    """FiPy's default solver here: LinearLUSolver, tolerance 1e-5, criterion 'default' (= RHS)."""
    import fipy

    s = fipy.DefaultSolver()
    assert type(s).__name__ == "LinearLUSolver" and s.tolerance == 1e-5
    assert s.criterion in ("default", "RHS")
    return s


@pytest.fixture(scope="module")
def fine_line():
    """A 1D line of ~1e5 cells (VIP-2, 88,000 cells along the target) and its initial density."""
    case = make_case("vip2", method="fv", time={"duration": "10 s", "outputs": 2, "first_output": "5 s"},
                     fv={"stepper": "fipy", "scheme": "implicit-euler", "cells_per_target": 88_000,
                         "time_steps": 10, "steps_per_front": 0})
    model, c0 = build_line_model(case, derive(case))
    assert model.number_of_cells >= 100_000
    dt = case.fv.first_step                     # 1e-6 s, the start of a log-spaced run
    steps = [Step(k * dt, (k + 1) * dt, 1.0, dt=dt) for k in range(4)]
    return case, model, c0, steps


def test_fipy_default_solver_freezes_silently(fine_line):
    """The control: FiPy's plain eq.solve loop returns without an error or warning, and from
    some step on the solution no longer changes (the answer is frozen)."""
    import warnings

    _, model, c0, steps = fine_line
    eq, var = model.fipy_equation(CURRENT)
    var.setValue(c0)
    history = [c0.copy()]
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # FiPy does not even warn
        for step in steps:
            var.updateOld()
            eq.solve(var=var, dt=step.dt)       # FiPy's default solver
            history.append(np.array(var.value, dtype=float))
    moved = [not np.array_equal(a, b) for a, b in zip(history, history[1:])]
    assert moved[0] and not all(moved)
    frozen = moved.index(False)
    assert not any(moved[frozen:])              # frozen for good
    # ...and frozen is wrong: the converged solution after the same steps differs by percents
    # of the reservoir density n where the front moves (here ~9 % after 4 steps).
    exact = c0.copy()
    cached = CachedStepper(model.operator, model.volume)
    for step in steps:
        exact = cached.advance(exact, step, CURRENT)
    assert np.max(np.abs(history[-1] - exact)) > 0.05 * model.electron_density


def test_fipy_stepper_detects_the_freeze(fine_line):
    """FiPyStepper with FiPy's default solver raises SolverError at the first frozen step,
    naming the step's times; it never returns the frozen density."""
    _, model, c0, steps = fine_line
    stepper = FiPyStepper(model.fipy_equation, solver=fipy_default_solver())
    c, done = c0, []
    with pytest.raises(SolverError) as info:
        for step in steps:
            c = stepper.advance(c, step, CURRENT)
            done.append(step)
    message = str(info.value)
    failed = steps[len(done)]
    assert 0 < len(done) < len(steps)
    assert f"at step {failed.t0:.6g} s -> {failed.t1:.6g} s" in message
    assert "did not converge" in message and "residual" in message


def test_fipy_stepper_with_its_own_solver_does_not_freeze(fine_line):
    """With the package's settings the same steps go through and agree with the cached LU."""
    _, model, c0, steps = fine_line
    stepper = FiPyStepper(model.fipy_equation)
    cached = CachedStepper(model.operator, model.volume)
    c, exact = c0, c0
    for step in steps[:3]:
        c = stepper.advance(c, step, CURRENT)
        exact = cached.advance(exact, step, CURRENT)
    np.testing.assert_allclose(c, exact, rtol=1e-9, atol=1e-9 * c0.max())


def test_run_with_the_default_fipy_solver_fails_loudly(fine_line, monkeypatch):
    """The whole run path (run_case) with FiPy's default solver stops with a SolverError that
    names the frozen step, instead of returning a result."""
    case, _, _, _ = fine_line
    monkeypatch.setitem(registry.STEPPERS, case.fv.stepper, lambda model: FiPyStepper(
        model.fipy_equation, solver=fipy_default_solver()))
    with pytest.raises(SolverError) as info:
        run_case(case)
    found = re.search(r"did not converge at step (\S+) s -> (\S+) s", str(info.value))
    assert found, str(info.value)
    t0, t1 = map(float, found.groups())
    assert t0 > 0 and t1 - t0 == pytest.approx(case.fv.first_step, rel=1e-5)   # a start-up step


# ----------------------------------------------------------------------------- (b) NaN / Inf

@pytest.mark.parametrize("poison", [np.nan, np.inf, -np.inf])
def test_poisoned_operator_stops_the_run_at_that_step(poison, monkeypatch):
    """The operator for the second current (switched at t = 5 s) carries a NaN/Inf source: the
    run stops at the first step after 5 s and says so."""
    original = LineModel.operator

    def poisoned(self, current):
        K, f = original(self, current)
        if current == 50.0:
            f = f.copy()
            f[len(f) // 2] = poison
        return K, f

    monkeypatch.setattr(LineModel, "operator", poisoned)
    case = make_case("vip2", **merged(fv_case().to_resolved_dict(), {"transport": {
        "current": {"schedule": "table", "times": ["0 s", "5 s"], "values": ["100 A", "50 A"]}}}))
    with pytest.raises(SolverError) as info:
        run_case(case)
    message = str(info.value)
    assert "non-finite density at step 5 s ->" in message, message


# ----------------------------------------------------------------------------- (c) conservation

@pytest.mark.parametrize("which,factor", [(0, 1 + 1e-6), (0, 1 - 1e-6)])
def test_perturbed_boundary_rates_break_conservation(which, factor, monkeypatch, baseline):
    """Inflow through the reservoir end misreported by a relative 1e-6: the balance (content -
    initial - inflow + outflow) leaves 1e-10 and the run stops."""
    original = LineModel.boundary_rates

    def perturbed(self, c, current):
        rates = list(original(self, c, current))
        rates[which] *= factor
        return tuple(rates)

    monkeypatch.setattr(LineModel, "boundary_rates", perturbed)
    with pytest.raises(SolverError, match=r"conservation lost at step \d+ \(t = \S+ s\)") as info:
        run_case(fv_case())
    assert "balance" in str(info.value)


# ----------------------------------------------------------------------------- (d) corrupted LU

class _CorruptLU:
    """A factorisation whose solutions are wrong: scaled by 1 + ``error``, or with the largest
    entry off by a relative ``entry_error``."""

    def __init__(self, lu, error=0.0, entry_error=0.0):
        self._lu, self._error, self._entry_error = lu, error, entry_error

    def solve(self, rhs):
        x = self._lu.solve(rhs) * (1.0 + self._error)
        if self._entry_error:
            k = int(np.argmax(np.abs(x)))
            x[k] *= 1.0 + self._entry_error
        return x


@pytest.mark.parametrize("corruption", ["scaled-solution", "perturbed-matrix", "one-entry",
                                        "stale-step-size"])
def test_corrupted_factorisation_is_caught_by_the_residual_check(corruption, monkeypatch):
    """The cached stepper's factorisation (whatever solver it uses) is corrupted after it is
    made; the residual check of the very first solve stops the run.  The corruptions are 1e-3
    and more, large enough that one step of iterative refinement cannot repair them (a 1e-6
    error would be refined away to round-off, correctly)."""
    original = CachedStepper._factor

    def corrupt_factor(self, current, dt, theta):
        M, lu = original(self, current, dt, theta)
        if corruption == "scaled-solution":
            return M, _CorruptLU(lu, error=1e-3)
        if corruption == "one-entry":
            return M, _CorruptLU(lu, entry_error=1e-2)
        if corruption == "perturbed-matrix":                  # LU of a matrix 1e-3 off
            return M, splu((M.matrix * (1.0 + 1e-3)).tocsc())
        K, _ = self.operators(current)                        # LU of another step size
        return M, splu((sp.diags(self.volume / (2 * dt)) - theta * K).tocsc())

    monkeypatch.setattr(CachedStepper, "_factor", corrupt_factor)
    with pytest.raises(SolverError, match=r"linear solve did not converge at step \S+ s -> \S+ s"):
        run_case(fv_case())


def test_a_non_finite_operator_is_refused_at_assembly():
    """A NaN coefficient reaching FiPy (here the diffusivity) stops the run when the operator is
    assembled, before any step: the 0/0 Peclet numbers of wall faces are silenced there, a
    non-finite matrix entry is not."""
    import dataclasses

    case = fv_case()
    model, _ = build_line_model(case, derive(case))
    broken = dataclasses.replace(model, diffusivity=float("nan"))
    with pytest.raises(SolverError, match="non-finite operator"):
        broken.operator(100.0)
