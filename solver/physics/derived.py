"""The quantities a case implies (Milotti et al., Entropy 2018, 20, 515, eqs. 7-13, sec. 3).

``derive(case)`` turns a validated case (SI floats) into a flat dict of derived quantities, each
computed by the one formula of :mod:`.material`.  The paper's printed values and the comparison
with them are in ``solver.paper``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from . import material as m
from .analytic import kernel_diffusivity

if TYPE_CHECKING:
    from ..config.schema import Case, Transport

__all__ = ["RESULT_KEYS", "derive", "case_diffusivity"]

RESULT_KEYS = (
    "electron_density_m3",
    "fermi_velocity_m_s",
    "collision_time_s",
    "mean_free_path_m",
    "diffusivity_m2_s",
    "drift_velocity_m_s",
    "transit_time_s",
    "rms_diffusion_length_m",
)
"""The stable results contract: these eight keys of ``derive()`` keep their names and meaning."""


def _finite(x: float) -> float | None:
    """Plain float, or None for +-inf / NaN (so that json.dumps gives valid JSON)."""
    x = float(x)
    return x if math.isfinite(x) else None


def case_diffusivity(transport: Transport, einstein: float, degenerate: float) -> float:
    """D [m^2/s] the case asks for: the Einstein or degenerate value given, or its own number,
    times diffusivity_scale."""
    choice = transport.diffusivity
    if isinstance(choice, str):
        if choice == "einstein":
            base = einstein
        elif choice == "degenerate":
            base = degenerate
        else:
            raise ValueError(
                f"transport.diffusivity must be 'einstein', 'degenerate' or a number, got {choice!r}"
            )
    else:
        base = float(choice)
    return base * float(transport.diffusivity_scale)


def derive(case: Case) -> dict[str, float | None]:
    """All derived quantities of a case as plain floats (np.inf -> None). SI units throughout.

    Key (unit) -- definition (paper eq.):

    * electron_density_m3 -- n, eq. 7 with CODATA constants
    * fermi_velocity_m_s -- sqrt(2 E_F/m_e)
    * average_speed_m_s -- (3/4) sqrt(2 E_F/m_e), eq. 8 (the paper's "v_F" = 1.18e6)
    * collision_time_s -- tau = m_e sigma/(n e^2), eq. 10
    * mean_free_path_m -- v tau with v the counting.mean_free_path_speed (default v_F: the
      paper's 39 nm); mean_free_path_speed_m_s -- that v
    * encounter_speed_m_s -- the v of lambda_e and of the encounter rate (counting.encounter_speed;
      default the average speed, as the paper)
    * diffusivity_einstein_m2_s / diffusivity_degenerate_m2_s -- eq. 13 / v_F^2 tau/3
    * diffusivity_m2_s -- the D the case uses (choice x diffusivity_scale)
    * drift_coefficient_m_per_C -- 1/(n e A); drift_velocity_m_s -- I/(n e A), eq. 11
    * transit_time_s -- L/|v_d| = n e A L/|I|, eq. 12 (None for I = 0)
    * rms_diffusion_length_m -- sqrt(2 D_k dt_T), D_k = D (standard) or D/2 (paper convention,
      which gives the paper's sqrt(D dt_T))
    * current_A, target_length_m, target_area_m2, target_volume_m3
    * electron_wavelength_m -- h/(m_e v); close_encounter_distance_m -- 1/(n pi (lambda/2)^2);
      close_encounter_time_s -- l/v (sec. 3), v the encounter speed
    * scattering_rate_per_s -- nu = 1/tau ('conduction') or v/l ('close-encounters')
    * scatterings_per_transit -- nu dt_T for the case's counting choice
    * conduction_scatterings_per_transit -- dt_T/tau = S_inf (eq. 23)
    * close_encounters_per_transit -- dt_T/(l/v_avg)
    * rs_scatterings_per_transit -- L/mu (eqs. 1-2)
    * amplification_conduction / amplification_close_encounters -- the two above over L/mu
    * capture_width_eV -- Gamma = 2.73 eV; capture_lifetime_s -- hbar/Gamma;
      capture_transit_s -- lambda_e/v_avg; capture_r_product_s2 -- their product (s^2, misprint 5:
      not a probability); capture_r_ratio -- transit/lifetime; capture_r_inverse_ratio --
      lifetime/transit; capture_r_ratio_fermi_speed -- (lambda_e/v_F)/(hbar/Gamma), the reading
      that reproduces the printed "r ~ 1.6" (all with lambda_e at the paper's average speed,
      whatever the encounter speed: they are readings of sec. 3)
    """
    geo, mat, tr, cnt = case.geometry, case.material, case.transport, case.counting
    length = float(geo.length)
    area = float(geo.area)
    e_f = float(mat.fermi_energy)
    sigma = float(mat.conductivity)
    temp = float(mat.temperature)
    current = float(tr.current.nominal())

    n = m.electron_density(e_f)
    v_f = m.fermi_speed(e_f)
    v_avg = m.average_speed(e_f)
    speeds = {"fermi": v_f, "average": v_avg}
    v_mfp, v_enc = speeds[cnt.mean_free_path_speed], speeds[cnt.encounter_speed]
    tau = m.collision_time(sigma, n)
    mfp = m.mean_free_path(v_mfp, tau)
    d_e = m.einstein_diffusivity(sigma, temp, n)
    d_deg = m.degenerate_diffusivity(sigma, e_f, n)
    d = case_diffusivity(tr, d_e, d_deg)

    d_k = float(kernel_diffusivity(d, tr.convention))

    coeff = m.drift_coefficient(n, area)
    v_d = m.drift_velocity(current, n, area)
    dt_t = m.transit_time(length, v_d)
    r_rms = math.sqrt(2.0 * d_k * dt_t) if math.isfinite(dt_t) else math.inf

    lam = m.electron_wavelength(v_enc)
    ell = m.close_encounter_distance(n, lam)
    t_ce = m.close_encounter_time(ell, v_enc)

    scattering = cnt.scattering
    if scattering == "conduction":
        nu = 1.0 / tau
    elif scattering == "close-encounters":
        nu = 1.0 / t_ce
    else:
        raise ValueError(
            f"counting.scattering must be 'conduction' or 'close-encounters', got {scattering!r}"
        )

    s_cond = dt_t / tau
    s_ce = dt_t / t_ce
    s_rs = length / mfp

    lam_paper = m.electron_wavelength(v_avg)      # sec. 3's readings of r use the paper's speed
    cap = m.capture_probability_estimate(lam_paper, v_avg)
    r_fermi = (lam_paper / v_f) / cap["lifetime_s"]

    out = {
        "electron_density_m3": n,
        "fermi_velocity_m_s": v_f,
        "collision_time_s": tau,
        "mean_free_path_m": mfp,
        "diffusivity_m2_s": d,
        "drift_velocity_m_s": v_d,
        "transit_time_s": dt_t,
        "rms_diffusion_length_m": r_rms,
        "average_speed_m_s": v_avg,
        "mean_free_path_speed_m_s": v_mfp,
        "encounter_speed_m_s": v_enc,
        "diffusivity_einstein_m2_s": d_e,
        "diffusivity_degenerate_m2_s": d_deg,
        "drift_coefficient_m_per_C": coeff,
        "current_A": current,
        "target_length_m": length,
        "target_area_m2": area,
        "target_volume_m3": length * area,
        "electron_wavelength_m": lam,
        "close_encounter_distance_m": ell,
        "close_encounter_time_s": t_ce,
        "scattering_rate_per_s": nu,
        "scatterings_per_transit": nu * dt_t,
        "conduction_scatterings_per_transit": s_cond,
        "close_encounters_per_transit": s_ce,
        "rs_scatterings_per_transit": s_rs,
        "amplification_conduction": s_cond / s_rs,
        "amplification_close_encounters": s_ce / s_rs,
        "capture_width_eV": m.KALPHA_WIDTH / m.ELECTRON_VOLT,
        "capture_lifetime_s": cap["lifetime_s"],
        "capture_transit_s": cap["transit_s"],
        "capture_r_product_s2": cap["product_s2"],
        "capture_r_ratio": cap["ratio_transit_over_lifetime"],
        "capture_r_inverse_ratio": cap["ratio_lifetime_over_transit"],
        "capture_r_ratio_fermi_speed": r_fermi,
    }
    return {k: _finite(v) for k, v in out.items()}
