"""Benchmark of issue 14: the analytic method's speed, start-up, and sweeps on Dask.  Prints
figures; asserts nothing.  Timings on a shared machine are noisy: each figure is repeated and
quoted as median [min-max], and old and new are measured in the same run, interleaved.

    python benchmarks/bench_sweep.py [--repeat 5] [--baseline 6cbcc78] [--sweep-cases 200]

1. The analytic default case (cases/vip2.yaml, 200 outputs): compute time of run_analytic with
   the reference time integral (scipy quad per output interval: what main did) and with the
   vectorised Gauss-Kronrod path; their ratio and largest relative difference.
2. Every case of the analytic test grid (tests/data/analytic_reference.json): compute time.
3. `vip-transport run cases/vip2.yaml --out DIR`, process start to exit, plots included: this
   tree and the ``--baseline`` revision (exported with git archive, run from a temporary
   folder with this venv), interleaved; their ratio.
4. The default finite-volume case (cases/vip2.yaml with method fv): compute time and steps
   (the step plan of main; adaptive steps are another branch's work).
5. A ``--sweep-cases`` 1D finite-volume sweep (currents x connector lengths, 20 outputs each)
   on a LocalCluster of 1 and of 2 worker processes, alternated over ``--rounds`` rounds (the
   load of a shared machine drifts): cluster start-up, wall time of run_sweep (cases, then
   table and plots), throughput and the speed-up; and the same sweep with the analytic method.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent


def spread(values):
    """'median [min-max]' of a list of seconds."""
    return f"{statistics.median(values):.4g} s [{min(values):.4g}-{max(values):.4g}]"


def analytic_default(repeat):
    from vip_transport.solver.config import load_case
    from vip_transport.solver.physics.derived import derive
    from vip_transport.solver.run.analytic import run_analytic

    case = load_case(REPO / "cases" / "vip2.yaml")
    derived = derive(case)
    run_analytic(case, derived)                       # warm: imports, pint, scipy.special
    times = {"quad": [], "gauss-kronrod": []}
    results = {}
    for _ in range(repeat):
        for method in times:                          # interleaved
            start = time.perf_counter()
            results[method] = run_analytic(case, derived, time_integral=method)
            times[method].append(time.perf_counter() - start)
    diff = np.max(np.abs(results["gauss-kronrod"].cumulative_scatterings / results["quad"].cumulative_scatterings - 1))
    ratio = statistics.median(times["quad"]) / statistics.median(times["gauss-kronrod"])
    print("1. analytic default case (cases/vip2.yaml, 200 outputs), compute time:")
    print(f"   old (quad per output interval):   {spread(times['quad'])}")
    print(f"   new (vectorised Gauss-Kronrod):    {spread(times['gauss-kronrod'])}")
    print(f"   ratio of medians: {ratio:.0f}x; largest relative difference of S(t): {diff:.1e}")


def analytic_grid():
    from vip_transport.solver.config import case_from_dict
    from vip_transport.solver.physics.derived import derive
    from vip_transport.solver.run.analytic import run_analytic

    cases = json.loads((REPO / "tests" / "data" / "analytic_reference.json").read_text())["cases"]
    seconds = {}
    for name, record in cases.items():
        case = case_from_dict(record["case"], source=name)
        derived = derive(case)
        best = []
        for _ in range(3):
            start = time.perf_counter()
            run_analytic(case, derived)
            best.append(time.perf_counter() - start)
        seconds[name] = min(best)
    slowest = max(seconds, key=seconds.get)
    print(f"2. analytic test grid, {len(seconds)} cases, compute time (best of 3): median "
          f"{statistics.median(seconds.values()):.4f} s, slowest {seconds[slowest]:.4f} s ({slowest})")


def baseline_tree(revision, folder: Path) -> Path:
    """The package of ``revision`` importable from ``folder`` as vip_transport.solver/meshes."""
    folder.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", revision, "solver", "meshes"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    package = folder / "vip_transport"
    package.mkdir()
    (folder / "solver").rename(package / "solver")
    (folder / "meshes").rename(package / "meshes")
    for so in (REPO / "solver" / "linalg").glob("_tridiagonal*.so"):   # the compiled 1D kernels
        shutil.copy(so, package / "solver" / "linalg" / so.name)
    return folder


_LAUNCH = ("import sys; sys.path.insert(0, sys.argv.pop(1)); import vip_transport.solver as s; "
           "assert s.__file__.startswith(sys.path[0]), s.__file__; from vip_transport.solver.cli import main; "
           "sys.exit(main(sys.argv[1:]))")


def end_to_end(repeat, revision):
    command_new = [str(Path(sys.executable).parent / "vip-transport")]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        old = baseline_tree(revision, tmp / "old")
        commands = {"new": command_new, f"baseline {revision}": [sys.executable, "-c", _LAUNCH, str(old)]}
        times = {k: [] for k in commands}
        for k in range(repeat + 1):
            for name, command in commands.items():
                start = time.perf_counter()
                subprocess.run([*command, "run", str(REPO / "cases" / "vip2.yaml"), "--out", str(tmp / f"out-{k}")],
                               check=True, capture_output=True, cwd=tmp)
                if k:                                  # the first round warms the file cache
                    times[name].append(time.perf_counter() - start)
    print("3. `vip-transport run cases/vip2.yaml` end to end (process start to exit, plots included):")
    for name, values in times.items():
        print(f"   {name:>20}: {spread(values)}")
    old, new = statistics.median(times[f"baseline {revision}"]), statistics.median(times["new"])
    print(f"   ratio of medians: {old / new:.1f}x")


def fv_default(repeat):
    from vip_transport.solver.config.overrides import load_case_with_overrides
    from vip_transport.solver.run import run_case

    case = load_case_with_overrides(REPO / "cases" / "vip2.yaml", ["method=fv"])
    run_case(case)                                     # warm: FiPy import, compiled kernels
    times, steps, cells = [], None, None
    for _ in range(repeat):
        result = run_case(case)
        times.append(result.wall_time_s)
        steps, cells = result.numerics["steps"], result.numerics["cells"]
    print(f"4. default FV case (cases/vip2.yaml, method fv): {spread(times)} of compute, {steps:,} steps, "
          f"{cells:,} cells ({1e3 * statistics.median(times) / steps:.3f} ms per step)")


def sweep_spec(cases, method):
    currents = [f"{i} A" for i in np.linspace(10, 250, 10).round(1)]
    lengths = [f"{x:.4g} mm" for x in np.geomspace(1, 50, max(1, cases // len(currents)))]
    return {"name": f"bench-{method}", "base": str(REPO / "cases" / "vip2.yaml"),
            "set": {"method": method, "time.outputs": 20},
            "grid": {"transport.current": currents, "geometry.connector.length": lengths}}


def _cpu_seconds():
    """User + system CPU time of this process [s] (run on each worker)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def sweep_throughput(cases, rounds):
    from vip_transport.solver.sweep import local_client, run_sweep, sweep_from_dict

    print(f"5. {cases}-case 1D sweeps (currents x connector lengths, 20 outputs each), LocalCluster of "
          f"single-threaded worker processes; 1 and 2 workers alternated, {rounds} rounds:")
    with tempfile.TemporaryDirectory() as tmp:
        for method in ("fv", "analytic"):
            sweep = sweep_from_dict(sweep_spec(cases, method), source=f"bench-{method}")
            rates = {1: [], 2: []}
            for k in range(rounds):
                for workers in (1, 2):
                    start = time.perf_counter()
                    client = local_client(workers)
                    client.run(lambda: __import__("vip_transport.solver.run.time_loop"))   # warm each worker
                    ready = time.perf_counter() - start
                    try:
                        cpu_workers, cpu_here = sum(client.run(_cpu_seconds).values()), _cpu_seconds()
                        start = time.perf_counter()
                        report = run_sweep(sweep, Path(tmp) / f"{method}-{workers}-{k}", client=client, progress=False)
                        wall = time.perf_counter() - start
                        cpu_workers = sum(client.run(_cpu_seconds).values()) - cpu_workers
                        cpu_here = _cpu_seconds() - cpu_here
                    finally:
                        client.close()
                        client.cluster.close()
                    rates[workers].append(report.computed / wall)
                    print(f"   {method:>8}, {workers} worker(s): cluster ready in {ready:.1f} s; {report.computed} "
                          f"cases ({report.failed} failed) in {wall:.1f} s (cases {report.seconds['cases']:.1f} s, "
                          f"table and plots {report.seconds['table_and_plots']:.1f} s): {rates[workers][-1]:.2f} cases/s; "
                          f"CPU per case {1e3 * cpu_workers / report.computed:.0f} ms in the workers, "
                          f"{1e3 * cpu_here / report.computed:.0f} ms here (client, scheduler, table, plots); "
                          f"load {os.getloadavg()[0]:.1f}")
            ratios = [two / one for one, two in zip(rates[1], rates[2])]
            print(f"   {method:>8}: 2 workers / 1 worker = {statistics.median(rates[2]) / statistics.median(rates[1]):.2f}x "
                  f"(medians; per round {', '.join(f'{r:.2f}x' for r in ratios)}; on a loaded machine the CPU per "
                  "case shows whether the work itself grew)")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--baseline", default="6cbcc78", help="git revision of 'today' for the end-to-end ratio")
    p.add_argument("--sweep-cases", type=int, default=200)
    p.add_argument("--rounds", type=int, default=2, help="rounds of the 1- and 2-worker sweeps (alternated)")
    p.add_argument("--sections", default="12345", help="which of the five measurements to make (default: all)")
    args = p.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at the start "
          "(shared: figures are noisy)")
    steps = {"1": lambda: analytic_default(max(2, args.repeat // 2)), "2": analytic_grid,
             "3": lambda: end_to_end(args.repeat, args.baseline), "4": lambda: fv_default(args.repeat),
             "5": lambda: sweep_throughput(args.sweep_cases, args.rounds)}
    for section in args.sections:
        steps[section]()
    print(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
