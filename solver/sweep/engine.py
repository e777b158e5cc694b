"""Running a sweep on Dask: every unfinished case as a task, finished ones skipped.

Folder of a sweep (``OUT``):

    sweep.csv, quantiles.csv, plots/   the table and its plots (:mod:`.table`, :mod:`.plots`)
    sweep.resolved.yaml                the sweep: base case resolved, changes, axes, each case's key
    cases/<key>/                       each case's results folder (io.results), key = case_key
    failed/<key>.json                  why a case failed (removed when it later succeeds)

A case is finished when ``cases/<key>/summary.json`` exists: the worker writes the folder
whole or not at all.  A restarted sweep therefore computes only what is missing, and failed
cases are tried again.  Where the cases run:

- ``client``: a ``distributed.Client`` the caller made (a notebook, a test);
- ``scheduler="tcp://host:8786"``: an existing Dask cluster (dask-jobqueue on SLURM/HTCondor;
  its workers need this package and the sweep's folder);
- otherwise an in-process ``LocalCluster`` of ``workers`` single-threaded worker processes
  (default: one per core), started and stopped here;
- ``serial=True``: no Dask, one case after another in this process (the reference).
"""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import UserError
from ..io.results import json_safe
from .spec import Sweep
from .plots import plot_sweep
from .table import build_rows, quantile_rows, write_csv
from .worker import Task, run_task

__all__ = ["SweepReport", "run_sweep", "local_client", "write_outputs"]


@dataclass
class SweepReport:
    """What one call of :func:`run_sweep` did: ``cases`` in the sweep, ``computed`` now (of
    which ``failed``), ``skipped`` (finished before), ``not_run`` (stopped early), the table
    ``rows``, the files written and the wall ``seconds`` of its phases (cluster start,
    cases, table and plots)."""

    out: Path
    cases: int
    computed: int = 0
    failed: int = 0
    skipped: int = 0
    not_run: int = 0
    rows: list = field(default_factory=list)
    files: list = field(default_factory=list)
    seconds: dict = field(default_factory=dict)


def local_client(workers: int | None = None, processes: bool = True):
    """A ``distributed.Client`` on a new LocalCluster of ``workers`` single-threaded workers
    (default: one per core); no dashboard.  Close it (and its cluster) with ``client.close()``
    and ``client.cluster.close()``.  The worker processes are started with Ctrl-C (SIGINT)
    ignored: it reaches the whole process group, and only this process should act on it
    (stop, keep what is finished, shut the cluster down)."""
    import logging
    import signal
    import threading

    from distributed import Client, LocalCluster

    import dask

    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if main_thread and processes else None
    try:   # generous timeouts: worker processes start slowly on a loaded machine
        with dask.config.set({"distributed.comm.timeouts.connect": "120s"}):
            cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                                   processes=processes, dashboard_address=None, silence_logs=logging.ERROR)
            return Client(cluster, timeout="120s")
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text)
    os.replace(tmp, path)


def _record_sweep(sweep: Sweep, points, out: Path) -> None:
    data = {"name": sweep.name, "source": sweep.source, "base": sweep.base,
            "set": {".".join(k): v for k, v in sweep.changes},
            "axes": [{"key": a.key, "kind": a.kind, "values": list(a.values)} if a.distribution is None else
                     {"key": a.key, "kind": a.kind, "distribution": a.distribution.__dict__} for a in sweep.axes],
            "sample": {"count": sweep.count, "method": sweep.method, "seed": sweep.seed} if sweep.count else None,
            "cases": [{"case": p.index, "key": p.key, "values": p.values} for p in points]}
    _write_atomic(out / "sweep.resolved.yaml", yaml.safe_dump(json_safe(data), sort_keys=False))


def _progress(total: int, enabled):
    """A tqdm bar over cases on a terminal; nothing in CI or logs (or when disabled)."""
    from tqdm import tqdm

    if enabled is None:
        enabled = sys.stderr.isatty() and not os.environ.get("CI")
    return tqdm(total=total, unit="case", desc="sweep", disable=not enabled, leave=False)


def _connect(address: str):
    """A client of the Dask scheduler at ``address``; UserError if none answers within 30 s."""
    from distributed import Client

    try:
        return Client(address, timeout="30s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise UserError(f"--scheduler {address}: expected the address of a running Dask scheduler, such "
                        f"as tcp://scheduler-host:8786; got no answer ({type(exc).__name__}: {exc})") from None


def _serial(tasks):
    for task in tasks:
        yield task, run_task(task)


def _on_dask(tasks, client):
    """(task, record) as the tasks finish on the cluster; a task whose worker died is a failed
    case, not a failed sweep."""
    from distributed import as_completed

    run = uuid.uuid4().hex[:8]         # task names unique per call: a client may run a sweep twice
    futures = client.map(run_task, tasks, pure=False, key=[f"vip-case-{t.key}-{run}" for t in tasks])
    by_future = dict(zip(futures, tasks))
    try:
        for future in as_completed(futures):
            task = by_future[future]
            try:
                record = future.result()
            except Exception as exc:        # KilledWorker, a worker lost, a pickling error
                record = {"key": task.key, "status": "failed", "seconds": None,
                          "error": f"the task failed on the cluster: {type(exc).__name__}: {exc}"}
            yield task, record
    finally:
        client.cancel([f for f in futures if not f.done()])


def run_sweep(sweep: Sweep, out, *, client=None, scheduler=None, workers=None, serial=False,
              stop_after=None, progress=None) -> SweepReport:
    """Run the unfinished cases of ``sweep`` into the folder ``out``, then write its table and
    plots; returns a :class:`SweepReport`.  ``stop_after`` (tests): submit only that many of
    the unfinished cases, as if the sweep had been stopped after them.  Ctrl-C stops the
    sweep; the finished cases stay, the table is written, and running it again continues."""
    out = Path(out)
    points = sweep.points()
    (out / "cases").mkdir(parents=True, exist_ok=True)
    (out / "failed").mkdir(exist_ok=True)
    _record_sweep(sweep, points, out)
    report = SweepReport(out=out, cases=len(points))
    todo, keys = [], set()
    for p in points:                  # equal cases (same key) run once
        if p.key in keys:
            continue
        keys.add(p.key)
        if not (out / "cases" / p.key / "summary.json").is_file():
            todo.append(Task(p.key, p.case.to_resolved_dict(), p.case.source, str(out / "cases" / p.key),
                             sweep.case_plots))
    report.skipped = len(keys) - len(todo)
    if stop_after is not None:
        todo = todo[:stop_after]
    own_client = results = None
    clock = time.perf_counter()
    try:
        if todo and not serial and client is None:
            if scheduler:
                client = own_client = _connect(scheduler)
            else:
                client = own_client = local_client(workers)
        report.seconds["cluster_start"] = time.perf_counter() - clock
        clock = time.perf_counter()
        results = _serial(todo) if serial or not todo else _on_dask(todo, client)
        with _progress(len(todo), progress) as bar:
            for task, record in results:
                _note(out, task, record)
                report.computed += 1
                report.failed += record["status"] != "ok"
                bar.update(1)
        report.seconds["cases"] = time.perf_counter() - clock
    finally:
        if results is not None:
            results.close()           # cancels what is still queued on the cluster
        if own_client is not None:
            cluster = getattr(own_client, "cluster", None)
            own_client.close()
            if cluster is not None:
                cluster.close()
        clock = time.perf_counter()
        report.rows = build_rows(sweep, points, out)
        report.not_run = sum(r["status"] == "not run" for r in report.rows)
        report.files = write_outputs(sweep, points, report.rows, out)
        report.seconds["table_and_plots"] = time.perf_counter() - clock
    return report


def write_outputs(sweep, points, rows, out) -> list[str]:
    """Write sweep.csv, quantiles.csv (sampled sweeps) and the plots; returns the file names."""
    out = Path(out)
    if not rows:
        return []
    write_csv(out / "sweep.csv", rows)
    files = ["sweep.csv"]
    quantiles = quantile_rows(sweep, points, rows) if sweep.count else []
    if quantiles:
        write_csv(out / "quantiles.csv", quantiles)
        files.append("quantiles.csv")
    if any(r["status"] == "ok" for r in rows):
        files += plot_sweep(sweep, rows, quantiles, out / "plots")
    return files


def _note(out: Path, task: Task, record: dict) -> None:
    """Keep a failure's message in failed/<key>.json; drop an old one once the case succeeds."""
    failed = out / "failed" / f"{task.key}.json"
    if record["status"] == "ok":
        failed.unlink(missing_ok=True)
    else:
        _write_atomic(failed, json.dumps({"case": task.label, "error": record["error"]}, indent=1) + "\n")
