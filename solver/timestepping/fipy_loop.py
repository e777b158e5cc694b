"""The plain FiPy loop (``eq.solve`` every step), kept as an independent cross-check of the
cached and ladder steppers."""

from __future__ import annotations

import numpy as np

from ..errors import SolverError
from .base import check_solution

__all__ = ["FiPyStepper"]


class FiPyStepper:
    """Plain FiPy loop: builds ``TransientTerm(V) == K c + f`` terms and calls ``eq.solve`` every
    step (implicit Euler only).  ``equation(current)`` returns (eq, var) for FiPy; the matrix
    and RHS of every solve are cached to check the residual independently of FiPy's solver,
    which with its default settings can return an unchanged solution without warning."""

    name = "fipy"
    factorisations = None

    def __init__(self, equation, solver=None):
        from fipy.solvers.scipy import LinearLUSolver

        self._equation = equation
        self._cache = {}
        self.stats = {}
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
        check_solution(x, np.max(np.abs(M @ x - b)), np.max(np.abs(b)), step, "FiPy stepper")
        return x
