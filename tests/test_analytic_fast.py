"""The analytic method's fast time integral (issue 14 item 1) and its robustness near underflow
(issue 12 item 5).

References, none taken from the code under test:
- the Gauss-Kronrod tables: exact integrals of monomials;
- cumulative integrals with closed forms (t^-1/2, exp(-t/5), a kink, exp(-c/t) = t E_2(c/t)
  through float64 underflow);
- ``data/analytic_reference.json``: the analytic results of the test grid (51 cases) computed
  with the independent reference integral, scipy's adaptive ``quad`` per output interval
  (``data/make_analytic_reference.py`` made it); the fast path must reproduce them to 1e-12
  relative at every output time.  A slow test recomputes some of them with ``quad`` live.
"""

import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import special

from vip_transport.solver.cli import main
from vip_transport.solver.config import case_from_dict
from vip_transport.solver.errors import SolverError
from vip_transport.solver.physics import analytic
from vip_transport.solver.physics.derived import derive
from vip_transport.solver.physics.quadrature import (ATOL_FLOOR, cumulative_log_time_integral,
                                                     gauss_kronrod_15)
from vip_transport.solver.run import run_case
from vip_transport.solver.run.analytic import run_analytic

REFERENCE = json.loads((Path(__file__).parent / "data" / "analytic_reference.json").read_text())["cases"]
RTOL = 1e-12


def assert_unchanged(got, ref, what):
    """|got - ref| <= 1e-12 |ref|, with the absolute floor of the error test for values that
    are themselves near float64 underflow (where no relative precision exists)."""
    got, ref = np.asarray(got), np.asarray(ref)
    bad = np.abs(got - ref) > RTOL * np.abs(ref) + 1e3 * ATOL_FLOOR
    assert not bad.any(), (f"{what}: {bad.sum()} values differ by more than 1e-12; worst relative "
                           f"{np.max(np.abs(got - ref)[bad] / np.abs(ref[bad])):.2e}")


# ----------------------------------------------------------------------------- the rule itself


def test_gauss_kronrod_tables_integrate_polynomials_exactly():
    x, w_kronrod, w_gauss = gauss_kronrod_15()
    assert np.count_nonzero(w_gauss) == 7 and len(x) == 15
    for degree in range(23):
        exact = (1 + (-1) ** degree) / (degree + 1)
        assert x**degree @ w_kronrod == pytest.approx(exact, abs=1e-15)
        if degree <= 13:
            assert x**degree @ w_gauss == pytest.approx(exact, abs=1e-15)
    assert abs(x**14 @ w_gauss - 2 / 15) > 1e-5        # G7 is not exact beyond degree 13


@pytest.mark.parametrize("f, exact, bps", [
    (lambda t: t**-0.5, lambda T: 2 * np.sqrt(T), ()),                                     # singular at 0
    (lambda t: np.exp(-t / 5), lambda T: 5 * -np.expm1(-T / 5), ()),                       # long flat tail
    (lambda t: np.abs(t - 2.0), lambda T: np.where(T < 2, 2 * T - T**2 / 2, 2 + (T - 2) ** 2 / 2), (2.0,)),
    (lambda t: np.where(t < 3.0, 1.0, 0.25), lambda T: np.where(T < 3, T, 3 + 0.25 * (T - 3)), (3.0,)),  # a jump
], ids=["t^-1/2", "exp", "kink", "jump"])
def test_known_cumulative_integrals(f, exact, bps):
    times = np.array([0.0, 1e-4, 0.5, 2.0, 3.0, 7.0, 1e3])
    got = cumulative_log_time_integral(f, times, breakpoints=bps)
    np.testing.assert_allclose(got, exact(times), rtol=1e-12, atol=0)


def test_integrand_through_underflow():
    """f = exp(-c/t) rises from exact zero through the denormals: integral_0^T f = T E_2(c/T).
    Both the fast path and the reference agree with the closed form wherever the value has
    relative precision, and stay within the absolute floor below it.  (The rise that made quad
    fail in issue 12 is the crash case below; the slow test recomputes it with quad.)"""
    c = 1.0
    f = lambda t: np.exp(-c / np.asarray(t))
    times = np.geomspace(2e-4, 10.0, 60)
    exact = times * special.expn(2, c / times)
    fast = cumulative_log_time_integral(f, times)
    reference = analytic.cumulative_time_integral(lambda t: float(f(t)), times)
    normal = exact > 1e-280
    assert normal.sum() > 40 and (~normal).sum() > 5
    np.testing.assert_allclose(fast[normal], exact[normal], rtol=1e-12)
    np.testing.assert_allclose(reference[normal], exact[normal], rtol=1e-12)
    assert np.all(np.abs(fast[~normal] - exact[~normal]) < 1e3 * ATOL_FLOOR)


def test_errors_are_reported():
    with pytest.raises(ValueError, match="sorted"):
        cumulative_log_time_integral(np.ones_like, [2.0, 1.0])
    with pytest.raises(SolverError, match="not finite"):
        cumulative_log_time_integral(lambda t: np.full_like(t, np.nan), [1.0])
    noise = np.random.default_rng(1).random
    with pytest.raises(SolverError, match="did not reach"):     # nothing smooth to integrate
        cumulative_log_time_integral(lambda t: noise(t.shape), [1.0])
    assert cumulative_log_time_integral(np.ones_like, np.zeros(3)).tolist() == [0.0, 0.0, 0.0]


# ----------------------------------------------------------------------------- the analytic method


@pytest.mark.parametrize("name", list(REFERENCE))
def test_analytic_results_unchanged_on_the_grid(name):
    """N(t) and S(t) at every output time equal the quad reference to 1e-12 relative."""
    record = REFERENCE[name]
    result = run_case(case_from_dict(record["case"], source=name))
    np.testing.assert_array_equal(result.times, record["times_s"])
    assert_unchanged(result.electrons_in_target, record["new_electrons_in_target"], f"{name}: N(t)")
    assert_unchanged(result.cumulative_scatterings, record["cumulative_scatterings"], f"{name}: S(t)")
    assert "Gauss-Kronrod" in result.numerics["time_integral"]


def test_issue12_crash_case_runs(tmp_path, capsys):
    """VIP-2, 250 A, paper convention, 0.5 s, 60 outputs: `run` exited 1 after quad's relative
    test failed on a front still ~1e-306 in the target.  Now it exits 0 and its numbers equal
    the reference (quad with the absolute floor, in the grid above)."""
    case_file = tmp_path / "crash.yaml"
    case_file.write_text(json.dumps(REFERENCE["issue12-crash"]["case"]))
    assert main(["run", str(case_file), "--out", str(tmp_path / "out")]) == 0, capsys.readouterr().err
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["scatterings_total"] == pytest.approx(REFERENCE["issue12-crash"]["cumulative_scatterings"][-1],
                                                         rel=RTOL)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["cases/vip2.yaml", "square-wave", "table", "issue12-crash",
                                  "single-vip2-100A-D0.01", "vip-1A-D0.01-20cm"])
def test_reference_file_is_what_quad_gives(name):
    """The stored reference is still what the quad path computes (guards the data file)."""
    record = REFERENCE[name]
    case = case_from_dict(record["case"], source=name)
    quad = run_analytic(case, derive(case), time_integral="quad")
    assert_unchanged(quad.cumulative_scatterings, record["cumulative_scatterings"], name)


def test_reference_cases_span_the_grid():
    """The grid holds both conventions, every injection, every schedule and the issue-12 cases."""
    cases = [r["case"] for r in REFERENCE.values()]
    conventions = {c["transport"].get("convention", "standard") for c in cases}
    injections = {c["transport"].get("injection", "reservoir") for c in cases}
    schedules = {c["transport"]["current"].get("schedule") if isinstance(c["transport"]["current"], dict)
                 else "constant" for c in cases}
    assert conventions == {"standard", "paper"} and injections == {"reservoir", "single-electron"}
    assert schedules == {"constant", "square", "table"} and len(cases) >= 50
    assert not math.isnan(sum(REFERENCE["issue12-crash"]["cumulative_scatterings"]))
