"""solver.derive: every derived quantity against an independent hand computation, against the
paper's printed values for VIP and VIP-2 (and the documented misprints), and the comparison
table's rows and verdicts."""

import json
import math

import pytest
from scipy.constants import e, electron_volt, h, hbar, m_e

from conftest import (D_DEGENERATE, D_EINSTEIN, DERIVED_CONTRACT_KEYS, N_CU, TABLE1, TAU_CU, V_AVERAGE, V_FERMI,
                      make_case as build_case, within_printed)
from vip_transport.solver.errors import CaseError
from vip_transport.solver.paper import comparison, printed
from vip_transport.solver.physics import derived

REL = 1e-12
WRITTEN_OUT = {   # Table 1's geometry without the preset
    "vip": {"preset": None, "shape": "cylinder", "length": "88 mm", "radius": "45 mm", "thickness": "50 um"},
    "vip2": {"preset": None, "shape": "strip", "length": "71 mm", "width": "20 mm", "thickness": "50 um"},
}


def make_case(preset="vip", *, convention="paper", diffusivity="einstein", scale=1.0,
              scattering="conduction", current=None, length=None, width=None,
              fermi_energy=None, geometry_preset=..., speeds=("fermi", "average")):
    """A validated case of Table 1's ``preset`` with the given choices (numbers in SI units);
    ``geometry_preset=None`` writes Table 1's geometry out without naming the preset."""
    target = TABLE1[preset]
    geometry = {"preset": preset} if geometry_preset is ... else dict(WRITTEN_OUT[preset])
    transport = {"diffusivity": diffusivity if isinstance(diffusivity, str) else f"{diffusivity} m^2/s",
                 "diffusivity_scale": scale, "convention": convention}
    counting = {"scattering": scattering, "mean_free_path_speed": speeds[0], "encounter_speed": speeds[1]}
    if geometry_preset is not ...:
        transport["current"] = f"{target.current} A"
        counting["geometric_factor"] = target.geometric_factor
    if current is not None:
        transport["current"] = f"{current} A"
    if length is not None:
        geometry["length"] = f"{length} m"
    if width is not None:
        geometry["width"] = f"{width} m"
    material = {} if fermi_energy is None else {"fermi_energy": f"{fermi_energy / electron_volt} eV"}
    return build_case(preset, geometry=geometry, transport=transport, counting=counting, material=material)


def hand(preset, convention="paper", diffusivity="einstein", scale=1.0, scattering="conduction",
         speeds=("fermi", "average")):
    """Every quantity written out from the copper and Table 1 values of conftest (no call into
    solver).  ``speeds``: the speed of the mean free path and of the close encounters (the
    paper's: v_F and (3/4) v_F); sec. 3's readings of r keep the paper's average speed."""
    target = TABLE1[preset]
    L, A, I = target.length, target.area, target.current
    n, vf, va, tau = N_CU, V_FERMI, V_AVERAGE, TAU_CU
    v_mfp, v_enc = ({"fermi": vf, "average": va}[s] for s in speeds)
    mu = v_mfp * tau
    de, dd = D_EINSTEIN, D_DEGENERATE
    D = {"einstein": de, "degenerate": dd}.get(diffusivity, diffusivity) * scale
    vd = I / (n * e * A)
    dtt = n * e * A * L / I
    Dk = D / 2 if convention == "paper" else D
    lam = h / (m_e * v_enc)
    ell = 1 / (n * math.pi * (lam / 2) ** 2)
    tce = ell / v_enc
    life = hbar / (2.73 * electron_volt)
    nu = 1 / tau if scattering == "conduction" else v_enc / ell
    lam_paper = h / (m_e * va)
    return {
        "electron_density_m3": n,
        "fermi_velocity_m_s": vf,
        "collision_time_s": tau,
        "mean_free_path_m": mu,
        "diffusivity_m2_s": D,
        "drift_velocity_m_s": vd,
        "transit_time_s": dtt,
        "rms_diffusion_length_m": math.sqrt(2 * Dk * dtt),
        "average_speed_m_s": va,
        "mean_free_path_speed_m_s": v_mfp,
        "encounter_speed_m_s": v_enc,
        "diffusivity_einstein_m2_s": de,
        "diffusivity_degenerate_m2_s": dd,
        "drift_coefficient_m_per_C": 1 / (n * e * A),
        "current_A": I,
        "target_length_m": L,
        "target_area_m2": A,
        "target_volume_m3": A * L,
        "electron_wavelength_m": lam,
        "close_encounter_distance_m": ell,
        "close_encounter_time_s": tce,
        "scattering_rate_per_s": nu,
        "scatterings_per_transit": nu * dtt,
        "conduction_scatterings_per_transit": dtt / tau,
        "close_encounters_per_transit": dtt / tce,
        "rs_scatterings_per_transit": L / mu,
        "amplification_conduction": (dtt / tau) / (L / mu),
        "amplification_close_encounters": (dtt / tce) / (L / mu),
        "capture_width_eV": 2.73,
        "capture_lifetime_s": life,
        "capture_transit_s": lam_paper / va,
        "capture_r_product_s2": life * lam_paper / va,
        "capture_r_ratio": (lam_paper / va) / life,
        "capture_r_inverse_ratio": life / (lam_paper / va),
        "capture_r_ratio_fermi_speed": (lam_paper / vf) / life,
    }


VARIANTS = [
    dict(preset="vip"),
    dict(preset="vip2"),
    dict(preset="vip", convention="standard", diffusivity="degenerate", scattering="close-encounters"),
    dict(preset="vip2", convention="standard", diffusivity=3.3e-3, scale=0.01),
    dict(preset="vip2", scattering="close-encounters", speeds=("fermi", "fermi")),
    dict(preset="vip", scattering="close-encounters", speeds=("average", "average")),
]


@pytest.mark.parametrize("kw", VARIANTS)
def test_every_quantity_matches_hand_computation(kw):
    got = derived.derive(make_case(**kw))
    want = hand(**kw)
    assert set(got) == set(want)
    for key, val in want.items():
        assert got[key] == pytest.approx(val, rel=REL), key
        assert type(got[key]) is float, key


def test_results_contract_keys():
    """The contract's derived keys (README, listed in conftest) are the module's and derive's."""
    assert derived.RESULT_KEYS == DERIVED_CONTRACT_KEYS
    assert set(DERIVED_CONTRACT_KEYS) <= set(derived.derive(make_case()))


@pytest.mark.parametrize("preset", ["vip", "vip2"])
def test_identities(preset):
    d = derived.derive(make_case(preset))
    L, A, I = d["target_length_m"], d["target_area_m2"], d["current_A"]
    n = d["electron_density_m3"]
    # eq. 12: n e A L / I == L / v_d
    assert d["transit_time_s"] == pytest.approx(n * e * A * L / I, rel=REL)
    assert d["transit_time_s"] == pytest.approx(L / d["drift_velocity_m_s"], rel=REL)
    # D_degenerate = v_F^2 tau / 3
    assert d["diffusivity_degenerate_m2_s"] == pytest.approx(
        d["fermi_velocity_m_s"] ** 2 * d["collision_time_s"] / 3, rel=REL)
    # eq. 23: S_inf = dt_T / tau = L/(v_d tau)
    assert d["conduction_scatterings_per_transit"] == pytest.approx(
        L / (d["drift_velocity_m_s"] * d["collision_time_s"]), rel=REL)


def test_convention_is_d_over_2():
    p = derived.derive(make_case("vip", convention="paper"))
    s = derived.derive(make_case("vip", convention="standard"))
    # paper convention: sqrt(D dt_T); standard: sqrt(2 D dt_T); same D
    assert p["rms_diffusion_length_m"] == pytest.approx(
        math.sqrt(p["diffusivity_m2_s"] * p["transit_time_s"]), rel=REL)
    assert s["rms_diffusion_length_m"] == pytest.approx(math.sqrt(2) * p["rms_diffusion_length_m"], rel=REL)
    assert s["diffusivity_m2_s"] == p["diffusivity_m2_s"]
    halved = derived.derive(make_case("vip", convention="standard", scale=0.5))
    assert halved["rms_diffusion_length_m"] == pytest.approx(p["rms_diffusion_length_m"], rel=REL)


def test_zero_current_gives_none_and_valid_json():
    c = make_case("vip", current=0.0)
    d = derived.derive(c)
    assert d["drift_velocity_m_s"] == 0.0
    for key in ("transit_time_s", "rms_diffusion_length_m", "conduction_scatterings_per_transit",
                "close_encounters_per_transit", "amplification_conduction",
                "amplification_close_encounters", "scatterings_per_transit"):
        assert d[key] is None, key
    out = comparison.derive_json(c)
    json.dumps(out, allow_nan=False)  # raises on inf/nan
    assert all(r["scope"].startswith("material quantities only") for r in out["paper_comparison"])
    assert "current 0 vs 40" in out["paper_comparison"][0]["scope"]
    assert comparison.format_table(out["paper_comparison"])


@pytest.mark.parametrize("choice, key", [(dict(diffusivity="quantum"), "transport.diffusivity"),
                                         (dict(convention="other"), "transport.convention"),
                                         (dict(scattering="phonons"), "counting.scattering")])
def test_bad_choices_never_reach_derive(choice, key):
    """An unknown diffusivity, convention or scattering is refused when the case is read, with
    the key: derive only ever sees a validated case."""
    with pytest.raises(CaseError, match=key):
        make_case(**choice)


# ---- against the paper's printed values --------------------------------------------------------


# (key, printed) that agree within the printed precision, sec. 2.1 / 3 / Table 1
AGREE = {
    "vip": [
        ("average_speed_m_s", "1.18e6"), ("collision_time_s", "2.5e-14"),
        ("mean_free_path_m", "39e-9"), ("diffusivity_m2_s", "1.1e-4"),
        ("drift_velocity_m_s", "2.1e-4"), ("transit_time_s", "4.2e2"),
        ("rms_diffusion_length_m", "2e-1"), ("rs_scatterings_per_transit", "2.3e6"),
        ("close_encounters_per_transit", "1.2e19"), ("amplification_conduction", "1e10"),
        ("capture_transit_s", "5.3e-16"), ("target_area_m2", "1.41e-5"),
    ],
    "vip2": [
        ("average_speed_m_s", "1.18e6"), ("collision_time_s", "2.5e-14"),
        ("mean_free_path_m", "39e-9"), ("diffusivity_m2_s", "1.1e-4"),
        ("drift_velocity_m_s", "7.4e-3"), ("transit_time_s", "1e1"),
        ("rms_diffusion_length_m", "3e-2"), ("rs_scatterings_per_transit", "1.8e6"),
        ("close_encounters_per_transit", "2.8e17"), ("amplification_close_encounters", "1.6e11"),
        ("target_area_m2", "1e-6"), ("target_volume_m3", "7.1e-8"),
    ],
}


@pytest.mark.parametrize("preset, key, printed",
                         [(p, kk, pr) for p, lst in AGREE.items() for kk, pr in lst])
def test_agrees_with_paper(preset, key, printed):
    d = derived.derive(make_case(preset))
    assert within_printed(d[key], printed), (key, d[key], printed)


def test_vip2_conduction_amplification_is_more_than_1e8():
    assert derived.derive(make_case("vip2"))["amplification_conduction"] > 1e8  # sec. 3


@pytest.mark.parametrize("preset", ["vip", "vip2"])
def test_misprint7_density(preset):
    n = derived.derive(make_case(preset))["electron_density_m3"]
    assert not within_printed(n, "8.46e28")
    assert n / 8.46e28 - 1 == pytest.approx(-0.0058, abs=0.0003)


def test_misprint3_vip2_coefficient_is_10x_below_printed():
    c = derived.derive(make_case("vip2"))["drift_coefficient_m_per_C"]
    assert 7.38e-4 / c == pytest.approx(10, rel=0.01)
    assert within_printed(c, "7.4e-5")
    # the paper's own n with the printed exponent fixed reproduces the mantissa
    assert within_printed(1 / (8.46e28 * e * 1e-6), "7.38e-5")
    # and the printed drift speed follows from 7.4e-5, not 7.38e-4
    assert within_printed(100 * c, "7.4e-3") and not within_printed(100 * 7.38e-4, "7.4e-3")


def test_vip_coefficient_differs_by_codata_and_rounded_area():
    c = derived.derive(make_case("vip"))["drift_coefficient_m_per_C"]
    assert within_printed(c, "5.25e-6") and not within_printed(c, "5.23e-6")
    assert within_printed(1 / (8.46e28 * e * 1.41e-5), "5.23e-6")


@pytest.mark.parametrize("preset, printed, ours", [("vip", "1.3e16", "1.7e16"),
                                                   ("vip2", "3e14", "4e14")])
def test_misprint4_conduction_scatterings(preset, printed, ours):
    d = derived.derive(make_case(preset))
    s = d["conduction_scatterings_per_transit"]
    assert within_printed(s, ours) and not within_printed(s, printed)
    # recovered with tau = 39 nm / 1.18e6 m/s
    assert within_printed(d["transit_time_s"] / (39e-9 / 1.18e6), printed)


def test_vip_rs_printed_twice():
    rs = derived.derive(make_case("vip"))["rs_scatterings_per_transit"]
    assert within_printed(rs, "2.3e6") and not within_printed(rs, "2.2e6")
    assert within_printed(0.088 / 39e-9, "2.3e6")  # the paper's own numbers give 2.3e6 too


def test_vip_close_encounter_amplification():
    a = derived.derive(make_case("vip"))["amplification_close_encounters"]
    assert within_printed(a, "5.5e12") and not within_printed(a, "5.2e12")
    assert within_printed(1.2e19 / 2.3e6, "5.2e12")  # the paper's rounded inputs


def test_standard_convention_rms_is_sqrt2_larger_than_paper():
    d = derived.derive(make_case("vip", convention="standard"))
    assert within_printed(d["rms_diffusion_length_m"], "3e-1") and not within_printed(d["rms_diffusion_length_m"], "2e-1")


def test_capture_readings():
    d = derived.derive(make_case("vip"))
    assert within_printed(d["capture_r_ratio_fermi_speed"], "1.6")
    assert within_printed(d["capture_r_ratio"], "2.2")
    assert within_printed(d["capture_r_inverse_ratio"], "0.46")
    assert 1e-32 < d["capture_r_product_s2"] < 1e-30


# ---- compare_with_paper / paper_values ----------------------------------------------------------


@pytest.mark.parametrize("preset", ["vip", "vip2"])
@pytest.mark.parametrize("convention", ["paper", "standard"])
def test_rows_for_every_paper_key_and_verdicts_follow_rule(preset, convention):
    case = make_case(preset, convention=convention)
    d = derived.derive(case)
    rows = comparison.compare_with_paper(case)
    pv = printed.paper_values(preset)
    assert set(pv) <= set(d)
    assert {r["quantity"] for r in rows} == set(pv)
    for r in rows:
        assert r["ours"] == d[r["quantity"]]
        if r["printed"].startswith(">"):
            expect = r["ours"] > r["paper"]
        else:
            expect = within_printed(r["ours"], r["printed"])
        assert r["verdict"] == ("agrees" if expect else "differs"), r
        assert (r["cause"] == "") == (r["verdict"] == "agrees"), r
        assert r["rel_diff"] == pytest.approx((r["ours"] - r["paper"]) / r["paper"], rel=REL)
        assert r["scope"].startswith("all quantities")
    json.dumps(rows, allow_nan=False)


def test_paper_values_are_the_printed_numbers():
    vip, vip2 = printed.paper_values("vip"), printed.paper_values("vip2")
    expect_vip = {
        "electron_density_m3": 8.46e28, "average_speed_m_s": 1.18e6, "mean_free_path_m": 39e-9,
        "collision_time_s": 2.5e-14, "diffusivity_m2_s": 1.1e-4,
        "drift_coefficient_m_per_C": 5.23e-6, "drift_velocity_m_s": 0.21e-3,
        "transit_time_s": 420.0, "rms_diffusion_length_m": 0.20, "electron_wavelength_m": 6.1e-10,
        "close_encounter_distance_m": 41e-12, "close_encounter_time_s": 3.5e-17,
        "conduction_scatterings_per_transit": 1.3e16, "rs_scatterings_per_transit": 2.2e6,
        "close_encounters_per_transit": 1.2e19, "amplification_close_encounters": 5.2e12,
        "capture_r_ratio": 1.6,
    }
    expect_vip2 = {
        "drift_coefficient_m_per_C": 7.38e-4, "drift_velocity_m_s": 7.4e-3, "transit_time_s": 10.0,
        "rms_diffusion_length_m": 0.03, "conduction_scatterings_per_transit": 3e14,
        "rs_scatterings_per_transit": 1.8e6, "close_encounters_per_transit": 2.8e17,
        "amplification_close_encounters": 1.6e11,
    }
    for key, val in expect_vip.items():
        assert vip[key] == pytest.approx(val, rel=1e-12), key
    for key, val in expect_vip2.items():
        assert vip2[key] == pytest.approx(val, rel=1e-12), key
    assert 2.3e6 in [e_.value for e_ in printed.paper_entries("vip") if e_.key == "rs_scatterings_per_transit"]
    with pytest.raises(ValueError):
        printed.paper_values("rs")


#: (quantity, printed) of VIP-2 that differ from ours: the misprints of docs/physics.md and the
#: truncated section 3 numbers (test_material)
VIP2_DIFFERS = {
    ("electron_density_m3", "8.46e28"), ("electron_wavelength_m", "6.1e-10"),
    ("close_encounter_distance_m", "41e-12"), ("close_encounter_time_s", "3.5e-17"),
    ("capture_r_product_s2", "1.6"), ("capture_r_ratio", "1.6"),
    ("capture_r_inverse_ratio", "1.6"), ("drift_coefficient_m_per_C", "7.38e-4"),
    ("conduction_scatterings_per_transit", "3e14"),
}


def test_expected_disagreements_and_causes():
    rows = {(r["quantity"], r["printed"]): r for r in comparison.compare_with_paper(make_case("vip2"))}
    differs = {key for key, r in rows.items() if r["verdict"] == "differs"}
    assert differs == VIP2_DIFFERS
    assert "misprint 7" in rows[("electron_density_m3", "8.46e28")]["cause"]
    assert "misprint 3" in rows[("drift_coefficient_m_per_C", "7.38e-4")]["cause"]
    assert "misprint 4" in rows[("conduction_scatterings_per_transit", "3e14")]["cause"]
    assert "misprint 5" in rows[("capture_r_product_s2", "1.6")]["cause"]


def test_convention_cause_on_rms_row():
    rows = comparison.compare_with_paper(make_case("vip", convention="standard"))
    (rms,) = [r for r in rows if r["quantity"] == "rms_diffusion_length_m"]
    assert rms["verdict"] == "differs" and "convention" in rms["cause"]


def test_diffusivity_choice_cause():
    rows = comparison.compare_with_paper(make_case("vip", diffusivity="degenerate"))
    (dr,) = [r for r in rows if r["quantity"] == "diffusivity_m2_s"]
    assert dr["verdict"] == "differs" and "degenerate" in dr["cause"]
    rows = comparison.compare_with_paper(make_case("vip", scale=0.01))
    (dr,) = [r for r in rows if r["quantity"] == "diffusivity_m2_s"]
    assert "scales D by 0.01" in dr["cause"]


@pytest.mark.parametrize("kw, why", [
    (dict(geometry_preset=None), "no geometry preset"),
    (dict(length=0.1), "length 0.1 vs 0.088"),
    (dict(current=20.0), "current 20 vs 40"),
])
def test_material_only_when_not_the_preset(kw, why):
    rows = comparison.compare_with_paper(make_case("vip", **kw))
    material = {e_.key for e_ in printed.paper_entries("vip") if e_.scope == "material"}
    assert {r["quantity"] for r in rows} == material
    assert all(r["scope"].startswith("material quantities only") and why in r["scope"] for r in rows)
    assert "material quantities only" in comparison.format_table(rows)


def test_table1_width_is_the_vip_preset():
    rows = comparison.compare_with_paper(make_case("vip", width=282.74e-3))
    assert rows[0]["scope"].startswith("all quantities")
    (vol,) = [r for r in rows if r["quantity"] == "target_volume_m3"]
    assert vol["verdict"] == "agrees"


def test_non_paper_material_is_named_as_cause():
    rows = comparison.compare_with_paper(make_case("vip", fermi_energy=5 * electron_volt))
    (n,) = [r for r in rows if r["quantity"] == "electron_density_m3"]
    assert "case material differs" in n["cause"] and "fermi_energy 5 eV" in n["cause"]


def test_format_table_lists_every_row_and_cause():
    """VIP-2: every row with its verdict and cause, and the count of agreements, which is the
    rows less the disagreements listed above."""
    rows = comparison.compare_with_paper(make_case("vip2"))
    text = comparison.format_table(rows)
    lines = text.splitlines()
    for r in rows:
        assert any(line.startswith(r["quantity"]) and r["verdict"] in line for line in lines)
        if r["cause"]:
            assert r["cause"] in text
    assert f"{len(rows) - len(VIP2_DIFFERS)}/{len(rows)} printed values agree" in text
