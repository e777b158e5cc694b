"""The 2D/3D walk of a case: the FV model's mesh and drift field (``fv.block_model``), the
electrons that start in it (``sampling``, across: uniform over the conductor's cross-section at
their x), and the compiled walk (``block_walk``)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ..errors import CaseError
from ..fv.layout import single_electron
from ..physics.material import drift_displacement
from .block_field import BlockField, block_field
from .block_walk import walk_block
from .line_problem import merged_segments
from .sampling import LogDistance, Population
from .schedule import ScheduleArrays, far_margin, first_reach

if TYPE_CHECKING:
    from ..config.schema import Case

__all__ = ["BlockProblem", "block_problem", "default_block_step"]


@dataclass
class BlockProblem:
    """The conductor of a case in 2D/3D for the walk (SI): ``field`` (BlockField), the target
    [0, ``length``), n, D, ``time_step`` where the walk is not exact, the current ``schedule``,
    the ``populations`` (None: one electron on the plane x = 0), ``target_electrons`` n V_target."""

    field: BlockField
    length: float
    density: float
    diffusivity: float
    time_step: float
    schedule: ScheduleArrays
    populations: tuple
    target_electrons: float
    dimension: int
    info: dict = field(default_factory=dict)

    def area(self, x) -> np.ndarray:
        """True cross-section [m^2] at x (upstream of the mesh: its first column's)."""
        xf = self.field.axes[0]
        ix = np.clip(np.searchsorted(xf, x, side="right") - 1, 0, len(xf) - 2)
        return self.field.column_area[ix]

    def _across(self, x0, rng):
        """(y, z) [m] uniform over the active cross-section at each x0."""
        f = self.field
        xf, yf, zf = f.axes
        nx, ny, nz = len(xf) - 1, len(yf) - 1, len(zf) - 1
        ix = np.clip(np.searchsorted(xf, x0, side="right") - 1, 0, nx - 1)
        share = f.cell_area.reshape(nz, ny, nx).transpose(2, 0, 1).reshape(nx, -1)   # (nx, nz*ny)
        cum = np.cumsum(share, axis=1)
        u = rng.random(len(x0)) * cum[ix, -1]
        j = np.sum(cum[ix] <= u[:, None], axis=1)          # searchsorted(side='right') row by row
        j = np.minimum(j, nz * ny - 1)
        iz, iy = np.divmod(j, ny)
        y = yf[iy] + rng.random(len(x0)) * (yf[iy + 1] - yf[iy])
        z = zf[iz] + rng.random(len(x0)) * (zf[iz + 1] - zf[iz]) if self.dimension == 3 else np.zeros(len(x0))
        return y, z

    def draw(self, index: int, count: int, rng) -> dict:
        if not self.populations:
            x0 = np.zeros(count)
            weight = np.full(count, 1.0 / count)
        else:
            x0, weight = self.populations[index].draw(count, self.density, self.area, rng)
        y0, z0 = self._across(x0, rng)
        return {"start": np.stack([x0, y0, z0]), "weight": weight}

    def resolution(self, index: int, count: int) -> float:
        if not self.populations:
            return 1.0 / count
        area = float(self.field.column_area[self.field.column_area > 0].min())
        return self.populations[index].resolution(count, self.density, area)

    def pack(self) -> tuple:
        f = self.field
        return (f.axes[0], f.axes[1], f.axes[2], f.velocity, f.zband, f.column_area,
                f.stretch_of_column, f.stretch_x, f.stretch_speed, f.stretch_bands,
                f.stretch_nbands, f.stretch_zband)

    def walk(self, start: dict, population, times, rng, sums, integrals, counts) -> None:
        s = self.schedule
        p = (self.diffusivity, self.time_step, s.current_max, self.field.periodic, s.edges, s.charge,
             s.currents)
        walk_block(np.ascontiguousarray(start["start"]), start["weight"], population, times, 0.0,
                   self.length, self.pack(), p, rng, sums, integrals, counts, np.empty(7))


def default_block_step(f: BlockField, diffusivity: float, current_max: float) -> float:
    """Default split step [s]: a spread sqrt(2 D dt) and a drift v dt of at most half the
    smallest cell (along x or across) outside the uniform stretches."""
    xf, yf = f.axes[0], f.axes[1]
    cols = np.flatnonzero(f.stretch_of_column < 0)
    if len(cols) == 0:
        return math.inf
    h = min(float(np.diff(xf)[cols].min()), float(np.diff(yf).min())) / 2.0
    vmax = float(np.abs(f.velocity).max()) * current_max
    by_diffusion = h * h / (2.0 * diffusivity) if diffusivity > 0 else math.inf
    return min(by_diffusion, h / vmax if vmax > 0 else math.inf)


def _refuse(case: Case) -> None:
    g = case.geometry
    if g.dimension == 3 and g.shape == "cylinder":
        raise CaseError(f"{case.source}: geometry.shape: the Monte Carlo walk does not do the 3D cylinder "
                        "shell's curvilinear metric; expected strip in 3D (or dimension 1 or 2 for a "
                        "cylinder); got cylinder")
    if g.dimension == 2:
        for key in ("connector", "reservoir", "outlet"):
            if not math.isclose(getattr(g, key).thickness, g.thickness, rel_tol=1e-12):
                raise CaseError(f"{case.source}: geometry.{key}.thickness: the 2D Monte Carlo walk needs "
                                f"the target's thickness ({g.thickness!r} m) in every lead (a sheet of "
                                f"changing thickness is a skew interface); use dimension 3 or 1; got "
                                f"{getattr(g, key).thickness!r} m")


def block_problem(case: Case, derived: dict) -> BlockProblem:
    """The walk's conductor for ``case`` in 2D/3D: the FV model's mesh and potential."""
    from ..fv.block_model import build_nd_model

    _refuse(case)
    model, _ = build_nd_model(case, derived)
    f = block_field(model.block, model.drift)
    g = case.geometry
    n, D, T = model.electron_density, model.diffusivity, case.time.duration
    schedule = ScheduleArrays.of_case(case)
    time_step = case.montecarlo.time_step or default_block_step(f, D, schedule.current_max)
    margin = far_margin(case, D)
    populations = ()
    if not single_electron(case):
        from ..fv.layout import line_layout

        _, _, spans = merged_segments(line_layout(case, derived).parts)
        speed = float(np.abs(f.velocity).max()) * schedule.current_max
        s0 = first_reach(case, D, speed)
        reach = float(drift_displacement(float(schedule.charge_at(T)), n, g.reservoir.area)) + margin
        res_lo, res_hi = spans["reservoir"]
        down = min(margin, float(f.axes[0][-1]) - g.length)
        if g.reservoir.semi_infinite:
            new, old = [(res_hi - reach, res_hi)], [(res_hi, g.length + down)]
        else:
            new, old = [(res_lo, res_hi)], [(res_lo - reach, res_lo), (res_hi, g.length + down)]
        populations = (Population(LogDistance(tuple(new), g.length, s0), 0),
                       Population(LogDistance(tuple(old), g.length, s0), 1))
    info = {"cells": int(model.block.active.sum()), "grid": list(model.block.shape),
            "uniform_stretches_m": [[float(a), float(b)] for a, b in f.stretch_x],
            "time_step_s": time_step}
    return BlockProblem(field=f, length=g.length, density=n, diffusivity=D, time_step=time_step,
                        schedule=schedule, populations=populations,
                        target_electrons=n * g.area * g.length, dimension=g.dimension, info=info)
