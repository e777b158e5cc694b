"""The 1D walk of a case: its line (``fv.layout.line_layout``, as the FV model sees it), the
electrons that start on it, and the compiled walk (``line_walk``)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ..fv.layout import line_layout, single_electron
from ..physics.material import drift_displacement, volume_flow
from .line_walk import walk_line
from .sampling import LogDistance, Population
from .schedule import ScheduleArrays, far_margin, first_reach

if TYPE_CHECKING:
    from ..config.schema import Case

__all__ = ["LineProblem", "line_problem", "merged_segments"]


def merged_segments(parts) -> tuple[np.ndarray, np.ndarray, dict]:
    """Segment edges [m] (target entrance at x = 0; edges[0] = -inf, edges[-1] the far end of the
    circuit) and cross-sections [m^2] of ``parts`` (meshes.line.Part, upstream first), parts of
    equal cross-section merged; and each part's (start, end) [m]."""
    names = [p.name for p in parts]
    start = -sum(p.length for p in parts[:names.index("target")])
    spans, x = {}, start
    for p in parts:
        spans[p.name] = (x, x + p.length)
        x += p.length
    edges, areas = [-math.inf], [parts[0].area]
    for p in parts[1:]:
        if not math.isclose(p.area, areas[-1], rel_tol=1e-12):
            edges.append(spans[p.name][0])
            areas.append(p.area)
    edges.append(x)
    return np.asarray(edges, float), np.asarray(areas, float), spans


@dataclass
class LineProblem:
    """The quasi-1D line of a case for the walk (SI): segment ``edges`` and ``areas``, the target
    [0, ``length``), electron density n, kernel diffusivity D, ``time_step`` near interfaces,
    the current ``schedule``, the ``populations`` (None for a single electron at x = 0) and
    ``target_electrons`` n V_target."""

    edges: np.ndarray
    areas: np.ndarray
    length: float
    density: float
    diffusivity: float
    time_step: float
    schedule: ScheduleArrays
    populations: tuple
    target_electrons: float
    info: dict = field(default_factory=dict)
    dimension: int = 1

    def area(self, x) -> np.ndarray:
        k = np.clip(np.searchsorted(self.edges, x, side="right") - 1, 0, len(self.areas) - 1)
        return self.areas[k]

    def draw(self, index: int, count: int, rng) -> dict:
        """Start positions and weights of ``count`` electrons of population ``index``."""
        if not self.populations:
            return {"x": np.zeros(count), "weight": np.full(count, 1.0 / count)}
        x0, weight = self.populations[index].draw(count, self.density, self.area, rng)
        return {"x": x0, "weight": weight}

    def resolution(self, index: int, count: int) -> float:
        if not self.populations:
            return 1.0 / count
        return self.populations[index].resolution(count, self.density, float(self.areas.min()))

    def walk(self, start: dict, population, times, rng, sums, integrals, counts) -> None:
        s = self.schedule
        pack = (self.edges, self.areas, volume_flow(1.0, self.density), self.diffusivity,
                self.time_step, s.current_max, s.edges, s.charge, s.currents)
        walk_line(start["x"], start["weight"], population, times, 0.0, self.length, pack, rng,
                  sums, integrals, counts)


def default_line_step(parts, diffusivity: float, speed: float) -> float:
    """Default step [s] near interfaces: a spread sqrt(2 D dt) and a drift v dt of at most 1/20
    of the shortest part that touches an interface (the connector, usually)."""
    inner = [p.length for p in parts[1:-1]]
    scale = min(inner) / 20.0
    by_diffusion = scale * scale / (2.0 * diffusivity) if diffusivity > 0 else math.inf
    by_drift = scale / speed if speed > 0 else math.inf
    return min(by_diffusion, by_drift)


def line_problem(case: Case, derived: dict) -> LineProblem:
    """The walk's line for ``case`` (1D): the FV model's parts, the first one extended to -inf."""
    layout = line_layout(case, derived)
    edges, areas, spans = merged_segments(layout.parts)
    n, D, T = layout.electron_density, layout.diffusivity, case.time.duration
    g = case.geometry
    schedule = ScheduleArrays.of_case(case)
    margin = far_margin(case, D)
    speed = volume_flow(schedule.current_max, n) / areas.min()
    time_step = case.montecarlo.time_step or default_line_step(layout.parts, D, speed)
    populations = ()
    if not single_electron(case):
        s0 = first_reach(case, D, speed)
        charge = float(schedule.charge_at(T))
        res_lo, res_hi = spans["reservoir"]
        down = min(margin, edges[-1] - g.length)
        reach = float(drift_displacement(charge, n, g.reservoir.area)) + margin
        if g.reservoir.semi_infinite:
            new = [(res_hi - reach, res_hi)]
            old = [(res_hi, g.length + down)]
        else:
            new = [(res_lo, res_hi)]
            old = [(res_lo - reach, res_lo), (res_hi, g.length + down)]
        populations = (Population(LogDistance(tuple(new), g.length, s0), 0),
                       Population(LogDistance(tuple(old), g.length, s0), 1))
    info = {"segments_m": [[float(a), float(b)] for a, b in zip(edges[:-1], edges[1:])],
            "segment_areas_m2": areas.tolist(), "time_step_s": time_step}
    return LineProblem(edges=edges, areas=areas, length=g.length, density=n, diffusivity=D,
                       time_step=time_step, schedule=schedule, populations=populations,
                       target_electrons=n * g.area * g.length, info=info)
