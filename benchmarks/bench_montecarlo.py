"""Benchmark of the Monte Carlo walk (issue 15).  Prints figures; asserts nothing.

    python benchmarks/bench_montecarlo.py [--repeat 3] [--nd]

1. Electron steps per second on one core, for the exact steps of a uniform line (the default
   VIP-2 case) and, with ``--nd``, the split steps of a 2D narrow-connector case (the compiled
   walk is warmed up first: numba's one-off compilation is timed apart).
2. The default VIP-2 case (``cases/vip2.yaml`` with method montecarlo, T = 1e4 s): wall time and
   standard error of N(T) at the default number of electrons, and the wall time of the smallest
   run reaching 1e-3 relative standard error on N(T), for the combined estimate (new electrons
   counted directly and as n V_target minus the old ones, ``montecarlo.estimate``) and for the
   direct count alone (what a walk of the reservoir's electrons only would need, extrapolated
   from its measured variance as 1/electrons).
Timings on a shared 2-core machine are noisy: each figure is the range over ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def vip2_case(electrons, batches=20, **changes):
    import yaml

    from vip_transport.solver.config import case_from_dict

    data = yaml.safe_load((ROOT / "cases" / "vip2.yaml").read_text())
    data["method"] = "montecarlo"
    data["montecarlo"].update({"electrons": int(electrons), "batches": batches})
    for key, value in changes.items():
        data.setdefault(key, {}).update(value)
    return case_from_dict(data)


def narrow_2d_case(electrons):
    from vip_transport.solver.config import case_from_dict

    return case_from_dict({"name": "bench2d", "method": "montecarlo",
                           "geometry": {"preset": "vip2", "dimension": 2,
                                        "connector": {"width": "5 mm", "offset": "7.5 mm"}},
                           "transport": {"current": "100 A"},
                           "time": {"duration": "30 s", "outputs": 12, "first_output": "1 s"},
                           "montecarlo": {"electrons": int(electrons), "batches": 4},
                           "fv": {"cells_per_target": 32, "cells_across": 8}, "output": {"fields": []}})


def steps_per_second(case, electrons, repeat):
    """(compile + first call [s], [steps per second] per repeat) of the walk of ``case``."""
    from vip_transport.solver.montecarlo.driver import build_problem, run_batch
    from vip_transport.solver.physics.derived import derive

    problem = build_problem(case, derive(case))
    times = case.time.output_times()
    start = time.perf_counter()
    run_batch(problem, np.random.SeedSequence(0), 4, times)
    first = time.perf_counter() - start
    rates = []
    for r in range(repeat):
        start = time.perf_counter()
        tallies = run_batch(problem, np.random.SeedSequence(r + 1), electrons, times)
        rates.append(tallies.steps.sum() / (time.perf_counter() - start))
    return first, rates


def direct_only_error(result_case):
    """Relative standard error of N(T) from the direct count of new electrons alone, and the
    combined one, from one run's batches."""
    from vip_transport.solver.montecarlo.driver import batch_sizes, build_problem, run_batch
    from vip_transport.solver.montecarlo.estimate import combine
    from vip_transport.solver.physics.derived import derive

    mc = result_case.montecarlo
    problem = build_problem(result_case, derive(result_case))
    times = result_case.time.output_times()
    seeds = np.random.SeedSequence(mc.seed).spawn(mc.batches)
    tallies = [run_batch(problem, s, m, times) for s, m in zip(seeds, batch_sizes(mc.electrons, mc.batches))]
    est = combine(tallies, problem.target_electrons, times)
    direct = np.array([t.sums[0, 0, -1] for t in tallies])
    return (direct.std(ddof=1) / math.sqrt(len(tallies)) / est.n_target[-1],
            est.n_target_stderr[-1] / est.n_target[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--nd", action="store_true", help="also time the 2D split steps")
    args = parser.parse_args()
    from vip_transport.solver.run import run_case

    print("1. electron steps per second, one core")
    first, rates = steps_per_second(vip2_case(1000), 100_000, args.repeat)
    print(f"   1D uniform line (exact steps): {min(rates):.3g} - {max(rates):.3g} /s "
          f"(first call incl. loading/compiling the walk: {first:.1f} s)")
    if args.nd:
        first, rates = steps_per_second(narrow_2d_case(1000), 2_000, args.repeat)
        print(f"   2D narrow connector (mostly split steps): {min(rates):.3g} - {max(rates):.3g} /s "
              f"(first call: {first:.1f} s)")

    print("2. default VIP-2 case (cases/vip2.yaml, method montecarlo, T = 1e4 s, 200 outputs)")
    walls, errors = [], []
    for r in range(args.repeat):
        result = run_case(vip2_case(400_000))
        walls.append(result.wall_time_s)
        errors.append(result.stderr["new_electrons_in_target"][-1] / result.electrons_in_target[-1])
    per_electron = min(walls) / 400_000
    print(f"   400,000 electrons (default): {min(walls):.2f} - {max(walls):.2f} s, relative standard "
          f"error of N(T) {max(errors):.2e}")
    electrons, rel = 2_000, math.inf
    while rel > 1e-3:                      # the smallest run (doubling) reaching 1e-3
        electrons *= 2
        walls = []
        for r in range(args.repeat):
            result = run_case(vip2_case(electrons))
            walls.append(result.wall_time_s)
        rel = result.stderr["new_electrons_in_target"][-1] / result.electrons_in_target[-1]
    print(f"   {electrons:,} electrons: {min(walls):.2f} - {max(walls):.2f} s, relative standard error of "
          f"N(T) {rel:.2e} <= 1e-3 (combined estimate; half as many electrons do not reach it)")
    direct, combined = direct_only_error(vip2_case(400_000))
    need = 400_000 * (direct / 1e-3) ** 2
    print(f"   direct count of new electrons alone (400,000 electrons): relative standard error {direct:.2e} "
          f"(combined {combined:.2e}); 1e-3 needs ~{need:.2e} electrons, ~{need * per_electron:.3g} s "
          f"at the default run's {per_electron * 1e6:.1f} us per electron")


if __name__ == "__main__":
    main()
