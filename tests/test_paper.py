"""solver.paper: Figure 2 conserves probability at every plotted time, both figures follow the
paper's specification (and cases/fig2.yaml, fig3.yaml), the `paper` command writes its folder
atomically, and the notebooks are committed clean with a parameter cell.

Reference numbers are written out here from scipy.constants (not taken from solver):
VIP L = 88 mm, z w = 50 um x 2 pi 45 mm; VIP-2 L = 71 mm, z w = 50 um x 20 mm.
"""

import json
import math
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import nbformat
import numpy as np
import pytest
from scipy import integrate, special
from scipy.constants import e

from conftest import D_EINSTEIN, LEDGER_VERDICTS, N_CU, PAPER_CLAIMS, ROOT, TABLE1, make_case
from vip_transport.solver.physics import analytic
from vip_transport.solver.paper import command
from vip_transport.solver.paper import figures as paper
from vip_transport.solver.physics.line import line_of
from vip_transport.solver.config import load_case
from vip_transport.solver.cli import main

VIP_L, VIP_A = TABLE1["vip"].length, TABLE1["vip"].area
VIP2_L, VIP2_A = TABLE1["vip2"].length, TABLE1["vip2"].area


@pytest.fixture(scope="module")
def panels():
    return paper.figure2_data()


def whole_line_integral(panel, k):
    """Integral of the plotted pdf over (-inf, inf): the closed form outside the plotted window
    plus the trapezoid rule over the plotted samples inside it."""
    ln, t = panel.line, panel.times[k]
    X, x = ln.displacement(t), panel.x
    args = (ln.x_min, ln.x_max, ln.diffusivity, 1.0 / ln.reservoir_length, 1.0, ln.convention)
    left = analytic.electrons_in_interval(t, X, -math.inf, x[0], *args)
    right = analytic.electrons_in_interval(t, X, x[-1], math.inf, *args)
    return float(left + np.trapezoid(panel.pdf[k], x) + right)


def test_figure2_pdf_integrates_to_one_at_every_plotted_time(panels):
    checked = 0
    for p in panels:
        ln = p.line
        for k, t in enumerate(p.times):
            exact = analytic.electrons_in_interval(t, ln.displacement(t), -math.inf, math.inf, ln.x_min, ln.x_max,
                                                   ln.diffusivity, 1.0 / ln.reservoir_length, 1.0, ln.convention)
            assert abs(float(exact) - 1.0) <= 1e-10, (p.label, t)
            assert abs(whole_line_integral(p, k) - 1.0) <= 1e-10, (p.label, t)
            checked += 1
    assert checked == 11 + 11 + 11


def test_probability_check_catches_eq25_as_printed(panels):
    """The check above fails for eq. 25 as printed (no factor 1/2, docs/physics.md misprint 2)."""
    p = panels[0]
    doubled = paper.Figure2Panel(label=p.label, line=p.line, times=p.times, x=p.x, pdf=2 * p.pdf)
    assert abs(whole_line_integral(doubled, 5) - 1.0) > 1e-7


def test_figure2_curves_are_eq24_written_out(panels):
    """Each plotted curve equals (1/(2 L_res))[erf((x - x_min - v t)/sqrt(2 D t)) - erf((x - x_max - v t)/sqrt(2 D t))]
    with the paper's convention (variance D t) and D = D_Einstein/100."""
    for p in panels:
        ln = p.line
        v = ln.current / (N_CU * e * VIP_A)
        for k, t in enumerate(p.times):
            if t == 0:
                inside = (p.x > ln.x_min) & (p.x < ln.x_max)
                assert np.all(p.pdf[k][inside] == pytest.approx(1 / ln.reservoir_length, rel=1e-12))
                assert np.all(p.pdf[k][p.x > ln.x_max] == 0)
                continue
            s = math.sqrt(2 * (D_EINSTEIN / 100) * t)
            ref = (special.erf((p.x - ln.x_min - v * t) / s) - special.erf((p.x - ln.x_max - v * t) / s)) \
                / (2 * ln.reservoir_length)
            np.testing.assert_allclose(p.pdf[k], ref, rtol=1e-6, atol=1e-12 / ln.reservoir_length)


def test_figure2_follows_the_caption(panels):
    a, b, c = panels
    assert [p.line.current for p in panels] == [40.0, 0.0, 0.0]
    np.testing.assert_array_equal(a.times, np.arange(0, 1001, 100))
    np.testing.assert_array_equal(b.times, np.arange(0, 1001, 100))
    np.testing.assert_array_equal(c.times, np.arange(0, 10001, 1000))
    for p in panels:
        ln = p.line
        assert ln.convention == "paper"
        assert ln.diffusivity == pytest.approx(D_EINSTEIN / 100, rel=1e-12)
        assert ln.x_max == pytest.approx(-0.01, rel=1e-12)
        assert ln.length == pytest.approx(VIP_L) and ln.area == pytest.approx(VIP_A, rel=1e-12)
        assert ln.reservoir_length * ln.area == pytest.approx(2.3e6 * VIP_L * VIP_A, rel=1e-12)
        assert ln.x_max in p.x                                     # the t = 0 step falls on a grid point
        np.testing.assert_allclose(np.diff(p.x), p.x[1] - p.x[0], rtol=1e-6)
        assert p.x[0] < ln.x_max and p.x[-1] > ln.length
    assert a.line.drift_velocity == pytest.approx(40 / (N_CU * e * VIP_A), rel=1e-12)


def test_line_of_refuses_what_the_closed_forms_do_not_describe():
    line_of(make_case("vip2"))
    for change in ({"geometry": {"connector": {"length": "1 cm", "width": "5 mm"}}},
                   {"geometry": {"dimension": 2}},
                   {"transport": {"current": {"schedule": "square", "high": "100 A", "period": "20 s"}}},
                   {"transport": {"current": {"schedule": "constant", "value": "100 A", "t_on": "5 s"}}}):
        with pytest.raises(ValueError, match="line_of"):
            line_of(make_case("vip2", **change))


def test_reservoir_size_is_a_parameter():
    p = paper.figure2_data(reservoir_target_volumes=2.0e5, points=101)[0]
    assert p.line.reservoir_length == pytest.approx(2.0e5 * VIP_L, rel=1e-12)
    assert p.pdf[0][p.x < -0.02].max() == pytest.approx(1 / (2.0e5 * VIP_L), rel=1e-12)


def test_figure_cases_match_the_case_files():
    for built, path in ((paper.figure2_case(), "fig2.yaml"), (paper.figure3_case(), "fig3.yaml")):
        ref = load_case(ROOT / "cases" / path)
        assert built.geometry.preset == ref.geometry.preset
        assert built.geometry.connector.length == pytest.approx(ref.geometry.connector.length)
        assert built.geometry.reservoir.length == pytest.approx(ref.geometry.reservoir.length, rel=1e-12)
        for key in ("diffusivity", "diffusivity_scale", "convention"):
            assert getattr(built.transport, key) == getattr(ref.transport, key), (path, key)
        assert built.transport.current.nominal() == ref.transport.current.nominal()


def test_figure3_curves():
    data = paper.figure3_data(points=60)
    # the paper's currents are not printed: several, the no-current case among them (sec. 2.2)
    assert 0.0 in data.currents and len(set(data.currents)) >= 3
    assert paper.figure3_data(currents=(0, 7.5), points=5).currents == (0.0, 7.5)
    full = VIP2_L / (2.3e6 * VIP2_L)                 # N/(n A L_res) with a full target
    for i in data.currents:
        assert data.short[i][0] == 0.0
        assert np.all(np.diff(data.long[i]) >= -1e-18)  # the target only fills up
        if i > 0:
            assert data.long[i][-1] == pytest.approx(full, rel=1e-9)
    # no current: c -> (n/2) erfc((x + 1 cm)/sqrt(2 D t)) (paper convention), integrated over the target
    t = data.long_times[-1]
    s = math.sqrt(2 * D_EINSTEIN * t)
    half = integrate.quad(lambda x: 0.5 * special.erfc((x + 0.01) / s), 0, VIP2_L)[0] / (2.3e6 * VIP2_L)
    assert data.long[0.0][-1] == pytest.approx(half, rel=1e-9)
    assert 0.45 < data.long[0.0][-1] / full < 0.5


@pytest.mark.parametrize("current, volumes, T", [(0.0, 2.3e6, 3600.0), (1.0, 2.3e6, 3600.0), (100.0, 2.3e6, 3600.0),
                                                 (100.0, 10.0, 1e4), (7.0, 10.0, 1e4)])
def test_electrons_time_integral_matches_adaptive_quadrature(current, volumes, T):
    """Including a small finite reservoir whose back edge crosses the target within T (a step in N)."""
    ln = line_of(paper.figure3_case(current, reservoir_target_volumes=volumes))
    v = ln.drift_velocity
    crossing = [] if v == 0 else np.linspace(-ln.x_min / v - 200, (ln.length - ln.x_min) / v + 200, 41)
    ref = analytic.cumulative_time_integral(lambda t: float(ln.electrons_in_target(t)), np.array([T]),
                                            breakpoints=[b for b in crossing if 0 < b < T])[0]
    assert ln.electrons_time_integral(T) == pytest.approx(ref, rel=1e-10)


def test_paper_command_writes_figures_and_ledger(tmp_path, capsys, monkeypatch):
    # the 2D/3D runs of the dimensional claim (~30 s) are tested in tests/test_ledger.py
    from vip_transport.solver.paper import ledger

    original = ledger.dimensional_claim_rows
    monkeypatch.setattr(ledger, "dimensional_claim_rows", lambda check=True: original(check=False))
    out = tmp_path / "paper"
    assert main(["paper", "--out", str(out)]) == 0
    names = {f.name for f in out.iterdir() if f.name != ".vip-transport-results"}
    assert {"figure2.png", "figure3.png", "ledger.md", "ledger.json", "summary.json"} <= names
    import matplotlib.image as mpimg

    for png in ("figure2.png", "figure3.png"):
        img = mpimg.imread(out / png)
        assert img.shape[0] > 800 and img.shape[1] > 800
        assert img[..., :3].std() > 0.05                 # not blank
    summary = json.loads((out / "summary.json").read_text())
    assert summary["reservoir_target_volumes"] == 2.3e6
    assert summary["figure2"]["convention"] == "paper"
    assert set(summary["files"]) == names
    ledger = json.loads((out / "ledger.json").read_text())
    written = {r["id"]: r for r in ledger["rows"]}
    for claim_id, printed_value in PAPER_CLAIMS.items():       # listed from the paper, not the code
        assert written[claim_id]["paper"] == pytest.approx(printed_value, rel=1e-12), claim_id
    assert summary["ledger_verdicts"] == dict(Counter(r["verdict"] for r in ledger["rows"]))
    assert set(summary["ledger_verdicts"]) <= LEDGER_VERDICTS
    assert "results:" in capsys.readouterr().out
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]   # no temporary folders left


def test_paper_folder_is_left_intact_when_a_step_fails(tmp_path, monkeypatch):
    out = tmp_path / "paper"
    command.write_paper(out, check_dimensions=False)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken(*args, **kwargs):
        raise RuntimeError("plotting failed")

    monkeypatch.setattr(command, "plot_figure3", broken)
    with pytest.raises(RuntimeError, match="plotting failed"):
        command.write_paper(out, check_dimensions=False)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_run_paper_uses_default_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    calls = {}
    monkeypatch.setattr(command, "write_paper", lambda out, **kw: calls.update(out=out, **kw) or
                        {"ledger_verdicts": {"confirmed": 1}})
    assert command.run_paper(SimpleNamespace(out=None)) == 0
    assert calls["out"] == Path("results/paper") and calls["reservoir_target_volumes"] == 2.3e6


# ----------------------------------------------------------------------------- notebooks

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_the_four_notebooks_exist():
    assert [p.stem for p in NOTEBOOKS] == ["01_paper_reproduction", "02_geometry_effects",
                                           "03_dimensional_robustness", "04_current"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_clean_and_starts_with_what_and_parameters(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code), "commit notebooks without outputs"
    assert nb.cells[0].cell_type == "markdown" and len(nb.cells[0].source) > 200
    first_code = code[0].source
    assert "FULL_RESOLUTION = False" in first_code and nb.cells.index(code[0]) <= 2
