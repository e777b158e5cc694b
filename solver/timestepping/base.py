"""What a time stepper provides, the state a run can be continued from, and the acceptance
test every linear solve must pass.

A stepper advances V dc/dt = K(I) c + f(I) by one step of the theta scheme

    (V/dt - theta K) c^{k+1} = (V/dt + (1 - theta) K) c^k + f

(theta = 1/2 Crank-Nicolson, second order; theta = 1 implicit Euler, first order).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np

from ..errors import SolverError
from .plan import Step

__all__ = ["Stepper", "StepState", "RESIDUAL_TOLERANCE", "check_solution"]

RESIDUAL_TOLERANCE = 1e-9   # max |M x - b| / max|b| accepted from any linear solve


@runtime_checkable
class Stepper(Protocol):
    """The contract between the driver and a stepper.

    ``name`` for summary.json; ``factorisations`` the number of matrix factorisations made
    (None if the stepper does not factorise); ``stats`` a dict of counters for summary.json.
    """

    name: str
    factorisations: int | None
    stats: dict

    def advance(self, c: np.ndarray, step: Step, current: float) -> np.ndarray:
        """The density [m^-3] after ``step`` from ``c`` with the current ``current`` [A]."""


@dataclass
class StepState:
    """Everything needed to continue a run: time [s], density c [m^-3], the index of the next
    step, the running integrals (a dict of floats, e.g. boundary flows, integral of N dt), and
    the performance counters of the run so far (factorisations; summed over resumed parts)."""

    t: float
    c: np.ndarray
    next_step: int = 0
    integrals: dict = field(default_factory=dict)
    counters: dict = field(default_factory=dict)


def check_solution(x, residual_norm, rhs_norm, step, where):
    """Raise SolverError unless ``x`` is finite and its residual at most RESIDUAL_TOLERANCE of
    ``rhs_norm`` (both max norms)."""
    if not np.all(np.isfinite(x)):
        raise SolverError(f"{where}: non-finite density at step {step.t0:.6g} s -> {step.t1:.6g} s")
    if residual_norm > RESIDUAL_TOLERANCE * max(rhs_norm, np.finfo(float).tiny):
        raise SolverError(
            f"{where}: linear solve did not converge at step {step.t0:.6g} s -> {step.t1:.6g} s: "
            f"residual {residual_norm:.3e} > {RESIDUAL_TOLERANCE:.0e} x |rhs| ({rhs_norm:.3e})")
