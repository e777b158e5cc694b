"""The 2D/3D walk's drift field and walls (issue 15): the RT0 interpolation of the FV face flows,
and the stationarity of the total electron density through a narrow connector."""

import numpy as np
import pytest

from conftest import assert_direct_equals_complement
from test_montecarlo import mc_case
from vip_transport.solver.montecarlo.driver import build_problem
from vip_transport.solver.physics.derived import derive

NARROW = {"connector": {"width": "5 mm", "offset": "7.5 mm"}}


@pytest.fixture(scope="module")
def narrow_2d():
    case = mc_case(duration="10 s", outputs=5, first="2 s", geometry={"dimension": 2, **NARROW},
                   fv={"cells_per_target": 16, "cells_across": 8})
    return case, build_problem(case, derive(case))


def test_rt0_field_carries_the_fv_face_flows(narrow_2d):
    """Inside every active cell the RT0 field is divergence-free (the FV potential's current
    balance, to 1e-8 of the cell's largest face flow), its normal components on shared faces are
    continuous, and walls carry none."""
    _, problem = narrow_2d
    f = problem.field
    xf, yf, _ = f.axes
    nx, ny = len(xf) - 1, len(yf) - 1
    v = f.velocity.reshape(6, ny, nx)
    dx, dy = np.diff(xf)[None, :], np.diff(yf)[:, None]
    active = f.active.reshape(ny, nx)
    flux = (v[1] - v[0]) * dy + (v[3] - v[2]) * dx          # per unit thickness [m^2/C]
    scale = np.max(np.abs(v[:4]) * np.maximum(dx, dy), axis=0)
    assert np.all(np.abs(flux[active]) <= 1e-8 * scale[active])
    both = active[:, 1:] & active[:, :-1]
    assert np.array_equal(v[1][:, :-1][both], v[0][:, 1:][both])      # x-faces shared
    up = active[1:, :] & active[:-1, :]
    assert np.array_equal(v[3][:-1, :][up], v[2][1:, :][up])           # y-faces shared
    wall_y = active[:-1, :] & ~active[1:, :]
    assert np.all(v[3][:-1, :][wall_y] == 0)
    assert len(f.stretch_x) >= 2 and f.stretch_x[0, 0] == -np.inf


def test_direct_and_complement_counts_agree_through_a_narrow_connector_2d(narrow_2d):
    """The total density n is stationary: the walk's direct count of new electrons in the target
    and n V_target minus its old electrons agree within their standard errors (a check of the
    drift, walls and junctions of the 2D walk that needs no reference solution)."""
    case, problem = narrow_2d
    tallies = assert_direct_equals_complement(problem, case.time.output_times(), seed=3, electrons=6_000)
    assert sum(t.steps[1] for t in tallies) > 0


def test_shell_with_a_feed_tab_across_the_seam_keeps_the_total_density():
    """VIP's cylinder shell in 2D fed through one 10 mm tab centred on the periodic seam (the
    tab's band wraps around y = 0): direct and complement counts agree, and an electron that
    walks around the shell crosses the seam."""
    case = mc_case(duration="300 s", outputs=4, first="40 s", transport={"current": "40 A"},
                   geometry={"preset": "vip", "dimension": 2,
                             "connector": {"width": "10 mm", "angles": ["0 deg"]}},
                   fv={"cells_per_target": 16, "cells_across": 32})
    problem = build_problem(case, derive(case))
    assert problem.field.periodic > 0
    assert_direct_equals_complement(problem, case.time.output_times(), seed=5, electrons=4_000)


def test_bands_across_merge_through_the_seam():
    """A feed band through the periodic seam is one interval starting below 0."""
    from vip_transport.solver.montecarlo.block_field import _bands

    coords = np.linspace(0.0, 5.0, 6)
    assert _bands(np.array([1, 1, 0, 0, 1], bool), coords, 5.0) == [(-1.0, 2.0)]
    assert _bands(np.array([1, 1, 0, 0, 1], bool), coords, 0.0) == [(0.0, 2.0), (4.0, 5.0)]
    assert _bands(np.ones(5, bool), coords, 5.0) == [(0.0, 5.0)]
