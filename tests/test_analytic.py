"""Tests of solver.analytic against independent computations (quadrature, ODE integration, limits).

Numbers: VIP-2 L = 0.071 m, v = 7.4e-3 m/s; VIP L = 0.088 m, v = 2.1e-4 m/s; D = 1.1e-4 m^2/s
(eq. 13); tau = 2.5e-14 s (eq. 10); n = 8.4e28 m^-3; A = 1e-6 m^2 (VIP-2 strip 50 um x 20 mm).
"""

import math

import numpy as np
import pytest
from scipy import integrate, special

from vip_transport.solver.physics import analytic as an
from vip_transport.solver.errors import SolverError

D = 1.1e-4
TAU = 2.5e-14
N_E = 8.4e28
AREA = 1.0e-6
L2, V2 = 0.071, 7.4e-3          # VIP-2
L1, V1 = 0.088, 2.1e-4          # VIP
CONNECTOR = 0.01                # x_max = -1 cm
EPS = np.finfo(float).eps

RESERVOIRS = {
    "short": -CONNECTOR - 0.25,
    "163 km": -CONNECTOR - 2.3e6 * L2,      # 2.3e6 target lengths: the stability case
    "semi-infinite": -math.inf,
}


def quad(f, a, b, **kw):
    """scipy quad for references: value only; full_output=1 keeps roundoff notices out of the log
    (the assertion that compares with the reference is the judge of its accuracy)."""
    return integrate.quad(f, a, b, full_output=1, **kw)[0]


def quad_points(lo, hi, centres, s, ks=(-40, -20, -10, -5, -2, -1, 0, 1, 2, 5, 10, 20, 40)):
    """Break points for quad around the features (edges) of an erf profile of width s."""
    pts = {c + k * s for c in centres for k in ks}
    return sorted(p for p in pts if lo < p < hi) or None


# ----------------------------------------------------------------------------- conventions


def test_kernel_diffusivity_and_spread():
    assert an.kernel_diffusivity(D) == D
    assert an.kernel_diffusivity(D, "paper") == D / 2
    assert an.spread(3.0, D) == math.sqrt(4 * D * 3.0)
    assert an.spread(3.0, D, "paper") == math.sqrt(2 * D * 3.0)
    with pytest.raises(ValueError, match="convention"):
        an.kernel_diffusivity(D, "Paper")
    with pytest.raises(ValueError):
        an.spread(-1.0, D)


@pytest.mark.parametrize("convention, variance_per_Dt", [("standard", 2.0), ("paper", 1.0)])
def test_greens_function_normalised_mean_variance(convention, variance_per_Dt):
    t, X = 30.0, 0.05
    var = variance_per_Dt * D * t
    sd = math.sqrt(var)
    moments = [quad(lambda x: x**k * an.greens_function(x, t, X, D, convention),
                              X - 40 * sd, X + 40 * sd, points=[X], epsabs=0, epsrel=1e-13, limit=200)
               for k in (0, 1, 2)]
    assert moments[0] == pytest.approx(1.0, rel=1e-12, abs=0)
    assert moments[1] == pytest.approx(X, rel=1e-12, abs=0)
    assert moments[2] - moments[1] ** 2 == pytest.approx(var, rel=1e-9, abs=0)


def test_greens_function_at_t0_is_a_delta():
    np.testing.assert_array_equal(an.greens_function(np.array([-1.0, 0.0, 1.0]), 0.0, 0.0, D), [0.0, np.inf, 0.0])


def test_greens_function_paper_is_eq14_as_printed():
    x, t, X = np.linspace(-0.05, 0.2, 11), 10.0, 0.074
    eq14 = np.exp(-(x - X) ** 2 / (2 * D * t)) / np.sqrt(2 * np.pi * D * t)
    np.testing.assert_allclose(an.greens_function(x, t, X, D, "paper"), eq14, rtol=1e-13)


def test_paper_convention_is_standard_with_half_D():
    t = np.array([1e-3, 1.0, 30.0, 1e4])
    X = V2 * t
    for got, ref in [
        (an.probability_in_target(t, X, L2, D, "paper"), an.probability_in_target(t, X, L2, D / 2)),
        (an.reservoir_density(0.02, t, X, -1.0, -CONNECTOR, D, N_E, "paper"),
         an.reservoir_density(0.02, t, X, -1.0, -CONNECTOR, D / 2, N_E)),
        (an.electrons_in_target(t, X, L2, -1.0, -CONNECTOR, D, N_E, AREA, "paper"),
         an.electrons_in_target(t, X, L2, -1.0, -CONNECTOR, D / 2, N_E, AREA)),
    ]:
        np.testing.assert_allclose(got, ref, rtol=1e-14, atol=0)
    # and the two conventions really differ (guards against a convention argument that is ignored)
    assert not np.allclose(an.probability_in_target(t, X, L2, D, "paper"), an.probability_in_target(t, X, L2, D))


# ----------------------------------------------------------------------------- erf_integral


def _erf_integral_reference(a, b, shift, s):
    ref = quad(lambda x: special.erf((x - shift) / s), a, b, epsabs=0, epsrel=1e-13, limit=2000,
                         points=quad_points(a, b, [shift], s))
    # Allowance for the rounding of x - shift itself (inherent to any evaluation): eps*|x| in the
    # argument, times the largest slope of erf on (a, b).
    z_min = 0.0 if a <= shift <= b else min(abs(a - shift), abs(b - shift)) / s
    slope = 2 / math.sqrt(math.pi) / s * math.exp(-z_min**2)
    return ref, 4 * EPS * max(abs(a), abs(b), abs(shift)) * (b - a) * slope


def test_erf_integral_random_against_quad():
    rng = np.random.default_rng(20180515)
    for _ in range(300):
        s = 10 ** rng.uniform(-4, 2)
        shift = rng.normal() * 10 ** rng.uniform(-3, 5)
        if rng.random() < 0.5:   # close to the step
            a = shift + rng.normal() * s * rng.uniform(0, 40)
            b = a + s * 10 ** rng.uniform(-4, 1.5)
        else:
            a = rng.normal() * 10 ** rng.uniform(-3, 3)
            b = a + 10 ** rng.uniform(-4, 2)
        ref, allowance = _erf_integral_reference(a, b, shift, s)
        assert abs(an.erf_integral(a, b, shift, s) - ref) <= 1e-12 * abs(ref) + allowance, (a, b, shift, s)


@pytest.mark.parametrize("shift, s", [(-1e5, 1e-3), (-1e5, 1.0), (-1e5, 100.0), (-1e5, 3e4), (1e5, 2.0),
                                      (-1.633e5, 1e5)])
def test_erf_integral_far_same_sign_is_stable(shift, s):
    a, b = 0.0, 0.07
    ref, _ = _erf_integral_reference(a, b, shift, s)
    got = an.erf_integral(a, b, shift, s)
    assert got == pytest.approx(ref, rel=1e-13, abs=0)
    # The naive antiderivative difference cannot pass this tolerance when erf ~ 1 (shows the test bites).
    F = lambda u: u * special.erf(u / s) + s / math.sqrt(math.pi) * math.exp(-(u / s) ** 2)
    if s < 10:
        assert abs(F(b - shift) - F(a - shift) - ref) > 1e-12 * abs(ref)


def test_erf_integral_vanishing_spread_is_sign_integral():
    for a, b, shift in [(-0.3, 0.7, 0.1), (0.2, 0.5, -1.0), (-2.0, -1.0, 0.0), (-1.0, 1.0, 0.0), (0.0, 1.0, 0.0)]:
        exact = abs(b - shift) - abs(a - shift)            # integral of sign(x - shift)
        ref = quad(lambda x: special.erf((x - shift) / 1e-300), a, b, points=[shift] if a < shift < b
                             else None, epsabs=0, epsrel=1e-13)
        assert ref == pytest.approx(exact, rel=1e-12, abs=1e-15)
        for s in (1e-300, 0.0):
            assert an.erf_integral(a, b, shift, s) == pytest.approx(exact, rel=1e-14, abs=1e-300)


def test_erf_integral_vectorised_and_oriented():
    a = np.array([0.0, 0.5, -1.0])
    b = np.array([1.0, 0.2, 2.0])
    shift = np.array([0.3, -0.1, 0.5])
    s = np.array([0.1, 0.0, 2.0])
    got = an.erf_integral(a, b, shift, s)
    assert got.shape == (3,)
    for k in range(3):
        assert got[k] == an.erf_integral(a[k], b[k], shift[k], s[k])
    assert an.erf_integral(1.0, 0.0, 0.3, 0.1) == -an.erf_integral(0.0, 1.0, 0.3, 0.1)


# ----------------------------------------------------------------------------- P(t) and c(x, t)


def test_probability_zero_current_is_half_erf():
    t = np.array([1e-3, 0.1, 1.0, 10.0, 1e3, 1e6])
    s = np.sqrt(4 * D * t)
    np.testing.assert_allclose(an.probability_in_target(t, 0 * t, L2, D), special.erf(L2 / s) / 2, rtol=1e-15, atol=0)


def test_probability_against_quad_of_greens_function():
    for t in (1e-2, 1.0, 9.6, 50.0):
        X = V2 * t
        s = an.spread(t, D)
        ref = quad(lambda x: an.greens_function(x, t, X, D), 0, L2, epsabs=0, epsrel=1e-13,
                             points=quad_points(0, L2, [X], s), limit=500)
        assert an.probability_in_target(t, X, L2, D) == pytest.approx(ref, rel=1e-11)
    assert an.probability_in_target(0.0, 0.0, L2, D) == 0.5


@pytest.mark.parametrize("x_min", [-0.5, -math.inf])
def test_reservoir_density_initial_step(x_min):
    x_max = -CONNECTOR
    x = np.array([x_max - 0.1, x_max, x_max + 1e-12, 0.03, x_min if np.isfinite(x_min) else -1e6])
    c = an.reservoir_density(x, 0.0, 0.0, x_min, x_max, D, N_E)
    expected = [N_E, N_E / 2, 0.0, 0.0, N_E / 2 if np.isfinite(x_min) else N_E]
    if np.isfinite(x_min):
        assert an.reservoir_density(x_min - 1e-9, 0.0, 0.0, x_min, x_max, D, N_E) == 0.0
    np.testing.assert_array_equal(c, expected)


@pytest.mark.parametrize("convention", ["standard", "paper"])
def test_reservoir_density_is_convolution_of_greens_function(convention):
    # Eq. (24) times n, with its factor 1/2: c(x) = n * integral_{x_min}^{x_max} G(x - x0) dx0.
    x_min, x_max = -0.06, -CONNECTOR
    for t, x in [(1.0, -0.03), (1.0, 0.0), (20.0, 0.05), (300.0, 0.5)]:
        X = V2 * t
        s = an.spread(t, D, convention)
        ref = N_E * quad(lambda x0: an.greens_function(x - x0, t, X, D, convention), x_min, x_max,
                                   epsabs=0, epsrel=1e-13, points=quad_points(x_min, x_max, [x - X], s))
        assert an.reservoir_density(x, t, X, x_min, x_max, D, N_E, convention) == pytest.approx(ref, rel=1e-11)


def test_reservoir_density_semi_infinite_is_erfc():
    x, t = np.linspace(-0.1, 0.2, 7), 40.0
    X, s = V2 * t, math.sqrt(4 * D * t)
    np.testing.assert_allclose(an.reservoir_density(x, t, X, -math.inf, -CONNECTOR, D, N_E),
                               N_E / 2 * special.erfc((x + CONNECTOR - X) / s), rtol=1e-14)


# ----------------------------------------------------------------------------- N(t)


@pytest.mark.parametrize("reservoir", list(RESERVOIRS))
@pytest.mark.parametrize("v", [0.0, V2])
def test_electrons_in_target_against_quad(reservoir, v):
    x_min, x_max = RESERVOIRS[reservoir], -CONNECTOR
    for t in (1e-3, 0.1, 10.0, 1e3, 1e4):
        X = v * t
        s = an.spread(t, D)
        ref = AREA * quad(lambda x: an.reservoir_density(x, t, X, x_min, x_max, D, N_E), 0, L2,
                                    epsabs=0, epsrel=1e-12, limit=1000,
                                    points=quad_points(0, L2, [x_max + X, x_min + X], s))
        got = an.electrons_in_target(t, X, L2, x_min, x_max, D, N_E, AREA)
        assert ref > 0 or (reservoir == "short" and v * t > 1.0)   # a short reservoir drifts past
        assert got == pytest.approx(ref, rel=1e-10, abs=0), (t, X)


def test_electrons_in_target_vectorised_over_time():
    t = np.array([0.0, 1e-3, 1.0, 100.0])
    x_min = RESERVOIRS["163 km"]
    got = an.electrons_in_target(t, V2 * t, L2, x_min, -CONNECTOR, D, N_E, AREA)
    assert got.shape == t.shape
    assert got[0] == 0.0
    for k in range(t.size):
        assert got[k] == an.electrons_in_target(t[k], V2 * t[k], L2, x_min, -CONNECTOR, D, N_E, AREA)


@pytest.mark.parametrize("v", [0.0, V2, -V2])
def test_mass_bookkeeping_finite_reservoir(v):
    x_min, x_max = -1.3, -CONNECTOR
    total = N_E * AREA * (x_max - x_min)
    for t in (0.0, 1e-3, 1.0, 60.0, 1e4, 1e7):
        X = v * t
        parts = [an.electrons_in_interval(t, X, a, b, x_min, x_max, D, N_E, AREA)
                 for a, b in [(-math.inf, 0.0), (0.0, L2), (L2, math.inf)]]
        assert min(parts) >= 0
        assert sum(parts) == pytest.approx(total, rel=1e-12, abs=0), t
        everything = an.electrons_in_interval(t, X, -math.inf, math.inf, x_min, x_max, D, N_E, AREA)
        assert everything == pytest.approx(total, rel=1e-13, abs=0)


@pytest.mark.parametrize("z_front", [8.0, 15.0, 19.0, 25.0])
def test_far_right_tail_is_accurate(z_front):
    # Electrons beyond (L, inf) long before the front (at x_max) arrives: tiny, and must keep its
    # relative accuracy (the erfc integral of the tail is ~ z^2 eps conditioned; tolerance 1e-12).
    x_min, x_max = -1.3, -CONNECTOR
    t = ((L2 - x_max) / z_front) ** 2 / (4 * D)
    s = an.spread(t, D)
    ref = AREA * N_E / 2 * s * quad(lambda z: special.erfc(z), (L2 - x_max) / s, np.inf, epsabs=0, epsrel=1e-13)
    assert 0 < ref < N_E * AREA * L2 * 1e-20
    got = an.electrons_in_interval(t, 0.0, L2, math.inf, x_min, x_max, D, N_E, AREA)
    assert got == pytest.approx(ref, rel=1e-12)


def test_semi_infinite_reservoir_needs_finite_left_end():
    with pytest.raises(ValueError, match="infinitely many"):
        an.electrons_in_interval(1.0, 0.0, -math.inf, 0.0, -math.inf, -CONNECTOR, D, N_E, AREA)
    right = an.electrons_in_interval(1.0, 0.0, L2, math.inf, -math.inf, -CONNECTOR, D, N_E, AREA)
    assert np.isfinite(right) and right > 0


def test_zero_current_limit_is_half_the_current_limit():
    # Semi-infinite reservoir: N = (nA/2) integral_0^L erfc((x + d)/s) dx.  Independent limit from the
    # series erfc(y) = 1 - (2/sqrt(pi))(y - y^3/3 + y^5/10 - ...): the y^5 term is below
    # ((L + d)/s)^4 ~ 2e-14 relative to the leading one at t = 1e8 s (s = 210 m).
    d, t = CONNECTOR, 1e8
    s = math.sqrt(4 * D * t)
    series = L2 - 2 / math.sqrt(math.pi) * (((L2 + d) ** 2 - d**2) / (2 * s) - ((L2 + d) ** 4 - d**4) / (12 * s**3))
    no_current = an.electrons_in_target(t, 0.0, L2, -math.inf, -d, D, N_E, AREA)
    assert no_current == pytest.approx(N_E * AREA / 2 * series, rel=1e-13)
    assert no_current / (N_E * AREA * L2) == pytest.approx(0.5, rel=1e-3)
    # With current the target fills completely: X = 740 m >> s = 6.6 m at t = 1e5 s.
    with_current = an.electrons_in_target(1e5, V2 * 1e5, L2, -math.inf, -d, D, N_E, AREA)
    assert with_current == pytest.approx(N_E * AREA * L2, rel=1e-14)


# ----------------------------------------------------------------------------- time integrals


def test_cumulative_time_integral_known_integrals():
    times = np.array([0.0, 1e-4, 0.5, 3.0, 7.0, 1e3])
    cases = [
        (lambda t: 1 / math.sqrt(t) if t > 0 else math.inf, lambda T: 2 * np.sqrt(T), ()),   # t^-1/2 at 0
        (lambda t: math.exp(-t / 5), lambda T: 5 * -np.expm1(-T / 5), ()),                # long flat tail
        (lambda t: abs(t - 3.0 + 1.0), lambda T: np.where(T < 2, 2 * T - T**2 / 2, 2 + (T - 2) ** 2 / 2), (2.0,)),
    ]
    for f, exact, bps in cases:
        got = an.cumulative_time_integral(f, times, breakpoints=bps)
        np.testing.assert_allclose(got, exact(times), rtol=1e-11, atol=0)


def test_cumulative_time_integral_errors():
    with pytest.raises(ValueError, match="sorted"):
        an.cumulative_time_integral(lambda t: 1.0, [2.0, 1.0])
    with pytest.raises(SolverError, match="not finite"):
        an.cumulative_time_integral(lambda t: math.nan, [1.0])
    noise = np.random.default_rng(1).random
    with pytest.raises(SolverError, match="did not reach"):   # an integrand quad cannot resolve
        an.cumulative_time_integral(lambda t: noise(), [1.0], rtol=1e-12)


def test_time_dependent_drift_switched_on():
    # Current switched on at t_on: X(t) = v max(t - t_on, 0).  Semi-infinite reservoir behind a
    # 1 cm connector; VIP-2 drift speed.
    t_on = 50.0
    x_of_t = lambda t: V2 * np.maximum(np.asarray(t, float) - t_on, 0.0)
    N = lambda t: an.electrons_in_target(t, x_of_t(t), L2, -math.inf, -CONNECTOR, D, N_E, AREA)

    early = np.array([1e-3, 1.0, 20.0, 49.9, 50.0])
    np.testing.assert_array_equal(N(early), an.electrons_in_target(early, 0 * early, L2, -math.inf, -CONNECTOR,
                                                                       D, N_E, AREA))
    assert N(60.0) > 1.5 * an.electrons_in_target(60.0, 0.0, L2, -math.inf, -CONNECTOR, D, N_E, AREA)

    times = np.array([10.0, 50.0, 55.0, 100.0, 300.0])
    got = an.cumulative_time_integral(lambda t: float(N(t)), times, breakpoints=[t_on])
    scale = N_E * AREA * L2
    ode = integrate.solve_ivp(lambda t, y: [float(N(t)) / scale], (0.0, times[-1]), [0.0], method="DOP853",
                              t_eval=times, rtol=1e-12, atol=1e-14, first_step=1e-3)
    np.testing.assert_allclose(got, ode.y[0] * scale, rtol=1e-8, atol=0)


@pytest.mark.parametrize("L, v", [(L2, V2), (L1, V1)], ids=["VIP-2", "VIP"])
@pytest.mark.parametrize("convention", ["standard", "paper"])
def test_scatterings_tend_to_transit_time_over_tau(L, v, convention):
    s_inf = an.scatterings_infinite(L, v, TAU)
    assert s_inf == pytest.approx(L / v / TAU, rel=1e-15)
    # Tail bound: for v t >= 2L, (v t - L)/s >= v t/(2 s) = (v/4) sqrt(t/D_k), so
    # P(t) <= erfc((vt - L)/s)/2 <= exp(-v^2 t/(16 D_k))/2 and the integral of P beyond T is at most
    # (8 D_k/v^2) exp(-v^2 T/(16 D_k)).  Pick T with that below 1e-13 * L/v.
    Dk = an.kernel_diffusivity(D, convention)
    T = max(2 * L / v, 16 * Dk / v**2 * math.log(8 * Dk / v**2 / (1e-14 * L / v)))
    assert v * T >= 2 * L and 8 * Dk / v**2 * math.exp(-(v**2) * T / (16 * Dk)) <= 1e-13 * L / v
    S = an.scatterings(np.array([T, L / v, 0.0]), lambda t: v * t, L, D, TAU, convention)
    assert S[0] == pytest.approx(s_inf, rel=1e-10)
    assert 0 == S[2] < S[1] < S[0]


def test_scatterings_order_and_scalar():
    X = lambda t: V2 * t
    T = np.array([30.0, 5.0, 9.6])
    S = an.scatterings(T, X, L2, D, TAU)
    for k in range(3):
        assert S[k] == pytest.approx(an.scatterings(T[k], X, L2, D, TAU), rel=1e-12)
    # independent: quad of eq. (18) in linear time
    ref = quad(lambda t: an.probability_in_target(t, X(t), L2, D), 0, 5.0, epsabs=0, epsrel=1e-12)
    assert S[1] == pytest.approx(ref / TAU, rel=1e-10)


def test_scatterings_infinite_without_current():
    assert an.scatterings_infinite(L2, 0.0, TAU) == math.inf
    np.testing.assert_array_equal(an.scatterings_infinite(L2, np.array([-1.0, 0.0, V2]), TAU),
                                  [math.inf, math.inf, L2 / V2 / TAU])
