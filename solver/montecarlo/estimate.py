"""From the tallies of independent batches to N(t), integral N dt and their standard errors.

Each batch b gives, per population p (0 new, 1 old) and output k, the sums over its electrons of
the contributions X (weight times the indicator of being in the target at t_k, or weight times
the estimated time spent in it up to t_k), of X^2, and the count of non-zero X.  Two unbiased
batch estimates of the new electrons in the target follow:

    direct:      N_b = sum_new X                       (the reservoir's electrons that arrived)
    complement:  N_b = n V_target - sum_old X          (all electrons but the old ones left)
                 (for the time integral: n V_target t_k - sum_old X)

and they are combined as N_b = (1 - beta_b) direct + beta_b complement with the inverse-variance
weight beta_b = var_direct/(var_direct + var_complement), the variances estimated from the
per-electron sums (sum X^2 - (sum X)^2/M; at least one electron of the smallest weight,
``resolution``, so that a population that saw no electron is not taken as exact) of the *other*
batches: a weight fitted to a batch's own fluctuations would favour the estimate that happened
to scatter less and make the spread of the batches understate the error.
The result is the mean over batches, its standard error the batches' standard deviation over
sqrt(B); where a population used with weight beta_p saw no electron at all, beta_p times its
resolution is added in quadrature (the estimate is then resolved only to one electron).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Tallies", "Estimate", "combine"]


@dataclass
class Tallies:
    """One batch: ``sums`` and ``integrals`` (3, 2, outputs): [value, square, count] per
    population and output; ``electrons`` (2,) per population; ``resolution`` (2,) [electrons];
    ``steps`` (2,) exact and split steps."""

    sums: np.ndarray
    integrals: np.ndarray
    electrons: np.ndarray
    resolution: np.ndarray
    steps: np.ndarray


@dataclass
class Estimate:
    """N(t) and integral_0^t N dt at the output times with standard errors; ``beta`` the weight
    of the complement estimate per output; ``hits`` electrons seen in the target per population
    and output (all batches)."""

    n_target: np.ndarray
    n_target_stderr: np.ndarray
    integral: np.ndarray
    integral_stderr: np.ndarray
    beta: np.ndarray
    hits: np.ndarray


def _combine_one(tallies, key, total, resolution_scale):
    """Combined batch estimates (B, outputs), beta, and the resolution floor of one quantity.
    ``total`` (outputs,) is what new + old sum to; ``resolution_scale`` (outputs,) multiplies
    the per-electron resolution (1 for N, the shortest interval for the time integral)."""
    stack = np.stack([getattr(t, key) for t in tallies])          # (B, 3, 2, K)
    electrons = np.stack([t.electrons for t in tallies])           # (B, 2)
    res = np.stack([t.resolution for t in tallies]).mean(axis=0)   # (2,)
    B = len(tallies)
    value, square, count = stack[:, 0], stack[:, 1], stack[:, 2]   # (B, 2, K)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_batch = square - np.where(electrons[:, :, None] > 0, value ** 2 / electrons[:, :, None], 0.0)
    others = (per_batch.sum(axis=0)[None] - per_batch) / max(B - 1, 1)   # (B, 2, K): leave one out
    floor = (res[:, None] * resolution_scale[None, :]) ** 2
    var = np.maximum(np.maximum(others, 0.0), floor[None])
    has = electrons.sum(axis=0) > 0                                   # populations simulated
    if has[0] and has[1]:
        beta_b = var[:, 0] / (var[:, 0] + var[:, 1])                 # (B, K)
    else:
        beta_b = np.full((B, value.shape[-1]), 0.0 if has[0] else 1.0)
    direct = value[:, 0]
    complement = total[None, :] - value[:, 1]
    estimates = (1.0 - beta_b) * direct + beta_b * complement
    beta = beta_b.mean(axis=0)
    seen = count.sum(axis=0)                                          # (2, K)
    extra = (np.where(has[0] & (seen[0] == 0), (1 - beta) * res[0], 0.0) ** 2
             + np.where(has[1] & (seen[1] == 0), beta * res[1], 0.0) ** 2) * (resolution_scale / B) ** 2
    return estimates, beta, extra, seen


def combine(tallies, target_electrons: float, times) -> Estimate:
    """The :class:`Estimate` of a list of batch :class:`Tallies` (module docstring);
    ``target_electrons`` n V_target, ``times`` the output times [s]."""
    times = np.asarray(times, float)
    B = len(tallies)
    ones = np.ones_like(times)
    n_b, beta, extra_n, seen = _combine_one(tallies, "sums", target_electrons * ones, ones)
    shortest = np.full_like(times, times[0])
    i_b, _, extra_i, _ = _combine_one(tallies, "integrals", target_electrons * times, shortest)
    se_n = np.sqrt(n_b.var(axis=0, ddof=1) / B + extra_n)
    se_i = np.sqrt(i_b.var(axis=0, ddof=1) / B + extra_i)
    return Estimate(n_target=n_b.mean(axis=0), n_target_stderr=se_n, integral=i_b.mean(axis=0),
                    integral_stderr=se_i, beta=beta, hits=seen)
