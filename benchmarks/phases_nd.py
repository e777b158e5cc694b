"""Phase breakdown of a 2D/3D run: wall time and memory of each set-up phase and of the steps
(not a test).

    python benchmarks/phases_nd.py --dim 2 --cells 1e6 --solver splu

Same case as ``bench_nd.py`` (its ``bench_case``).  Phases, each timed [s] with the resident
memory after it (VmRSS) and the peak so far (VmHWM) [GB], from /proc/self/status:
mesh (``block_mesh_of_case``), geometry (the grid arrays the model reads), potential
(``solve_potential``), model, assembly (``operator(I)``), preconditioner (one LU or AMG set-up
for a ladder size, through ``LadderStepper``), then ``--steps`` steps of that ladder size and
one remainder step (GMRES preconditioned by it).
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "2")

import json  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_nd import bench_case, case_arguments  # noqa: E402


def memory_gb():
    """(VmRSS, VmHWM) of this process [GB] from /proc/self/status."""
    values = {}
    with open("/proc/self/status") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) * 1024 / 1e9
    return values["VmRSS"], values["VmHWM"]


class Phases:
    """Records (name, seconds, VmRSS GB, VmHWM GB) of consecutive phases."""

    def __init__(self):
        self.rows = []
        self._t = time.perf_counter()

    def mark(self, name, **extra):
        now = time.perf_counter()
        rss, hwm = memory_gb()
        self.rows.append({"phase": name, "s": round(now - self._t, 3), "rss_GB": round(rss, 3),
                          "hwm_GB": round(hwm, 3), **extra})
        print(json.dumps(self.rows[-1]), flush=True)
        self._t = time.perf_counter()


def main(argv=None):
    p = case_arguments(__doc__.splitlines()[0], steps=5)
    p.add_argument("--dt", type=float, default=1.0, help="step size [s] (rounded to the ladder)")
    args = p.parse_args(argv)

    from vip_transport.solver.physics.derived import derive
    from vip_transport.solver.fv.block_model import BlockModel, block_mesh_of_case
    from vip_transport.solver.linalg.backends import choose_backend
    from vip_transport.solver.linalg.memory import release_memory
    from vip_transport.solver.fv.potential import solve_potential
    from vip_transport.solver.fv.layout import line_layout
    from vip_transport.solver.timestepping.registry import make_stepper
    from vip_transport.solver.timestepping.plan import Step

    case = bench_case(args.dim, args.cells, args.through, args.solver, 100, args.shape)
    ph = Phases()
    layout = line_layout(case, derive(case))
    block = block_mesh_of_case(case, layout)
    ph.mark("mesh", cells=int(block.active.sum()), grid=list(block.shape))
    _ = (block.face_area, block.face_distance, block.volume, block.grid.face_sign)
    ph.mark("geometry")
    backend = choose_backend(args.solver, int(block.active.sum()))
    drift = solve_potential(block, case.material.conductivity, layout.electron_density,
                            solver="splu" if backend == "splu" else "direct")
    release_memory()            # as build_nd_model does
    ph.mark("potential")
    model = BlockModel(block=block, drift=drift, diffusivity=layout.diffusivity,
                       electron_density=layout.electron_density, inflow_density=layout.inflow_density,
                       convection=case.fv.convection, linear_solver=backend)
    ph.mark("model", backend=backend)
    stepper = make_stepper(case.fv.stepper, model)
    current = 1.0
    stepper.operators(current)
    ph.mark("assembly")
    ratio = stepper.ratio
    k = round(math.log(args.dt) / math.log(ratio))
    dt = ratio ** k
    stepper._preconditioner(current, k, 0.5)
    ph.mark("preconditioner", dt=dt)
    c = model.volume * 0.0 + layout.electron_density * model.cells["reservoir"]
    t = 0.0
    for _ in range(args.steps):
        c = stepper.advance(c, Step(t, t + dt, 0.5, dt=dt), current)
        t += dt
    ph.mark("steps", n=args.steps)
    short = 0.8 * dt
    c = stepper.advance(c, Step(t, t + short, 0.5, dt=short), current)
    ph.mark("remainder step", stats=dict(stepper.stats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
