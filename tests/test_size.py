"""Run-size estimates (solver.run.size): the counts are the run's own, checked against the mesh
and the step plan actually built, and a case over its limits is refused before any work with
the key, the estimate and how it was made."""

from __future__ import annotations

import math

import pytest

from conftest import make_case
from vip_transport.solver.config import case_from_dict
from vip_transport.solver.errors import CaseError
from vip_transport.solver.fv.line_model import build_line_model
from vip_transport.solver.physics.derived import derive
from vip_transport.solver.run import run_case
from vip_transport.solver.run.plan import case_step_count, case_steps
from vip_transport.solver.run.size import check_run_size, estimate_cells, estimate_steps


def fv_case(**sections):
    """The VIP-2 target written out (no preset), method fv, ``sections`` merged in."""
    return make_case(None, source="cases/x.yaml", **{"method": "fv", **sections})


@pytest.mark.parametrize("sections", [
    {},
    {"fv": {"cells_per_target": 100}},
    {"geometry": {"reservoir": {"length": "2 cm"}}, "transport": {"diffusivity": "3.3e-7 m^2/s"}},
    {"geometry": {"reservoir": {"target_volumes": 1e4}}, "fv": {"grading": 1.001}},
    {"transport": {"injection": "single-electron", "current": "40 A"}},
    {"transport": {"current": {"schedule": "square", "high": "100 A", "period": "20 s"}},
     "time": {"duration": "100 s"}},
])
def test_estimates_equal_the_mesh_and_plan_built(sections):
    case = fv_case(**sections)
    derived = derive(case)
    model, _ = build_line_model(case, derived)
    assert estimate_cells(case) == model.number_of_cells
    assert estimate_steps(case) == len(case_steps(case, derived))
    assert case_step_count(case, derived, ladder=math.sqrt(2)) == len(case_steps(case, derived, ladder=math.sqrt(2)))


def test_2d_and_3d_estimates_multiply_the_line_by_the_cells_across_and_through():
    one = estimate_cells(fv_case(fv={"cells_per_target": 400}))
    three = fv_case(fv={"cells_per_target": 400, "cells_across": 10}, geometry={"dimension": 3})
    assert estimate_cells(three) == one * 10 * 2
    two = fv_case(fv={"cells_per_target": 400}, geometry={"dimension": 2})
    assert estimate_cells(two) == one * math.ceil(0.020 / (0.071 / 400))


def test_max_cells_refusal_names_the_key_and_shows_the_estimate():
    case = fv_case(fv={"cells_per_target": 4000}, geometry={"dimension": 3}, limits={"max_cells": 100000})
    with pytest.raises(CaseError) as info:
        check_run_size(case)
    message = str(info.value)
    assert "cases/x.yaml: limits.max_cells: expected at most 100,000 cells" in message
    assert f"{estimate_cells(case):,}" in message
    assert "across the width" in message and "through the thickness" in message


def test_max_steps_refusal_and_absurd_resolution_are_caught_before_any_work():
    with pytest.raises(CaseError, match="limits.max_steps: expected at most 1,000 time steps"):
        run_case(fv_case(limits={"max_steps": 1000}))
    # 1e18 cells per target: counted, never allocated
    with pytest.raises(CaseError, match="limits.max_cells"):
        check_run_size(fv_case(fv={"cells_per_target": 10**18}))


def test_current_changes_are_checked_for_every_method():
    square = {"transport": {"current": {"schedule": "square", "high": "100 A", "period": "1e-6 s"}},
              "method": "analytic"}
    with pytest.raises(CaseError, match="current changes"):
        check_run_size(fv_case(**square))


def test_an_analytic_run_is_estimated_warned_about_and_shows_progress(caplog, monkeypatch):
    """The analytic method's cost is the evaluations of the closed form in its time integral:
    the estimate is the first round's count, which the run then spends (a smooth case needs no
    more than a few extra pieces); a run estimated above the threshold is warned about before
    it starts, with the estimate; the run reports its progress."""
    import vip_transport.solver.run.size as size

    case = case_from_dict({"name": "many", "geometry": {"preset": "vip2"}, "transport": {}, "counting": {},
                           "time": {"duration": "1e4 s", "outputs": 3000}}, source="cases/x.yaml")
    calls = []
    result = run_case(case, progress=lambda done, total: calls.append((done, total)))
    estimate = size.estimate_evaluations(case)
    spent = result.numerics["time_integral_evaluations"]
    assert estimate <= spent <= 1.5 * estimate
    assert calls and calls[-1][0] == calls[-1][1] and all(a[0] <= b[0] for a, b in zip(calls, calls[1:]))
    monkeypatch.setattr(size, "WARN_SECONDS", size.SECONDS_PER_EVALUATION * estimate / 2)
    check_run_size(case)
    assert f"about {estimate:,} evaluations" in caplog.text and "3,000 outputs" in caplog.text
