"""The Monte Carlo method (issue 15) in 1D: against the closed form and the FV solution, its
standard errors against the spread of independent seeds, reproducibility, the results contract.

Tolerances: N(t) and S(t) within 3 standard errors at every output time, N(T) within 1e-3
relative at the end (and S(T) too where its standard error allows: the uniform lines); the spread of independent seeds within 30 % of the reported error.
Output times start where the target already holds electrons enough to be resolved (at the
first outputs of a run from t ~ 1e-4 T the arrivals are a far tail: an estimate from a handful
of electrons has no reliable standard error).
"""

import csv
import json

import numpy as np
import pytest

from conftest import assert_direct_equals_complement
from vip_transport.solver.cli import main
from vip_transport.solver.config import case_from_dict
from vip_transport.solver.errors import CaseError
from vip_transport.solver.run import run_case


def mc_case(method="montecarlo", electrons=400_000, batches=20, seed=1, duration="30 s",
            outputs=12, first="0.5 s", geometry=None, transport=None, montecarlo=None, fv=None):
    return case_from_dict({
        "name": "mc", "method": method,
        "geometry": {"preset": "vip2", **(geometry or {})},
        "transport": {"current": "100 A", **(transport or {})},
        "time": {"duration": duration, "outputs": outputs, "first_output": first},
        "montecarlo": {"electrons": electrons, "batches": batches, "seed": seed, **(montecarlo or {})},
        "fv": fv or {}, "output": {"fields": []}})


def deviations(mc, ref):
    """(N, S) differences in standard errors at every output, and relative at the end."""
    z_n = (mc.electrons_in_target - ref.electrons_in_target) / mc.stderr["new_electrons_in_target"]
    z_s = (mc.cumulative_scatterings - ref.cumulative_scatterings) / mc.stderr["cumulative_scatterings"]
    end_n = mc.electrons_in_target[-1] / ref.electrons_in_target[-1] - 1
    end_s = mc.cumulative_scatterings[-1] / ref.cumulative_scatterings[-1] - 1
    return z_n, z_s, end_n, end_s


def assert_agrees(mc, ref, end_tol=1e-3, end_tol_s=None):
    """N(t), S(t) within 3 standard errors at every output; N(T) within ``end_tol`` relative
    (and S(T) within ``end_tol_s``, if given)."""
    z_n, z_s, end_n, end_s = deviations(mc, ref)
    assert np.all(np.abs(z_n) <= 3), f"N(t) off by {np.round(z_n, 2)} standard errors"
    assert np.all(np.abs(z_s) <= 3), f"S(t) off by {np.round(z_s, 2)} standard errors"
    assert abs(end_n) <= end_tol, f"N(T) relative difference {end_n:.2e}"
    if end_tol_s is not None:
        assert abs(end_s) <= end_tol_s, f"S(T) relative difference {end_s:.2e}"


def test_uniform_line_matches_closed_form():
    """VIP-2, semi-infinite reservoir, uniform line (every step exact): N(t) and S(t) agree with
    eq. 24 integrated over the target (and its time integral) within 3 standard errors at every
    output and 1e-3 at the end (3 transit times: the target is 98 % full)."""
    mc = run_case(mc_case(electrons=2_000_000))
    exact = run_case(mc_case(method="analytic"))
    assert mc.numerics["montecarlo"]["split_steps"] == 0
    assert_agrees(mc, exact, end_tol_s=1e-3)
    assert mc.stderr["new_electrons_in_target"][-1] / exact.electrons_in_target[-1] < 5e-4


def test_uniform_line_matches_fv():
    """The same case against the 1D finite-volume solution."""
    mc = run_case(mc_case(electrons=2_000_000, seed=7))
    fv = run_case(mc_case(method="fv"))
    assert_agrees(mc, fv, end_tol_s=1e-3)


def test_standard_errors_match_the_spread_of_seeds():
    """40 independent seeds: the spread of N(t_k) and S(t_k) over seeds equals the mean reported
    standard error within 30 % (the ratio pooled over the output times: its own statistical
    uncertainty is ~4 %)."""
    runs = [run_case(mc_case(electrons=40_000, batches=10, seed=s)) for s in range(40)]
    for key, values in (("new_electrons_in_target", [r.electrons_in_target for r in runs]),
                        ("cumulative_scatterings", [r.cumulative_scatterings for r in runs])):
        values = np.array(values)
        reported = np.array([r.stderr[key] for r in runs])
        ratio = np.sqrt(np.mean(values.var(axis=0, ddof=1) / np.mean(reported ** 2, axis=0)))
        assert 0.7 <= ratio <= 1.3, f"{key}: seed spread / reported error = {ratio:.3f}"


def test_same_seed_same_output_different_seed_different_output():
    a = run_case(mc_case(electrons=20_000, batches=4, seed=3))
    b = run_case(mc_case(electrons=20_000, batches=4, seed=3))
    c = run_case(mc_case(electrons=20_000, batches=4, seed=4))
    assert np.array_equal(a.electrons_in_target, b.electrons_in_target)
    assert np.array_equal(a.cumulative_scatterings, b.cumulative_scatterings)
    assert np.array_equal(a.stderr["new_electrons_in_target"], b.stderr["new_electrons_in_target"])
    assert not np.array_equal(a.electrons_in_target, c.electrons_in_target)


def test_worker_processes_give_the_same_output():
    """Batches have their own streams (SeedSequence.spawn): two worker processes give exactly
    the output of one."""
    one = run_case(mc_case(electrons=20_000, batches=4, seed=5))
    two = run_case(mc_case(electrons=20_000, batches=4, seed=5, montecarlo={"workers": 2}))
    assert np.array_equal(one.electrons_in_target, two.electrons_in_target)
    assert np.array_equal(one.stderr["cumulative_scatterings"], two.stderr["cumulative_scatterings"])


def test_direct_and_complement_counts_agree_in_a_narrow_connector():
    """New + old electrons in the target number n V_target at all times (the density of all
    electrons is stationary): the walk's direct count of new electrons and n V_target minus its
    count of old ones agree within their standard errors, across a 4x narrower connector (skew
    interfaces, split steps)."""
    from vip_transport.solver.montecarlo.driver import build_problem
    from vip_transport.solver.physics.derived import derive

    case = mc_case(geometry={"connector": {"width": "5 mm"}}, duration="15 s", outputs=8, first="2 s")
    problem = build_problem(case, derive(case))
    tallies = assert_direct_equals_complement(problem, case.time.output_times(), seed=11, electrons=40_000)
    assert sum(t.steps[1] for t in tallies) > 0


def test_case_section_defaults_and_mistakes():
    case = mc_case()
    resolved = case.to_resolved_dict()["montecarlo"]
    assert resolved["electrons"] == 400_000 and resolved["time_step"] is None
    again = case_from_dict(case.to_resolved_dict())
    assert again == case
    with pytest.raises(CaseError, match="montecarlo.time_step"):
        mc_case(montecarlo={"time_step": 0.001})
    with pytest.raises(CaseError, match="montecarlo.electrons"):
        run_case(mc_case(electrons=10, batches=20))
    with pytest.raises(CaseError, match="montecarlo.batches"):
        mc_case(batches=1)


def test_3d_cylinder_shell_is_refused():
    case = case_from_dict({"name": "s", "method": "montecarlo", "geometry": {"preset": "vip", "dimension": 3},
                           "transport": {}, "counting": {}})
    with pytest.raises(CaseError, match="geometry.shape: the Monte Carlo walk does not do the 3D cylinder"):
        run_case(case)


def test_results_folder_has_standard_errors(tmp_path):
    """``vip-transport run`` writes the contract's columns and keys plus the standard errors."""
    path = tmp_path / "mc.yaml"
    path.write_text("name: mc\ngeometry: {preset: vip2}\ntransport: {current: 100 A}\n"
                    "time: {duration: 30 s, outputs: 5, first_output: 1 s}\nmethod: montecarlo\n"
                    "montecarlo: {electrons: 20000, batches: 4}\n")
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out)]) == 0
    with open(out / "timeseries.csv") as fh:
        header = next(csv.reader(fh))
    assert header[:4] == ["time_s", "new_electrons_in_target", "scattering_rate_per_s", "cumulative_scatterings"]
    assert "new_electrons_in_target_stderr" in header and "cumulative_scatterings_stderr" in header
    summary = json.loads((out / "summary.json").read_text())
    assert summary["method"] == "montecarlo"
    assert summary["new_electrons_in_target_final_stderr"] > 0
    assert summary["numerics"]["montecarlo"]["batches"] == 4


def test_compare_methods_side_by_side(tmp_path):
    """``compare --methods fv montecarlo``: one row per method, the Monte Carlo row with its
    standard errors and its differences to the FV row in standard errors."""
    path = tmp_path / "mc.yaml"
    path.write_text("name: mc\ngeometry: {preset: vip2}\ntransport: {current: 100 A}\n"
                    "time: {duration: 30 s, outputs: 6, first_output: 1 s}\n"
                    "montecarlo: {electrons: 100000, batches: 10}\n")
    out = tmp_path / "cmp"
    assert main(["compare", str(path), "--dims", "1", "--methods", "fv", "montecarlo", "--out", str(out)]) == 0
    with open(out / "compare.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["method"] for r in rows] == ["fv", "montecarlo"]
    mc = rows[1]
    assert float(mc["new_electrons_in_target_final_stderr"]) > 0
    assert abs(float(mc["N_final_diff_to_fv_in_stderr"])) <= 3
    assert abs(float(mc["max_abs_N_t_diff_to_fv_in_stderr"])) <= 3


def test_2d_thickness_change_is_refused():
    case = mc_case(geometry={"dimension": 2, "connector": {"thickness": "25 um"}})
    with pytest.raises(CaseError, match="geometry.connector.thickness: the 2D Monte Carlo walk"):
        run_case(case)
