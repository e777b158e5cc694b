"""What the walk needs of a case besides its geometry: the current as arrays for the compiled
walk, and the two lengths that decide which electrons to simulate."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..physics.schedule import schedule_from_spec

if TYPE_CHECKING:
    from ..config.schema import Case

__all__ = ["ScheduleArrays", "far_margin", "first_reach"]


@dataclass(frozen=True)
class ScheduleArrays:
    """The piecewise-constant current over the run (``physics.schedule``): ``edges`` [s] from 0,
    ``charge`` Q at the edges [C], ``currents`` [A] on each piece, ``current_max`` [A]."""

    edges: np.ndarray
    charge: np.ndarray
    currents: np.ndarray
    current_max: float

    @classmethod
    def of_case(cls, case: Case) -> "ScheduleArrays":
        edges, currents = schedule_from_spec(case.transport.current).pieces(case.time.duration)
        charge = np.concatenate([[0.0], np.cumsum(currents * np.diff(edges))])
        return cls(edges=edges[:-1].copy(), charge=charge[:-1].copy(), currents=currents,
                   current_max=float(currents.max()))

    def charge_at(self, t) -> np.ndarray:
        """Q(t) [C]."""
        k = np.clip(np.searchsorted(self.edges, t, side="right") - 1, 0, len(self.currents) - 1)
        return self.charge[k] + self.currents[k] * (np.asarray(t, float) - self.edges[k])


def far_margin(case: Case, diffusivity: float) -> float:
    """``fv.far_field`` spreads sqrt(4 D T) [m]: the FV model's far-field margin (``fv.layout``);
    an electron farther than that from the target (beyond the drift) cannot reach it in the run."""
    return case.fv.far_field * math.sqrt(4.0 * diffusivity * case.time.duration)


def first_reach(case: Case, diffusivity: float, speed: float) -> float:
    """s0 [m]: the drift plus sqrt(4 D t_1) by the first output time t_1 (at least 1e-3 of the
    target length), the scale of the start-position density (``sampling``)."""
    t1 = float(case.time.output_times()[0])
    return max(speed * t1 + math.sqrt(4.0 * diffusivity * t1), 1e-3 * case.geometry.length)
