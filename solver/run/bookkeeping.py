"""The running totals of a finite-volume run: the integral of N dt, the flows through the two
ends, the conservation balance of every step (measured, not corrected), and the outputs
finished so far.  Both are what a checkpoint saves."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from ..errors import SolverError
from ..linalg.tridiagonal import dot

__all__ = ["Totals", "Records", "Bookkeeping", "CONSERVATION_TOLERANCE", "NEGATIVE_TOLERANCE"]

CONSERVATION_TOLERANCE = 1e-10
NEGATIVE_TOLERANCE = 1e-9   # densities below -1e-9 n are not round-off


@dataclass
class Totals:
    """Running integrals [counts; n_target_dt in count s] and the worst figures so far:
    ``worst_balance`` the largest |balance| relative to the scale of the content,
    ``min_density`` [m^-3] the smallest density met."""

    n_target_dt: float = 0.0
    inflow: float = 0.0
    outflow: float = 0.0
    worst_balance: float = 0.0
    min_density: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> "Totals":
        return cls(**{k: float(v) for k, v in values.items() if k in cls.__dataclass_fields__})


@dataclass
class Records:
    """The outputs finished so far: output index, N [count] and integral N dt [count s] at
    each, and the 2D/3D field snapshots taken (output index, c [m^-3])."""

    index: list = field(default_factory=list)
    n_target: list = field(default_factory=list)
    n_target_dt: list = field(default_factory=list)
    snapshots: list = field(default_factory=list)

    def add(self, output: int, n_target: float, n_target_dt: float) -> None:
        self.index.append(output)
        self.n_target.append(n_target)
        self.n_target_dt.append(n_target_dt)


class Bookkeeping:
    """Totals of a run on ``model`` started from the density ``c0`` [m^-3] (``totals``: those
    of a resumed run).  ``step`` books one step and checks it:

        balance = (sum V c' - sum V c0 - inflow + outflow) / scale

    with the flows integrated by the step's theta rule from the model's face formulas (not from
    K), and scale = max(initial content, n V_target).  A balance beyond
    CONSERVATION_TOLERANCE or a density below -NEGATIVE_TOLERANCE n raises SolverError."""

    def __init__(self, model, c0: np.ndarray, target, totals: Totals | None = None):
        self.model, self.target = model, target
        self.volume, self.volume_target = model.volume, model.volume[target]
        self.initial = dot(self.volume, c0)
        self.scale = max(self.initial, model.electron_density * float(self.volume_target.sum()), 1e-300)
        self.totals = totals or Totals()

    def in_target(self, c: np.ndarray) -> float:
        """N = sum over the target of V c [count]."""
        return dot(self.volume_target, c[self.target])

    def step(self, k: int, step, current: float, c_old: np.ndarray, c_new: np.ndarray,
             rates_old: tuple, n_old: float) -> float:
        """Book step ``k`` (``step``: t0 -> t1, dt, theta) from ``c_old`` (boundary rates
        ``rates_old``, N = ``n_old``) to ``c_new``; returns N of ``c_new``."""
        acc, dt, th = self.totals, step.dt, step.theta
        rates_new = self.model.boundary_rates(c_new, current)
        acc.inflow += dt * (th * rates_new[0] + (1 - th) * rates_old[0])
        acc.outflow += dt * (th * rates_new[1] + (1 - th) * rates_old[1])
        n_new = self.in_target(c_new)
        acc.n_target_dt += 0.5 * dt * (n_old + n_new)
        balance = (dot(self.volume, c_new) - self.initial - acc.inflow + acc.outflow) / self.scale
        acc.worst_balance = max(acc.worst_balance, abs(balance))
        acc.min_density = min(acc.min_density, float(c_new.min()))
        if acc.min_density < -NEGATIVE_TOLERANCE * self.model.electron_density:
            worst = int(np.argmin(c_new))
            raise SolverError(
                f"negative density at step {k} (t = {step.t1:.6g} s): c = {c_new[worst]:.3e} m^-3 in "
                f"cell {worst}, beyond round-off ({NEGATIVE_TOLERANCE:.0e} n)")
        if abs(balance) > CONSERVATION_TOLERANCE:
            raise SolverError(
                f"conservation lost at step {k} (t = {step.t1:.6g} s): the balance of electrons "
                f"(now in the line - initially - inflow + outflow) is {balance:.3e} of the initial "
                f"content, beyond {CONSERVATION_TOLERANCE:.0e}")
        return n_new

    def conservation(self, c: np.ndarray) -> dict:
        """What summary.json records about conservation."""
        acc = self.totals
        return {"initial_content": self.initial, "final_content": dot(self.volume, c),
                "inflow": acc.inflow, "outflow": acc.outflow,
                "worst_relative_balance": acc.worst_balance, "tolerance": CONSERVATION_TOLERANCE}
