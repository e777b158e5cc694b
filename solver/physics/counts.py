"""From new electrons in the target to scatterings, X-rays and the bound on beta^2/2.

    scattering rate         R(t) = nu N(t)                          [1/s]
    cumulative scatterings  S(t) = nu integral_0^t N dt'            (eq. 19 per electron)
    expected detected X-rays = (beta^2/2) r S(T) g                   (eq. 27, factor 1/2 restored,
                                                                      times the geometric factor g)
    bound                   beta^2/2 < N_X,limit / (r S(T) g)

The Ramberg-Snow straight path (eqs. 1-2) gives each electron that passes L/mu scatterings and a
capture probability 1/10: X-rays per unit beta^2/2 = (1/10) N_passed (L/mu) g, with
N_passed = Q(T)/e the electrons the current carried through.  The amplification factor is our
scatterings per passed electron over RS's, S(T)/(N_passed L/mu) (section 3).
"""

from __future__ import annotations

import scipy.constants as sc

__all__ = ["RS_CAPTURE_PROBABILITY", "counts_summary"]

RS_CAPTURE_PROBABILITY = 0.1   # Ramberg & Snow's capture probability per scattering (eq. 1)


def counts_summary(*, scatterings_total, charge_passed, length, mean_free_path,
                   capture_probability, geometric_factor, xray_count_limit=None):
    """Counts from the total scatterings S(T) and the charge Q(T) [C] carried through.

    Returns a dict: ``xrays_per_unit_violation`` = r S g; ``beta2_half_bound`` (None without a
    count limit); ``rs_scatterings_per_electron`` = L/mu; ``electrons_passed`` = Q/e;
    ``rs_xrays_per_unit_violation``; ``rs_beta2_half_bound``; ``amplification_factor``
    (None without current).
    """
    xrays = capture_probability * scatterings_total * geometric_factor
    passed = charge_passed / sc.e
    rs_per_electron = length / mean_free_path
    rs_xrays = RS_CAPTURE_PROBABILITY * passed * rs_per_electron * geometric_factor

    def bound(per_unit):
        if xray_count_limit is None or per_unit <= 0:
            return None
        return xray_count_limit / per_unit

    return {
        "xrays_per_unit_violation": xrays,
        "beta2_half_bound": bound(xrays),
        "electrons_passed": passed,
        "rs_scatterings_per_electron": rs_per_electron,
        "rs_xrays_per_unit_violation": rs_xrays,
        "rs_beta2_half_bound": bound(rs_xrays),
        "amplification_factor": (scatterings_total / (passed * rs_per_electron)) if passed > 0 else None,
    }
