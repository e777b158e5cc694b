"""solver.compare: the same case in 1D and 2D (and the CLI's folder).

On a uniform strip the 2D solution is uniform across the width, so 2D and 1D differ only by
their time plans (2D quantises its steps): N(t) agrees to 1e-4 of max N; with a narrow
connector on one edge the filling is slower in 2D (the electrons must spread across the
width), so N(t) is smaller early on (by more than 1e-3 of max N) and the total scatterings
are smaller, while N at the end (a full target) agrees.
"""

import argparse
import csv

from vip_transport.solver.config import case_from_dict, write_resolved
from vip_transport.solver.compare import COLUMNS, compare_dimensions, run_compare

BASE = {"name": "cmp", "geometry": {"preset": "vip2"}, "method": "analytic",
        "fv": {"cells_per_target": 60, "cells_across": 6, "time_steps": 200},
        "time": {"duration": "60 s", "outputs": 20}, "output": {"fields": []}}


def test_uniform_strip_does_not_depend_on_dimension():
    calls = []
    out = compare_dimensions(case_from_dict(BASE), dims=(1, 2), progress=lambda *a: calls.append(a))
    rows = {r["dimension"]: r for r in out["rows"]}
    assert set(out["results"]) == {1, 2} and set(rows) == {1, 2}
    for key in COLUMNS:
        assert key in rows[2]
    assert rows[1]["rel_diff_to_1d_scatterings_total"] == 0.0
    assert abs(rows[2]["rel_diff_to_1d_scatterings_total"]) < 1e-4
    assert rows[2]["max_rel_diff_N_t"] < 1e-4
    assert rows[2]["cells"] == 6 * rows[1]["cells"]
    assert {c[0] for c in calls} == {1, 2}
    # residence time per passed electron: below n e V/I (the target is filling)
    assert 0 < rows[1]["transit_time_s"] < out["results"][1].derived["transit_time_s"]


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
