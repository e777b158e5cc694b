"""The model choices as reported axes: the speeds of the mean free path and of the close
encounters move the counts as their definitions say, and derive, summary.json and the CLI's
bound line state the choices in force (reference values from conftest, never from the code)."""

from __future__ import annotations

import math

import pytest

from conftest import (CLOSE_ENCOUNTER_RATE, D_DEGENERATE, D_EINSTEIN, TABLE1, TAU_CU, V_FERMI,
                      make_case, read_summary, write_case)
from vip_transport.solver.cli import main
from vip_transport.solver.physics.derived import derive

L2 = TABLE1["vip2"].length


@pytest.mark.parametrize("speeds, rate_factor, mfp_factor", [
    (("fermi", "average"), 1.0, 1.0),          # the paper's choices
    (("fermi", "fermi"), 0.75, 1.0),           # v_F for both: rate v/l ~ 1/v is 3/4 as large
    (("average", "average"), 1.0, 0.75),       # (3/4) v_F for both: mu is 3/4 as long
])
def test_the_speeds_move_the_encounter_rate_and_the_straight_path_count(speeds, rate_factor, mfp_factor):
    case = make_case("vip2", counting={"mean_free_path_speed": speeds[0], "encounter_speed": speeds[1]})
    d = derive(case)
    assert d["scattering_rate_per_s"] == pytest.approx(rate_factor * CLOSE_ENCOUNTER_RATE, rel=1e-12)
    assert d["mean_free_path_m"] == pytest.approx(mfp_factor * V_FERMI * TAU_CU, rel=1e-12)
    assert d["rs_scatterings_per_transit"] == pytest.approx(L2 / (mfp_factor * V_FERMI * TAU_CU), rel=1e-12)
    transit = TABLE1["vip2"].transit_time()
    assert d["amplification_close_encounters"] == pytest.approx(
        rate_factor * CLOSE_ENCOUNTER_RATE * transit * mfp_factor * V_FERMI * TAU_CU / L2, rel=1e-12)


def test_the_speed_keys_refuse_other_values():
    from vip_transport.solver.errors import CaseError

    with pytest.raises(CaseError, match="counting.encounter_speed: expected one of average, fermi"):
        make_case("vip2", counting={"encounter_speed": "fermy"})


def test_derive_flags_the_diffusivity_and_the_speeds(capsys, tmp_path):
    assert main(["derive", str(write_case(tmp_path))]) == 0
    out = capsys.readouterr().out
    head = [line for line in out.splitlines() if line.startswith("# ")]
    text = "\n".join(head)
    assert "model choices:" in text and "Einstein" in text and "degenerate" in text
    assert f"{D_EINSTEIN:.3g} m^2/s" in text and f"{D_DEGENERATE:.3g} m^2/s" in text
    assert f"({D_DEGENERATE / D_EINSTEIN:.0f}x)" in text
    v_d = TABLE1["vip2"].drift_velocity()
    assert f"{4 * D_DEGENERATE / v_d**2:.3g} s (degenerate)" in text
    assert "docs/model-choices.md" in text


def test_summary_and_bound_line_carry_the_choices(tmp_path, capsys):
    path = write_case(tmp_path, counting={"xray_count_limit": 3.0, "capture_probability": 0.5,
                                          "encounter_speed": "fermi"},
                      transport={"diffusivity": "degenerate"}, time={"outputs": 4})
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    choices = read_summary(tmp_path / "out")["model_choices"]
    assert choices["diffusivity"] == "degenerate"
    assert choices["diffusivity_m2_s"] == pytest.approx(D_DEGENERATE, rel=1e-12)
    assert choices["encounter_speed"] == "fermi" and choices["encounter_speed_m_s"] == pytest.approx(V_FERMI)
    assert choices["mean_free_path_speed"] == "fermi"
    assert (choices["capture_probability"], choices["geometric_factor"]) == (0.5, 0.018)
    assert choices["reservoir"] == "semi-infinite" and choices["reservoir_length_m"] is None
    line = next(x for x in out.splitlines() if "bound: beta^2/2 <" in x)
    for words in ("count limit 3", "close encounters at v_F", "r = 0.5", "g = 0.018", "degenerate",
                  "semi-infinite reservoir"):
        assert words in line, (words, line)
    assert math.isfinite(float(line.split("<")[1].split()[0]))
