"""The quantities a case implies, and their comparison with the paper's printed numbers.

``derive(case)`` turns a validated case (SI floats) into a flat dict of derived quantities;
``paper_values(preset)`` holds the numbers printed in Milotti et al., Entropy 2018, 20, 515
(Table 1, sec. 2.1, sec. 3); ``compare_with_paper`` sets them side by side with a verdict and,
for each disagreement, its cause (see ``/work/shared/PHYSICS.md``, "Misprints").

Verdict rule (``compare_with_paper``): a printed value p agrees with ours x when
|x - p| <= half a unit of the last printed digit of p (i.e. x rounds to p at the printed
precision); trailing zeros of a printed integer ("about 420 s", "10 s") are not counted as
significant. A printed bound ("more than 10^8") agrees when x satisfies it.

The case attributes read (all SI floats unless noted):
``case.geometry.preset`` ('vip' | 'vip2' | None), ``.length``, ``.area``;
``case.material.fermi_energy`` [J], ``.conductivity`` [S/m], ``.temperature`` [K];
``case.transport.current.nominal()`` [A], ``.diffusivity`` ('einstein' | 'degenerate' | float
m^2/s), ``.diffusivity_scale``, ``.convention`` ('standard' | 'paper');
``case.counting.scattering`` ('conduction' | 'close-encounters').
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from . import material as m

__all__ = [
    "RESULT_KEYS",
    "derive",
    "paper_values",
    "paper_entries",
    "compare_with_paper",
    "format_table",
    "derive_json",
    "agrees_with_printed",
    "PaperEntry",
]

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

PRESETS = ("vip", "vip2")

# Table 1 of the paper: L [m], z [m], w [m], I [A].
_TABLE1 = {
    "vip": {"length": 88e-3, "thickness": 50e-6, "width": 282.74e-3, "current": 40.0},
    "vip2": {"length": 71e-3, "thickness": 50e-6, "width": 20e-3, "current": 100.0},
}
# Relative tolerances for "the case's geometry/current is the preset's": the area tolerance
# admits Table 1's w = 282.74 mm as well as 2 pi x 45 mm = 282.743 mm.
_MATCH_RTOL = {"length": 1e-6, "area": 1e-4, "current": 1e-6}


def _finite(x: float) -> float | None:
    """Plain float, or None for +-inf / NaN (so that json.dumps gives valid JSON)."""
    x = float(x)
    return x if math.isfinite(x) else None


def _diffusivity(transport: Any, einstein: float, degenerate: float) -> float:
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
    scale = getattr(transport, "diffusivity_scale", 1.0)
    scale = 1.0 if scale is None else float(scale)
    return base * scale


def derive(case: Any) -> dict[str, float | None]:
    """All derived quantities of a case as plain floats (np.inf -> None). SI units throughout.

    Key (unit) -- definition (paper eq.):

    * electron_density_m3 -- n, eq. 7 with CODATA constants
    * fermi_velocity_m_s -- sqrt(2 E_F/m_e)
    * average_speed_m_s -- (3/4) sqrt(2 E_F/m_e), eq. 8 (the paper's "v_F" = 1.18e6)
    * collision_time_s -- tau = m_e sigma/(n e^2), eq. 10
    * mean_free_path_m -- v_F tau (the paper's 39 nm)
    * diffusivity_einstein_m2_s / diffusivity_degenerate_m2_s -- eq. 13 / v_F^2 tau/3
    * diffusivity_m2_s -- the D the case uses (choice x diffusivity_scale)
    * drift_coefficient_m_per_C -- 1/(n e A); drift_velocity_m_s -- I/(n e A), eq. 11
    * transit_time_s -- L/|v_d| = n e A L/|I|, eq. 12 (None for I = 0)
    * rms_diffusion_length_m -- sqrt(2 D_k dt_T), D_k = D (standard) or D/2 (paper convention,
      which gives the paper's sqrt(D dt_T))
    * current_A, target_length_m, target_area_m2, target_volume_m3
    * electron_wavelength_m -- h/(m_e v_avg); close_encounter_distance_m -- 1/(n pi (lambda/2)^2);
      close_encounter_time_s -- l/v_avg (sec. 3)
    * scattering_rate_per_s -- nu = 1/tau ('conduction') or v_avg/l ('close-encounters')
    * scatterings_per_transit -- nu dt_T for the case's counting choice
    * conduction_scatterings_per_transit -- dt_T/tau = S_inf (eq. 23)
    * close_encounters_per_transit -- dt_T/(l/v_avg)
    * rs_scatterings_per_transit -- L/mu (eqs. 1-2)
    * amplification_conduction / amplification_close_encounters -- the two above over L/mu
    * capture_width_eV -- Gamma = 2.73 eV; capture_lifetime_s -- hbar/Gamma;
      capture_transit_s -- lambda_e/v_avg; capture_r_product_s2 -- their product (s^2, misprint 5:
      not a probability); capture_r_ratio -- transit/lifetime; capture_r_inverse_ratio --
      lifetime/transit; capture_r_ratio_fermi_speed -- (lambda_e/v_F)/(hbar/Gamma), the reading
      that reproduces the printed "r ~ 1.6"
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
    tau = m.collision_time(sigma, n)
    mfp = m.mean_free_path(v_f, tau)
    d_e = m.einstein_diffusivity(sigma, temp, n)
    d_deg = m.degenerate_diffusivity(sigma, e_f, n)
    d = _diffusivity(tr, d_e, d_deg)

    convention = getattr(tr, "convention", "standard")
    if convention == "standard":
        d_k = d
    elif convention == "paper":
        d_k = d / 2.0
    else:
        raise ValueError(f"transport.convention must be 'standard' or 'paper', got {convention!r}")

    coeff = m.drift_coefficient(n, area)
    v_d = m.drift_velocity(current, n, area)
    dt_t = m.transit_time(length, v_d)
    r_rms = math.sqrt(2.0 * d_k * dt_t) if math.isfinite(dt_t) else math.inf

    lam = m.electron_wavelength(v_avg)
    ell = m.close_encounter_distance(n, lam)
    t_ce = m.close_encounter_time(ell, v_avg)

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

    cap = m.capture_probability_estimate(lam, v_avg)
    r_fermi = (lam / v_f) / cap["lifetime_s"]

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


# --------------------------------------------------------------------------------------------
# The paper's printed numbers
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaperEntry:
    """One printed number: ``printed`` is the literal (its digits fix the precision)."""

    key: str
    printed: str
    unit: str
    section: str
    scope: str  # 'material' (same for every case) or 'case' (needs the preset's L, A, I)
    cause: str = ""  # why ours differs, for the paper's copper (PHYSICS.md misprint numbers)
    kind: str = "value"  # 'value' or 'lower_bound'

    @property
    def value(self) -> float:
        return float(self.printed)


def _material_entries() -> list[PaperEntry]:
    E = PaperEntry
    return [
        # sec. 2.1, after eq. 7: "n_0K,Cu ~ 8.46 x 10^28 m^-3"
        E("electron_density_m3", "8.46e28", "m^-3", "2.1 eq. 7", "material",
          "misprint 7 (CODATA): eq. 7's printed coefficient 6.846e27 eV^-3/2 m^-3 is 0.5 % above "
          "CODATA's 6.812e27, and 6.846e27 x (2/3) x 7^1.5 = 8.45e28 rounds below the printed "
          "8.46e28; with CODATA n is 0.58 % lower"),
        # sec. 2.1, eq. 8: "v_F ~ (3/4) sqrt(2E_F/m_e) ~ 1.18 x 10^6 m/s"
        E("average_speed_m_s", "1.18e6", "m/s", "2.1 eq. 8", "material"),
        # sec. 2.1, after eq. 10: "tau ~ 2.5 x 10^-14 s"
        E("collision_time_s", "2.5e-14", "s", "2.1 eq. 10", "material"),
        # sec. 2.1, after eq. 10: "mu ~ 39 nm" (uses v = 1.57e6 m/s, misprint 4)
        E("mean_free_path_m", "39e-9", "m", "2.1 eq. 9", "material",
          "misprint 4: 39 nm = sqrt(2E_F/m_e) tau, not the (3/4) speed of eq. 8 (29 nm)"),
        # sec. 2.1, after eq. 13: "D_Cu ~ 1.1 x 10^-4 m^2/s"
        E("diffusivity_einstein_m2_s", "1.1e-4", "m^2/s", "2.1 eq. 13", "material"),
        E("diffusivity_m2_s", "1.1e-4", "m^2/s", "2.1 eq. 13", "material"),
        # sec. 3, para. 2: "lambda_e ~ 6.1 x 10^-10 m"
        E("electron_wavelength_m", "6.1e-10", "m", "3 para. 2", "material",
          "printed value truncated: h/(m_e 1.18e6 m/s) = 6.16e-10 m; with the unrounded "
          "(3/4) sqrt(2E_F/m_e) = 1.1769e6 m/s it is 6.18e-10 m"),
        # sec. 3, para. 2: "the transit time lambda_e/v_F ~ 5.3 x 10^-16 s"
        E("capture_transit_s", "5.3e-16", "s", "3 para. 2", "material",
          "the paper's own rounded 6.1e-10 m / 1.18e6 m/s = 5.17e-16 s rounds to 5.2e-16 s"),
        # sec. 3, para. 2: "r ~ (hbar/Gamma) x (lambda_e/v_F) ~ 1.6 > 1" -- each reading (misprint 5)
        E("capture_r_product_s2", "1.6", "s^2", "3 para. 2", "material",
          "misprint 5: the printed product (hbar/Gamma) x (lambda_e/v) multiplies two times; it "
          "has units s^2 (value ~1.3e-31 s^2) and is not a probability"),
        E("capture_r_ratio", "1.6", "1", "3 para. 2", "material",
          "misprint 5: the ratio reading (lambda_e/v)/(hbar/Gamma), with lambda_e and v both at "
          "the 1.18e6 m/s speed, gives 2.2 (with the printed 5.3e-16 s: 2.2), not 1.6"),
        E("capture_r_inverse_ratio", "1.6", "1", "3 para. 2", "material",
          "misprint 5: the inverse ratio (hbar/Gamma)/(lambda_e/v) gives 0.46, not 1.6"),
        E("capture_r_ratio_fermi_speed", "1.6", "1", "3 para. 2", "material",
          "misprint 5: this reading (lambda_e at 1.18e6 m/s divided by sqrt(2E_F/m_e)) is the "
          "one that gives 1.63"),
        # sec. 3, para. 3: "l ~ 1/n pi (lambda_e/2)^2 ~ 41 pm"
        E("close_encounter_distance_m", "41e-12", "m", "3 para. 3", "material",
          "not reproducible from the paper's own numbers: 1/(8.46e28 pi (6.1e-10/2)^2) = "
          "40.4 pm; ours uses CODATA n (misprint 7) and lambda_e = 6.18e-10 m: 39.6 pm"),
        # sec. 3, para. 3: "mean time between close encounters = l/v_F ~ 3.5 x 10^-17 s"
        E("close_encounter_time_s", "3.5e-17", "s", "3 para. 3", "material",
          "follows the printed l: 41 pm / 1.18e6 m/s = 3.47e-17 s; ours 39.6 pm / 1.177e6 m/s "
          "= 3.37e-17 s"),
    ]


def _case_entries(preset: str) -> list[PaperEntry]:
    E = PaperEntry
    if preset == "vip":
        return [
            # Table 1 (VIP): L = 88 mm, z w = 1.41e-5 m^2, z w L = 1.24406e-6 m^3; sec. 2.1: 40 A
            E("target_length_m", "88e-3", "m", "Table 1", "case"),
            E("target_area_m2", "1.41e-5", "m^2", "Table 1", "case"),
            E("target_volume_m3", "1.24406e-6", "m^3", "Table 1", "case",
              "Table 1 uses w = 282.74 mm (volume 1.244056e-6 m^3); the exact 2 pi x 45 mm = "
              "282.743 mm gives 1.24407e-6 m^3"),
            E("current_A", "40", "A", "2.1", "case"),
            # sec. 2.1, after eq. 11: "(nezw)^-1 ~ 5.23 x 10^-6 m/C (VIP)"
            E("drift_coefficient_m_per_C", "5.23e-6", "m/C", "2.1 eq. 11", "case",
              "misprint 7 (CODATA n is 0.58 % lower) plus the paper's rounded A: "
              "1/(8.46e28 e 1.41e-5 m^2) = 5.23e-6 m/C"),
            # sec. 2.1: "with a 40-A current (VIP), the drift speed is about 0.21 mm/s"
            E("drift_velocity_m_s", "2.1e-4", "m/s", "2.1 eq. 11", "case"),
            # sec. 2.1, eq. 12: "about 420 s in VIP"
            E("transit_time_s", "4.2e2", "s", "2.1 eq. 12", "case"),
            # sec. 2.1, end: "r_RMS = sqrt(D dt_T) ... r_RMS ~ 20 cm in VIP"
            E("rms_diffusion_length_m", "2e-1", "m", "2.1", "case"),
            # sec. 3, para. 1: "dt_T/tau, which is about 1.3 x 10^16 in VIP"
            E("conduction_scatterings_per_transit", "1.3e16", "1", "3 para. 1 eq. 23", "case",
              "misprint 4: the printed value is dt_T/(39 nm / 1.18e6 m/s) = dt_T/3.3e-14 s "
              "(= 1.27e16); eq. 10's tau = 2.49e-14 s gives 1.68e16"),
            # sec. 3, para. 1: "about 2.2 x 10^6 scatterings in VIP"
            E("rs_scatterings_per_transit", "2.2e6", "1", "3 para. 1 eqs. 1-2", "case",
              "printed value truncated: the paper's own 88 mm / 39 nm = 2.26e6 rounds to 2.3e6, "
              "which sec. 3 para. 3 prints"),
            # sec. 3, para. 3: "instead of the ~2.3 x 10^6 scatterings ... from the RS approach"
            E("rs_scatterings_per_transit", "2.3e6", "1", "3 para. 3 eqs. 1-2", "case"),
            # sec. 3, para. 1: "amplification by a factor of about 10^10 in VIP"
            E("amplification_conduction", "1e10", "1", "3 para. 1", "case"),
            # sec. 3, para. 3: "at least 1.2 x 10^19 close encounters"
            E("close_encounters_per_transit", "1.2e19", "1", "3 para. 3", "case"),
            # sec. 3, para. 3: "better than ... the RS approach by a factor 5.2 x 10^12"
            E("amplification_close_encounters", "5.2e12", "1", "3 para. 3", "case",
              "the paper divides its rounded 1.2e19 by the rounded 2.3e6 (= 5.2e12); unrounded, "
              "1.245e19 / 2.253e6 = 5.5e12 (l with CODATA n, see close_encounter_distance_m)"),
        ]
    if preset == "vip2":
        return [
            # Table 1 (VIP-2): L = 71 mm, z w = 1e-6 m^2, z w L = 7.1e-8 m^3; sec. 2.1: 100 A
            E("target_length_m", "71e-3", "m", "Table 1", "case"),
            E("target_area_m2", "1e-6", "m^2", "Table 1", "case"),
            E("target_volume_m3", "7.1e-8", "m^3", "Table 1", "case"),
            E("current_A", "100", "A", "2.1", "case"),
            # sec. 2.1, after eq. 11: "or 7.38 x 10^-4 m/C (VIP-2)" -- misprint 3
            E("drift_coefficient_m_per_C", "7.38e-4", "m/C", "2.1 eq. 11", "case",
              "misprint 3: the printed 7.38e-4 m/C is 10x too large; 1/(8.46e28 e 1e-6 m^2) = "
              "7.38e-5 m/C, consistent with the printed 7.4 mm/s at 100 A; ours 7.42e-5 m/C "
              "(CODATA n, misprint 7)"),
            # sec. 2.1: "with a 100-A current (VIP-2), the drift speed is about 7.4 mm/s"
            E("drift_velocity_m_s", "7.4e-3", "m/s", "2.1 eq. 11", "case"),
            # sec. 2.1, eq. 12: "and 10 s in VIP-2"
            E("transit_time_s", "1e1", "s", "2.1 eq. 12", "case"),
            # sec. 2.1, end: "and 3 cm in VIP-2"
            E("rms_diffusion_length_m", "3e-2", "m", "2.1", "case"),
            # sec. 3, para. 1: "and 3 x 10^14 in VIP-2"
            E("conduction_scatterings_per_transit", "3e14", "1", "3 para. 1 eq. 23", "case",
              "misprint 4: the printed value is dt_T/(39 nm / 1.18e6 m/s) = dt_T/3.3e-14 s "
              "(= 2.9e14); eq. 10's tau = 2.49e-14 s gives 3.8e14"),
            # sec. 3, para. 1: "to about 1.8 x 10^6 scatterings in VIP-2"
            E("rs_scatterings_per_transit", "1.8e6", "1", "3 para. 1 eqs. 1-2", "case"),
            # sec. 3, para. 1: "more than 10^8 in VIP-2"
            E("amplification_conduction", "1e8", "1", "3 para. 1", "case", kind="lower_bound"),
            # sec. 3, para. 3: "at least 2.8 x 10^17 close encounters"
            E("close_encounters_per_transit", "2.8e17", "1", "3 para. 3", "case"),
            # sec. 3, para. 3: "the bound improves by a factor 1.6 x 10^11"
            E("amplification_close_encounters", "1.6e11", "1", "3 para. 3", "case"),
        ]
    raise ValueError(f"preset must be one of {PRESETS}, got {preset!r}")


def paper_entries(preset: str) -> list[PaperEntry]:
    """Every printed number for ``preset`` ('vip' | 'vip2'), material ones first.

    A key can occur twice when the paper prints it twice (VIP's L/mu: 2.2e6 and 2.3e6).
    """
    return _material_entries() + _case_entries(preset)


def paper_values(preset: str) -> dict[str, float]:
    """The paper's printed numbers for 'vip' or 'vip2', keyed like ``derive()`` (SI floats).

    Where a number is printed twice the first printing is given (VIP L/mu: 2.2e6; the later
    2.3e6 is in ``paper_entries``). Misprinted values are given as printed (7.38e-4 m/C for
    VIP-2); the r ~ 1.6 of sec. 3 is given under each of its readings.
    """
    out: dict[str, float] = {}
    for e in paper_entries(preset):
        out.setdefault(e.key, e.value)
    return out


def _half_unit(printed: str) -> float:
    """Half a unit of the last significant printed digit of ``printed`` (e.g. '8.46e28' -> 5e25).

    Trailing zeros of an integer mantissa are not significant ('4.2e2' is how "about 420" is
    stored; '100' has unit 100).
    """
    d = Decimal(printed).normalize()
    return 0.5 * 10.0 ** d.as_tuple().exponent


def agrees_with_printed(ours: float | None, printed: str, kind: str = "value") -> bool:
    """The verdict rule: |ours - p| <= half a unit of p's last printed digit; bounds: ours > p."""
    if ours is None or not math.isfinite(ours):
        return False
    p = float(printed)
    if kind == "lower_bound":
        return ours > p
    tol = _half_unit(printed)
    return abs(ours - p) <= tol * (1.0 + 1e-9)


def _scope(case: Any) -> tuple[str, bool, str]:
    """(preset for the table, full comparison?, note saying which quantities are compared)."""
    preset = getattr(case.geometry, "preset", None)
    if preset not in PRESETS:
        return ("vip", False,
                "material quantities only: the case has no geometry preset ('vip'/'vip2'), so "
                "its geometry and current are not the paper's")
    t = _TABLE1[preset]
    want = {
        "length": t["length"],
        "area": t["thickness"] * t["width"],
        "current": t["current"],
    }
    have = {
        "length": float(case.geometry.length),
        "area": float(case.geometry.area),
        "current": float(case.transport.current.nominal()),
    }
    off = [
        f"{k} {have[k]:.6g} vs {want[k]:.6g}"
        for k in want
        if not math.isclose(have[k], want[k], rel_tol=_MATCH_RTOL[k])
    ]
    if off:
        return (preset, False,
                f"material quantities only: the case's geometry/current differ from Table 1 "
                f"preset '{preset}' ({', '.join(off)})")
    return (preset, True, f"all quantities: the case's L, A, I are Table 1 preset '{preset}'")


def _material_deviation(case: Any) -> str:
    cu = m.Copper()
    mat = case.material
    diffs = []
    for name, unit, ref, scale in (
        ("fermi_energy", "eV", cu.fermi_energy, m.ELECTRON_VOLT),
        ("conductivity", "S/m", cu.conductivity, 1.0),
        ("temperature", "K", cu.temperature, 1.0),
    ):
        val = float(getattr(mat, name))
        if not math.isclose(val, ref, rel_tol=1e-9):
            diffs.append(f"{name} {val / scale:.6g} {unit} (paper {ref / scale:.6g})")
    return ("case material differs from the paper's copper: " + ", ".join(diffs)) if diffs else ""


def _case_causes(case: Any, key: str) -> list[str]:
    """Causes that come from the case's own choices rather than from the paper."""
    tr = case.transport
    causes = []
    if key in ("diffusivity_m2_s", "rms_diffusion_length_m"):
        choice = tr.diffusivity
        if choice != "einstein":
            what = f"'{choice}'" if isinstance(choice, str) else f"{float(choice):.6g} m^2/s"
            causes.append(f"case uses D = {what}; the paper uses the Einstein relation (eq. 13)")
        scale = getattr(tr, "diffusivity_scale", 1.0)
        if scale is not None and float(scale) != 1.0:
            causes.append(f"case scales D by {float(scale):g} (Figure 2 uses 0.01)")
    if key == "rms_diffusion_length_m" and getattr(tr, "convention", "standard") != "paper":
        causes.append(
            "convention (misprint 1): the standard r_RMS = sqrt(2 D dt_T) is sqrt(2) x the "
            "paper's sqrt(D dt_T); use convention 'paper' to reproduce it"
        )
    return causes


def compare_with_paper(case: Any, derived: dict | None = None) -> list[dict]:
    """Rows comparing ``derive(case)`` with the paper's printed numbers.

    Each row: {quantity, unit, paper, printed, ours, rel_diff, verdict, cause, section, scope}.
    ``verdict`` is 'agrees' when |ours - paper| <= half a unit of the last printed digit
    (bounds: when ours satisfies the bound), else 'differs'; ``cause`` names the reason for each
    disagreement (PHYSICS.md misprint numbers, the case's D/convention choices, a non-paper
    material) and is empty when the row agrees. ``rel_diff`` = (ours - paper)/paper.

    If the case has no preset, or its length/area/current are not Table 1's for its preset,
    only the material quantities (which do not depend on L, A, I) are compared, and every row's
    ``scope`` says so.
    """
    d = derive(case) if derived is None else derived
    preset, full, scope = _scope(case)
    mat_dev = _material_deviation(case)
    rows = []
    for e in paper_entries(preset):
        if e.scope == "case" and not full:
            continue
        ours = d.get(e.key)
        ok = agrees_with_printed(ours, e.printed, e.kind)
        rel = None if ours is None else (ours - e.value) / e.value
        cause = ""
        if not ok:
            parts = ([mat_dev] if mat_dev else []) + _case_causes(case, e.key)
            if e.cause:
                parts.append(e.cause)
            if ours is None:
                parts.append("ours is infinite/undefined")
            cause = "; ".join(parts) if parts else "unexplained"
        rows.append({
            "quantity": e.key,
            "unit": e.unit,
            "paper": e.value,
            "printed": ("> " if e.kind == "lower_bound" else "") + e.printed,
            "ours": ours,
            "rel_diff": rel,
            "verdict": "agrees" if ok else "differs",
            "cause": cause,
            "section": e.section,
            "scope": scope,
        })
    return rows


def format_table(rows: list[dict]) -> str:
    """Fixed-width text table of ``compare_with_paper`` rows; causes are listed as notes below."""
    scopes = list(dict.fromkeys(r.get("scope", "") for r in rows if r.get("scope")))
    head = ["quantity", "unit", "sec.", "paper", "ours", "rel.diff", "verdict", "note"]
    body = []
    notes: list[str] = []
    for r in rows:
        note = ""
        if r["cause"]:
            if r["cause"] not in notes:
                notes.append(r["cause"])
            note = f"[{notes.index(r['cause']) + 1}]"
        ours = "inf/None" if r["ours"] is None else f"{r['ours']:.4g}"
        rel = "" if r["rel_diff"] is None else f"{r['rel_diff']:+.2%}"
        body.append([r["quantity"], r["unit"], r.get("section", ""), r.get("printed", f"{r['paper']:g}"),
                     ours, rel, r["verdict"], note])
    widths = [max(len(str(x)) for x in col) for col in zip(head, *body)] if body else [len(h) for h in head]
    def line(cells):
        return "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()
    out = [f"# {s}" for s in scopes]
    out.append("# verdict: 'agrees' if |ours - paper| <= half a unit of the last printed digit")
    out.append(line(head))
    out.append(line(["-" * w for w in widths]))
    out.extend(line(b) for b in body)
    if notes:
        out.append("")
        out.extend(f"[{i}] {n}" for i, n in enumerate(notes, 1))
    n_ok = sum(r["verdict"] == "agrees" for r in rows)
    out.append("")
    out.append(f"{n_ok}/{len(rows)} printed values agree")
    return "\n".join(out)


def derive_json(case: Any) -> dict:
    """``derive(case)`` plus ``{"paper_comparison": compare_with_paper(case)}``; JSON-serialisable."""
    d = derive(case)
    out: dict[str, Any] = dict(d)
    out["paper_comparison"] = compare_with_paper(case, d)
    return out
