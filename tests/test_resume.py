"""Interrupted runs: a real `vip-transport run` killed mid-way (SIGKILL, SIGINT) and resumed
with `run --resume DIR` reproduces the uninterrupted run to 1e-12 relative."""

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

CASE = """
name: resume
geometry: {preset: vip2}
transport: {current: 100 A, diffusivity_scale: 0.01}
time: {duration: 1e4 s, outputs: 300}
method: fv
fv: {time_steps: 15000}
"""


def run_cli(*args, **kw):
    return subprocess.Popen([sys.executable, "-m", "vip_transport.solver.cli", "run", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def read_series(folder):
    with open(folder / "timeseries.csv") as fh:
        rows = list(csv.reader(fh))
    return rows[0], np.array(rows[1:], dtype=float)


def numbers(summary):
    keep = ("new_electrons_in_target_final", "scatterings_total", "xrays_per_unit_violation")
    return {k: summary[k] for k in keep} | summary["derived"]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ref")
    case = folder / "case.yaml"
    case.write_text(CASE)
    proc = run_cli(str(case), "--out", str(folder / "out"))
    assert proc.wait(timeout=300) == 0, proc.stderr.read()
    return case, folder / "out"


def wait_for_checkpoint(work, proc, count=3, timeout=120):
    """Wait until the run has saved a few checkpoints (state.npz rewritten)."""
    seen, last, start = 0, None, time.monotonic()
    while time.monotonic() - start < timeout:
        assert proc.poll() is None, "the run finished before it could be interrupted"
        state = work / "state.npz"
        if state.exists():
            stamp = state.stat().st_mtime_ns
            if stamp != last:
                seen, last = seen + 1, stamp
                if seen >= count:
                    return
        time.sleep(0.02)
    raise AssertionError("no checkpoint appeared")


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["SIGKILL", "SIGINT"])
def test_killed_run_resumes_to_the_same_numbers(reference, tmp_path, sig):
    case, ref_out = reference
    out = tmp_path / "out"
    work = tmp_path / ".out.checkpoint"
    proc = run_cli(str(case), "--out", str(out), "--checkpoint-every", "0")
    wait_for_checkpoint(work, proc)
    proc.send_signal(sig)
    code = proc.wait(timeout=60)
    assert code != 0 and not out.exists()             # no half-written results
    if sig == signal.SIGINT:
        assert code == 130 and "--resume" in proc.stderr.read()
    assert (work / "state.npz").exists()
    resumed = run_cli("--resume", str(out))
    assert resumed.wait(timeout=300) == 0, resumed.stderr.read()
    assert not work.exists()                           # the checkpoint is gone once finished
    head, series = read_series(out)
    ref_head, ref_series = read_series(ref_out)
    assert head == ref_head and series.shape == ref_series.shape
    np.testing.assert_allclose(series, ref_series, rtol=1e-12, atol=0)
    got, want = (numbers(json.loads((p / "summary.json").read_text())) for p in (out, ref_out))
    for key, value in want.items():
        assert got[key] == pytest.approx(value, rel=1e-12, abs=0) if value is not None else got[key] is None


def test_resume_without_checkpoint_is_a_user_error(tmp_path):
    proc = run_cli("--resume", str(tmp_path / "nothing"))
    assert proc.wait(timeout=60) == 2
    err = proc.stderr.read()
    assert "nothing to resume" in err and "Traceback" not in err


def test_solver_failure_keeps_finished_outputs_marked_incomplete(tmp_path, monkeypatch):
    """A failure in the time loop: exit 1, no results folder, and DIR.incomplete/ holds the
    outputs finished before it, with complete = false and the error in summary.json."""
    from vip_transport.solver import cli
    from vip_transport.solver.errors import SolverError
    from vip_transport.solver.timestepping.cached import CachedStepper

    case = tmp_path / "case.yaml"
    case.write_text(CASE.replace("fv: {time_steps: 15000}", "fv: {time_steps: 2000}"))
    original, calls = CachedStepper.advance, {"n": 0}

    def failing(self, c, step, current):
        calls["n"] += 1
        if calls["n"] > 1500:
            raise SolverError(f"injected failure at step {step.t0:.6g} s -> {step.t1:.6g} s")
        return original(self, c, step, current)

    monkeypatch.setattr(CachedStepper, "advance", failing)
    out = tmp_path / "out"
    assert cli.main(["run", str(case), "--out", str(out)]) == 1
    assert not out.exists()
    partial = tmp_path / "out.incomplete"
    summary = json.loads((partial / "summary.json").read_text())
    assert summary["complete"] is False and "injected failure" in summary["error"]
    head, series = read_series(partial)
    assert 0 < len(series) < 300 and head[0] == "time_s"
