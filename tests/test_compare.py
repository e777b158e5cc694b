"""solver.compare: the same case in 1D and 2D (and the CLI's folder).

On a uniform strip the 2D solution is uniform across the width, so 1D and 2D both equal the
closed form (eq. 24 integrated over the target, the analytic method): N(t) to 1e-4 of max N,
S(T) and the residence time per passed electron, integral N dt/(I T/e), to 1e-4; the table's
differences to 1D are those of the two runs.  With a narrow connector on one edge the filling
is slower in 2D (the electrons must spread across the width), so N(t) is smaller early on (by
more than 1e-3 of max N) and the total scatterings are smaller, while N at the end (a full
target) agrees.
"""

import argparse
import csv

import numpy as np
import pytest
from scipy.constants import e

import signal

from conftest import (CLOSE_ENCOUNTER_RATE, ROOT, TABLE1, case_data, max_relative_error, read_summary, run_cli,
                      start_cli, wait_until_paused)
from vip_transport.solver.config import case_from_dict, write_resolved
from vip_transport.solver.compare import compare_dimensions, run_compare
from vip_transport.solver.run import run_case

BASE = case_data("vip2", method="analytic", fv={"cells_per_target": 100, "cells_across": 6, "time_steps": 200},
                 time={"duration": "60 s", "outputs": 20}, output={"fields": []})
#: the columns of the comparison (the compare command's documentation)
COLUMNS = ("dimension", "cells", "steps", "wall_time_s", "new_electrons_in_target_final", "scatterings_total",
           "mean_residence_time_s", "amplification_factor", "max_rel_diff_N_t")
TOL = 1e-4


def test_uniform_strip_in_1d_and_2d_is_the_closed_form():
    case = case_from_dict(BASE)
    calls = []
    out = compare_dimensions(case, dims=(1, 2), progress=lambda *a: calls.append(a))
    exact = run_case(case)                      # method analytic: the closed form
    rows = {r["dimension"]: r for r in out["rows"]}
    assert set(out["results"]) == {1, 2} and set(rows) == {1, 2}
    assert {c[0] for c in calls} == {1, 2}
    T, current = 60.0, TABLE1["vip2"].current
    integral_n = exact.cumulative_scatterings[-1] / CLOSE_ENCOUNTER_RATE        # integral N dt [s]
    for d in (1, 2):
        row, result = rows[d], out["results"][d]
        assert set(COLUMNS) <= set(row)
        assert max_relative_error(result.electrons_in_target, exact.electrons_in_target) < TOL, d
        assert row["new_electrons_in_target_final"] == pytest.approx(exact.electrons_in_target[-1], rel=TOL)
        assert row["scatterings_total"] == pytest.approx(CLOSE_ENCOUNTER_RATE * integral_n, rel=TOL)
        assert row["mean_residence_time_s"] == pytest.approx(integral_n / (current * T / e), rel=TOL)
    # the differences to 1D are those of the two runs
    one, two = out["results"][1], out["results"][2]
    assert rows[2]["max_rel_diff_N_t"] == pytest.approx(
        max_relative_error(two.electrons_in_target, one.electrons_in_target), rel=1e-12)
    assert rows[2]["rel_diff_to_1d_scatterings_total"] == pytest.approx(
        two.cumulative_scatterings[-1] / one.cumulative_scatterings[-1] - 1, rel=1e-9, abs=1e-15)
    assert rows[2]["cells"] == 6 * rows[1]["cells"]
    assert np.array_equal(one.times, two.times)


def test_narrow_connector_fills_the_target_more_slowly_in_2d(tmp_path):
    data = {**BASE, "geometry": {"preset": "vip2", "connector": {"width": "5 mm", "offset": "7.5 mm"}}}
    path = tmp_path / "narrow.yaml"
    write_resolved(case_from_dict(data), path)
    out_dir = tmp_path / "out"
    code = run_compare(argparse.Namespace(case=str(path), dims=[2, 1], out=str(out_dir)))
    assert code == 0
    assert {p.name for p in out_dir.iterdir()} == {"compare.csv", "compare.md", "compare.png", "runs",
                                                  "case.resolved.yaml", ".vip-transport-results"}
    assert sorted(p.name for p in (out_dir / "runs").iterdir()) == ["1D-fv", "2D-fv"]
    with open(out_dir / "compare.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert [int(r["dimension"]) for r in rows] == [1, 2]
    assert float(rows[1]["max_rel_diff_N_t"]) > 1e-3                 # slower filling early on ...
    assert abs(float(rows[1]["rel_diff_to_1d_new_electrons_in_target_final"])) < 1e-4   # ... then full
    diff = float(rows[1]["rel_diff_to_1d_scatterings_total"])
    assert -0.2 < diff < 0
    assert "| dimension |" in (out_dir / "compare.md").read_text()


# ----------------------------------------------------------------------------- the command


def test_compare_says_what_it_will_run_and_warns_on_a_uniform_geometry(tmp_path, capsys, caplog):
    from vip_transport.solver.cli import main

    path = tmp_path / "uniform.yaml"
    write_resolved(case_from_dict({**BASE, "method": "fv"}), path)
    assert main(["compare", str(path), "--dims", "1", "2", "--out", str(tmp_path / "out"),
                 "--duration", "20 s", "--resolution", "50"]) == 0
    out = capsys.readouterr().out
    assert "compare test: 2 runs" in out and "1D fv:" in out and "2D fv:" in out and "roughly" in out
    assert "| dimension |" in out
    assert "2D and 3D equal 1D by symmetry" in caplog.text
    rows = list(csv.DictReader(open(tmp_path / "out" / "compare.csv")))
    assert int(rows[0]["cells"]) < 400                 # --resolution 50 cells along the target
    summary = read_summary(tmp_path / "out" / "runs" / "1D-fv")
    assert summary["derived"]["target_length_m"] == 0.071 and "20.0 s" in \
        (tmp_path / "out" / "runs" / "1D-fv" / "case.resolved.yaml").read_text()


def test_a_stopped_comparison_continues_where_it_stopped(tmp_path):
    """Stopped in its 2D run (at a known step), started again: the 1D run is re-used, and the
    table equals that of an uninterrupted comparison."""
    narrow = ROOT / "cases" / "vip2-narrow-connector.yaml"
    whole = run_cli("compare", narrow, "--dims", "1", "2", "--out", tmp_path / "whole", cwd=tmp_path)
    assert whole.returncode == 0, whole.stderr
    pause = tmp_path / "paused"
    proc = start_cli("compare", narrow, "--dims", "1", "2", "--out", tmp_path / "out", cwd=tmp_path,
                     pause_after=900, pause_file=pause)          # the 1D run has 788 steps, the 2D run 973
    wait_until_paused(pause, proc)
    assert (tmp_path / ".out.compare" / "1D-fv" / "summary.json").is_file()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 143 and not (tmp_path / "out").exists()
    again = run_cli("compare", "--resume", tmp_path / "out", "--verbose", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "1D-fv: finished earlier, re-used" in again.stderr
    got = list(csv.DictReader(open(tmp_path / "out" / "compare.csv")))
    want = list(csv.DictReader(open(tmp_path / "whole" / "compare.csv")))
    for a, b in zip(got, want):
        for key in ("new_electrons_in_target_final", "scatterings_total", "max_rel_diff_N_t"):
            assert float(a[key]) == pytest.approx(float(b[key]), rel=1e-12, abs=1e-300), key
    assert not (tmp_path / ".out.compare").exists()
