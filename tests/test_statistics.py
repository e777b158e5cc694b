"""Upper limits on a Poisson signal over a known background (solver.physics.statistics)
against published tables and closed forms.

Feldman-Cousins: G. J. Feldman and R. D. Cousins, "Unified approach to the classical
statistical analysis of small signals", Phys. Rev. D 57, 3873 (1998), arXiv:physics/9711021:
Table IV (90% C.L. intervals for the Poisson signal mean mu, total events observed n0, known
mean background b) and Table VI (the same at 95% C.L.), typed in below.  The tables print two
decimals; their upper ends are made non-increasing in b (sec. IV B), which the package applies.
Gaussian limit: Table X (Gaussian with a boundary at the origin), x0 = 0: [0.00, 1.64] sigma.
Bayesian flat-prior limits with b = 0: the classical Poisson upper limits (PDG, Review of
Particle Physics, "Statistics", Table 40.3: 2.30, 3.89, 5.32, 6.68 at 90% for n = 0..3).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from vip_transport.solver.physics.statistics import (bayesian_upper, feldman_cousins,
                                                     feldman_cousins_upper)

#: Feldman & Cousins (1998), Table IV, 90% C.L.: (n0, b): (mu_1, mu_2)
TABLE_IV = {
    (0, 0.0): (0.00, 2.44), (1, 0.0): (0.11, 4.36), (2, 0.0): (0.53, 5.91), (3, 0.0): (1.10, 7.42),
    (4, 0.0): (1.47, 8.60), (5, 0.0): (1.84, 9.99),
    (0, 0.5): (0.00, 1.94), (0, 1.0): (0.00, 1.61), (0, 2.0): (0.00, 1.26), (0, 3.0): (0.00, 1.08),
    (0, 4.0): (0.00, 1.01), (0, 5.0): (0.00, 0.98),
    (1, 1.0): (0.00, 3.36), (1, 4.0): (0.00, 1.39), (1, 5.0): (0.00, 1.22),
    (3, 1.0): (0.10, 6.42), (3, 3.0): (0.00, 4.42), (5, 3.0): (0.00, 6.99),
}
#: Feldman & Cousins (1998), Table VI, 95% C.L.
TABLE_VI = {
    (0, 0.0): (0.00, 3.09), (1, 0.0): (0.05, 5.14), (2, 0.0): (0.36, 6.72), (3, 0.0): (0.82, 8.25),
    (0, 2.5): (0.00, 1.78), (0, 4.0): (0.00, 1.57), (1, 4.0): (0.00, 2.08), (2, 5.0): (0.00, 2.49),
}


@pytest.mark.parametrize("cl, table", [(0.90, TABLE_IV), (0.95, TABLE_VI)], ids=["table-IV", "table-VI"])
def test_feldman_cousins_reproduces_the_published_tables(cl, table):
    # two printed decimals: agreement to 0.01 (the tables were computed on a grid in mu)
    for (n0, b), (lo, hi) in table.items():
        ours = feldman_cousins(n0, b, cl)
        assert ours[0] == pytest.approx(lo, abs=0.01), (n0, b, ours)
        assert ours[1] == pytest.approx(hi, abs=0.01), (n0, b, ours)


def test_the_tables_upper_ends_are_the_plain_ends_made_non_increasing_in_b():
    # the plain construction dips below the table where its saw-tooth falls (n0 = 0, b = 2:
    # about 1.08 against the printed 1.26); the monotone rule never lowers an end
    assert feldman_cousins_upper(0, 2.0, monotone=False) < TABLE_IV[(0, 2.0)][1] - 0.1
    ends = [feldman_cousins_upper(0, b) for b in np.arange(0.0, 5.01, 0.25)]
    assert all(later <= earlier + 2e-3 for earlier, later in zip(ends, ends[1:]))
    for b in (0.5, 2.0, 3.3):
        assert feldman_cousins_upper(1, b) >= feldman_cousins_upper(1, b, monotone=False)


def test_feldman_cousins_large_counts_reach_the_gaussian_limit():
    # n0 = b = 2500: a Gaussian measured at its boundary, [0, 1.64 sigma] (Table X), with the
    # Poisson sigma at the upper end, sqrt(b + mu_2): mu_2 = z sqrt(b + mu_2), z = 1.64; to 1 %
    # (the table's two digits and half a count of discreteness)
    b, z = 2500.0, 1.64
    lo, hi = feldman_cousins(2500, b, monotone=False)
    gaussian = 0.5 * (z * z + math.sqrt(z**4 + 4.0 * z * z * b))
    assert lo == 0.0
    assert hi == pytest.approx(gaussian, rel=0.01)


def test_bayesian_limit_without_background_is_the_classical_poisson_limit():
    for n0, printed in enumerate((2.30, 3.89, 5.32, 6.68)):
        s = bayesian_upper(n0, 0.0, 0.9)
        assert s == pytest.approx(printed, abs=0.005)
        # independent closed form: s = chi2_{CL}(2 (n0 + 1)) / 2
        assert s == pytest.approx(0.5 * stats.chi2.ppf(0.9, 2 * (n0 + 1)), rel=1e-9)


def test_bayesian_limit_with_no_events_does_not_depend_on_the_background():
    for b in (0.0, 0.7, 3.0, 40.0):
        assert bayesian_upper(0, b, 0.9) == pytest.approx(-math.log(0.1), rel=1e-9)


def test_bayesian_limit_solves_helene_formula():
    n0, b, cl = 7, 4.2, 0.95
    s = bayesian_upper(n0, b, cl)
    ratio = stats.poisson.cdf(n0, s + b) / stats.poisson.cdf(n0, b)
    assert ratio == pytest.approx(1 - cl, rel=1e-8)


@pytest.mark.parametrize("args", [(-1, 0.0, 0.9), (1.5, 0.0, 0.9), (1, -0.1, 0.9), (1, math.nan, 0.9),
                                  (1, 0.0, 1.0), (1, 0.0, 0.0)])
def test_bad_inputs_are_refused(args):
    with pytest.raises(ValueError):
        feldman_cousins(*args)
    with pytest.raises(ValueError):
        bayesian_upper(*args)
