"""Verification of the Monte Carlo method (issue 15) against the closed forms and the FV
solution in 1D, 2D and 3D: slow (minutes), run in CI's second step (``pytest -m slow``).

Criterion everywhere: N(t) and S(t) within 3 standard errors at every output time and N(T)
within 1e-3 relative at the end of the run (S(T) too for the uniform 1D lines, where its
standard error is below 1e-3).  Output times start where enough electrons have arrived
to be resolved (see tests/test_montecarlo.py).  In 2D/3D the FV reference is resolved finer
than the default (its own error below the Monte Carlo standard error).
"""

import numpy as np
import pytest

from test_montecarlo import assert_agrees, deviations, mc_case
from vip_transport.solver.run import run_case

pytestmark = pytest.mark.slow

VIP_TRANSITS = "1260 s"      # three transit times of VIP at 40 A


@pytest.mark.parametrize("preset, reservoir, duration, first, end_tol", [
    ("vip2", "semi-infinite", "30 s", "1 s", 1e-3),
    ("vip2", "20 cm", "20 s", "1 s", 1e-3),        # the target filling
    ("vip2", "20 cm", "60 s", "1 s", None),        # the reservoir's back edge passes the target
    ("vip", "semi-infinite", VIP_TRANSITS, "60 s", 1e-3),
    ("vip", "20 cm", "800 s", "60 s", 1e-3),
    ("vip", "20 cm", "2000 s", "60 s", None),
])
def test_1d_uniform_matches_closed_form_and_fv(preset, reservoir, duration, first, end_tol):
    """VIP (cylinder as its 1D line, 40 A) and VIP-2 (100 A), semi-infinite and 20 cm
    reservoirs.  Where the run ends with the target half emptied by a finite reservoir's back
    edge, N(T) is not resolved to 1e-3 by 4e6 electrons: those runs check 3 standard errors only,
    and a shorter run of the same case checks the end to 1e-3."""
    kw = dict(duration=duration, first=first, geometry={"preset": preset, "reservoir": {"length": reservoir}},
              transport={"current": "40 A" if preset == "vip" else "100 A"})
    mc = run_case(mc_case(electrons=4_000_000, **kw))
    exact = run_case(mc_case(method="analytic", **kw))
    fv = run_case(mc_case(method="fv", **kw))
    assert_agrees(mc, exact, end_tol=end_tol or 1.0)
    assert_agrees(mc, fv, end_tol=end_tol or 1.0)


def test_1d_single_electron_matches_closed_form():
    """One electron injected at x = 0 (eqs. 18-19): P(t) and integral P dt, up to the time the
    electron is half-way through the target (later P falls to a tail not resolved to 1e-3)."""
    kw = dict(duration="5 s", first="0.05 s", transport={"injection": "single-electron"})
    mc = run_case(mc_case(electrons=2_000_000, **kw))
    exact = run_case(mc_case(method="analytic", **kw))
    assert_agrees(mc, exact)


def test_1d_square_wave_current_matches_closed_form():
    """A time-dependent current (square wave, 100 A / 0 A, period 8 s): the exact steps take
    the drift from the schedule's charge."""
    kw = dict(duration="30 s", first="2 s",
              transport={"current": {"schedule": "square", "high": "100 A", "low": "0 A", "period": "8 s",
                                     "duty": 0.5}})
    mc = run_case(mc_case(electrons=2_000_000, **kw))
    exact = run_case(mc_case(method="analytic", **kw))
    assert_agrees(mc, exact)


def test_1d_narrow_connector_matches_fv_at_two_time_steps():
    """A connector 4x narrower than the target (drift 4x faster in it; skew interfaces): the walk
    at its default step near the interfaces and at 1/8 of it agrees with a fine FV solution."""
    kw = dict(duration="30 s", first="1 s", geometry={"connector": {"width": "5 mm"}})
    fv = run_case(mc_case(method="fv", fv={"cells_per_target": 3200, "time_steps": 8000}, **kw))
    coarse = run_case(mc_case(electrons=2_000_000, **kw))
    step = coarse.numerics["montecarlo"]["time_step_s"]
    fine = run_case(mc_case(electrons=2_000_000, seed=2, montecarlo={"time_step": f"{step / 8!r} s"}, **kw))
    assert coarse.numerics["montecarlo"]["split_steps"] > 0
    assert_agrees(coarse, fv)
    assert_agrees(fine, fv)


NARROW = {"connector": {"width": "5 mm", "offset": "7.5 mm"}}


@pytest.mark.parametrize("dimension, fv", [(2, {"cells_per_target": 64, "cells_across": 16, "time_steps": 800}),
                                           (3, {"cells_per_target": 48, "cells_across": 12, "time_steps": 600})])
def test_nd_narrow_connector_matches_fv(dimension, fv):
    """VIP-2 fed through a 5 mm connector flush with one edge, 2D and 3D (4.5 transit times)."""
    kw = dict(duration="45 s", outputs=8, first="2 s", geometry={"dimension": dimension, **NARROW})
    ref = run_case(mc_case(method="fv", fv=fv, **kw))
    mc = run_case(mc_case(electrons=200_000, fv={"cells_per_target": fv["cells_per_target"],
                                                 "cells_across": fv["cells_across"]}, **kw))
    assert mc.numerics["montecarlo"]["split_steps"] > 0
    assert_agrees(mc, ref)


def test_2d_time_step_error_converges():
    """The split steps' error in 2D (narrow connector, N at t = 3 s, one output so that the
    step is not cut by observation times): at a step of 1.5 s (a spread of 18 mm per step) the
    splitting error is visible beyond 3 standard errors (measured: -0.6 %); at 1/8 of it and at
    the default step (4.4 ms) it is within 3 standard errors (below ~0.3 %) of a fine FV solution."""
    kw = dict(duration="3 s", outputs=1, first="3 s", geometry={"dimension": 2, **NARROW},
              fv={"cells_per_target": 32, "cells_across": 8})
    ref = run_case(mc_case(method="fv", **{**kw, "fv": {"cells_per_target": 64, "cells_across": 16,
                                                         "time_steps": 800}}))
    z = {}
    for step, electrons in (("1.5 s", 3_000_000), ("0.1875 s", 3_000_000), (None, 1_000_000)):
        mc = run_case(mc_case(electrons=electrons, montecarlo={"time_step": step}, **kw))
        z[step] = float(deviations(mc, ref)[0][-1])
        assert mc.numerics["montecarlo"]["split_steps"] > 0
    assert z["1.5 s"] < -3, z
    assert abs(z["0.1875 s"]) <= 3 and abs(z[None]) <= 3, z
