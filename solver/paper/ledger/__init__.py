"""The claims ledger: every quantitative statement of Milotti et al., Entropy 2018, 20, 515,
with the paper's value, ours, the relative difference, a verdict and its cause.

Rows come from two places:

* the printed numbers of Table 1, sec. 2.1 and sec. 3 that :func:`solver.paper.comparison.compare_with_paper`
  already compares (reused, not repeated here), for VIP and VIP-2, with our physics (CODATA
  constants, standard convention: r_RMS = sqrt(2 D dt_T));
* the claims that need the transport solution (eq. 22-23, the no-current half rate, the
  long-time rate, Figure 2's caption, the optimal current, the modulation, the bound, the
  dimensional claim) and the misprints of docs/physics.md that have no derived key; their
  printed values are the "claims" of ``solver/paper/printed_values.yaml``.

Verdicts (:data:`VERDICTS`): ``confirmed`` (ours agrees at the printed precision, or to the
stated tolerance), ``corrected`` (ours differs because the paper has a misprint or a slip, named
in the cause), ``interpretation`` (ours differs because the paper's statement admits another
reading, or rests on a model choice we make differently; the cause names both readings, and
docs/model-choices.md the physics), ``refuted`` (the statement does not hold, with the evidence), ``not recomputable`` (an input is not in the paper),
``not yet checked`` (the tool that would check it is not available; never faked).

Each row is a dict: id, claim, section, unit, printed, paper, ours, rel_diff, verdict, cause,
details (SI units; ``ours``/``paper`` None where there is no number).
"""

from __future__ import annotations

from .dimensions import FEEDS, dimension_amplifications, dimension_case, dimensional_claim_rows
from .output import ledger_json, ledger_markdown, write_ledger
from .printed_claims import misprint_rows, printed_number_rows, scattering_identity_rows
from .choice_claims import model_choice_rows
from .rows import DAY, VERDICTS, ledger_case
from .transport_claims import conclusion_rows, experiment_rows, transport_claim_rows

__all__ = ["VERDICTS", "REQUIRED_IDS", "ledger_case", "build_ledger", "dimension_amplifications",
           "FEEDS", "dimension_case", "dimensional_claim_rows", "ledger_markdown", "ledger_json",
           "write_ledger"]

# Ledger ids that must exist (a test checks them against an independent list).
REQUIRED_IDS = (
    "material.electron_density_m3", "material.collision_time_s", "material.mean_free_path_m",
    "material.diffusivity_m2_s", "vip.drift_coefficient_m_per_C", "vip2.drift_coefficient_m_per_C",
    "vip.drift_velocity_m_s", "vip2.drift_velocity_m_s", "vip.transit_time_s", "vip2.transit_time_s",
    "vip.rms_diffusion_length_m", "vip2.rms_diffusion_length_m",
    "vip.conduction_scatterings_per_transit", "vip2.conduction_scatterings_per_transit",
    "vip.close_encounters_per_transit", "vip2.close_encounters_per_transit",
    "vip.rs_scatterings_per_transit", "vip2.rs_scatterings_per_transit",
    "vip.amplification_close_encounters", "vip2.amplification_close_encounters",
    "bound_beta2_half", "no_current_half_semi_infinite", "no_current_half_finite_reservoir",
    "long_time_rate_independent_of_current", "dimensional_claim.vip", "dimensional_claim.vip2",
)


def build_ledger(*, reservoir_target_volumes: float = 2.3e6, measurement_time: float = DAY,
                 check_dimensions: bool = True) -> list[dict]:
    """Every row of the ledger (see the module docstring). ``reservoir_target_volumes``: the
    finite reservoir of Figs. 2-3; ``measurement_time`` [s] for the bound and the optimal current;
    ``check_dimensions``: run the 1D/2D/3D finite-volume comparison (minutes)."""
    rows = (printed_number_rows() + misprint_rows() + scattering_identity_rows()
            + transport_claim_rows(reservoir_target_volumes) + experiment_rows(measurement_time)
            + conclusion_rows(measurement_time) + model_choice_rows() + dimensional_claim_rows(check_dimensions))
    ids = [r["id"] for r in rows]
    if len(set(ids)) != len(ids):
        raise RuntimeError(f"duplicate ledger ids: {sorted({i for i in ids if ids.count(i) > 1})}")
    return rows
