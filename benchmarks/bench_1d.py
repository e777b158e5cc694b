"""Benchmark of the 1D finite-volume core (issue 3).  Prints figures; asserts nothing.

    python benchmarks/bench_1d.py [--cells 100000] [--steps 10000] [--naive-steps 100]

For one VIP-2 case (100 A, semi-infinite reservoir, Einstein D) it measures:
1. our cached stepper vs FiPy's plain ``eq.solve`` loop, same mesh, same implicit-Euler steps
   (so equal accuracy; their difference is printed) -> speed ratio;
2. our per-step cost vs a banded LAPACK solve (scipy.linalg.solve_banded) of the same matrix;
3. a full run (``run_case``: stepping, conservation balance, counts) with ~``--cells`` cells and
   ~``--steps`` steps, in a fresh process: wall time, peak memory and the error of N(t)
   against the analytic solution.

Peak memory is the fresh process's VmHWM (/proc/self/status): ``getrusage``'s ru_maxrss would
report the parent's peak too, since Linux carries it across fork and exec.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np


def vip2_case(cells_per_target, time_steps, method="fv", scheme="crank-nicolson", stepper="cached",
              duration="1e4 s", outputs=50):
    from vip_transport.solver.config import case_from_dict

    return case_from_dict({
        "name": "bench", "method": method, "geometry": {"preset": "vip2"},
        "time": {"duration": duration, "outputs": outputs},
        "fv": {"cells_per_target": cells_per_target, "time_steps": time_steps, "scheme": scheme,
               "stepper": stepper, "steps_per_front": 0},
        "limits": {"max_cells": 10**7}})


def cells_per_target_for(total_cells):
    """cells_per_target that gives about ``total_cells`` cells in the whole line."""
    from vip_transport.solver.physics.derived import derive
    from vip_transport.solver.fv.line_model import build_line_model

    lo, hi = 4, total_cells
    while hi - lo > max(1, lo // 200):
        mid = (lo + hi) // 2
        case = vip2_case(mid, 10)
        n = build_line_model(case, derive(case))[0].number_of_cells
        lo, hi = (mid, hi) if n < total_cells else (lo, mid)
    return hi


def per_step_comparison(cells_per_target, n_steps):
    """Time the same implicit-Euler steps three ways; return a dict of figures."""
    import scipy.linalg as sla
    import scipy.sparse as sp

    from vip_transport.solver.physics.derived import derive
    from vip_transport.solver.fv.line_model import build_line_model
    from vip_transport.solver.timestepping.cached import CachedStepper
    from vip_transport.solver.timestepping.fipy_loop import FiPyStepper
    from vip_transport.solver.timestepping.plan import plan_steps

    case = vip2_case(cells_per_target, n_steps, scheme="implicit-euler")
    model, c0 = build_line_model(case, derive(case))
    current = 100.0
    steps = plan_steps([1.0], 1.0, time_steps=n_steps, startup_steps=0, scheme="implicit-euler",
                       spacing="uniform", first_step=1.0 / n_steps)
    figures = {"cells": model.number_of_cells, "steps": len(steps)}

    ours = CachedStepper(model.operator, model.volume)
    c = c0.copy()
    ours.advance(c, steps[0], current)           # assembly + factorisation, timed separately
    t = time.perf_counter()
    for s in steps:
        c = ours.advance(c, s, current)
    figures["ours_s_per_step"] = (time.perf_counter() - t) / len(steps)
    c_ours = c

    naive = FiPyStepper(model.fipy_equation)
    c = c0.copy()
    t = time.perf_counter()
    for s in steps:
        c = naive.advance(c, s, current)
    figures["naive_s_per_step"] = (time.perf_counter() - t) / len(steps)
    figures["naive_vs_ours_max_rel_diff"] = float(np.max(np.abs(c - c_ours)) / np.max(np.abs(c_ours)))

    K, f = model.operator(current)
    dt = steps[0].dt
    M = (sp.diags(model.volume / dt) - K).todia()
    ab = np.zeros((3, M.shape[0]))
    for offset, row in zip(M.offsets, M.data):
        ab[1 - offset] = row
    c = c0.copy()
    t = time.perf_counter()
    for s in steps:
        c = sla.solve_banded((1, 1), ab, model.volume / dt * c + f)
    figures["banded_s_per_step"] = (time.perf_counter() - t) / len(steps)
    figures["banded_vs_ours_max_rel_diff"] = float(np.max(np.abs(c - c_ours)) / np.max(np.abs(c_ours)))
    figures["speedup_vs_naive"] = figures["naive_s_per_step"] / figures["ours_s_per_step"]
    figures["ours_over_banded"] = figures["ours_s_per_step"] / figures["banded_s_per_step"]
    return figures


def peak_memory_mb():
    """This process's peak resident memory (VmHWM) [MB]."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def full_run(cells_per_target, time_steps):
    """Run the case in this process and print JSON figures (called in a fresh process)."""
    from vip_transport.solver.run import run_case

    rss0 = peak_memory_mb()
    case = vip2_case(cells_per_target, time_steps)
    t = time.perf_counter()
    fv = run_case(case)
    wall = time.perf_counter() - t
    peak = peak_memory_mb()
    exact = run_case(vip2_case(cells_per_target, time_steps, method="analytic"))
    err = np.max(np.abs(fv.electrons_in_target - exact.electrons_in_target)) / np.max(exact.electrons_in_target)
    print(json.dumps({"cells": fv.numerics["cells"], "steps": fv.numerics["steps"],
                      "factorisations": fv.numerics["factorisations"], "wall_s": wall,
                      "peak_rss_MB": peak, "rss_after_imports_MB": rss0, "max_rel_error_N": err,
                      "balance": fv.numerics["conservation"]["worst_relative_balance"]}))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cells", type=int, default=100_000)
    p.add_argument("--steps", type=int, default=10_000)
    p.add_argument("--naive-steps", type=int, default=100)
    p.add_argument("--_full", nargs=2, type=int, help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a._full:
        import vip_transport.solver.run  # noqa: F401  (imports before the RSS baseline)
        import fipy  # noqa: F401
        full_run(*a._full)
        return 0
    cpt = cells_per_target_for(a.cells)
    print(f"VIP-2, 100 A, Einstein D, semi-infinite reservoir; cells_per_target={cpt}")
    figs = per_step_comparison(cpt, a.naive_steps)
    print(f"[per step, {figs['cells']} cells, {figs['steps']} implicit-Euler steps]")
    print(f"  FiPy eq.solve loop : {figs['naive_s_per_step'] * 1e3:9.3f} ms/step")
    print(f"  cached stepper     : {figs['ours_s_per_step'] * 1e3:9.3f} ms/step "
          f"-> {figs['speedup_vs_naive']:.0f}x faster (target >= 30x); "
          f"max rel diff {figs['naive_vs_ours_max_rel_diff']:.1e}")
    print(f"  banded LAPACK      : {figs['banded_s_per_step'] * 1e3:9.3f} ms/step "
          f"-> ours/banded = {figs['ours_over_banded']:.2f} (target <= 3); "
          f"max rel diff {figs['banded_vs_ours_max_rel_diff']:.1e}")
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--_full", str(cpt), str(a.steps)],
                         capture_output=True, text=True, check=True)
    full = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"[full run, Crank-Nicolson, fresh process]")
    print(f"  {full['cells']} cells x {full['steps']} steps ({full['factorisations']} factorisations): "
          f"{full['wall_s']:.2f} s (target <= 15 s)")
    print(f"  peak memory {full['peak_rss_MB']:.0f} MB (after imports {full['rss_after_imports_MB']:.0f} MB; "
          f"target <= 250 MB)")
    print(f"  N(t) max error vs analytic {full['max_rel_error_N']:.2e} (target <= 1e-5); "
          f"conservation balance {full['balance']:.1e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
