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

from conftest import CLOSE_ENCOUNTER_RATE, TABLE1, case_data, max_relative_error
from vip_transport.solver.config import case_from_dict, write_resolved
from vip_transport.solver.compare import compare_dimensions, run_compare
from vip_transport.solver.run import run_case

BASE = case_data("vip2", method="analytic", fv={"cells_per_target": 100, "cells_across": 6, "time_steps": 200},
                 time={"duration": "60 s", "outputs": 20}, output={"fields": []})
#: the columns of the comparison (the compare command's documentation)
COLUMNS = ("dimension", "cells", "steps", "wall_time_s", "new_electrons_in_target_final", "scatterings_total",
           "transit_time_s", "amplification_factor", "max_rel_diff_N_t")
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
        assert row["transit_time_s"] == pytest.approx(integral_n / (current * T / e), rel=TOL)
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
    assert {p.name for p in out_dir.iterdir()} == {"compare.csv", "compare.md", "electrons_in_target.png",
                                                  "case.resolved.yaml", ".vip-transport-results"}
    with open(out_dir / "compare.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert [int(r["dimension"]) for r in rows] == [1, 2]
    assert float(rows[1]["max_rel_diff_N_t"]) > 1e-3                 # slower filling early on ...
    assert abs(float(rows[1]["rel_diff_to_1d_new_electrons_in_target_final"])) < 1e-4   # ... then full
    diff = float(rows[1]["rel_diff_to_1d_scatterings_total"])
    assert -0.2 < diff < 0
    assert "| dimension |" in (out_dir / "compare.md").read_text()
