"""Ledger rows of the paper's model choices (docs/model-choices.md): numbers that are right for
the model the paper chose, where the physics admits another choice that moves the answer.
Their verdict is "interpretation"."""

from __future__ import annotations

from ...physics.derived import derive
from ...physics.line import line_of
from .rows import ledger_case, row

__all__ = ["model_choice_rows"]


def _fraction_after(case, transits: float = 10.0) -> float:
    """N/(n V) after ``transits`` transit times (VIP-2 at 100 A: 96 s)."""
    line, d = line_of(case), derive(case)
    return float(line.electrons_in_target(transits * d["transit_time_s"])) / (line.density * line.area * line.length)


def model_choice_rows() -> list[dict]:
    rows = []
    einstein, degenerate = ledger_case("vip2"), ledger_case("vip2", diffusivity="degenerate")
    d_e, d_d = derive(einstein), derive(degenerate)
    v_d = d_e["drift_velocity_m_s"]
    f_e, f_d = _fraction_after(einstein), _fraction_after(degenerate)
    rows.append(row(
        "model_choice.diffusivity", "eq. 13: D = sigma k_B T/(n e^2) ~ 1.1e-4 m^2/s for the conduction electrons "
        "of copper; ours: the degenerate-gas value v_F^2 tau/3", "2.1 eq. 13", "m^2/s", "1.1e-4",
        d_d["diffusivity_m2_s"], "interpretation",
        f"eq. 13 is the classical Einstein relation (Boltzmann statistics); copper's electrons are degenerate "
        f"(E_F = 270 k_B T) and the generalised relation D = sigma/(e^2 g(E_F)) = v_F^2 tau/3, the tracer "
        f"diffusivity of an electron at the Fermi surface, is {d_d['diffusivity_m2_s'] / d_e['diffusivity_m2_s']:.0f} "
        f"times larger. It moves the answer while the target fills: drift outruns diffusion after 4D/v_d^2 = "
        f"{4 * d_e['diffusivity_m2_s'] / v_d**2:.3g} s vs {4 * d_d['diffusivity_m2_s'] / v_d**2:.3g} s (VIP-2, "
        f"100 A), and after ten transit times N/(n V) = {f_e:.2f} vs {f_d:.2f}. transport.diffusivity chooses",
        details={"einstein_m2_s": d_e["diffusivity_m2_s"], "degenerate_m2_s": d_d["diffusivity_m2_s"],
                 "vip2_fraction_after_10_transits_einstein": f_e, "vip2_fraction_after_10_transits_degenerate": f_d},
        paper=1.1e-4))
    fermi = ledger_case("vip2", encounter_speed="fermi")
    d_f = derive(fermi)
    ratio = d_f["scattering_rate_per_s"] / d_e["scattering_rate_per_s"]
    rows.append(row(
        "model_choice.speeds", "eq. 8 and sec. 3: the close encounters at the average speed (3/4) v_F = 1.18e6 m/s, "
        "the mean free path (39 nm) at v_F; ours: the close-encounter rate with v_F for both, over the paper's",
        "2.1 eq. 8, 3", "1", "", ratio, "interpretation",
        "two speeds for one electron: the electrons that scatter are those at the Fermi surface (v_F); (3/4) v_F is "
        "the mean speed over the filled Fermi sphere. The encounter rate v/l goes as 1/v (l ~ 1/lambda_e^2, "
        "lambda_e = h/(m_e v)), so with v_F for both the rate, S(T) and the amplification factors are 3/4 of the "
        "paper's and the bound 4/3 weaker. counting.encounter_speed and counting.mean_free_path_speed choose",
        details={"rate_paper_per_s": d_e["scattering_rate_per_s"], "rate_fermi_per_s": d_f["scattering_rate_per_s"],
                 "amplification_paper": d_e["amplification_close_encounters"],
                 "amplification_fermi": d_f["amplification_close_encounters"]}))
    return rows
