"""Run a validated case: analytic 1D solution or finite volumes, into a ``RunResult``.

A case flows one way: validated case -> derived quantities -> (mesh + model -> time loop) ->
time series of N(t), R(t) = nu N(t), S(t) = nu integral N dt -> counts.  No file I/O here
(``results`` writes the folder).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import scipy.constants as sc

from meshes.line import Part, build_line_mesh

from . import analytic
from .counts import counts_summary
from .derive import derive
from .errors import CaseError, SolverError
from .fields import field_output_indices
from .fv import LineModel, far_field_length
from .schedule import schedule_from_spec
from .stepper import CachedStepper, FiPyStepper, LadderStepper, StepState, dot, plan_steps

__all__ = ["RunResult", "run_case", "build_line_model", "line_layout", "LineLayout", "CONSERVATION_TOLERANCE"]

CONSERVATION_TOLERANCE = 1e-10
NEGATIVE_TOLERANCE = 1e-9   # densities below -1e-9 n are not round-off
FRONT_CELLS = 200   # cells across a travelling front's width sqrt(4 D t) where it must stay resolved


@dataclass
class RunResult:
    """Output of one run (SI): ``times`` [s], ``electrons_in_target`` N(t), ``scattering_rate``
    nu N [1/s], ``cumulative_scatterings`` S(t); ``derived`` quantities; ``counts``;
    ``numerics`` (mesh, steps, conservation...).  ``profiles`` (x [m], c [m^-3] per output)
    only when asked for."""

    case: object
    method: str
    times: np.ndarray
    electrons_in_target: np.ndarray
    scattering_rate: np.ndarray
    cumulative_scatterings: np.ndarray
    derived: dict
    counts: dict
    numerics: dict = field(default_factory=dict)
    profiles: dict | None = None
    fields: dict | None = None      # 2D/3D snapshots: index, times [s], c [m^-3], model
    wall_time_s: float = 0.0


def _kernel_diffusivity(case, derived):
    return analytic.kernel_diffusivity(derived["diffusivity_m2_s"], case.transport.convention)


def _single_electron(case):
    return case.transport.injection == "single-electron"


def run_case(case, *, store_profiles=False, progress=None, stop_after=None, resume=None,
             checkpoint=None) -> RunResult:
    """Run ``case`` with its method.  ``progress`` is a callable(done_steps, total_steps) or None.

    FV only: ``resume`` = (StepState, records) continues an interrupted run from a checkpoint;
    ``checkpoint(state, records)`` is called after every output (``records``: the output
    indices, N and integral of N dt so far, and the 2D/3D field snapshots taken); ``stop_after`` stops after that many steps (tests
    of interruption).
    """
    start = time.perf_counter()
    derived = derive(case)
    if case.method == "analytic":
        result = _run_analytic(case, derived)
    elif case.method == "fv":
        result = _run_fv(case, derived, store_profiles=store_profiles, progress=progress,
                         stop_after=stop_after, resume=resume, checkpoint=checkpoint)
    else:
        raise CaseError(f"{case.source}: method: expected 'analytic' or 'fv'; got {case.method!r}")
    result.wall_time_s = time.perf_counter() - start
    return result


def _finish(case, method, derived, times, n_target, integral_n, charge_T, numerics, profiles=None):
    nu = derived["scattering_rate_per_s"]
    cumulative = nu * np.asarray(integral_n)
    counts = counts_summary(
        scatterings_total=float(cumulative[-1]), charge_passed=charge_T,
        length=case.geometry.length, mean_free_path=derived["mean_free_path_m"],
        capture_probability=case.counting.capture_probability,
        geometric_factor=case.counting.geometric_factor,
        xray_count_limit=case.counting.xray_count_limit)
    return RunResult(case=case, method=method, times=np.asarray(times), electrons_in_target=np.asarray(n_target),
                     scattering_rate=nu * np.asarray(n_target), cumulative_scatterings=cumulative,
                     derived=derived, counts=counts, numerics=numerics, profiles=profiles)


# ----------------------------------------------------------------------------- analytic


def _require_uniform_line(case):
    g = case.geometry
    areas = {"connector": g.connector.area, "reservoir": g.reservoir.area, "outlet": g.outlet.area}
    odd = [k for k, a in areas.items() if not math.isclose(a, g.area, rel_tol=1e-12)]
    if odd:
        raise CaseError(f"{case.source}: geometry.{odd[0]}: method 'analytic' needs the same cross-section as the "
                        f"target (width and thickness null); use method: fv for a non-uniform line")
    if g.dimension != 1:
        raise CaseError(f"{case.source}: geometry.dimension: method 'analytic' is 1D; got {g.dimension}")


def _run_analytic(case, derived):
    _require_uniform_line(case)
    g, D = case.geometry, derived["diffusivity_m2_s"]
    n, area, conv = derived["electron_density_m3"], g.area, case.transport.convention
    schedule = schedule_from_spec(case.transport.current)
    T = case.time.duration
    times = case.time.output_times()
    bps = schedule.breakpoints(T)

    def displacement(t):
        return schedule.charge(t, T) / (n * sc.e * area)

    if _single_electron(case):
        def n_target(t):
            t = np.atleast_1d(np.asarray(t, float))
            return analytic.probability_in_target(t, displacement(t), g.length, D, conv)
    else:
        x_max = -g.connector.length
        x_min = -math.inf if g.reservoir.semi_infinite else x_max - g.reservoir.length

        def n_target(t):
            t = np.atleast_1d(np.asarray(t, float))
            return analytic.electrons_in_target(t, displacement(t), g.length, x_min, x_max, D, n, area, conv)

    values = n_target(times)
    integral = analytic.cumulative_time_integral(lambda t: float(n_target(t)[0]), times, breakpoints=bps)
    numerics = {"solution": "closed form (eq. 24 integrated over the target); time integral by adaptive quadrature"}
    return _finish(case, "analytic", derived, times, values, integral, float(schedule.charge(T, T)), numerics)


# ----------------------------------------------------------------------------- finite volumes


@dataclass(frozen=True)
class LineLayout:
    """The pieces of the line along x and how to mesh them (shared by 1D, 2D and 3D).

    ``parts`` (meshes.line.Part, upstream first: feed/reservoir, connector, target, outlet,
    circuit), ``dx`` [m] in the fine parts, ``sharp_ends`` and ``max_width`` for
    ``build_line_mesh``, ``inflow_density`` [m^-3] held at the upstream end (None: closed end),
    ``diffusivity`` D [m^2/s] (kernel), ``electron_density`` n [m^-3]."""

    parts: tuple
    dx: float
    sharp_ends: tuple
    max_width: dict
    inflow_density: float | None
    diffusivity: float
    electron_density: float


def line_layout(case, derived) -> LineLayout:
    """Pieces of the case's line and their meshing.

    Far ends: the upstream end sits ``fv.far_field`` spreads sqrt(4 D T) before the reservoir
    edge (semi-infinite reservoir: that is where c = n is held) or before the finite reservoir
    (closed end, an empty feed line between); the downstream end lies past the outlet by the
    largest drift plus the same margin.
    """
    g, fv = case.geometry, case.fv
    D = _kernel_diffusivity(case, derived)
    n = derived["electron_density_m3"]
    T = case.time.duration
    schedule = schedule_from_spec(case.transport.current)
    margin = far_field_length(D, T, fv.far_field)
    drift_out = float(schedule.charge(T, T)) / (n * sc.e * g.outlet.area)
    parts = []
    inflow = None
    if _single_electron(case):
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
    if not _single_electron(case) and not g.reservoir.semi_infinite:
        # The back edge of a finite reservoir is a second front: resolve it where it starts
        # and, if it can influence the target within the run, along its whole way there: cells
        # below 1/FRONT_CELLS of its width sqrt(4 D t) when it arrives (or at the end), and with
        # a cell Peclet number v h / D below 1.5, where convection "auto" stays central.
        sharp = ("reservoir",)
        distance = g.reservoir.length + g.connector.length
        v_max = schedule.nominal / (n * sc.e * min(g.reservoir.area, g.connector.area, g.area))
        if v_max * T + margin > distance:
            t_reach = min(T, distance / v_max) if v_max > 0 else T
            cap = math.sqrt(4 * D * t_reach) / FRONT_CELLS
            if v_max > 0:
                cap = min(cap, 1.5 * D / v_max)
            caps = {"reservoir": max(dx, cap)}
    return LineLayout(parts=tuple(parts), dx=dx, sharp_ends=sharp, max_width=caps,
                      inflow_density=inflow, diffusivity=D, electron_density=n)


def build_line_model(case, derived):
    """Mesh and FV model of the case's line (``line_layout``), and the initial density [m^-3].
    Returns (model, c0)."""
    layout = line_layout(case, derived)
    D, n, inflow = layout.diffusivity, layout.electron_density, layout.inflow_density
    line = build_line_mesh(layout.parts, dx=layout.dx, grading=case.fv.grading,
                           sharp_ends=layout.sharp_ends, max_width=layout.max_width)
    if line.mesh.numberOfCells > case.limits.max_cells:
        raise CaseError(f"{case.source}: limits.max_cells: the mesh has {line.mesh.numberOfCells} cells, "
                        f"more than the limit {case.limits.max_cells}")
    model = LineModel(line=line, diffusivity=D, electron_density=n, inflow_density=inflow,
                      convection=case.fv.convection)
    c0 = np.zeros(line.mesh.numberOfCells)
    if _single_electron(case):
        left = np.flatnonzero(line.cells["connector"])[-1]
        right = left + 1
        dl, dr = line.dx[left], line.dx[right]
        # one electron split so that its centroid sits at x = 0: w_l dl/2 = w_r dr/2
        c0[left] = (dr / (dl + dr)) / line.volume[left]
        c0[right] = (dl / (dl + dr)) / line.volume[right]
    else:
        c0[line.cells["reservoir"]] = n
    return model, c0


def build_model(case, derived):
    """FV model and initial density for the case's dimension.  A model offers: ``volume``,
    ``cells`` (named sets), ``number_of_cells``, ``operator(I) -> (K, f)``,
    ``fipy_equation(I)``, ``boundary_rates(c, I) -> (inflow, outflow)``, ``content(c, part)``,
    ``mesh_info()``."""
    if case.geometry.dimension == 1:
        return build_line_model(case, derived)
    from .fv_nd import build_nd_model

    return build_nd_model(case, derived)


def make_stepper(case, model, solver=None):
    """The stepper the case asks for (``fv.stepper``)."""
    if case.fv.stepper == "fipy":
        return FiPyStepper(model.fipy_equation, solver=solver)
    if case.geometry.dimension > 1:     # 2D/3D: LU or AMG per ladder step size (fv_nd)
        return LadderStepper(model.operator, model.volume, backend=model.linear_solver,
                             ratio=model.preconditioner_ladder, rates=model.boundary_rates)
    return CachedStepper(model.operator, model.volume)


def _fronts_clear_time(case, speed, diffusivity, widths=6.0):
    """Time [s] after which every density front has left the target by ``widths`` of its
    width sqrt(4 D t): v t = d + widths sqrt(4 D t), with d the distance from the farthest
    front's start (finite reservoir: its back edge) to the target's end."""
    g = case.geometry
    if speed <= 0:
        return 0.0
    d = g.length
    if not _single_electron(case):
        d += g.connector.length + (0.0 if g.reservoir.semi_infinite else g.reservoir.length)
    b = 2 * widths * math.sqrt(diffusivity)
    u = (b + math.sqrt(b * b + 4 * speed * d)) / (2 * speed)
    return u * u


def _index(mask):
    """A slice for a contiguous bool mask (cheap views in the time loop), else the indices."""
    idx = np.flatnonzero(mask)
    if len(idx) and idx[-1] - idx[0] + 1 == len(idx):
        return slice(int(idx[0]), int(idx[-1]) + 1)
    return idx


class IncompleteRun(SolverError):
    """A solver failure in the time loop; ``partial`` is the RunResult of the outputs finished
    before it (None if none was)."""

    def __init__(self, message, partial):
        super().__init__(message)
        self.partial = partial


def _run_fv(case, derived, *, store_profiles, progress, stop_after, resume, checkpoint):
    model, c0 = build_model(case, derived)
    schedule = schedule_from_spec(case.transport.current)
    T = case.time.duration
    times = case.time.output_times()
    g = case.geometry
    fastest = schedule.nominal / (derived["electron_density_m3"] * sc.e * min(g.area, g.connector.area))
    D_k = _kernel_diffusivity(case, derived)
    steps = plan_steps(times, T, breakpoints=schedule.breakpoints(T), time_steps=case.fv.time_steps,
                       first_step=case.fv.first_step, startup_steps=case.fv.startup_steps,
                       scheme=case.fv.scheme, front_speed=fastest,
                       diffusivity=D_k, steps_per_front=case.fv.steps_per_front,
                       front_until=_fronts_clear_time(case, fastest, D_k), spacing=case.fv.spacing,
                       ladder=getattr(model, "step_ladder", None))
    stepper = make_stepper(case, model)
    target = _index(model.cells["target"])
    volume, volume_target = model.volume, model.volume[target]
    total0 = dot(volume, c0)
    if resume is None:
        state = StepState(t=0.0, c=c0.copy(), next_step=0,
                          integrals={"n_target_dt": 0.0, "inflow": 0.0, "outflow": 0.0,
                                     "worst_balance": 0.0, "min_density": 0.0})
        records = {"index": [], "n_target": [], "n_target_dt": []}
    else:
        state, records = resume
    profiles = []
    snapshot_at = field_output_indices(case, times)
    snapshots = records.setdefault("snapshots", [])     # (output index, c): checkpointed too
    c, acc = state.c, dict(state.integrals)
    scale = max(total0, model.electron_density * float(volume_target.sum()), 1e-300)
    n_old = dot(volume_target, c[target])
    edges, currents = schedule.pieces(T)
    done = 0
    try:
        for k in range(state.next_step, len(steps)):
            step = steps[k]
            current = float(currents[np.searchsorted(edges, 0.5 * (step.t0 + step.t1), side="right") - 1])
            rates_old = model.boundary_rates(c, current)
            c_new = stepper.advance(c, step, current)
            dt, th = step.dt, step.theta
            rates_new = model.boundary_rates(c_new, current)
            acc["inflow"] += dt * (th * rates_new[0] + (1 - th) * rates_old[0])
            acc["outflow"] += dt * (th * rates_new[1] + (1 - th) * rates_old[1])
            n_new = dot(volume_target, c_new[target])
            acc["n_target_dt"] += 0.5 * dt * (n_old + n_new)
            balance = (dot(volume, c_new) - total0 - acc["inflow"] + acc["outflow"]) / scale
            acc["worst_balance"] = max(acc["worst_balance"], abs(balance))
            acc["min_density"] = min(acc["min_density"], float(c_new.min()))
            if acc["min_density"] < -NEGATIVE_TOLERANCE * model.electron_density:
                worst = int(np.argmin(c_new))
                raise SolverError(
                    f"negative density at step {k} (t = {step.t1:.6g} s): c = {c_new[worst]:.3e} m^-3 in "
                    f"cell {worst}, beyond round-off ({NEGATIVE_TOLERANCE:.0e} n)")
            if abs(balance) > CONSERVATION_TOLERANCE:
                raise SolverError(
                    f"conservation lost at step {k} (t = {step.t1:.6g} s): the balance of electrons "
                    f"(now in the line - initially - inflow + outflow) is {balance:.3e} of the initial "
                    f"content, beyond {CONSERVATION_TOLERANCE:.0e}")
            c, n_old = c_new, n_new
            if step.output >= 0:
                records["index"].append(step.output)
                records["n_target"].append(n_new)
                records["n_target_dt"].append(acc["n_target_dt"])
                if store_profiles:
                    profiles.append(c.copy())
                if step.output in snapshot_at:
                    snapshots.append((step.output, c.copy()))
                if checkpoint is not None:
                    checkpoint(StepState(t=step.t1, c=c, next_step=k + 1, integrals=dict(acc)), records)
            done += 1
            if progress is not None:
                progress(k + 1, len(steps))
            if stop_after is not None and done >= stop_after:
                raise KeyboardInterrupt(f"stopped after {done} steps (stop_after)")
    except SolverError as exc:
        partial = None
        if records["index"]:
            done_times = times[:len(records["index"])]
            partial = _finish(case, "fv", derived, done_times, records["n_target"], records["n_target_dt"],
                              float(schedule.charge(done_times[-1], T)), {**model.mesh_info(), "steps": len(steps)})
        raise IncompleteRun(str(exc), partial) from exc
    idx = np.asarray(records["index"])
    if len(idx) != len(times) or np.any(idx != np.arange(len(times))):
        raise SolverError("internal: the step plan did not reach every output time")
    numerics = {
        **model.mesh_info(),
        "steps": len(steps),
        "stepper": stepper.name,
        "scheme": case.fv.scheme,
        "convection": case.fv.convection,
        "factorisations": getattr(stepper, "factorisations", None),
        **({"stepper_stats": stepper.stats} if hasattr(stepper, "stats") else {}),
        "conservation": {"initial_content": total0, "final_content": dot(volume, c),
                         "inflow": acc["inflow"], "outflow": acc["outflow"],
                         "worst_relative_balance": acc["worst_balance"],
                         "tolerance": CONSERVATION_TOLERANCE},
        "min_density_m3": acc["min_density"],
    }
    profiles = {"c": np.asarray(profiles), "model": model} if store_profiles else None
    result = _finish(case, "fv", derived, times, records["n_target"], records["n_target_dt"],
                     float(schedule.charge(T, T)), numerics, profiles)
    if snapshots:
        index = [k for k, _ in snapshots]
        result.fields = {"index": index, "times": times[index], "c": [v for _, v in snapshots], "model": model}
    return result
