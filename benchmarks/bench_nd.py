"""Benchmark of 2D/3D runs: cells, set-up time, time per step and peak memory (not a test).

    python benchmarks/bench_nd.py --dim 2 --cells 1e6 --steps 1000 --solver amg
    python benchmarks/bench_nd.py --dim 3 --cells 1e5 --steps 200 --solver splu

One run per call (peak memory is per process): the VIP-2 strip with a 5-mm connector on one
edge (``--shape strip``) or the VIP shell with two 10-mm feed tabs (``--shape shell``),
resolution chosen for about ``--cells`` active cells (cells about as wide as long, ``--through``
cells through the thickness in 3D), run through ``vip_transport.solver.run.run_case`` and stopped after
``--steps`` time steps.  Reported: cells, the time to build the mesh, to solve the potential,
until the first step (mesh, potential, first assemblies and factorisation), seconds per step
over the steps after the first 20 (those include the factorisations of the first step
sizes), a projection to 1000 steps, and the peak resident memory of this process (VmHWM
from /proc/self/status: includes SuperLU, PARDISO and pyamg, which tracemalloc does not see; unlike
``getrusage``'s ru_maxrss it is not inherited across execve from a parent's peak).  BLAS is
limited to one thread (on a loaded 2-core box threaded OpenBLAS is many times slower); MKL
(PARDISO) gets two unless MKL_NUM_THREADS says otherwise (reported as ``mkl_threads``).
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "2")     # PARDISO: both cores (~20% faster steps than 1)

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402



def peak_memory_gb():
    """Peak resident memory of this process [GB] (VmHWM in /proc/self/status, Linux)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024 / 1e9
    raise RuntimeError("no VmHWM in /proc/self/status")


def bench_case(dim, cells, through, solver, steps, shape="strip"):
    from vip_transport.solver.config import case_from_dict

    length, width = (0.071, 0.020) if shape == "strip" else (0.088, 2 * math.pi * 0.045)
    # along ~ 1.14 n (target + connector) + graded cells (~300 at grading 1.03); across ~ n w/L
    per_layer = cells / (through if dim == 3 else 1)
    n = max(8, int(math.sqrt(per_layer * length / width / 1.14)))
    for _ in range(20):                     # refine the guess: graded cells add ~300 layers
        across = max(4, round(n * width / length))
        along = 1.14 * n + 320
        n = max(8, int(n * math.sqrt(per_layer / (along * across))))
    across = max(4, round(n * width / length))
    across = 4 * max(1, round(across / 4))  # the 5-mm connector is a quarter of the width
    geometry = {"preset": "vip2", "dimension": dim, "connector": {"width": "5 mm", "offset": "7.5 mm"}}
    if shape == "shell":
        geometry = {"preset": "vip", "dimension": dim, "connector": {"width": "20 mm", "angles": ["0 deg", "180 deg"]}}
    return case_from_dict({
        "name": f"bench{dim}d", "method": "fv", "output": {"fields": []},
        "geometry": geometry,
        "fv": {"cells_per_target": n, "cells_across": across, "cells_through": through,
               "linear_solver": solver, "time_steps": max(steps, 100)},
        "time": {"duration": "1e3 s", "outputs": 20}, "limits": {"max_cells": 10**8, "max_steps": 10**8}})


def case_arguments(description, steps):
    """The command-line parser of the benchmark case's options (``bench_case``), with
    ``steps`` time steps by default."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--dim", type=int, choices=[2, 3], default=2)
    p.add_argument("--cells", type=float, default=1e5)
    p.add_argument("--through", type=int, default=2)
    p.add_argument("--steps", type=int, default=steps)
    p.add_argument("--solver", choices=["auto", "splu", "pardiso", "amg"], default="auto")
    p.add_argument("--shape", choices=["strip", "shell"], default="strip")
    return p


def main(argv=None):
    p = case_arguments(__doc__.splitlines()[0], steps=200)
    p.add_argument("--json", action="store_true", help="print one JSON line")
    args = p.parse_args(argv)

    from vip_transport.solver.run import run_case

    start = time.perf_counter()
    case = bench_case(args.dim, args.cells, args.through, args.solver, args.steps, args.shape)
    stamps = []

    def progress(done, total):
        stamps.append(time.perf_counter())

    result = None
    try:
        result = run_case(case, progress=progress, stop_after=args.steps)
    except KeyboardInterrupt:
        pass
    end = time.perf_counter()
    peak_gb = peak_memory_gb()      # of the run itself, before the set-up is timed again below
    result_numerics = None if result is None else result.numerics
    result = None
    from vip_transport.solver.linalg.memory import release_memory

    release_memory()
    skip = min(20, len(stamps) // 4)
    per_step = (stamps[-1] - stamps[skip]) / max(1, len(stamps) - 1 - skip) if len(stamps) > 1 else float("nan")
    from vip_transport.solver.physics.derived import derive
    from vip_transport.solver.fv.block_model import block_mesh_of_case
    from vip_transport.solver.fv.potential import solve_potential
    from vip_transport.solver.fv.layout import line_layout

    layout = line_layout(case, derive(case))               # set-up alone, timed again
    t0 = time.perf_counter()
    block = block_mesh_of_case(case, layout)
    t1 = time.perf_counter()
    solve_potential(block, case.material.conductivity, layout.electron_density,
                    solver="splu" if args.solver == "splu" else "direct")
    t2 = time.perf_counter()
    row = {"dim": args.dim, "shape": args.shape, "solver": args.solver, "cells": int(block.active.sum()),
           "grid": list(block.shape), "steps": len(stamps), "mesh_s": round(t1 - t0, 2),
           "potential_s": round(t2 - t1, 2),
           "first_step_at_s": round(stamps[0] - start, 2) if stamps else None,
           "s_per_step": round(per_step, 4), "total_s": round(end - start, 1),
           "projected_1000_steps_s": round((stamps[0] - start if stamps else 0) + 1000 * per_step, 1),
           "peak_VmHWM_GB": round(peak_gb, 2), "mkl_threads": os.environ["MKL_NUM_THREADS"]}
    if result_numerics is not None:
        row["stepper_stats"] = result_numerics.get("stepper_stats")
    print(json.dumps(row) if args.json else "\n".join(f"{k:>24}: {v}" for k, v in row.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
