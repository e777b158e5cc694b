"""The CLI end to end (issue 2, items 7 and the results contract; issue 6, items 1 and 3).

`vip-transport run` on the shipped VIP and VIP-2 cases writes the whole results folder with the
contract's files, columns and keys, and its numbers agree with an independent computation
(closed-form derived quantities from scipy.constants, N(T) and S(T) by numerical quadrature of
the reservoir solution, eq. 24, without solver.physics.analytic). Every command answers --help; derive
--json prints the derived quantities; exit codes are 0 / 2 (a user's mistake, no traceback) /
1 (an internal failure); the results folder is written atomically.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import platform
import socket
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from scipy import integrate, special

import vip_transport.solver as solver
from conftest import (CASES, CLOSE_ENCOUNTER_RATE, D_EINSTEIN, DERIVED_CONTRACT_KEYS, N_CU, ROOT, TABLE1, TAU_CU,
                      TIMESERIES_CONTRACT_COLUMNS as COLUMNS, V_FERMI, read_summary, read_timeseries)
from conftest import run_cli as cli
from conftest import write_case
from vip_transport.solver.config import load_case
from vip_transport.solver.cli import main
from vip_transport.solver.errors import SolverError

SUMMARY_KEYS = ["case", "method", "derived", "new_electrons_in_target_final", "scatterings_total",
                "xrays_per_unit_violation", "beta2_half_bound", "provenance"]
PROVENANCE_KEYS = ["package_version", "git_commit", "python", "fipy", "numpy", "host",
                   "wall_time_s", "started"]
PLOTS = ["electrons_in_target.png", "cumulative_scatterings.png"]
COMMANDS = ["run", "derive", "compare", "paper"]
CONNECTOR = 0.01     # m: the default connector between reservoir and target (cases/*.yaml)


def small_case(tmp_path, name="small", **changes):
    """The shipped VIP-2 case with 6 outputs (fast), sections merged from ``changes``."""
    return write_case(tmp_path, name, **{"time": {"outputs": 6}, **changes})


def no_temporary_folders(parent: Path, name: str):
    return not [p.name for p in parent.iterdir() if p.name.startswith(f".{name}.")] \
        if parent.exists() else True


# ----------------------------------------------------------------------------- independent numbers

def hand_derived(preset):
    """The contract's derived quantities of the shipped case ``preset`` from their definitions
    (paper eqs. 7-13, the copper and Table 1 values of conftest), SI."""
    target = TABLE1[preset]
    transit = target.transit_time()                                                      # eq. 12
    return {"electron_density_m3": N_CU, "fermi_velocity_m_s": V_FERMI, "collision_time_s": TAU_CU,
            "mean_free_path_m": V_FERMI * TAU_CU, "diffusivity_m2_s": D_EINSTEIN,
            "drift_velocity_m_s": target.drift_velocity(), "transit_time_s": transit,
            "rms_diffusion_length_m": math.sqrt(2 * D_EINSTEIN * transit)}


def n_in_target_by_quadrature(preset, t):
    """N(t) = A integral_0^L n/2 erfc((x - X(t) + c)/sqrt(4 D t)) dx: a semi-infinite reservoir
    (x < -c, c the connector) drifted by X = v_d t and spread by the standard kernel."""
    target = TABLE1[preset]
    s = math.sqrt(4 * D_EINSTEIN * t)
    front = target.drift_velocity() * t - CONNECTOR
    value, _ = integrate.quad(lambda x: special.erfc((x - front) / s), 0.0, target.length,
                              points=[min(max(front, 0.0), target.length)], epsabs=0, epsrel=1e-12,
                              limit=200)
    return target.area * N_CU / 2 * value


# ----------------------------------------------------------------------------- the shipped cases

@pytest.fixture(scope="module")
def shipped_runs(tmp_path_factory):
    """`run cases/vip.yaml` and `run cases/vip2.yaml` (method analytic, the default), in two
    processes at once."""
    root = tmp_path_factory.mktemp("cli-runs")

    def one(name):
        out = root / name / "results"
        proc = cli("run", CASES / f"{name}.yaml", "--out", out, cwd=root)
        return name, {"proc": proc, "out": out, "case": load_case(CASES / f"{name}.yaml"), "preset": name}

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(one, ["vip", "vip2"]))


@pytest.fixture(params=["vip", "vip2"])
def shipped(request, shipped_runs):
    run = shipped_runs[request.param]
    proc = run["proc"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    return run


def test_run_writes_the_contract_files(shipped):
    out = shipped["out"]
    names = {p.name for p in out.iterdir()}
    assert {"case.resolved.yaml", "summary.json", "timeseries.csv", *PLOTS} <= names
    for png in PLOTS:
        data = (out / png).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    assert no_temporary_folders(out.parent, out.name)
    stdout = shipped["proc"].stdout
    assert f"results: {out}" in stdout and shipped["proc"].stderr == ""


def test_timeseries_has_exactly_the_contract_columns(shipped):
    header, rows = read_timeseries(shipped["out"])
    case = shipped["case"]
    assert header == COLUMNS
    assert rows.shape == (case.time.outputs, 4)
    np.testing.assert_array_equal(rows[:, 0], case.time.output_times())
    assert rows[-1, 0] == case.time.duration and np.all(np.diff(rows[:, 0]) > 0)
    assert np.all(rows[:, 1:] >= 0) and np.all(np.diff(rows[:, 3]) > 0)


def test_summary_has_the_contract_keys(shipped):
    summary = read_summary(shipped["out"])
    case = shipped["case"]
    assert set(SUMMARY_KEYS) <= set(summary)    # the contract's names; later issues only add keys
    assert summary["case"] == case.name and summary["method"] == "analytic"
    assert set(DERIVED_CONTRACT_KEYS) <= set(summary["derived"])
    for key in DERIVED_CONTRACT_KEYS:
        assert isinstance(summary["derived"][key], float) and summary["derived"][key] > 0, key
    for key in ("new_electrons_in_target_final", "scatterings_total", "xrays_per_unit_violation"):
        assert isinstance(summary[key], float) and summary[key] > 0, key
    assert summary["beta2_half_bound"] is None           # no xray_count_limit in the shipped cases


def test_summary_provenance(shipped):
    import fipy

    prov = read_summary(shipped["out"])["provenance"]
    assert set(PROVENANCE_KEYS) <= set(prov)
    assert prov["package_version"] == solver.__version__
    assert prov["python"] == platform.python_version()
    assert prov["fipy"] == fipy.__version__ and prov["numpy"] == np.__version__
    assert prov["host"] == socket.gethostname()
    assert prov["git_commit"] is None or (len(prov["git_commit"]) == 40
                                          and int(prov["git_commit"], 16) >= 0)
    assert 0 < prov["wall_time_s"] < 600
    started = dt.datetime.fromisoformat(prov["started"])
    assert started.tzinfo is not None
    assert abs((dt.datetime.now(dt.timezone.utc) - started).total_seconds()) < 3600


def test_resolved_case_loads_back_to_an_equal_case(shipped):
    resolved = load_case(shipped["out"] / "case.resolved.yaml")
    assert resolved == shipped["case"]
    # field by field too: Case.__eq__ compares to_resolved_dict(), blind to its own mistakes
    assert resolved.model_dump() == shipped["case"].model_dump()


def test_derived_quantities_match_a_hand_computation(shipped):
    derived = read_summary(shipped["out"])["derived"]
    for key, value in hand_derived(shipped["preset"]).items():
        assert derived[key] == pytest.approx(value, rel=1e-12), key


def test_final_count_matches_quadrature_of_eq_24(shipped):
    """N(T) from the summary and the last row equals A integral n/2 erfc(...) dx by quadrature."""
    case, out, preset = shipped["case"], shipped["out"], shipped["preset"]
    summary = read_summary(out)
    _, rows = read_timeseries(out)
    expected = n_in_target_by_quadrature(preset, case.time.duration)
    assert summary["new_electrons_in_target_final"] == pytest.approx(expected, rel=1e-9)
    assert rows[-1, 1] == summary["new_electrons_in_target_final"]
    k = case.time.outputs // 2
    assert rows[k, 1] == pytest.approx(n_in_target_by_quadrature(preset, rows[k, 0]), rel=1e-9)


def test_scatterings_and_xrays_match_an_independent_integral(shipped):
    """S(T) = nu integral_0^T N dt (nested quadrature); X-rays per unit beta^2/2 = r S g;
    the rate column is nu N."""
    case, out, preset = shipped["case"], shipped["out"], shipped["preset"]
    summary = read_summary(out)
    _, rows = read_timeseries(out)
    nu = CLOSE_ENCOUNTER_RATE
    assert case.counting.scattering == "close-encounters"
    np.testing.assert_allclose(rows[:, 2], nu * rows[:, 1], rtol=1e-12)
    T = case.time.duration
    transit = TABLE1[preset].transit_time()
    integral, _ = integrate.quad(lambda t: n_in_target_by_quadrature(preset, t), 0.0, T,
                                 points=[min(transit, T)], epsabs=0, epsrel=1e-10, limit=200)
    assert summary["scatterings_total"] == pytest.approx(nu * integral, rel=1e-7)
    assert rows[-1, 3] == summary["scatterings_total"]
    r, g = 1.0, TABLE1[preset].geometric_factor         # the shipped cases: r = 1, Table 1's g
    assert summary["xrays_per_unit_violation"] == pytest.approx(r * summary["scatterings_total"] * g,
                                                                rel=1e-14)


def test_bound_with_a_count_limit(tmp_path):
    """With xray_count_limit, beta2_half_bound = limit / xrays_per_unit_violation."""
    path = small_case(tmp_path, counting={"xray_count_limit": 3.2, "capture_probability": 0.5})
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 0
    summary = read_summary(tmp_path / "out")
    assert summary["xrays_per_unit_violation"] == pytest.approx(
        0.5 * summary["scatterings_total"] * TABLE1["vip2"].geometric_factor, rel=1e-14)
    assert summary["beta2_half_bound"] == pytest.approx(3.2 / summary["xrays_per_unit_violation"],
                                                        rel=1e-14)


# ----------------------------------------------------------------------------- help, derive

@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_on_every_command(command, tmp_path):
    args = ["--help"] if command is None else [command, "--help"]
    proc = cli(*args, cwd=tmp_path, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("usage: vip-transport") and proc.stderr == ""
    if command is None:
        for name in COMMANDS:
            assert name in proc.stdout
    else:
        assert f"vip-transport {command}" in proc.stdout
    assert not list(tmp_path.iterdir())


def test_version(tmp_path):
    proc = cli("--version", cwd=tmp_path, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == f"vip-transport {solver.__version__}"


def test_derive_json(tmp_path, shipped_runs):
    proc = cli("derive", CASES / "vip2.yaml", "--json", cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    for key, value in hand_derived("vip2").items():
        assert data[key] == pytest.approx(value, rel=1e-12), key
    summary = read_summary(shipped_runs["vip2"]["out"])
    for key in DERIVED_CONTRACT_KEYS:
        assert data[key] == summary["derived"][key], key


def test_derive_table(tmp_path, capsys):
    assert main(["derive", str(CASES / "vip.yaml")]) == 0
    out = capsys.readouterr().out
    assert "electron" in out.lower() and len(out.splitlines()) > 8


# ----------------------------------------------------------------------------- exit codes

@pytest.mark.parametrize("args,message", [
    (["run"], "run needs a case file"),
    (["run", "cases/vip2.yaml", "--bogus"], "unrecognized arguments: --bogus"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    ([], "the following arguments are required: command"),
    (["compare", "cases/vip2.yaml", "--dims", "4"], "invalid choice: 4"),
    (["derive"], "the following arguments are required: case"),
])
def test_bad_arguments_exit_2(args, message, tmp_path):
    proc = cli(*args, cwd=ROOT, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stderr.startswith(("usage: vip-transport", "error: ")) and proc.stdout == ""


@pytest.mark.parametrize("command", ["run", "derive"])
def test_missing_case_file_exits_2(command, tmp_path):
    missing = tmp_path / "nope.yaml"
    args = [command, missing] + (["--out", tmp_path / "out"] if command == "run" else [])
    proc = cli(*args, cwd=tmp_path, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith(f"error: {missing}: expected a readable case file")
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_bad_case_exits_2_in_process(tmp_path, capsys):
    path = small_case(tmp_path, geometry={"length": "71"})
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}: geometry.length: expected a length")
    assert "Traceback" not in err and not (tmp_path / "out").exists()


@pytest.mark.parametrize("failure,code,text", [
    (SolverError("conservation lost at step 7 (t = 3 s)"), 1, "solver failure: conservation lost"),
    (RuntimeError("a bug"), 1, "internal error: RuntimeError: a bug"),
    (ZeroDivisionError("float division by zero"), 1, "internal error: ZeroDivisionError"),
])
def test_internal_failures_exit_1_and_write_nothing(failure, code, text, tmp_path, monkeypatch,
                                                     capsys):
    import vip_transport.solver.runner as run_module

    def failing_run(case, **kwargs):
        raise failure

    monkeypatch.setattr(run_module, "run_case", failing_run)
    path = small_case(tmp_path)
    out = tmp_path / "results" / "small"
    assert main(["run", str(path), "--out", str(out)]) == code
    err = capsys.readouterr().err
    assert text in err
    if isinstance(failure, SolverError):
        assert "Traceback" not in err
    assert not out.exists() and no_temporary_folders(out.parent, out.name)


# ----------------------------------------------------------------------------- atomic results

def test_failure_while_writing_leaves_no_folder(tmp_path, monkeypatch, capsys):
    """A failure after some files are written (here: the plots) leaves neither the results
    folder nor the temporary folder."""
    import vip_transport.solver.io.results as results_module

    def broken_plot(folder, result):
        (Path(folder) / "electrons_in_target.png").write_bytes(b"half a plot")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(results_module, "plot_result", broken_plot)
    out = tmp_path / "results" / "small"
    assert main(["run", str(small_case(tmp_path)), "--out", str(out)]) == 1
    assert "No space left on device" in capsys.readouterr().err
    assert not out.exists()
    assert list(out.parent.iterdir()) == []


def test_failure_keeps_the_previous_results_whole(tmp_path, monkeypatch):
    import vip_transport.solver.io.results as results_module

    out = tmp_path / "results" / "small"
    path = small_case(tmp_path)
    assert main(["run", str(path), "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken_plot(folder, result):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(results_module, "plot_result", broken_plot)
    assert main(["run", str(small_case(tmp_path, time={"duration": "50 s"})), "--out",
                 str(out)]) == 1
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert no_temporary_folders(out.parent, out.name)


def test_rerun_replaces_our_results_folder_whole(tmp_path):
    """A second run into our own previous results folder (holding only our files) replaces it
    as a whole and leaves nothing beside it."""
    out = tmp_path / "results" / "small"
    assert main(["run", str(small_case(tmp_path)), "--out", str(out)]) == 0
    (out / "timeseries.csv").write_text("stale")          # one of ours, changed: replaced
    assert main(["run", str(small_case(tmp_path)), "--out", str(out)]) == 0
    names = {p.name for p in out.iterdir()}
    assert {"case.resolved.yaml", "summary.json", "timeseries.csv", *PLOTS} <= names
    assert read_timeseries(out)[0] == COLUMNS
    assert sorted(p.name for p in out.parent.iterdir()) == ["small"]
