"""Command line: ``vip-transport {run,derive} ...``.  Thin: parse, call the library, report.

Exit codes: 0 success, 2 a user's mistake (bad case file, bad arguments), 1 an internal failure.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import traceback
from pathlib import Path

from .errors import SolverError, UserError
from .io.progress import progress_bar

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    def error(self, message):          # argparse exits with 2 too; keep its one-line message
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C: the run keeps its checkpoint and says how to resume."""


def _on_sigterm(signum, frame):
    raise Terminated("terminated (SIGTERM)")


def cmd_run(args):
    if args.resume and (args.case or args.out or args.set):
        raise UserError("run --resume DIR takes the results folder only (the case is in its checkpoint)")
    if not (args.resume or args.case):
        raise UserError("run needs a case file, or --resume DIR")
    from .runner import resume_to_folder, run_to_folder

    if args.resume:
        name = Path(args.resume).name
        update, close = progress_bar(f"{name} (resumed)")
        try:
            run = resume_to_folder(args.resume, checkpoint_every=args.checkpoint_every, progress=update)
        finally:
            close()
    else:
        from .config.overrides import load_case_with_overrides

        case = load_case_with_overrides(args.case, args.set or ())
        out = Path(args.out) if args.out else Path("results") / case.name
        update, close = progress_bar(f"{case.name} ({case.method})")
        try:
            run = run_to_folder(case, out, force=args.force, checkpoint_every=args.checkpoint_every,
                                progress=update)
        finally:
            close()
    result, summary = run.result, run.summary
    if args.quiet:
        return 0
    bound = summary["beta2_half_bound"]
    print(f"{result.case.name}: method {result.method}, {len(result.times)} outputs to t = "
          f"{result.times[-1]:.6g} s in {result.wall_time_s:.2f} s")
    print(f"  new electrons in target at the end: {summary['new_electrons_in_target_final']:.6e}")
    print(f"  scatterings in total:               {summary['scatterings_total']:.6e}")
    print(f"  detected X-rays per unit beta^2/2:  {summary['xrays_per_unit_violation']:.6e}")
    if bound is not None:
        from .physics.choices import describe_choices

        print(f"  bound: beta^2/2 < {bound:.3e} (count limit {result.case.counting.xray_count_limit:g}; "
              f"{describe_choices(summary['model_choices'])})")
    print(f"results: {run.out}")
    return 0


def cmd_derive(args):
    from .config import load_case
    from .io.results import json_safe
    from .paper.comparison import derive_json, derive_text

    case = load_case(args.case)
    if args.json:
        print(json.dumps(json_safe(derive_json(case)), indent=2, allow_nan=False))
    else:
        print(derive_text(case))
    return 0


def cmd_compare(args):
    if args.resume and (args.case or args.out or args.resolution or args.duration):
        raise UserError("compare --resume DIR takes the comparison folder only (the request is kept with it)")
    if not (args.resume or args.case):
        raise UserError("compare needs a case file, or --resume DIR")
    from .compare import run_compare

    return run_compare(args)


def cmd_sweep(args):
    from .sweep.command import cmd_sweep as sweep

    return sweep(args)


def cmd_paper(args):
    from .paper.command import run_paper

    return run_paper(args)


def cmd_bound(args):
    from .bound.report import run_bound

    return run_bound(args)


def cmd_modulation(args):
    from .lockin import run_modulation

    return run_modulation(args)


def cmd_sensitivity(args):
    from .sensitivity import run_sensitivity

    return run_sensitivity(args)


def _quantity(dimension: str):
    """An argparse type: text with a unit ("1000 s", "2 m") to an SI float; a bad value is a
    usage error (exit 2) with the parser's message."""
    def parse(text):
        from .config.units import QuantityError, to_si

        try:
            value = to_si(text, dimension)
        except QuantityError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"expected a value greater than 0; got {text!r}")
        return value

    parse.__name__ = dimension
    return parse


def build_parser():
    p = _Parser(prog="vip-transport",
                description="Drift and diffusion of new conduction electrons in VIP/VIP-2 copper targets.")
    from . import __version__

    p.add_argument("--version", action="version", version=f"vip-transport {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    talk = common.add_mutually_exclusive_group()
    talk.add_argument("-q", "--quiet", action="store_true", help="print errors only (no summary, no warnings)")
    talk.add_argument("-v", "--verbose", action="store_true", help="also print what the run is doing (INFO)")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    _add_parser = sub.add_parser
    sub.add_parser = lambda *a, **k: _add_parser(*a, parents=[common], **k)   # -q/-v on every command

    r = sub.add_parser("run", help="run a case file and write its results folder",
                       description="Run CASE.yaml (method analytic or fv) and write the results folder "
                                   "atomically: case.resolved.yaml, summary.json, timeseries.csv, plots. "
                                   "A finite-volume run keeps a checkpoint in .DIR.checkpoint/ while it runs; "
                                   "if stopped (Ctrl-C, kill), `run --resume DIR` continues it.")
    r.add_argument("case", nargs="?", help="case file (YAML), e.g. cases/vip2.yaml")
    r.add_argument("--out", metavar="DIR", help="results folder (default: results/<case name>)")
    r.add_argument("--set", metavar="KEY=VALUE", action="append",
                   help='change one key of the case, as written in a case file (repeatable): '
                        '--set transport.current="120 A" --set geometry.connector.width="5 mm"')
    r.add_argument("--resume", metavar="DIR",
                   help="continue a stopped finite-volume run whose results folder was DIR")
    r.add_argument("--checkpoint-every", metavar="SECONDS", type=float, default=30.0,
                   help="save a checkpoint at the first output after this much wall time (default 30; 0: every output)")
    r.add_argument("--force", action="store_true",
                   help="if --out names an existing folder that is not a vip-transport results folder, move it "
                        "aside to DIR.previous-<time> instead of refusing (nothing is ever deleted)")
    r.set_defaults(func=cmd_run)

    d = sub.add_parser("derive", help="print the derived quantities of a case beside the paper's",
                       description="Print the copper and transport quantities a case implies (paper eqs. 7-13, "
                                   "section 3) beside the paper's printed values, flagging each disagreement.")
    d.add_argument("case", help="case file (YAML)")
    d.add_argument("--json", action="store_true", help="print JSON instead of a table")
    d.set_defaults(func=cmd_derive)

    c = sub.add_parser("compare", help="run a case in several dimensions (and methods) and tabulate the differences",
                       description="Run CASE.yaml in each of --dims (and with each of --methods) and write a "
                                   "table (CSV, Markdown) and a figure of N(t), total scatterings, the mean "
                                   "residence time and the amplification factor per dimension, with differences "
                                   "to 1D. Prints what will run and a rough time first. Stopped (Ctrl-C, SIGTERM), "
                                   "it continues from where it stopped when started again (or with --resume DIR).")
    c.add_argument("case", nargs="?", help="case file (YAML); for the dimensional claim use a geometry that is "
                                           "not uniform across, e.g. cases/vip2-narrow-connector.yaml")
    c.add_argument("--dims", type=int, nargs="+", default=[1, 2, 3], choices=[1, 2, 3],
                   help="dimensions to run (default: 1 2 3)")
    c.add_argument("--methods", nargs="+", choices=["fv", "montecarlo", "analytic"], default=None,
                   help="methods to run in each dimension (default: fv); with fv and montecarlo the table "
                        "gives the differences in units of the Monte Carlo standard error")
    c.add_argument("--resolution", type=int, metavar="CELLS",
                   help="cells along the target (fv.cells_per_target; the cells across follow)")
    c.add_argument("--duration", metavar="TIME", help='run length with a unit (time.duration), e.g. "60 s"')
    c.add_argument("--out", metavar="DIR", help="results folder (default: results/<case name>-compare)")
    c.add_argument("--resume", metavar="DIR", help="continue the stopped comparison whose folder was DIR")
    c.add_argument("--force", action="store_true", help="move an existing folder that is not ours aside")
    c.set_defaults(func=cmd_compare)

    s = sub.add_parser(
        "sweep", help="run a parameter sweep (grid, zipped or sampled axes) on Dask",
        description="Run every case of SWEEP.yaml (a base case plus axes: key paths into the case with "
                    "lists of values, or distributions to sample) on a local Dask cluster, or on an existing "
                    "one with --scheduler; write each case's results folder under DIR/cases/, the table "
                    "DIR/sweep.csv (and quantiles.csv for sampled axes) and plots in DIR/plots/. Running the "
                    "same command again skips the cases already finished. Exit 0 when every case ran, 1 when "
                    "some failed (their errors are in the table), 2 for a mistake in the sweep file.")
    s.add_argument("sweep", help="sweep file (YAML), e.g. cases/sweep-current.yaml")
    s.add_argument("--out", metavar="DIR", help="sweep folder (default: results/<sweep name>)")
    s.add_argument("--workers", metavar="N", type=int,
                   help="worker processes of the local Dask cluster (default: one per core)")
    s.add_argument("--scheduler", metavar="ADDRESS",
                   help="send the cases to an existing Dask cluster, e.g. tcp://scheduler-host:8786 "
                        "(its workers need vip-transport and a shared file system)")
    s.add_argument("--serial", action="store_true", help="no Dask: run the cases one after another here")
    s.set_defaults(func=cmd_sweep)

    b = sub.add_parser("bound", help="the upper limit on beta^2/2 from counts with the current on and off",
                       description="Read BOUND.yaml (counts and live times in the signal region with the current on "
                                   "and off, detection efficiency, geometric factor, current history and the case "
                                   "whose transport model applies) and print the upper limit on beta^2/2 at the "
                                   "stated confidence level: Feldman-Cousins and Bayesian, Ramberg-Snow's "
                                   "straight path beside it, and the spread over the model choices. "
                                   "cases/bound-vip2-example.yaml documents every key.")
    b.add_argument("bound", help="BOUND file (YAML), e.g. cases/bound-vip2-example.yaml")
    b.add_argument("--out", metavar="DIR", help="results folder (default: results/<case name>-bound)")
    b.add_argument("--force", action="store_true", help="move an existing folder that is not ours aside")
    b.set_defaults(func=cmd_bound)

    mo = sub.add_parser("modulation", help="an on/off current: the rate's modulation and a lock-in vs on/off runs",
                        description="Switch the case's current on and off (duty 1/2) with each of --periods, the "
                                    "reservoir connected, and tabulate the modulation depth, the harmonics and the "
                                    "uncertainty of beta^2/2 from a lock-in against a plain comparison of runs with "
                                    "and without new electrons, for a background rate (uniform 1D cases).")
    mo.add_argument("case", help="case file (YAML)")
    mo.add_argument("--periods", type=_quantity("time"), nargs="+", metavar="P",
                    default=[20.0, 200.0, 2000.0], help='periods, e.g. "20 s" "200 s" (default: 20 s, 200 s, 2000 s)')
    mo.add_argument("--time", type=_quantity("time"), default=86400.0, metavar="T",
                    help='measurement time (default "1 d")')
    mo.add_argument("--background", type=float, default=1e-3, metavar="RATE",
                    help="background in the signal region, counts/s (default 1e-3)")
    mo.add_argument("--out", metavar="DIR", help="results folder (default: results/<case name>-modulation)")
    mo.add_argument("--force", action="store_true", help="move an existing folder that is not ours aside")
    mo.set_defaults(func=cmd_modulation)

    sv = sub.add_parser("sensitivity", help="how much the model choices move N(t), the scatterings and the bound",
                        description="Run each case with every combination of diffusivity (Einstein | degenerate), "
                                    "speeds (the paper's | v_F for both) and reservoir (the case's | the circuit as a "
                                    "loop), plus the capture probability 1/10 and conduction scatterings, and write "
                                    "one table (CSV, Markdown, JSON) and one figure. See docs/model-choices.md.")
    sv.add_argument("cases", nargs="+", metavar="CASE", help="case files (YAML), e.g. cases/vip.yaml cases/vip2.yaml")
    sv.add_argument("--time", type=_quantity("time"), default=None, metavar="T",
                    help='measurement time, e.g. "1000 s" (default: each case\'s time.duration)')
    sv.add_argument("--circuit-length", type=_quantity("length"), default=2.0, metavar="LENGTH",
                    help='copper in the circuit loop, of the reservoir\'s cross-section (default "2 m")')
    sv.add_argument("--count-limit", type=float, default=None, metavar="N",
                    help="X-ray count limit of the bound (default: the case's xray_count_limit, else 1)")
    sv.add_argument("--outputs", type=int, default=120, metavar="N",
                    help="output times per run, log-spaced up to T (default 120)")
    sv.add_argument("--out", metavar="DIR", help="results folder (default: results/sensitivity)")
    sv.add_argument("--force", action="store_true", help="move an existing folder that is not ours aside")
    sv.set_defaults(func=cmd_sensitivity)

    pp = sub.add_parser("paper", help="regenerate the paper's figures 2 and 3 and the claims ledger",
                        description="Regenerate figures 2 and 3 of Milotti et al. (2018) in the paper's "
                                    "convention and write the claims ledger (Markdown + JSON).")
    pp.add_argument("--out", metavar="DIR", default="results/paper", help="results folder (default: results/paper)")
    pp.add_argument("--force", action="store_true", help="move an existing folder that is not ours aside")
    pp.set_defaults(func=cmd_paper)
    return p


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    handler.setLevel(logging.ERROR if getattr(args, "quiet", False) else
                     logging.INFO if getattr(args, "verbose", False) else logging.WARNING)
    logger = logging.getLogger("vip_transport")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:          # not the main thread (main() called from a thread): no handler
        previous = None
    try:
        return args.func(args)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except SolverError as exc:
        print(f"solver failure: {exc}", file=sys.stderr)
        return 1
    except Terminated:
        print("terminated", file=sys.stderr)
        return 128 + signal.SIGTERM
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 128 + signal.SIGINT
    except Exception as exc:   # an internal failure: say so, with the traceback for a bug report
        traceback.print_exc()
        print(f"internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        logger.removeHandler(handler)


if __name__ == "__main__":
    sys.exit(main())
