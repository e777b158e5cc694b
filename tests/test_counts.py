"""solver.physics.counts: from the scatterings S(T) and the charge Q(T) to X-rays, the bound on
beta^2/2 and the Ramberg-Snow comparison, against the module docstring's formulas written out
here (eqs. 1-2, 19, 27; section 3), and in a whole run against the copper and Table 1 values of
conftest: electrons passed Q/e = I T/e, L/mu with mu = v_F tau, to 1e-12.
"""

import pytest
from scipy.constants import e

from conftest import CLOSE_ENCOUNTER_RATE, TABLE1, TAU_CU, V_FERMI, make_case
from vip_transport.solver.physics.counts import counts_summary
from vip_transport.solver.run import run_case

REL = 1e-12
S, Q, L, MU, R, G = 3.7e12, 250.0, 0.071, 3.9e-8, 0.6, 0.018     # arbitrary inputs, SI


def counts(**changes):
    args = dict(scatterings_total=S, charge_passed=Q, length=L, mean_free_path=MU, capture_probability=R,
                geometric_factor=G, xray_count_limit=None)
    return counts_summary(**{**args, **changes})


def test_counts_follow_their_formulas():
    c = counts(xray_count_limit=3.0)
    passed = Q / e
    assert c["xrays_per_unit_violation"] == pytest.approx(R * S * G, rel=REL)                 # eq. 27 x g
    assert c["beta2_half_bound"] == pytest.approx(3.0 / (R * S * G), rel=REL)
    assert c["electrons_passed"] == pytest.approx(passed, rel=REL)
    assert c["rs_scatterings_per_electron"] == pytest.approx(L / MU, rel=REL)                  # eqs. 1-2
    assert c["rs_xrays_per_unit_violation"] == pytest.approx(0.1 * passed * (L / MU) * G, rel=REL)
    assert c["rs_beta2_half_bound"] == pytest.approx(3.0 / (0.1 * passed * (L / MU) * G), rel=REL)
    assert c["amplification_factor"] == pytest.approx(S / (passed * L / MU), rel=REL)         # section 3


def test_no_bound_without_a_count_limit_or_without_signal():
    c = counts()
    assert c["beta2_half_bound"] is None and c["rs_beta2_half_bound"] is None
    assert counts(scatterings_total=0.0, xray_count_limit=2.0)["beta2_half_bound"] is None
    assert counts(xray_count_limit=0.0)["beta2_half_bound"] == 0.0      # a limit of no counts at all


def test_no_current_passes_no_electrons_and_has_no_amplification():
    c = counts(charge_passed=0.0, xray_count_limit=2.0)
    assert c["electrons_passed"] == 0.0 and c["amplification_factor"] is None
    assert c["rs_xrays_per_unit_violation"] == 0.0 and c["rs_beta2_half_bound"] is None
    assert c["xrays_per_unit_violation"] == pytest.approx(R * S * G, rel=REL)    # diffusion still brings some


@pytest.mark.parametrize("preset", ["vip", "vip2"])
def test_counts_of_a_run(preset):
    """The shipped case (close encounters, r = 1) with a count limit of 5 over 1e4 s."""
    target = TABLE1[preset]
    T = 1e4
    result = run_case(make_case(preset, counting={"xray_count_limit": 5}, time={"outputs": 20}))
    c = result.counts
    scatterings = float(result.cumulative_scatterings[-1])
    passed = target.current * T / e
    mu = V_FERMI * TAU_CU
    assert c["electrons_passed"] == pytest.approx(passed, rel=REL)
    assert c["rs_scatterings_per_electron"] == pytest.approx(target.length / mu, rel=REL)
    assert c["xrays_per_unit_violation"] == pytest.approx(scatterings * target.geometric_factor, rel=REL)
    assert c["beta2_half_bound"] == pytest.approx(5 / (scatterings * target.geometric_factor), rel=REL)
    assert c["amplification_factor"] == pytest.approx(scatterings / (passed * target.length / mu), rel=REL)
    # the rate column is nu N with the close-encounter rate of section 3
    assert result.scattering_rate == pytest.approx(CLOSE_ENCOUNTER_RATE * result.electrons_in_target, rel=REL)
