"""The ``vip-transport sweep SWEEP.yaml`` command: parse, run on Dask (or serially), report."""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import UserError
from .engine import run_sweep
from .spec import load_sweep

__all__ = ["cmd_sweep"]


def cmd_sweep(args) -> int:
    if args.workers is not None and args.workers < 1:
        raise UserError(f"--workers: expected a whole number of 1 or more; got {args.workers}")
    if sum(bool(x) for x in (args.serial, args.scheduler, args.workers)) > 1:
        raise UserError("--serial, --scheduler and --workers exclude each other")
    sweep = load_sweep(args.sweep)
    out = Path(args.out) if args.out else Path("results") / sweep.name
    points = sweep.points()              # every case validated before anything runs
    print(f"{sweep.name}: {len(points)} cases -> {out}", file=sys.stderr)
    try:
        report = run_sweep(sweep, out, scheduler=args.scheduler, workers=args.workers, serial=args.serial)
    except KeyboardInterrupt:
        print("stopped; the finished cases are kept: run the same command again to continue", file=sys.stderr)
        raise
    print(f"{sweep.name}: {report.cases} cases: {report.computed} computed now ({report.failed} failed), "
          f"{report.skipped} finished before")
    for name in report.files[:3]:
        print(f"  {out / name}")
    if len(report.files) > 3:
        print(f"  ... and {len(report.files) - 3} more plots in {out / 'plots'}")
    failed = [r for r in report.rows if r["status"] == "failed"]
    if failed:
        print(f"{len(failed)} of {report.cases} cases failed (see the error column of {out / 'sweep.csv'}); "
              f"first: case {failed[0]['case']}: {failed[0]['error']}", file=sys.stderr)
        return 1
    return 0
