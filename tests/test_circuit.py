"""The circuit reservoir: a loop of copper in which what leaves the outlet re-enters the
reservoir.  The closed form (solver.physics.circuit) by its two independent evaluations (images
and Fourier series) against each other, its conservation of electrons round the loop, its
mixed limit n L_res/P, its reduction to the finite reservoir when the loop is long, and the
case keys that make it."""

from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import D_DEGENERATE, D_EINSTEIN, N_CU, TABLE1, make_case
from vip_transport.solver.errors import CaseError
from vip_transport.solver.physics import analytic, circuit

VIP2 = TABLE1["vip2"]
L, A = VIP2.length, VIP2.area
V = VIP2.drift_velocity()                    # 100 A


def loop(reservoir=2.0, connector=0.01, outlet=0.1):
    """(x_min, x_max, P) of a loop: reservoir, connector, target, outlet [m]."""
    x_max = -connector
    x_min = x_max - reservoir
    return x_min, x_max, L + outlet - x_min


@pytest.mark.parametrize("D", [D_EINSTEIN, 30 * D_EINSTEIN, D_DEGENERATE])
def test_images_and_fourier_series_agree(D):
    x_min, x_max, P = loop()
    t = np.geomspace(P**2 / (4 * D) * 0.02, P**2 / (4 * D) * 5, 9)       # s/P from 0.14 to 2.2
    X = V * t
    by_images = circuit._images(t, X, L, x_min, x_max, P, D, N_CU, A, "standard")
    by_fourier = circuit._fourier(t, X, L, x_min, x_max, P, D, N_CU, A, "standard")
    np.testing.assert_allclose(by_images, by_fourier, rtol=1e-12, atol=0)


@pytest.mark.parametrize("D", [D_EINSTEIN, D_DEGENERATE])
def test_the_loop_holds_its_electrons(D):
    # electrons on any stretch one loop long, [a, a + P), are the reservoir's n A L_res at every t
    x_min, x_max, P = loop()
    for t in (0.0, 3.0, 300.0, 3e4, 3e6):
        X = V * t
        for a in (-1.3, 0.0, 0.41):
            total = circuit.electrons_in_target_loop(t, X, P, x_min - a, x_max - a, P, D, N_CU, A)
            assert total == pytest.approx(N_CU * A * (x_max - x_min), rel=1e-12), (t, a)


def test_the_loop_mixes_to_the_reservoirs_share():
    # long after the electrons have spread round the loop: N/(n A L) = L_res/P, with or without current
    x_min, x_max, P = loop()
    t = 50 * P**2 / D_EINSTEIN
    for X in (0.0, V * t):
        n_target = circuit.electrons_in_target_loop(t, X, L, x_min, x_max, P, D_EINSTEIN, N_CU, A)
        assert n_target / (N_CU * A * L) == pytest.approx((x_max - x_min) / P, rel=1e-12)


def test_a_long_loop_is_a_finite_reservoir():
    # while neither the recirculated electrons (a loop of 60 m at 7.4 mm/s) nor those diffusing
    # back across the junction behind a 1 m outlet (exp(-v l_out/D) = e^-65) reach the target,
    # the loop is the open line
    x_min, x_max, P = loop(reservoir=60.0, outlet=1.0)
    t = np.geomspace(1e-2, 2000.0, 40)
    X = V * t
    ring = circuit.electrons_in_target_loop(t, X, L, x_min, x_max, P, D_EINSTEIN, N_CU, A)
    line = analytic.electrons_in_target(t, X, L, x_min, x_max, D_EINSTEIN, N_CU, A)
    np.testing.assert_allclose(ring, line, rtol=1e-12, atol=0)
    # with a short outlet the new electrons just behind the junction diffuse back into the target:
    # exp(-v l_out/D) ~ 1.5e-3 (Einstein D, 10 cm, 100 A): a physical difference, not an error
    x_min, x_max, P = loop(reservoir=60.0, outlet=0.1)
    ring = circuit.electrons_in_target_loop(20.0, V * 20.0, L, x_min, x_max, P, D_EINSTEIN, N_CU, A)
    line = analytic.electrons_in_target(20.0, V * 20.0, L, x_min, x_max, D_EINSTEIN, N_CU, A)
    assert 1e-5 < (ring - line) / (N_CU * A * L) < math.exp(-V * 0.1 / D_EINSTEIN)


def test_case_keys_of_a_circuit():
    case = make_case("vip2", geometry={"reservoir": {"length": "2 m", "circuit": True}})
    assert case.geometry.reservoir.circuit is True and case.geometry.reservoir.length == 2.0
    for sections, key in (({"geometry": {"reservoir": {"circuit": True}}}, "geometry.reservoir.circuit"),
                          ({"geometry": {"reservoir": {"length": "2 m", "circuit": "yes"}}},
                           "geometry.reservoir.circuit"),
                          ({"geometry": {"dimension": 2, "reservoir": {"length": "2 m", "circuit": True}}},
                           "geometry.dimension"),
                          ({"geometry": {"reservoir": {"length": "2 m", "circuit": True}},
                            "transport": {"injection": "single-electron"}}, "transport.injection"),
                          ({"geometry": {"reservoir": {"length": "2 m", "circuit": True}}, "method": "montecarlo"},
                           "method")):
        with pytest.raises(CaseError, match=key.replace(".", r"\.")):
            make_case("vip2", **sections)


# ----------------------------------------------------------------------------- finite volumes

def loop_case(method, reservoir="0.5 m", outlet="10 cm", circuit=True, duration="200 s", fv=None):
    return make_case("vip2", geometry={"reservoir": {"length": reservoir, "circuit": circuit},
                                       "outlet": {"length": outlet}},
                     time={"duration": duration, "outputs": 40}, method=method, fv=fv or {})


def test_finite_volumes_round_the_loop_conserve_and_match_the_closed_form():
    # a 0.68 m loop at 100 A: the electrons go round three times in 200 s
    from vip_transport.solver.run import run_case

    exact = run_case(loop_case("analytic"))
    fv = run_case(loop_case("fv", fv={"time_steps": 8000}))
    cons = fv.numerics["conservation"]
    assert fv.numerics["loop"] is True
    # what leaves the outlet re-enters the reservoir: no electron created or lost
    assert cons["worst_relative_balance"] <= 1e-10
    assert cons["final_content"] == pytest.approx(cons["initial_content"], rel=1e-12)
    assert cons["inflow"] == cons["outflow"]
    # new electrons that crossed the loop's junction (x_j = L + outlet) by T, from the images:
    # those now beyond x_j minus those that started there (images k >= 1)
    x_min, x_max, P = loop(reservoir=0.5)
    x_j, T = L + 0.1, 200.0
    crossed = sum(float(analytic.electrons_in_interval(T, V * T, x_j, math.inf, x_min + k * P, x_max + k * P,
                                                       D_EINSTEIN, N_CU, A))
                  - (N_CU * A * (x_max - x_min) if k >= 1 else 0.0) for k in range(-40, 41))
    assert cons["outflow"] == pytest.approx(crossed, rel=2e-4)
    error = np.max(np.abs(fv.electrons_in_target - exact.electrons_in_target)) / np.max(exact.electrons_in_target)
    assert error < 5e-5
    assert fv.cumulative_scatterings[-1] == pytest.approx(exact.cumulative_scatterings[-1], rel=1e-5)


def test_finite_volumes_of_a_long_loop_are_a_finite_reservoir():
    from vip_transport.solver.run import run_case

    kw = dict(reservoir="60 m", outlet="1 m", duration="500 s")
    loop = run_case(loop_case("fv", **kw))
    line = run_case(loop_case("fv", circuit=False, **kw))
    exact = run_case(loop_case("analytic", circuit=False, **kw))
    top = np.max(exact.electrons_in_target)
    assert np.max(np.abs(loop.electrons_in_target - exact.electrons_in_target)) / top < 1e-4
    assert np.max(np.abs(loop.electrons_in_target - line.electrons_in_target)) / top < 1e-4
    assert loop.numerics["conservation"]["worst_relative_balance"] <= 1e-10


def test_the_plain_fipy_stepper_is_refused_for_a_loop():
    with pytest.raises(CaseError, match=r"fv\.stepper: expected stepper cached"):
        loop_case("fv", fv={"stepper": "fipy"})
