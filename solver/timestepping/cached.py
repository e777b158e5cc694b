"""The 1D stepper: the theta scheme with operators and factorisations re-used.

K, f are assembled once per distinct current (with FiPy, ``LineModel.operator``) and the step
matrix V/dt - theta K is factorised once per distinct (current, dt, theta): by the compiled
Thomas LU of ``solver.linalg.tridiagonal`` when it is tridiagonal and column diagonally
dominant, by SuperLU otherwise.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import splu

from ..linalg import tridiagonal
from .base import check_solution
from .caches import FactorisationCache, OperatorCache
from .flux import FluxForm, StepMatrix

__all__ = ["CachedStepper"]


class CachedStepper:
    """Theta-scheme stepper that re-uses assembled operators and LU factorisations.

    ``operator(current) -> (K, f)`` assembles the spatial operator; ``volume`` is V [m^3].
    Column diagonally dominant tridiagonal systems (1D) use the compiled Thomas LU and flux
    kernels of ``solver.linalg.tridiagonal`` (when its C extension is built), others SuperLU.
    Up to ``cache_size`` factorisations are kept (least recently used dropped): the step plan
    uses each step size over one contiguous interval, so a few suffice (two currents of a
    square wave included).
    """

    name = "cached"

    def __init__(self, operator, volume, cache_size=4):
        self.operators = OperatorCache(operator)
        self.volume = np.asarray(volume, float)
        self._volume_max = float(np.max(self.volume))
        self._factors = FactorisationCache(cache_size)
        self._scratch = None
        self.stats = {}

    @property
    def factorisations(self) -> int:
        """Step matrices factorised so far."""
        return self._factors.built

    def _tridiagonal_bands(self, current):
        """K's bands at ``current`` [A] when K is tridiagonal and the compiled kernels are
        built, else None; found once, when a factorisation first needs them."""
        def build():
            K = self.operators(current)[0]
            use = tridiagonal.AVAILABLE and tridiagonal.is_tridiagonal(K)
            return tridiagonal.TridiagonalMatrix.from_sparse(K) if use else None

        return self.operators.derived("bands", current, build)

    def flux_form(self, current):
        """``FluxForm`` of K c + f at ``current`` [A], built once (on first use)."""
        return self.operators.derived("flux", current, lambda: FluxForm(*self.operators(current)))

    def _factor(self, current, dt, theta):
        """(step matrix with ``residual``, its factorisation with ``solve``) of V/dt - theta K."""
        def build():
            bands = self._tridiagonal_bands(current)
            if bands is not None:
                M = bands.shifted(self.volume / dt, -theta)
                if M.column_dominant():
                    return M, tridiagonal.ThomasLU(M)
            K, _ = self.operators(current)
            M = (sp.diags(self.volume / dt) - theta * K).tocsc()
            return StepMatrix(M), splu(M, permc_spec="COLAMD")

        return self._factors.get((float(current), float(dt), float(theta)), build)

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
        check_solution(delta, worst, scale, step, "cached stepper")
        return delta
