"""Parameter sweeps (issue 14 item 4).

Checked against independent routes, never against the sweep's own numbers alone:
- a 2-worker Dask LocalCluster writes the same table as a serial run, bit for bit (every
  column but the wall time);
- a sweep stopped after k cases (the test hook ``stop_after``: no signals, no clocks) and
  started again computes exactly the n - k others, and its table equals an uninterrupted one's;
- a failing case is recorded with its error and the others complete;
- each case's numbers equal a plain ``run_case`` of the same case built by hand;
- sampled axes: Latin hypercube strata, reproducible seeds, quantiles = numpy's over the table.
"""

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest

from vip_transport.solver.cli import main
from vip_transport.solver.config import case_from_dict
from vip_transport.solver.errors import CaseError
from vip_transport.solver.run import run_case
from vip_transport.solver.sweep import case_key, local_client, read_table, run_sweep, sweep_from_dict

REPO = Path(__file__).resolve().parent.parent
BASE = {"name": "sw", "geometry": {"preset": "vip2"}, "transport": {"current": "100 A"},
        "counting": {"xray_count_limit": 10}, "time": {"outputs": 20}}


def sweep(**sections):
    return sweep_from_dict({"name": "t", "base": BASE, **sections})


def table_without_wall_time(path):
    """sweep.csv as text without the wall_time_s column (the only one that differs between runs)."""
    rows = list(csv.reader(io.StringIO(Path(path).read_text())))
    drop = rows[0].index("wall_time_s")
    return [r[:drop] + r[drop + 1:] for r in rows]


GRID = {"transport.current": ["0 A", "40 A", "100 A", "250 A"],
        "transport.diffusivity": ["einstein", "1e-5 m^2/s"]}


def test_serial_sweep_matches_run_case_and_the_table(tmp_path):
    s = sweep(grid=GRID)
    report = run_sweep(s, tmp_path, serial=True)
    assert (report.cases, report.computed, report.failed, report.skipped) == (8, 8, 0, 0)
    rows = read_table(tmp_path / "sweep.csv")
    assert [r["transport.current [A]"] for r in rows] == ["0.0"] * 2 + ["40.0"] * 2 + ["100.0"] * 2 + ["250.0"] * 2
    for row, current, diffusivity in zip(rows, [c for c in GRID["transport.current"] for _ in range(2)],
                                         GRID["transport.diffusivity"] * 4):
        by_hand = run_case(case_from_dict({**BASE, "transport": {"current": current, "diffusivity": diffusivity}}))
        assert row["status"] == "ok" and row["transport.diffusivity"] == diffusivity
        assert float(row["scatterings_total"]) == by_hand.cumulative_scatterings[-1]
        assert float(row["new_electrons_in_target_final"]) == by_hand.electrons_in_target[-1]
        assert float(row["beta2_half_bound"]) == by_hand.counts["beta2_half_bound"]
    assert row["amplification_factor"] and rows[0]["amplification_factor"] == ""   # none at 0 A
    assert (tmp_path / "plots" / "scatterings_total_heatmap.png").is_file()
    summary = json.loads((tmp_path / "cases" / rows[3]["key"] / "summary.json").read_text())
    assert summary["complete"] and "electrons_in_target.png" not in summary["files"]   # no case plots


def test_two_worker_cluster_gives_the_serial_table_bit_for_bit(tmp_path):
    s = sweep(grid=GRID, zip={"transport.convention": ["standard", "paper"],
                              "material.temperature": ["300 K", "310 K"]})
    run_sweep(s, tmp_path / "serial", serial=True)
    client = local_client(workers=2, processes=True)
    try:
        assert len(client.scheduler_info()["workers"]) == 2
        report = run_sweep(s, tmp_path / "dask", client=client)
    finally:
        client.close()
        client.cluster.close()
    assert report.computed == 16 and report.failed == 0
    assert table_without_wall_time(tmp_path / "dask" / "sweep.csv") == \
        table_without_wall_time(tmp_path / "serial" / "sweep.csv")


@pytest.fixture
def threads_client():
    """A Dask cluster of 2 worker threads in this process (processes are not the point here)."""
    client = local_client(workers=2, processes=False)
    yield client
    client.close()
    client.cluster.close()


@pytest.mark.parametrize("on_dask", [False, True], ids=["serial", "dask"])
def test_interrupted_sweep_computes_only_the_rest(tmp_path, request, on_dask):
    s = sweep(grid=GRID)
    where = {"client": request.getfixturevalue("threads_client")} if on_dask else {"serial": True}
    first = run_sweep(s, tmp_path / "resumed", stop_after=4, **where)          # half-way
    assert (first.computed, first.not_run) == (4, 4)
    assert [r["status"] for r in read_table(tmp_path / "resumed" / "sweep.csv")].count("not run") == 4
    # what a worker killed while writing leaves behind: a temporary folder, never a finished one
    unfinished = [r["key"] for r in read_table(tmp_path / "resumed" / "sweep.csv") if r["status"] == "not run"]
    stale = tmp_path / "resumed" / "cases" / f".{unfinished[0]}.tmp-killed"
    stale.mkdir()
    (stale / "timeseries.csv").write_text("time_s\n")
    second = run_sweep(s, tmp_path / "resumed", **where)
    assert (second.computed, second.skipped, second.not_run) == (4, 4, 0)
    third = run_sweep(s, tmp_path / "resumed", serial=True)
    assert (third.computed, third.skipped) == (0, 8)
    run_sweep(s, tmp_path / "whole", serial=True)
    assert table_without_wall_time(tmp_path / "resumed" / "sweep.csv") == \
        table_without_wall_time(tmp_path / "whole" / "sweep.csv")


def test_failing_case_is_recorded_and_the_rest_complete(tmp_path, capsys):
    spec = {"name": "fails", "base": BASE, "grid": {"geometry.dimension": [1, 2]},
            "zip": {"transport.current": ["40 A", "100 A"]}}
    path = tmp_path / "sweep.yaml"
    path.write_text(json.dumps(spec))
    assert main(["sweep", str(path), "--out", str(tmp_path / "out"), "--serial"]) == 1
    assert "2 of 4 cases failed" in capsys.readouterr().err
    rows = read_table(tmp_path / "out" / "sweep.csv")
    assert [r["status"] for r in rows] == ["ok", "ok", "failed", "failed"]
    assert all("geometry.dimension" in r["error"] and "1D" in r["error"] for r in rows[2:])
    assert rows[1]["scatterings_total"] and not rows[3]["scatterings_total"]
    # failed cases are tried again on a restart (finished ones are not)
    report = run_sweep(sweep_from_dict(spec, source=str(path)), tmp_path / "out", serial=True)
    assert (report.computed, report.failed, report.skipped) == (2, 2, 2)


@pytest.mark.parametrize("spec, names", [
    ({"grid": {"transport.curent": ["1 A"]}}, ["grid.transport.curent", 'did you mean "current"']),
    ({"grid": {"transport.current": ["1 kg"]}}, ["case 0", "transport.current=", "transport.current.value", "1 kg"]),
    ({"grid": {"transport.current": "1 A"}}, ["grid.transport.current", "a non-empty list"]),
    ({"zip": {"transport.current": ["1 A"], "time.outputs": [3, 4]}}, ["zip", "lists of one length"]),
    ({"grid": {"time.outputs": [3]}, "set": {"time.outputs": 4}}, ["grid.time.outputs", "again"]),
    ({"sample": {"count": 4, "axes": {"transport.current": {"distribution": "normal", "mean": "1 A",
                                                            "std": "1 m"}}}}, ["sample.axes.transport.current.std"]),
    ({"sample": {"count": 4, "axes": {"transport.current": {"distribution": "uniform", "low": "2 A",
                                                            "high": "1 A"}}}}, ["sample.axes.transport.current.high"]),
    ({"grdi": {}}, ['"grdi"', 'did you mean "grid"']),
])
def test_sweep_file_mistakes_exit_2_naming_the_key(tmp_path, capsys, spec, names):
    path = tmp_path / "bad.yaml"
    path.write_text(json.dumps({"base": BASE, **spec}))
    assert main(["sweep", str(path), "--out", str(tmp_path / "out"), "--serial"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}") and "Traceback" not in err
    for name in names:
        assert name in err, err
    assert not (tmp_path / "out").exists()


def test_sampled_axes(tmp_path):
    axes = {"material.temperature": {"distribution": "uniform", "low": "290 K", "high": "310 K"},
            "transport.diffusivity_scale": {"distribution": "log-uniform", "low": 0.1, "high": 10},
            "material.conductivity": {"distribution": "normal", "mean": "5.9e7 S/m", "std": "3e6 S/m"}}
    s = sweep(grid={"transport.current": ["40 A", "100 A"]},
              sample={"count": 20, "method": "latin-hypercube", "seed": 7, "axes": axes})
    points = s.points()
    assert len(points) == 40
    first = [p for p in points if p.group == 0]
    temps = np.array([p.case.material.temperature for p in first])
    scales = np.array([p.case.transport.diffusivity_scale for p in first])
    # Latin hypercube: one sample in each of the 20 strata of every axis
    assert sorted(np.floor((temps - 290) / 20 * 20).astype(int)) == list(range(20))
    assert sorted(np.floor(np.log(scales / 0.1) / np.log(100) * 20).astype(int)) == list(range(20))
    # the same samples for every grid value, and the same again from the same seed
    second = [p for p in points if p.group == 1]
    assert [p.values["material.temperature"] for p in second] == [p.values["material.temperature"] for p in first]
    again = sweep(grid={"transport.current": ["40 A", "100 A"]},
                  sample={"count": 20, "method": "latin-hypercube", "seed": 7, "axes": axes}).points()
    assert [p.key for p in again] == [p.key for p in points]
    report = run_sweep(s, tmp_path, serial=True)
    assert report.failed == 0
    rows = read_table(tmp_path / "sweep.csv")
    quantiles = read_table(tmp_path / "quantiles.csv")
    for current in ("40.0", "100.0"):
        values = [float(r["beta2_half_bound"]) for r in rows if r["transport.current [A]"] == current]
        entry = next(q for q in quantiles if q["transport.current [A]"] == current and q["output"] == "beta2_half_bound")
        assert [float(entry[k]) for k in ("q05", "q50", "q95")] == list(np.quantile(values, [0.05, 0.5, 0.95]))
        assert entry["cases_ok"] == "20"
    assert (tmp_path / "plots" / "beta2_half_bound_band_vs_transport.current.png").is_file()


def test_case_key_identifies_the_resolved_case():
    a = case_from_dict({**BASE, "transport": {"current": "100 A"}})
    b = case_from_dict({**BASE, "name": "other", "transport": {"current": "0.1 kA"}})
    c = case_from_dict({**BASE, "transport": {"current": "100.001 A"}})
    assert case_key(a) == case_key(b) != case_key(c)


def test_shipped_sweep_files_are_valid():
    from vip_transport.solver.sweep import load_sweep

    files = sorted((REPO / "cases").glob("sweep-*.yaml"))
    assert files
    for path in files:
        assert load_sweep(path).points()


def test_cli_sweep_twice(tmp_path, capsys):
    path = tmp_path / "s.yaml"
    path.write_text(json.dumps({"name": "cli", "base": BASE, "grid": {"transport.current": ["40 A", "100 A"]}}))
    args = ["sweep", str(path), "--out", str(tmp_path / "out"), "--serial"]
    assert main(args) == 0
    assert "2 computed now (0 failed), 0 finished before" in capsys.readouterr().out
    assert main(args) == 0
    assert "0 computed now (0 failed), 2 finished before" in capsys.readouterr().out


def test_errors_before_anything_runs():
    with pytest.raises(CaseError, match="base"):
        sweep_from_dict({"grid": {}})
