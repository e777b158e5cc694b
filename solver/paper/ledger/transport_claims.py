"""Ledger rows of the claims that need the transport solution: Figure 2's caption, the
no-current half rate, the long-time rate, the bound, the universe, the optimal current and the
modulation (closed forms of the uniform line, ``solver.physics.line``)."""

from __future__ import annotations

import math

import numpy as np
import scipy.constants as sc

from ...config.loading import case_from_dict
from ...physics import analytic
from ...physics.derived import derive
from ...physics.line import line_of
from ...physics.material import drift_displacement
from ...physics.schedule import schedule_from_spec
from ..printed import claims
from .rows import DAY, claim_row, ledger_case, row

__all__ = ["transport_claim_rows", "experiment_rows", "conclusion_rows", "UNIVERSE_MASS"]

UNIVERSE_MASS = 1.6e52            # kg: sec. 3, "M = 1.6e55 g [19]" (an input of the paper)


def transport_claim_rows(reservoir_target_volumes):
    rows = []
    # Figure 2 caption: "after about 1000 s ... the distribution inside the target is uniform" (40 A, D/100,
    # paper convention): time when c(L, t) reaches 99 % of n.
    from scipy.optimize import brentq

    from ..figures import figure2_case

    f2 = line_of(figure2_case(40.0, reservoir_target_volumes))
    t_uniform = brentq(lambda t: float(analytic.reservoir_density(f2.length, t, f2.displacement(t), f2.x_min,
                                                                  f2.x_max, f2.diffusivity, 1.0, f2.convention)) - 0.99,
                       1.0, 1e5)
    rows.append(claim_row("fig2_uniform_time_s", "Fig. 2: with 40 A the target is uniformly filled after about "
                           "1000 s (ours: c(L) = 0.99 n)", t_uniform,
                           ok_cause="", bad_cause="", details={"front_at_target_end_s": (f2.length - f2.x_max)
                                                                / f2.drift_velocity}))
    # No-current final rate is half the with-current rate (VIP-2, 100 A): N_0(t)/N_I(t).
    times = (1e3, 1e4, 1e5, 1e6, 1e8, 1e12)
    semi = {t: float(line_of(ledger_case("vip2", current=0.0)).electrons_in_target(t)
                     / line_of(ledger_case("vip2")).electrons_in_target(t)) for t in times}
    rows.append(claim_row("no_current_half_semi_infinite", "sec. 4: final X-ray rate without current is half "
                           "the rate with current (semi-infinite reservoir, VIP-2, N_0A/N_100A at t = 1e12 s)",
                           semi[1e12], rtol=1e-4, bad_verdict="refuted",
                           ok_cause="exact limit 1/2: c -> n/2 erfc(0) without drift, c -> n with drift; "
                                    "approached as 1 - O(t^-1/2)",
                           details={f"ratio_at_{t:g}_s": v for t, v in semi.items()}))
    ln0 = line_of(ledger_case("vip2", current=0.0, reservoir=reservoir_target_volumes))
    ln1 = line_of(ledger_case("vip2", reservoir=reservoir_target_volumes))
    exhaust = ln1.reservoir_length / ln1.drift_velocity
    finite = {t: float(ln0.electrons_in_target(t) / ln1.electrons_in_target(t)) for t in (1e4, 1e5, 1e6)}
    n_late = float(ln1.electrons_in_target(1e8)) / (ln1.density * ln1.area * ln1.length)
    rows.append(claim_row("no_current_half_finite_reservoir", "sec. 4: the same with the Fig. 2-3 reservoir "
                           f"({reservoir_target_volumes:.3g} target volumes), ratio at t = 1e6 s", finite[1e6],
                           rtol=1e-2,
                           ok_cause=f"holds on the plateau only: with 100 A the finite reservoir has passed the "
                                    f"target after n e A L_res/I = {exhaust:.3g} s, after which the with-current "
                                    f"rate falls to 0 (N_100A/(n A L) = {n_late:.2g} at 1e8 s); the paper says "
                                    "'strictly true only for an infinitely long reservoir'",
                           details={"exhaustion_time_s": exhaust, "N_100A_over_nAL_at_1e8_s": n_late,
                                    **{f"ratio_at_{t:g}_s": v for t, v in finite.items()}}))
    # Long-time rate independent of current: N/(n A L) for several currents, each at its own long time
    # t_I = 100 max(dt_T, 4 D/v_d^2) (after the transit and once drift beats diffusion, v_d t >> sqrt(4 D t)).
    worst, detail = 1.0, {}
    for preset in ("vip", "vip2"):
        for i in (1.0, 10.0, 40.0, 100.0):
            ln = line_of(ledger_case(preset, current=i, reservoir=reservoir_target_volumes))
            full = ln.density * ln.area * ln.length
            v = ln.drift_velocity
            t_long = 100.0 * max(ln.length / v, 4.0 * analytic.kernel_diffusivity(ln.diffusivity, ln.convention) / v**2)
            value = float(ln.electrons_in_target(t_long)) / full
            detail[f"{preset}_{i:g}A_t_long_s"] = t_long
            detail[f"{preset}_{i:g}A_N_over_nAL"] = value
            detail[f"{preset}_{i:g}A_N_over_nAL_after_1_day"] = float(ln.electrons_in_target(DAY)) / full
            detail[f"{preset}_{i:g}A_time_to_90pct_s"] = brentq(
                lambda t: float(ln.electrons_in_target(t)) / full - 0.9, 1e-3, t_long)
            worst = value if abs(value - 1) > abs(worst - 1) else worst
    rows.append(claim_row("long_time_rate_independent_of_current", "Fig. 3 / sec. 4: the long-time X-ray rate "
                           "does not depend on the current (N/(n A L) for 1-100 A, VIP and VIP-2, each at "
                           "t = 100 max(dt_T, 4D/v_d^2); ours: the value farthest from 1)", worst, rtol=1e-6,
                           ok_cause="for I > 0 the target fills to c = n whatever the current, but 'long' means "
                                    "t >> max(dt_T, 4D/v_d^2): 1.6e7 s for VIP at 1 A, 1e4 s at 40 A (after one "
                                    "day VIP at 1 A is only ~half full, details); with a finite reservoir the "
                                    "plateau lasts until n e A L_res/I",
                           details=detail))
    return rows


def experiment_rows(measurement_time):
    rows = []
    # Bound improvement in X-ray yield: r x close encounters versus RS's (1/10) x L/mu (eq. 1).
    for preset in ("vip", "vip2"):
        d = derive(ledger_case(preset))
        ratio = d["amplification_close_encounters"]
        yield_ratio = 1.0 * ratio / 0.1
        rows.append(claim_row(f"bound_improvement_yield_{preset}",
                               f"sec. 3: the bound improves by the encounter-count ratio ({preset.upper()}); ours: "
                               "X-ray yield ratio r S_ce/((1/10) L/mu) with r = 1", yield_ratio,
                               bad_verdict="interpretation",
                               bad_cause=f"the printed factor is the ratio of encounter counts ({ratio:.3g}); the "
                                         "bound scales with the X-ray yield, and eq. 1 gives RS a capture probability "
                                         "1/10 per scattering while sec. 3 takes r ~ 1 per close encounter, a further "
                                         "factor 10. A reading, not a misprint: if the 1/10 is kept for both "
                                         "(the paper's printed factor is the ratio of counts), the printed factor "
                                         "stands; the capture probability is a model choice "
                                         "(counting.capture_probability, docs/model-choices.md)",
                               details={"encounter_count_ratio": ratio}))
    # The bound 2.6e-40 needs VIP-2's count limit and measurement time (ref. [5]), not in the paper.
    case = ledger_case("vip2")
    d, ln = derive(case), line_of(case)
    nu, g, r = d["scattering_rate_per_s"], case.counting.geometric_factor, case.counting.capture_probability
    full_rate = r * g * nu * ln.density * ln.area * ln.length          # detected X-rays per s per unit beta^2/2
    exposure = ln.electrons_time_integral(measurement_time)
    per_unit = r * g * nu * exposure                                   # X-rays per unit beta^2/2 in dt_M
    paper = claims()["bound_beta2_half"].value
    count_for_paper = paper * per_unit
    rs_implied = paper * d["amplification_close_encounters"]
    rows.append(row("bound_beta2_half", "sec. 3: bound beta^2/2 < 2.6e-40 from VIP-2 [5]", "3 para. 3", "1",
                     "2.6e-40", None, "not recomputable",
                     f"needs VIP-2's X-ray count limit N_lim and measurement time dt_M from ref. [5], which the paper "
                     f"does not give. Ours per unit count limit: beta^2/2 < N_lim x {1 / per_unit:.3g} for dt_M = "
                     f"{measurement_time / DAY:g} d at 100 A (r = 1, g = 0.018, close encounters, switch-on included; "
                     f"scales as 1/dt_M); 2.6e-40 needs N_lim = {count_for_paper:.3g} counts for dt_M = "
                     f"{measurement_time / DAY:g} d (in proportion to dt_M). Equivalently, 2.6e-40 is an RS-type "
                     f"bound of {rs_implied:.3g} divided by our count ratio {d['amplification_close_encounters']:.3g}",
                     details={"measurement_time_s": measurement_time, "xrays_per_unit_beta2_half": per_unit,
                              "bound_per_unit_count_limit": 1.0 / per_unit,
                              "count_limit_for_2.6e-40": count_for_paper,
                              "steady_xrays_per_s_per_unit_beta2_half": full_rate,
                              "rs_type_bound_implied": rs_implied}))
    # Universe (sec. 3): M = 1.6e55 g of hydrogen -> 1e79 electrons; pairs with the wrong symmetry.
    n_e = UNIVERSE_MASS / (sc.m_p + sc.m_e)
    rows.append(claim_row("electrons_in_universe", "sec. 3: electrons in the observable universe (M = 1.6e55 g "
                           "of hydrogen)", n_e))
    rows.append(claim_row("wrong_symmetry_pairs_in_universe", "sec. 3: 'less than 1e39 electron pairs' with the "
                           "wrong symmetry; ours (beta^2/2) N_e/2 with 2.6e-40", paper * n_e / 2.0,
                           ok_cause="order of magnitude; the reading (beta^2/2)(N_e/2) is ours (the paper gives "
                                    "no formula); (beta^2/2) N_e would give 2.5e39",
                           bad_cause="the reading (beta^2/2)(N_e/2) is ours (the paper gives no formula)"))
    return rows


def conclusion_rows(measurement_time):
    """Sec. 4's optimal current and modulation, with the analytic solution (VIP-2, semi-infinite)."""
    rows = []
    currents = np.geomspace(1e-2, 1e4, 25)
    filled = []
    for i in currents:
        ln = line_of(ledger_case("vip2", current=float(i)))
        filled.append(ln.electrons_time_integral(measurement_time) / (ln.density * ln.area * ln.length
                                                                      * measurement_time))
    filled = np.array(filled)
    monotone = bool(np.all(np.diff(filled) >= -1e-12))
    i99 = float(np.exp(np.interp(0.99, filled, np.log(currents)))) if monotone else None
    ln = line_of(ledger_case("vip2", reservoir=2.3e6))
    i_max = ln.density * sc.e * ln.area * ln.reservoir_length / measurement_time
    rows.append(row("optimal_current", "sec. 4: 'there should be an optimal value of the current' (VIP-2; ours: "
                     f"current above which the signal in {measurement_time / DAY:g} d is within 1 % of its maximum)",
                     "4 para. 3", "A", "", i99, "refuted" if monotone else "confirmed",
                     "in the drift-diffusion model the signal in dt_M grows monotonically with I and saturates "
                     f"(no interior optimum over 0.01-1e4 A): the rate is nu n A L once the target is full, whatever "
                     f"I; a larger I only fills it sooner (after ~L/v_d). Fewer scatterings per electron at high I "
                     f"are exactly compensated by more electrons (eq. 6). Only a finite reservoir caps I: 2.3e6 "
                     f"target volumes last dt_M up to I = {i_max:.3g} A",
                     details={"currents_A": currents.tolist(), "signal_fraction": filled.tolist(),
                              "max_current_finite_reservoir_A": i_max}))
    # Modulation: 100 A on/off square wave, period 20 s (2 transits), reservoir connected throughout.
    case = case_from_dict({"name": "modulation", "geometry": {"preset": "vip2", "connector": {"length": "1 cm"}},
                           "transport": {"current": {"schedule": "square", "high": "100 A", "period": "20 s"}},
                           "counting": {}}, source="solver.paper.ledger")
    d = derive(case)
    n, area, length = d["electron_density_m3"], case.geometry.area, case.geometry.length
    sched = schedule_from_spec(case.transport.current)
    t = np.linspace(180.0, 200.0, 801)
    frac = analytic.electrons_in_target(t, drift_displacement(sched.charge(t, 200.0), n, area), length, -math.inf, -0.01,
                                        d["diffusivity_m2_s"], n, area) / (n * area * length)
    depth = float((frac.max() - frac.min()) / frac.max())
    rows.append(row("modulation_depth", "sec. 4: an on/off current modulates the X-ray rate (VIP-2, 100 A square "
                     "wave, period 20 s, reservoir connected; ours: modulation depth in the 10th period)", "4 para. 3",
                     "1", "", depth, "corrected",
                     "only the switch-on transient is modulated: while the current is off the new electrons stay "
                     "in the target (they only diffuse), so once it is full the rate changes by this fraction only. "
                     "A lasting modulation needs the target emptied of new electrons between on-phases; "
                     "disconnecting the reservoir (sec. 2.2's 'current off') does not do that",
                     details={"fraction_min": float(frac.min()), "fraction_max": float(frac.max())}))
    return rows
