"""From counts in the signal region to an upper limit on beta^2/2.

The current-on data hold n_on events in the live time T_on, the current-off data n_off in
T_off; the expected background in the current-on data is b = n_off T_on/T_off (known: the
Poisson spread of n_off, sqrt(n_off) T_on/T_off, is reported, not folded in).  The signal
counts s are bounded above at the confidence level CL by Feldman & Cousins' unified approach
and, as a second column, by a Bayesian flat prior (``physics.statistics``).

The model turns s into beta^2/2: the expected detected X-rays per unit beta^2/2 in the
current-on data are

    Y = eps r S(T_on) g,     S(T_on) = nu integral_0^T_on N(t) dt

(detection efficiency eps, capture probability r, geometric factor g, the case's transport
model with the BOUND file's current switched on at t = 0), so beta^2/2 < s_up / Y.  Side by
side: Ramberg and Snow's straight path, Y_RS = eps (1/10) (Q/e) (L/mu) g (eqs. 1-2), and the
bound for every model choice (``config.variants``: diffusivity x speeds x reservoir, plus the
capture probability 1/10 and conduction scatterings), whose spread is the systematic
uncertainty of the model.
"""

from __future__ import annotations

from ..config.bound_file import BoundInput
from ..config.variants import Variant, choice_variants
from ..physics.choices import describe_choices, model_choices
from ..physics.statistics import bayesian_upper, feldman_cousins
from ..run.variants import run_variants

__all__ = ["bound_from_spectrum", "TRANSPORT_AXES"]

TRANSPORT_AXES = ("diffusivity", "speeds", "reservoir")


def bound_from_spectrum(bound: BoundInput) -> dict:
    """The upper limits of a validated BOUND file, as plain data (see the module docstring):
    counts and background, the signal limits (Feldman-Cousins interval, Bayesian upper limit),
    Y, the bounds (FC, Bayesian), the Ramberg-Snow bound, the model choices, and one row per
    model-choice variant with its Y and bound, and the spread of those that differ in
    diffusivity, speeds and reservoir only."""
    spec, case = bound.spec, bound.case
    on, off = spec.signal_region.current_on, spec.signal_region.current_off
    cl, eps = float(spec.confidence_level), float(spec.detection_efficiency)
    scale = on.live_time / off.live_time
    background = off.counts * scale
    fc_low, fc_up = feldman_cousins(int(on.counts), background, cl)
    bayes_up = bayesian_upper(int(on.counts), background, cl)
    variants = choice_variants(case, spec.circuit_length) if spec.systematics else []
    (_, _, main, _), *runs = run_variants(case, [Variant("the case's choices", {}, {}), *variants])
    own = model_choices(case)
    y = eps * main.counts["xrays_per_unit_violation"]
    y_rs = eps * main.counts["rs_xrays_per_unit_violation"]
    rows = []
    for variant, changed, result, _ in runs:
        y_v = eps * result.counts["xrays_per_unit_violation"]
        rows.append({"variant": variant.name, **variant, "xrays_per_unit_violation": y_v,
                     "bound_feldman_cousins": fc_up / y_v if y_v > 0 else None,
                     "choices": describe_choices(model_choices(changed))})
    core = [r["bound_feldman_cousins"] for r in rows
            if r["capture"] == float(case.counting.capture_probability) and r["scattering"] == case.counting.scattering
            and r["bound_feldman_cousins"] is not None]
    return {
        "source": bound.source, "case": case.name, "confidence_level": cl,
        "current_on": {"counts": int(on.counts), "live_time_s": on.live_time},
        "current_off": {"counts": int(off.counts), "live_time_s": off.live_time},
        "background_expected": background, "background_spread": off.counts**0.5 * scale,
        "detection_efficiency": eps, "geometric_factor": float(case.counting.geometric_factor),
        "signal_feldman_cousins": [fc_low, fc_up], "signal_bayesian_upper": bayes_up,
        "statistics": {"feldman_cousins": "Feldman & Cousins, Phys. Rev. D 57, 3873 (1998): unified approach, "
                                          "Poisson signal over a known background",
                       "bayesian": "flat prior on the signal mean >= 0, known background (Helene's formula)"},
        "scatterings": float(main.cumulative_scatterings[-1]), "xrays_per_unit_violation": y,
        "beta2_half_bound_feldman_cousins": fc_up / y if y > 0 else None,
        "beta2_half_bound_bayesian": bayes_up / y if y > 0 else None,
        "rs_xrays_per_unit_violation": y_rs,
        "rs_beta2_half_bound_feldman_cousins": fc_up / y_rs if y_rs > 0 else None,
        "model_choices": own, "choices": describe_choices(own),
        "variants": rows,
        "systematic_range": [min(core), max(core)] if core else None,
    }

