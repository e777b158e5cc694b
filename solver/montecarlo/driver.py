"""The Monte Carlo method: independent batches of electrons walked through the case's conductor,
each with its own random stream, combined into N(t) and integral N dt with standard errors
(``estimate``); ``solver.run.montecarlo`` turns them into the results contract.

Batch b of ``montecarlo.batches`` uses ``numpy.random.SeedSequence(seed).spawn(batches)[b]``
alone, so a batch gives the same tallies in this process or in a worker process: the output
depends on the seed and the settings, never on ``montecarlo.workers``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..errors import CaseError
from .estimate import Tallies, combine

if TYPE_CHECKING:
    from ..config.schema import Case

__all__ = ["Simulation", "simulate", "build_problem", "run_batch", "batch_sizes", "CHUNK"]

CHUNK = 20_000      # electrons walked per call of the compiled walk (progress and memory)


def build_problem(case: Case, derived: dict):
    """The walk's description of ``case``: ``line_problem`` in 1D, ``block_problem`` in 2D/3D."""
    if case.geometry.dimension == 1:
        from .line_problem import line_problem

        return line_problem(case, derived)
    from .block_problem import block_problem

    return block_problem(case, derived)


def batch_sizes(electrons: int, batches: int) -> list[int]:
    """Electrons per batch: ``electrons`` shared as evenly as possible."""
    base, extra = divmod(electrons, batches)
    return [base + (1 if b < extra else 0) for b in range(batches)]


def _population_sizes(problem, count: int) -> list[int]:
    """Electrons of each population in a batch of ``count``: half new, half old (all new for a
    single electron, which has no old population)."""
    if not problem.populations:
        return [count, 0]
    new = max(1, count // 2)
    return [new, max(1, count - new)]


def run_batch(problem, seed, count: int, times, progress=None) -> Tallies:
    """Walk one batch of ``count`` electrons with the stream of ``seed`` (a SeedSequence)."""
    rng = np.random.Generator(np.random.PCG64(seed))
    times = np.asarray(times, float)
    sums = np.zeros((3, 2, len(times)))
    integrals = np.zeros((3, 2, len(times)))
    steps = np.zeros(2, dtype=np.int64)
    sizes = _population_sizes(problem, count)
    resolution = np.array([problem.resolution(p, max(m, 1)) if m else 0.0 for p, m in enumerate(sizes)])
    done = 0
    for pop, m in enumerate(sizes):
        if m == 0:
            continue
        start = problem.draw(pop, m, rng)
        for lo in range(0, m, CHUNK):
            part = {k: v[..., lo:lo + CHUNK] for k, v in start.items()}
            n = len(part["weight"])
            problem.walk(part, np.full(n, pop, dtype=np.int64), times, rng, sums, integrals, steps)
            done += n
            if progress is not None:
                progress(n)
    return Tallies(sums=sums, integrals=integrals, electrons=np.array(sizes, float),
                   resolution=resolution, steps=steps)


def _run_batches(problem, seeds, sizes, times, workers, progress):
    if workers <= 1 or len(seeds) == 1:
        out = []
        for seed, size in zip(seeds, sizes):
            out.append(run_batch(problem, seed, size, times, progress))
        return out
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        futures = [pool.submit(run_batch, problem, seed, size, times) for seed, size in zip(seeds, sizes)]
        out = []
        for future, size in zip(futures, sizes):
            out.append(future.result())
            if progress is not None:
                progress(size)
        return out


@dataclass
class Simulation:
    """The walk's estimates at the output ``times`` [s]: ``n_target`` N(t) and ``integral``
    integral_0^t N dt [electrons, electron s] with their standard errors, the charge Q(T) [C]
    the current carried, and what summary.json records under ``numerics``."""

    times: np.ndarray
    n_target: np.ndarray
    n_target_stderr: np.ndarray
    integral: np.ndarray
    integral_stderr: np.ndarray
    charge: float
    numerics: dict


def simulate(case: Case, derived: dict, progress=None) -> Simulation:
    """Walk ``case``'s electrons in ``montecarlo.batches`` independent batches and combine them
    (``estimate``).  ``progress``: callable(done electrons, total electrons) or None."""
    from .schedule import ScheduleArrays

    mc = case.montecarlo
    if mc.electrons < 2 * mc.batches:
        raise CaseError(f"{case.source}: montecarlo.electrons: expected at least 2 electrons per batch "
                        f"({2 * mc.batches} for {mc.batches} batches); got {mc.electrons}")
    problem = build_problem(case, derived)
    times = case.time.output_times()
    seeds = np.random.SeedSequence(mc.seed).spawn(mc.batches)
    sizes = batch_sizes(mc.electrons, mc.batches)
    done = [0]

    def step(n):
        done[0] += n
        if progress is not None:
            progress(done[0], mc.electrons)

    started = time.perf_counter()
    tallies = _run_batches(problem, seeds, sizes, times, mc.workers, step)
    walk_s = time.perf_counter() - started
    est = combine(tallies, problem.target_electrons, times)
    steps = np.sum([t.steps for t in tallies], axis=0)
    numerics = {
        "dimension": problem.dimension,
        "montecarlo": {
            "electrons": mc.electrons, "batches": mc.batches, "seed": mc.seed, "workers": mc.workers,
            "time_step_s": problem.time_step, "exact_steps": int(steps[0]), "split_steps": int(steps[1]),
            "walk_wall_time_s": walk_s,
            "electron_steps_per_s": float(steps.sum() / walk_s) if walk_s > 0 else None,
            "target_electrons": problem.target_electrons,
            "complement_weight_final": float(est.beta[-1]),
            "hits_final": est.hits[:, -1].tolist(),
            **problem.info,
        },
    }
    charge = float(ScheduleArrays.of_case(case).charge_at(case.time.duration))
    return Simulation(times=times, n_target=est.n_target, n_target_stderr=est.n_target_stderr,
                      integral=est.integral, integral_stderr=est.integral_stderr, charge=charge,
                      numerics=numerics)
