"""The sensitivity report (solver.sensitivity, ``vip-transport sensitivity``): every model-choice
variant is there, and each moves the numbers as its physics says: N(t) against an independent
quadrature of eq. 24 with the Einstein and the degenerate D, the speeds by exactly 3/4 (rate
~ 1/v), the capture probability by 10, the conduction scatterings by tau x the encounter rate
(reference values from conftest)."""

from __future__ import annotations

import math

import pytest
from scipy import integrate, special

from conftest import (CLOSE_ENCOUNTER_RATE, D_DEGENERATE, D_EINSTEIN, TABLE1, TAU_CU, make_case, run_cli,
                      write_case)
from vip_transport.solver.sensitivity import COLUMNS, sensitivity

VIP2 = TABLE1["vip2"]
T = 300.0


def fraction_by_quadrature(t, D, connector=0.01):
    """N(t)/(n V): the target average of (1/2) erfc((x + c - v t)/sqrt(4 D t)), semi-infinite reservoir."""
    s, front = math.sqrt(4 * D * t), VIP2.drift_velocity() * t - connector
    value, _ = integrate.quad(lambda x: 0.5 * special.erfc((x - front) / s), 0.0, VIP2.length,
                              epsabs=0, epsrel=1e-12, limit=200)
    return value / VIP2.length


@pytest.fixture(scope="module")
def rows():
    case = make_case("vip2", name="vip2", time={"duration": "1e4 s"})
    report = sensitivity([case], duration=T, circuit_length=2.0, outputs=30)
    return {r["variant"]: r for r in report["rows"]}


def test_every_variant_is_reported(rows):
    axes = {(r["diffusivity"], r["speeds"], r["reservoir"]) for r in rows.values() if r["capture"] == 1.0
            and r["scattering"] == "close-encounters"}
    assert axes == {(d, s, r) for d in ("einstein", "degenerate") for s in ("paper", "fermi")
                    for r in ("semi-infinite", "circuit")}
    assert len(rows) == 10 and all(set(COLUMNS) <= set(r) for r in rows.values())
    first = next(iter(rows.values()))
    assert first["variant"] == "einstein, paper speeds, semi-infinite" and first["bound_over_paper"] == 1.0


@pytest.mark.parametrize("diffusivity, D", [("einstein", D_EINSTEIN), ("degenerate", D_DEGENERATE)])
def test_the_electrons_in_the_target_follow_eq_24(rows, diffusivity, D):
    r = rows[f"{diffusivity}, paper speeds, semi-infinite"]
    assert r["fraction_at_T"] == pytest.approx(fraction_by_quadrature(T, D), rel=1e-9)
    # the time to 90 %: the target fills by drift in about a transit time (Einstein) or lags behind
    # while diffusion carries half the electrons back (degenerate)
    if diffusivity == "einstein":
        assert fraction_by_quadrature(r["time_to_90pct_s"], D) == pytest.approx(0.9, abs=2e-3)
    else:
        assert r["time_to_90pct_s"] is None and r["fraction_at_T"] < 0.9


def test_each_choice_moves_the_counts_as_its_physics_says(rows):
    paper = rows["einstein, paper speeds, semi-infinite"]
    fermi = rows["einstein, fermi speeds, semi-infinite"]
    assert fermi["scatterings_T"] / paper["scatterings_T"] == pytest.approx(0.75, rel=1e-12)
    assert fermi["bound_over_paper"] == pytest.approx(4 / 3, rel=1e-12)
    assert fermi["amplification_factor"] / paper["amplification_factor"] == pytest.approx(0.75, rel=1e-12)
    capture = rows["einstein, paper speeds, semi-infinite, capture 1/10"]
    assert capture["bound_over_paper"] == pytest.approx(10.0, rel=1e-12)
    assert capture["scatterings_T"] == paper["scatterings_T"]
    conduction = rows["einstein, paper speeds, semi-infinite, conduction 1/tau"]
    assert conduction["scatterings_T"] / paper["scatterings_T"] == pytest.approx(
        1 / (TAU_CU * CLOSE_ENCOUNTER_RATE), rel=1e-10)
    # the bound is the count limit (1 by default) over the X-rays r S g
    assert paper["beta2_half_bound"] == pytest.approx(1.0 / (paper["scatterings_T"] * VIP2.geometric_factor),
                                                      rel=1e-12)


def test_the_circuit_row_is_a_loop_of_the_given_copper(rows):
    r = rows["einstein, paper speeds, circuit"]
    assert r["model_choices"]["reservoir"] == "circuit"
    assert r["model_choices"]["reservoir_length_m"] == 2.0
    assert 0 < r["fraction_at_T"] <= 1


def test_cli_writes_the_report(tmp_path):
    path = write_case(tmp_path, "vip2s")
    proc = run_cli("sensitivity", path, "--time", "100 s", "--outputs", "8", "--out", tmp_path / "out",
                   cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    names = {p.name for p in (tmp_path / "out").iterdir()}
    assert {"sensitivity.csv", "sensitivity.md", "sensitivity.json", "sensitivity.png"} <= names
    assert (tmp_path / "out" / "sensitivity.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "| vip2s | einstein, paper speeds, semi-infinite |" in proc.stdout
    bad = run_cli("sensitivity", path, "--time", "100", "--out", tmp_path / "bad", cwd=tmp_path)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr and "--time" in bad.stderr
