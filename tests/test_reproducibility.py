"""Reproducibility (issue 6, item 4): the same case run twice, in two processes with different
hash seeds, gives bitwise-identical time series and summary numbers (provenance times aside),
for the analytic and the 1D finite-volume path; summary.json records what is needed to repeat
the run: the resolved case file, versions, solver settings and mesh size.
"""

from __future__ import annotations

import platform
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

import vip_transport.solver as solver
from conftest import read_summary as summary
from conftest import run_cli, write_case
from vip_transport.solver.config import load_case
from vip_transport.solver.physics.derived import derive
from vip_transport.solver.fv.line_model import build_line_model

VOLATILE = {"started", "wall_time_s", "command"}   # provenance entries that differ between runs

CASES = {
    "analytic": {"method": "analytic", "time": {"duration": "1e3 s", "outputs": 12}},
    "fv": {"method": "fv", "time": {"duration": "100 s", "outputs": 10},
           "fv": {"cells_per_target": 120, "time_steps": 150, "steps_per_front": 10}},
}


def run_in_process(case_path: Path, out: Path, seed: str):
    proc = run_cli("run", case_path, "--out", out, cwd=out.parent, env={"PYTHONHASHSEED": seed}, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out


@pytest.fixture(scope="module", params=sorted(CASES))
def twice(request, tmp_path_factory):
    """(case path, first results folder, second results folder) for one method."""
    folder = tmp_path_factory.mktemp(f"repro-{request.param}")
    case_path = write_case(folder, f"repro-{request.param}", **CASES[request.param])
    with ThreadPoolExecutor(max_workers=2) as pool:
        first, second = pool.map(lambda args: run_in_process(case_path, *args),
                                 [(folder / "first", "1"), (folder / "second", "2")])
    return request.param, case_path, first, second


def without_volatile(data: dict) -> dict:
    data = dict(data)
    data["provenance"] = {k: v for k, v in data["provenance"].items() if k not in VOLATILE}
    return data


def test_timeseries_are_bitwise_identical(twice):
    _, _, first, second = twice
    a, b = (first / "timeseries.csv").read_bytes(), (second / "timeseries.csv").read_bytes()
    assert a == b
    assert len(a.splitlines()) > 10


def test_summaries_are_identical_apart_from_provenance_times(twice):
    _, _, first, second = twice
    one, two = summary(first), summary(second)
    assert one["provenance"]["started"] and two["provenance"]["wall_time_s"] > 0
    assert without_volatile(one) == without_volatile(two)
    # the numbers exactly (json floats round-trip exactly), not merely approximately
    for key in ("new_electrons_in_target_final", "scatterings_total", "xrays_per_unit_violation"):
        assert one[key] == two[key] and np.float64(one[key]).tobytes() == np.float64(two[key]).tobytes()


def test_resolved_case_files_are_identical_and_repeat_the_run(twice):
    _, case_path, first, second = twice
    assert (first / "case.resolved.yaml").read_bytes() == (second / "case.resolved.yaml").read_bytes()
    assert "case.resolved.yaml" in summary(first)["files"]
    resolved, original = load_case(first / "case.resolved.yaml"), load_case(case_path)
    assert resolved == original and resolved.model_dump() == original.model_dump()


def test_summary_records_versions(twice):
    import fipy
    import scipy

    prov = summary(twice[2])["provenance"]
    assert prov["package_version"] == solver.__version__
    assert prov["python"] == platform.python_version()
    assert (prov["fipy"], prov["numpy"], prov["scipy"]) == (fipy.__version__, np.__version__,
                                                             scipy.__version__)
    assert "git_commit" in prov


def test_summary_records_solver_settings_and_mesh_size(twice):
    method, case_path, first, _ = twice
    data = summary(first)
    case = load_case(case_path)
    assert data["method"] == method
    numerics = data["numerics"]
    if method == "analytic":
        assert "closed form" in numerics["solution"]
        return
    model, _ = build_line_model(case, derive(case))
    assert numerics["cells"] == model.number_of_cells                   # mesh size
    assert numerics["cells_in_target"] == case.fv.cells_per_target
    assert numerics["dimension"] == case.geometry.dimension == 1
    assert numerics["scheme"] == case.fv.scheme == "crank-nicolson"
    assert numerics["stepper"] == case.fv.stepper == "cached"
    assert numerics["convection"] == case.fv.convection
    assert case.fv.time_steps <= numerics["steps"] < case.fv.time_steps + 10_000
    assert numerics["conservation"]["worst_relative_balance"] <= 1e-10
