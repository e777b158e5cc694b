"""The bound on beta^2/2 from a measured spectrum (``vip-transport bound``): the X-ray yield
against an independent double quadrature of eq. 24, the statistics against Feldman & Cousins'
Table IV (tests/test_statistics.py) through a case with a small count, the Ramberg-Snow number
against eqs. 1-2, the scaling with efficiency and live time, the BOUND file's mistakes named."""

from __future__ import annotations

import math

import pytest
import yaml
from scipy import integrate, special
from scipy.constants import e

from conftest import CASES, CLOSE_ENCOUNTER_RATE, D_EINSTEIN, TABLE1, TAU_CU, V_FERMI, run_cli
from vip_transport.solver.bound import bound_from_spectrum
from vip_transport.solver.config.bound_file import bound_from_dict
from vip_transport.solver.errors import CaseError
from vip_transport.solver.physics.statistics import bayesian_upper, feldman_cousins

VIP2 = TABLE1["vip2"]
CONNECTOR = 0.01


def exposure(T):
    """integral_0^T N(t) dt [count s], VIP-2 at 100 A behind a semi-infinite reservoir and a 1 cm
    connector, standard kernel, Einstein D: a double quadrature of (n/2) erfc((x + c - v t)/sqrt(4 D t))."""
    v = VIP2.drift_velocity()

    def n_target(t):
        s, front = math.sqrt(4 * D_EINSTEIN * t), v * t - CONNECTOR
        value, _ = integrate.quad(lambda x: special.erfc((x - front) / s), 0.0, VIP2.length,
                                  points=[min(max(front, 0.0), VIP2.length)], epsabs=0, epsrel=1e-12, limit=200)
        from conftest import N_CU
        return VIP2.area * N_CU / 2 * value

    fill = (VIP2.length + CONNECTOR) / v
    head, _ = integrate.quad(n_target, 0.0, min(3 * fill, T), points=[CONNECTOR / v, fill], epsabs=0,
                             epsrel=1e-10, limit=400)
    tail = 0.0
    if T > 3 * fill:
        tail, _ = integrate.quad(n_target, 3 * fill, T, epsabs=0, epsrel=1e-10, limit=400)
    return head + tail


def spec(on=(30, "1000 s"), off=(25, "1000 s"), **changes):
    data = {"case": "vip2.yaml", "confidence_level": 0.9, "systematics": False,
            "signal_region": {"current_on": {"counts": on[0], "live_time": on[1]},
                              "current_off": {"counts": off[0], "live_time": off[1]}}}
    data.update(changes)
    return bound_from_dict(data, source="test-bound.yaml", folder=CASES)


def test_the_bound_is_the_signal_limit_over_the_expected_x_rays():
    r = bound_from_spectrum(spec(detection_efficiency=0.8))
    y = 0.8 * 1.0 * CLOSE_ENCOUNTER_RATE * exposure(1000.0) * VIP2.geometric_factor   # eps r nu int N dt g
    assert r["xrays_per_unit_violation"] == pytest.approx(y, rel=1e-7)
    assert r["background_expected"] == 25.0
    fc = feldman_cousins(30, 25.0, 0.9)[1]
    assert r["signal_feldman_cousins"][1] == pytest.approx(fc, abs=1e-6)
    assert r["beta2_half_bound_feldman_cousins"] == pytest.approx(fc / y, rel=1e-7)
    assert r["beta2_half_bound_bayesian"] == pytest.approx(bayesian_upper(30, 25.0, 0.9) / y, rel=1e-7)


def test_a_small_count_uses_feldman_cousins_table_iv():
    # n0 = 3 with b = 1 expected (2 counts in twice the live time): Table IV gives [0.10, 6.42]
    r = bound_from_spectrum(spec(on=(3, "1000 s"), off=(2, "2000 s")))
    assert r["background_expected"] == 1.0
    assert r["signal_feldman_cousins"] == pytest.approx([0.10, 6.42], abs=0.01)


def test_ramberg_snow_straight_path_side_by_side():
    # eqs. 1-2: X-rays per unit beta^2/2 = eps (1/10) (I T/e) (L/mu) g with mu = v_F tau
    r = bound_from_spectrum(spec(detection_efficiency=0.5))
    y_rs = 0.5 * 0.1 * (100.0 * 1000.0 / e) * VIP2.length / (V_FERMI * TAU_CU) * VIP2.geometric_factor
    assert r["rs_xrays_per_unit_violation"] == pytest.approx(y_rs, rel=1e-12)
    assert r["rs_beta2_half_bound_feldman_cousins"] == pytest.approx(r["signal_feldman_cousins"][1] / y_rs,
                                                                     rel=1e-12)


def test_the_bound_scales_with_efficiency_and_live_time():
    base = bound_from_spectrum(spec())
    half = bound_from_spectrum(spec(detection_efficiency=0.5))
    assert half["beta2_half_bound_feldman_cousins"] == pytest.approx(2 * base["beta2_half_bound_feldman_cousins"],
                                                                     rel=1e-12)
    # the same counts and background in twice the live time: the bound falls as the exposure grows
    longer = bound_from_spectrum(spec(on=(30, "2000 s"), off=(25, "2000 s")))
    assert longer["beta2_half_bound_feldman_cousins"] / base["beta2_half_bound_feldman_cousins"] == pytest.approx(
        exposure(1000.0) / exposure(2000.0), rel=1e-7)
    # background only, counts growing with the live time: the limit on the counts is the
    # Gaussian one, mu = z sqrt(b + mu) with z = 1.64 (Feldman & Cousins, Table X, x0 = 0), so the
    # bound falls about as 1/sqrt(T)
    a = bound_from_spectrum(spec(on=(400, "1e4 s"), off=(400, "1e4 s")))
    b = bound_from_spectrum(spec(on=(1600, "4e4 s"), off=(1600, "4e4 s")))

    def gaussian(bg, z=1.64):
        return 0.5 * (z * z + math.sqrt(z**4 + 4 * z * z * bg))

    assert a["signal_feldman_cousins"][1] == pytest.approx(gaussian(400.0), rel=0.02)
    ratio = b["beta2_half_bound_feldman_cousins"] / a["beta2_half_bound_feldman_cousins"]
    assert ratio == pytest.approx(gaussian(1600.0) / gaussian(400.0) * exposure(1e4) / exposure(4e4), rel=0.01)


def test_the_systematic_spread_covers_the_model_choices():
    r = bound_from_spectrum(spec(systematics=True, circuit_length="2 m"))
    names = [v["variant"] for v in r["variants"]]
    assert len(names) == 10 and names[0] == "einstein, paper speeds, semi-infinite"
    lo, hi = r["systematic_range"]
    assert lo <= r["beta2_half_bound_feldman_cousins"] <= hi
    fermi = next(v for v in r["variants"] if v["variant"] == "einstein, fermi speeds, semi-infinite")
    assert fermi["bound_feldman_cousins"] / r["beta2_half_bound_feldman_cousins"] == pytest.approx(4 / 3, rel=1e-12)


@pytest.mark.parametrize("changes, key", [
    ({"confidence_level": 1.0}, "confidence_level"),
    ({"detection_efficiency": 0}, "detection_efficiency"),
    ({"signal_region": {"current_on": {"counts": -3, "live_time": "1 d"},
                        "current_off": {"counts": 3, "live_time": "1 d"}}}, "signal_region.current_on.counts"),
    ({"signal_region": {"current_on": {"counts": 3, "live_time": "86400"},
                        "current_off": {"counts": 3, "live_time": "1 d"}}}, "signal_region.current_on.live_time"),
    ({"case": "no-such-case.yaml"}, "case"),
    ({"currnet": "100 A"}, "currnet"),
])
def test_mistakes_in_a_bound_file_name_the_key(changes, key):
    with pytest.raises(CaseError, match=rf"test-bound\.yaml: {key.replace('.', '[.]')}: "):
        spec(**changes)


def test_cli_prints_the_bound_with_its_assumptions(tmp_path):
    proc = run_cli("bound", CASES / "bound-vip2-example.yaml", "--out", tmp_path / "out", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    for words in ("90% C.L.", "Feldman-Cousins", "Bayesian", "Ramberg-Snow", "close encounters at (3/4) v_F",
                  "r = 1", "g = 0.018", "Einstein", "semi-infinite reservoir", "detection efficiency 0.9",
                  "model choices (diffusivity x speeds x reservoir)"):
        assert words in text, words
    assert {"bound.json", "bound.md", "case.resolved.yaml"} <= {p.name for p in (tmp_path / "out").iterdir()}
    bad = tmp_path / "bad.yaml"
    data = yaml.safe_load((CASES / "bound-vip2-example.yaml").read_text())
    data["case"] = str(CASES / "vip2.yaml")
    data["signal_region"]["current_off"]["live_time"] = 5
    bad.write_text(yaml.safe_dump(data))
    proc = run_cli("bound", bad, "--out", tmp_path / "bad-out", cwd=tmp_path)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"{bad}: signal_region.current_off.live_time: expected a time" in proc.stderr
