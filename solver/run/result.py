"""The result of a run: time series of N(t), R(t) = nu N(t), S(t) = nu integral N dt, derived
quantities, counts and numerics, in SI units, before anything is written to disk."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ..errors import SolverError
from ..physics.counts import counts_summary

if TYPE_CHECKING:
    from ..config.schema import Case

__all__ = ["RunResult", "IncompleteRun", "finish"]


@dataclass
class RunResult:
    """Output of one run (SI): ``times`` [s], ``electrons_in_target`` N(t), ``scattering_rate``
    nu N [1/s], ``cumulative_scatterings`` S(t); ``derived`` quantities; ``counts``;
    ``numerics`` (mesh, steps, conservation...).  ``profiles`` (FV only, when asked for:
    {"c": densities [m^-3] at every output, one row per output, "model": the FV model, whose
    cell centres give x, "times", "x" [m]}).  ``fields``: density snapshots (index, times [s],
    c [m^-3], model).  ``xray_rate``: the detected X-ray rate per unit beta^2/2 [1/s].
    ``stderr``: the Monte Carlo method's standard errors (written as ``<column>_stderr``)."""

    case: Case
    method: str
    times: np.ndarray
    electrons_in_target: np.ndarray
    scattering_rate: np.ndarray
    cumulative_scatterings: np.ndarray
    derived: dict
    counts: dict
    numerics: dict = field(default_factory=dict)
    profiles: dict | None = None
    fields: dict | None = None
    wall_time_s: float = 0.0
    #: Monte Carlo: standard errors {column: array over the output times} of
    #: new_electrons_in_target, scattering_rate_per_s, cumulative_scatterings (None: exact method)
    stderr: dict | None = None

    @property
    def xray_rate(self) -> np.ndarray:
        """Detected X-rays per second per unit violation beta^2/2, r g nu N(t) [1/s]: what a
        detector sees (r: capture probability per scattering, g: geometric factor)."""
        c = self.case.counting
        return c.capture_probability * c.geometric_factor * np.asarray(self.scattering_rate)


class IncompleteRun(SolverError):
    """A solver failure in the time loop; ``partial`` is the RunResult of the outputs finished
    before it (None if none was)."""

    def __init__(self, message, partial):
        super().__init__(message)
        self.partial = partial


def finish(case: Case, method: str, derived: dict, times, n_target, integral_n, charge_passed: float,
           numerics: dict, profiles=None) -> RunResult:
    """The RunResult of N(t) [count] and its time integral [count s] at ``times`` [s], with the
    charge Q(T) [C] the current carried through (for the Ramberg-Snow comparison)."""
    nu = derived["scattering_rate_per_s"]
    cumulative = nu * np.asarray(integral_n)
    counts = counts_summary(
        scatterings_total=float(cumulative[-1]), charge_passed=charge_passed,
        length=case.geometry.length, mean_free_path=derived["mean_free_path_m"],
        capture_probability=case.counting.capture_probability,
        geometric_factor=case.counting.geometric_factor,
        xray_count_limit=case.counting.xray_count_limit)
    return RunResult(case=case, method=method, times=np.asarray(times), electrons_in_target=np.asarray(n_target),
                     scattering_rate=nu * np.asarray(n_target), cumulative_scatterings=cumulative,
                     derived=derived, counts=counts, numerics=numerics, profiles=profiles)
