"""Command line: ``vip-transport {run,derive} ...``.  Thin: parse, call the library, report.

Exit codes: 0 success, 2 a user's mistake (bad case file, bad arguments), 1 an internal failure.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from pathlib import Path

from .errors import SolverError, UserError

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    def error(self, message):          # argparse exits with 2 too; keep its one-line message
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def _progress_bar(total_desc):
    """A tqdm bar on a terminal, nothing in CI or logs."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        return None, lambda: None
    from tqdm import tqdm

    bar = tqdm(total=None, desc=total_desc, unit="step", leave=False)

    def update(done, total):
        if bar.total != total:
            bar.total = total
        bar.n = done
        bar.refresh() if done == total or done % 50 == 0 else None

    return update, bar.close


def cmd_run(args):
    import shutil

    from .config import load_case, write_resolved
    from .io.checkpoint import checkpoint_folder

    resume = None
    if args.resume:
        if args.case or args.out:
            raise UserError("run --resume DIR takes the results folder only (the case is in its checkpoint)")
        out = Path(args.resume)
        work = checkpoint_folder(out)
        if not (work / "case.resolved.yaml").is_file():
            raise UserError(f"{out}: nothing to resume: no checkpoint folder {work}")
        case = load_case(work / "case.resolved.yaml")
        from .io.checkpoint import load_checkpoint

        resume = load_checkpoint(work)
    elif args.case:
        case = load_case(args.case)
        out = Path(args.out) if args.out else Path("results") / case.name
        work = checkpoint_folder(out)
    else:
        raise UserError("run needs a case file, or --resume DIR")
    from .run.size import check_run_size

    check_run_size(case)        # before anything is written or imported for the run
    # heavy imports (FiPy, matplotlib) only once the case is known to be valid
    from .io.checkpoint import Checkpointer
    from .io.results import now_iso, write_results
    from .run import IncompleteRun, run_case

    checkpointer = None
    if case.method == "fv":
        if resume is None:
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir(parents=True)
            write_resolved(case, work / "case.resolved.yaml")
        checkpointer = Checkpointer(work, interval_s=args.checkpoint_every)
    started = now_iso()
    update, close = _progress_bar(f"{case.name} ({case.method})")
    try:
        result = run_case(case, progress=update, checkpoint=checkpointer, resume=resume)
    except IncompleteRun as exc:
        close()
        if exc.partial is not None:
            partial_out = out.parent / f"{out.name}.incomplete"
            write_results(partial_out, exc.partial, started=started, error=str(exc))
            print(f"outputs finished before the failure: {partial_out}", file=sys.stderr)
        raise
    except KeyboardInterrupt:
        close()
        if checkpointer is not None and checkpointer.saved:
            print(f"stopped; continue with: vip-transport run --resume {out}", file=sys.stderr)
        raise
    close()
    summary = write_results(out, result, started=started)
    shutil.rmtree(work, ignore_errors=True)
    bound = summary["beta2_half_bound"]
    print(f"{case.name}: method {result.method}, {len(result.times)} outputs to t = {result.times[-1]:.6g} s "
          f"in {result.wall_time_s:.2f} s")
    print(f"  new electrons in target at the end: {summary['new_electrons_in_target_final']:.6e}")
    print(f"  scatterings in total:               {summary['scatterings_total']:.6e}")
    print(f"  detected X-rays per unit beta^2/2:  {summary['xrays_per_unit_violation']:.6e}")
    if bound is not None:
        print(f"  bound: beta^2/2 < {bound:.3e}")
    print(f"results: {out}")
    return 0


def cmd_derive(args):
    from .config import load_case
    from .io.results import json_safe
    from .paper.comparison import compare_with_paper, derive_json, format_table
    from .physics.derived import derive

    case = load_case(args.case)
    if args.json:
        print(json.dumps(json_safe(derive_json(case)), indent=2, allow_nan=False))
    else:
        derived = derive(case)
        print(format_table(compare_with_paper(case, derived)))
    return 0


def cmd_compare(args):
    from .compare import run_compare

    return run_compare(args)


def cmd_paper(args):
    from .paper.command import run_paper

    return run_paper(args)


def build_parser():
    p = _Parser(prog="vip-transport",
                description="Drift and diffusion of new conduction electrons in VIP/VIP-2 copper targets.")
    from . import __version__

    p.add_argument("--version", action="version", version=f"vip-transport {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    r = sub.add_parser("run", help="run a case file and write its results folder",
                       description="Run CASE.yaml (method analytic or fv) and write the results folder "
                                   "atomically: case.resolved.yaml, summary.json, timeseries.csv, plots. "
                                   "A finite-volume run keeps a checkpoint in .DIR.checkpoint/ while it runs; "
                                   "if stopped (Ctrl-C, kill), `run --resume DIR` continues it.")
    r.add_argument("case", nargs="?", help="case file (YAML), e.g. cases/vip2.yaml")
    r.add_argument("--out", metavar="DIR", help="results folder (default: results/<case name>)")
    r.add_argument("--resume", metavar="DIR",
                   help="continue a stopped finite-volume run whose results folder was DIR")
    r.add_argument("--checkpoint-every", metavar="SECONDS", type=float, default=30.0,
                   help="save a checkpoint at the first output after this much wall time (default 30; 0: every output)")
    r.set_defaults(func=cmd_run)

    d = sub.add_parser("derive", help="print the derived quantities of a case beside the paper's",
                       description="Print the copper and transport quantities a case implies (paper eqs. 7-13, "
                                   "section 3) beside the paper's printed values, flagging each disagreement.")
    d.add_argument("case", help="case file (YAML)")
    d.add_argument("--json", action="store_true", help="print JSON instead of a table")
    d.set_defaults(func=cmd_derive)

    c = sub.add_parser("compare", help="run a case in several dimensions and tabulate the differences",
                       description="Run CASE.yaml with the finite-volume method in each of --dims and write a "
                                   "table (CSV, Markdown, plot) of N(t), total scatterings, transit time and "
                                   "amplification factor per dimension with relative differences to 1D.")
    c.add_argument("case", help="case file (YAML)")
    c.add_argument("--dims", type=int, nargs="+", default=[1, 2, 3], choices=[1, 2, 3],
                   help="dimensions to run (default: 1 2 3)")
    c.add_argument("--methods", nargs="+", choices=["fv", "montecarlo", "analytic"], default=None,
                   help="methods to run in each dimension (default: fv); with fv and montecarlo the table "
                        "gives the differences in units of the Monte Carlo standard error")
    c.add_argument("--out", metavar="DIR", help="results folder (default: results/<case name>-compare)")
    c.set_defaults(func=cmd_compare)

    pp = sub.add_parser("paper", help="regenerate the paper's figures 2 and 3 and the claims ledger",
                        description="Regenerate figures 2 and 3 of Milotti et al. (2018) in the paper's "
                                    "convention and write the claims ledger (Markdown + JSON).")
    pp.add_argument("--out", metavar="DIR", default="results/paper", help="results folder (default: results/paper)")
    pp.set_defaults(func=cmd_paper)
    return p


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except SolverError as exc:
        print(f"solver failure: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:   # an internal failure: say so, with the traceback for a bug report
        traceback.print_exc()
        print(f"internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
