"""Interrupted runs: a real `vip-transport run` killed mid-way (SIGKILL, SIGINT) and resumed
with `run --resume DIR` reproduces the uninterrupted run to 1e-12 relative."""

import json
import signal

import numpy as np
import pytest

from conftest import read_timeseries, start_cli, wait_until_paused

CASE = """
name: resume
geometry: {preset: vip2}
transport: {current: 100 A, diffusivity_scale: 0.01}
time: {duration: 1e4 s, outputs: 300}
method: fv
fv: {time_steps: 15000}
"""


def run_cli(*args, **kw):
    """`vip-transport run ARGS` in a fresh process (see conftest.start_cli)."""
    return start_cli("run", *args, **kw)


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


PAUSE_AFTER = 10000     # of the plan's ~15,500 steps (the first output, 1 s, is step ~6,400)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT, signal.SIGTERM], ids=["SIGKILL", "SIGINT", "SIGTERM"])
def test_killed_run_resumes_to_the_same_numbers(reference, tmp_path, sig):
    case, ref_out = reference
    out = tmp_path / "out"
    work = tmp_path / ".out.checkpoint"
    pause = tmp_path / "paused"
    proc = run_cli(str(case), "--out", str(out), "--checkpoint-every", "0", pause_after=PAUSE_AFTER,
                   pause_file=pause)
    wait_until_paused(pause, proc)
    assert (work / "state.npz").exists()           # the run is paused: nothing races this
    proc.send_signal(sig)
    code = proc.wait(timeout=60)
    assert code == {signal.SIGKILL: -9, signal.SIGINT: 130, signal.SIGTERM: 143}[sig]
    assert not out.exists()                         # no half-written results
    if sig != signal.SIGKILL:
        assert "--resume" in proc.stderr.read()
    resumed = run_cli("--resume", str(out))
    assert resumed.wait(timeout=300) == 0, resumed.stderr.read()
    assert not work.exists()                           # the checkpoint is gone once finished
    head, series = read_timeseries(out)
    ref_head, ref_series = read_timeseries(ref_out)
    assert head == ref_head and series.shape == ref_series.shape
    np.testing.assert_allclose(series, ref_series, rtol=1e-12, atol=0)
    got, want = (json.loads((p / "summary.json").read_text()) for p in (out, ref_out))
    for key, value in numbers(want).items():
        assert numbers(got)[key] == pytest.approx(value, rel=1e-12, abs=0) if value is not None else got[key] is None
    # every number but the timings and the performance counters is the uninterrupted run's
    for key in ("steps", "cells", "scheme", "stepper", "convection"):
        assert got["numerics"][key] == want["numerics"][key], key
    for key in ("initial_content", "final_content", "inflow", "outflow"):
        assert got["numerics"]["conservation"][key] == pytest.approx(want["numerics"]["conservation"][key],
                                                                     rel=1e-12), key
    for key, value in want["counts"].items():
        assert got["counts"][key] == (value if value is None else pytest.approx(value, rel=1e-12)), key
    assert got["numerics"]["resumed_parts"] == 2 and len(got["provenance"]["wall_time_parts_s"]) == 2
    assert got["provenance"]["wall_time_s"] == pytest.approx(sum(got["provenance"]["wall_time_parts_s"]))


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
    head, series = read_timeseries(partial)
    assert 0 < len(series) < 300 and head[0] == "time_s"
