"""The model choices a case makes, stated wherever a number rests on them.

Every count and bound of the package rests on choices that the paper makes one way and a
physicist may make another (docs/model-choices.md): the diffusivity (the classical Einstein
relation or the degenerate-gas tracer value), the speeds in the mean free path and in the
close-encounter rate (v_F or the paper's (3/4) v_F), the reservoir of new electrons
(semi-infinite, a finite volume, or the circuit as a loop), what counts as a scattering, the
capture probability per scattering and the detector's geometric factor.  :func:`model_choices`
lists them for summary.json, :func:`describe_choices` in one line for the terminal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import material as m
from .derived import case_diffusivity

if TYPE_CHECKING:
    from ..config.schema import Case

__all__ = ["model_choices", "describe_choices", "choice_notes", "reservoir_kind"]

_SPEED_TEXT = {"fermi": "v_F", "average": "(3/4) v_F"}


def reservoir_kind(case: Case) -> str:
    """"semi-infinite", "finite" or "circuit" (a finite reservoir closed into a loop)."""
    r = case.geometry.reservoir
    if r.semi_infinite:
        return "semi-infinite"
    return "circuit" if getattr(r, "circuit", False) else "finite"


def model_choices(case: Case) -> dict:
    """The model choices of ``case`` as plain data (SI): diffusivity (einstein | degenerate |
    value) and its value D [m^2/s] with the scale included, convention, scattering, the speed
    names and values [m/s] of the mean free path and of the close encounters, capture
    probability r, geometric factor g, reservoir (semi-infinite | finite | circuit) and its
    length [m] (None when semi-infinite), injection, dimension."""
    mat, tr, cnt, g = case.material, case.transport, case.counting, case.geometry
    n = m.electron_density(mat.fermi_energy)
    speeds = {"fermi": m.fermi_speed(mat.fermi_energy), "average": m.average_speed(mat.fermi_energy)}
    choice = tr.diffusivity if isinstance(tr.diffusivity, str) else "value"
    diffusivity = case_diffusivity(tr, m.einstein_diffusivity(mat.conductivity, mat.temperature, n),
                                   m.degenerate_diffusivity(mat.conductivity, mat.fermi_energy, n))
    return {
        "diffusivity": choice,
        "diffusivity_m2_s": diffusivity,
        "diffusivity_scale": float(tr.diffusivity_scale),
        "convention": tr.convention,
        "scattering": cnt.scattering,
        "mean_free_path_speed": cnt.mean_free_path_speed,
        "mean_free_path_speed_m_s": speeds[cnt.mean_free_path_speed],
        "encounter_speed": cnt.encounter_speed,
        "encounter_speed_m_s": speeds[cnt.encounter_speed],
        "capture_probability": float(cnt.capture_probability),
        "geometric_factor": float(cnt.geometric_factor),
        "reservoir": reservoir_kind(case),
        "reservoir_length_m": None if g.reservoir.semi_infinite else float(g.reservoir.length),
        "injection": tr.injection,
        "dimension": int(g.dimension),
    }


def describe_choices(choices: dict) -> str:
    """One line of text for the choices of :func:`model_choices`."""
    c = choices
    if c["scattering"] == "close-encounters":
        counting = f"close encounters at {_SPEED_TEXT[c['encounter_speed']]}"
    else:
        counting = "conduction scatterings at 1/tau"
    name = {"einstein": "Einstein relation, classical", "degenerate": "degenerate tracer v_F^2 tau/3",
            "value": "given"}[c["diffusivity"]]
    scale = f" x {c['diffusivity_scale']:g}" if c["diffusivity_scale"] != 1.0 else ""
    reservoir = c["reservoir"] + " reservoir"
    if c["reservoir_length_m"] is not None:
        reservoir = f"{c['reservoir']} reservoir of {c['reservoir_length_m']:.3g} m"
    if c["injection"] == "single-electron":
        reservoir = "one electron injected at the target's entrance"
    return (f"{counting}, r = {c['capture_probability']:g}, g = {c['geometric_factor']:g}, "
            f"L/mu at {_SPEED_TEXT[c['mean_free_path_speed']]}; D = {c['diffusivity_m2_s']:.3g} m^2/s "
            f"({name}{scale}), {c['convention']} convention; {reservoir}")


def choice_notes(case: Case, derived: dict) -> list[str]:
    """Lines that flag the choices which move the answer, with both values (for ``derive``):
    the diffusivity (Einstein vs degenerate, and the time 4 D/v_d^2 [s] after which drift
    outruns diffusion with each) and the two speeds."""
    c = model_choices(case)
    d_e, d_deg = derived["diffusivity_einstein_m2_s"], derived["diffusivity_degenerate_m2_s"]
    v_d = derived["drift_velocity_m_s"]
    cross = ""
    if v_d:
        cross = (f"; drift outruns diffusion after 4D/v_d^2 = {4 * d_e / v_d**2:.3g} s (Einstein) "
                 f"or {4 * d_deg / v_d**2:.3g} s (degenerate) at {derived['current_A']:g} A")
    return [
        "model choices: " + describe_choices(c),
        f"diffusivity: Einstein sigma k_B T/(n e^2) = {d_e:.3g} m^2/s (classical, eq. 13, the paper's) "
        f"vs degenerate v_F^2 tau/3 = {d_deg:.3g} m^2/s ({d_deg / d_e:.0f}x){cross}",
        f"speeds: mean free path v tau at {_SPEED_TEXT[c['mean_free_path_speed']]} = "
        f"{derived['mean_free_path_m']:.3g} m; close encounters at {_SPEED_TEXT[c['encounter_speed']]} "
        f"(rate v/l = {1.0 / derived['close_encounter_time_s']:.3g} /s, proportional to 1/v: "
        "lambda_e = h/(m_e v) and l ~ 1/lambda_e^2); the paper: v_F for the mean free path, (3/4) v_F "
        "for the encounters",
        "see docs/model-choices.md for the physics of each choice",
    ]
