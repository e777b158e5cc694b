"""The line of a case along x, and how to mesh it: shared by the 1D, 2D and 3D models, the step
plan and the run-size estimates.

Pieces upstream first: the reservoir (semi-infinite: a far-field stretch where c = n is held;
finite: an empty feed line, then the reservoir), connector, target, outlet, and the output
circuitry beyond it (long enough for the largest drift plus a far-field margin).  The far ends
lie ``fv.far_field`` spreads sqrt(4 D T) away, where the solution cannot change within the run.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...meshes.line import Part
from ..physics.analytic import kernel_diffusivity
from ..physics.material import drift_displacement, drift_velocity
from ..physics.schedule import schedule_from_spec

if TYPE_CHECKING:
    from ..config.schema import Case

__all__ = ["LineLayout", "line_layout", "far_field_length", "fastest_drift", "fronts_clear_time",
           "case_kernel_diffusivity", "single_electron", "FRONT_CELLS"]

FRONT_CELLS = 200   # cells across a travelling front's width sqrt(4 D t) where it must stay resolved


@dataclass(frozen=True)
class LineLayout:
    """The pieces of the line along x and how to mesh them (shared by 1D, 2D and 3D).

    ``parts`` (meshes.line.Part, upstream first: feed/reservoir, connector, target, outlet,
    circuit), ``dx`` [m] in the fine parts, ``sharp_ends`` and ``max_width`` for
    ``build_line_mesh``, ``inflow_density`` [m^-3] held at the upstream end (None: closed end),
    ``diffusivity`` D [m^2/s] (kernel), ``electron_density`` n [m^-3]; ``loop``: the two ends
    are one face (a circuit reservoir: what leaves the outlet re-enters the reservoir)."""

    parts: tuple
    dx: float
    sharp_ends: tuple
    max_width: dict
    inflow_density: float | None
    diffusivity: float
    electron_density: float
    loop: bool = False


def single_electron(case: Case) -> bool:
    """Whether the case injects one electron at x = 0 (eqs. 18-19) instead of a reservoir."""
    return case.transport.injection == "single-electron"


def case_kernel_diffusivity(case: Case, derived: dict) -> float:
    """The kernel diffusivity D_k [m^2/s] of the case's convention (standard: D; paper: D/2)."""
    return float(kernel_diffusivity(derived["diffusivity_m2_s"], case.transport.convention))


def far_field_length(diffusivity: float, duration: float, sigmas: float, drift: float = 0.0) -> float:
    """Distance [m] beyond which the solution cannot change within ``duration`` [s]:
    drift + sigmas * sqrt(4 D T)."""
    return drift + sigmas * math.sqrt(4.0 * diffusivity * duration)


def fastest_drift(case: Case, derived: dict, leads=("connector",)) -> float:
    """The largest drift speed [m/s] at the schedule's largest current, in the narrowest of the
    target and ``leads`` (eq. 11: v = I/(n e A))."""
    g = case.geometry
    area = min([g.area] + [getattr(g, lead).area for lead in leads])
    return float(drift_velocity(schedule_from_spec(case.transport.current).nominal,
                                derived["electron_density_m3"], area))


def line_layout(case: Case, derived: dict) -> LineLayout:
    """Pieces of the case's line and their meshing.

    Far ends: the upstream end sits ``fv.far_field`` spreads sqrt(4 D T) before the reservoir
    edge (semi-infinite reservoir: that is where c = n is held) or before the finite reservoir
    (closed end, an empty feed line between); the downstream end lies past the outlet by the
    largest drift plus the same margin.
    """
    g, fv = case.geometry, case.fv
    D = case_kernel_diffusivity(case, derived)
    n = derived["electron_density_m3"]
    T = case.time.duration
    if g.reservoir.circuit:
        return _loop_layout(case, derived, D, n, T)
    schedule = schedule_from_spec(case.transport.current)
    margin = far_field_length(D, T, fv.far_field)
    drift_out = float(drift_displacement(schedule.charge(T, T), n, g.outlet.area))
    parts = []
    inflow = None
    if single_electron(case):
        parts.append(Part("feed", margin, g.reservoir.area))
    elif g.reservoir.semi_infinite:
        parts.append(Part("reservoir", margin, g.reservoir.area))
        inflow = n
    else:
        parts.append(Part("feed", margin, g.reservoir.area))
        parts.append(Part("reservoir", g.reservoir.length, g.reservoir.area))
    parts += [Part("connector", g.connector.length, g.connector.area),
              Part("target", g.length, g.area),
              Part("outlet", g.outlet.length, g.outlet.area),
              Part("circuit", drift_out + margin, g.outlet.area)]
    dx = g.length / fv.cells_per_target
    sharp, caps = (), {}
    if not single_electron(case) and not g.reservoir.semi_infinite:
        # The back edge of a finite reservoir is a second front: resolve it where it starts
        # and, if it can influence the target within the run, along its whole way there: cells
        # below 1/FRONT_CELLS of its width sqrt(4 D t) when it arrives (or at the end), and with
        # a cell Peclet number v h / D below 1.5, where convection "auto" stays central.
        sharp = ("reservoir",)
        cap = _front_cap(case, derived, D, margin, ("reservoir", "connector"))
        caps = {} if cap is None else {"reservoir": max(dx, cap)}
    return LineLayout(parts=tuple(parts), dx=dx, sharp_ends=sharp, max_width=caps,
                      inflow_density=inflow, diffusivity=D, electron_density=n)


def _front_cap(case: Case, derived: dict, D: float, margin: float, leads) -> float | None:
    """The widest cell [m] along the way of a finite reservoir's back edge (a second front,
    starting a reservoir and connector length before the target) if it can influence the
    target within the run (drift plus ``margin`` [m] reach it): below 1/FRONT_CELLS of its
    width sqrt(4 D t) when it arrives (or at the end), and with a cell Peclet number v h/D
    below 1.5, where convection "auto" stays central; None if it cannot."""
    g, T = case.geometry, case.time.duration
    distance = g.reservoir.length + g.connector.length
    v_max = fastest_drift(case, derived, leads=leads)
    if not v_max * T + margin > distance:
        return None
    t_reach = min(T, distance / v_max) if v_max > 0 else T
    cap = math.sqrt(4 * D * t_reach) / FRONT_CELLS
    return min(cap, 1.5 * D / v_max) if v_max > 0 else cap


def _loop_layout(case: Case, derived: dict, D: float, n: float, T: float) -> LineLayout:
    """A circuit reservoir: reservoir, connector, target and outlet closed into a loop, no far
    ends.  The junction of the outlet's end and the reservoir's start is a density jump that
    travels round the loop like a finite reservoir's back edge: fine cells on both sides of it,
    and, if it can reach the target within the run, ``_front_cap`` cells where it travels."""
    g = case.geometry
    parts = (Part("reservoir", g.reservoir.length, g.reservoir.area),
             Part("connector", g.connector.length, g.connector.area),
             Part("target", g.length, g.area),
             Part("outlet", g.outlet.length, g.outlet.area))
    dx = g.length / case.fv.cells_per_target
    cap = _front_cap(case, derived, D, far_field_length(D, T, case.fv.far_field),
                     ("reservoir", "connector", "outlet"))
    caps = {} if cap is None else {"reservoir": max(dx, cap), "outlet": max(dx, cap)}
    return LineLayout(parts=parts, dx=dx, sharp_ends=("reservoir", "outlet"), max_width=caps,
                      inflow_density=None, diffusivity=D, electron_density=n, loop=True)


def fronts_clear_time(case: Case, speed: float, diffusivity: float, widths: float = 6.0) -> float:
    """Time [s] after which every density front has left the target by ``widths`` of its
    width sqrt(4 D t): v t = d + widths sqrt(4 D t), with d the distance from the farthest
    front's start (finite reservoir: its back edge) to the target's end.  Round a circuit's
    loop the fronts come back: they stay until the loop is mixed, sqrt(4 D t) = 2 P (P its
    circumference)."""
    g = case.geometry
    if speed <= 0:
        return 0.0
    if g.reservoir.circuit:
        period = g.reservoir.length + g.connector.length + g.length + g.outlet.length
        return period**2 / diffusivity
    d = g.length
    if not single_electron(case):
        d += g.connector.length + (0.0 if g.reservoir.semi_infinite else g.reservoir.length)
    b = 2 * widths * math.sqrt(diffusivity)
    u = (b + math.sqrt(b * b + 4 * speed * d)) / (2 * speed)
    return u * u
