"""The Monte Carlo method behind the results contract: the walk's estimates
(``solver.montecarlo.driver.simulate``) as a :class:`~.result.RunResult` with standard errors."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..montecarlo.driver import simulate
from .result import RunResult, finish

if TYPE_CHECKING:
    from ..config.schema import Case

__all__ = ["run_montecarlo"]


def run_montecarlo(case: Case, derived: dict, *, progress=None, **_options) -> RunResult:
    """Run ``case`` with the random walk; ``progress``: callable(done electrons, total) or None.
    ``RunResult.stderr`` holds the standard errors of N, nu N and S = nu integral N dt."""
    sim = simulate(case, derived, progress)
    result = finish(case, "montecarlo", derived, sim.times, sim.n_target, sim.integral, sim.charge,
                    sim.numerics)
    nu = derived["scattering_rate_per_s"]
    result.stderr = {"new_electrons_in_target": sim.n_target_stderr,
                     "scattering_rate_per_s": nu * sim.n_target_stderr,
                     "cumulative_scatterings": nu * sim.integral_stderr}
    return result
