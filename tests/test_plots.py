"""The plots of a results folder: the three figures exist and are drawn (not blank), their
titles carry the case's key choices, and the 2D map shows the snapshot where the target is
nearest half full (checked against the snapshots' own contents)."""

from __future__ import annotations

import matplotlib.image as mpimg
import numpy as np

from vip_transport.solver.config import case_from_dict
from vip_transport.solver.io.plots import choices_title, plot_result
from vip_transport.solver.io.snapshots import _informative
from vip_transport.solver.run import run_case


def test_three_plots_with_the_choices_in_their_titles(tmp_path):
    case = case_from_dict({"name": "slide", "geometry": {"preset": "vip2"}, "counting": {"scattering": "conduction"},
                           "transport": {"current": "40 A", "diffusivity": "degenerate", "convention": "paper"},
                           "time": {"duration": "100 s", "outputs": 30}})
    result = run_case(case)
    names = plot_result(tmp_path, result)
    assert names == ["electrons_in_target.png", "cumulative_scatterings.png", "xray_rate.png"]
    for name in names:
        image = mpimg.imread(tmp_path / name)
        assert image.shape[0] > 400 and image[..., :3].std() > 0.05
    title = choices_title(result)
    for words in ("slide", "analytic", "1D strip", "I = 40 A", "degenerate", "paper convention", "conduction"):
        assert words in title, words


def test_the_2d_map_is_drawn_while_the_front_crosses_the_target():
    case = case_from_dict({"name": "map", "geometry": {"preset": "vip2", "dimension": 2}, "transport": {},
                           "counting": {}, "method": "fv", "time": {"duration": "40 s", "outputs": 8},
                           "fv": {"cells_per_target": 20, "cells_across": 2, "linear_solver": "splu"},
                           "output": {"fields": ["1 s", "5 s", "9 s", "40 s"]}})
    result = run_case(case)
    model = result.fields["model"]
    target = model.cells["target"]
    fill = [float(np.asarray(c)[target] @ model.volume[target]) / (model.electron_density * model.volume[target].sum())
            for c in result.fields["c"]]
    chosen = _informative(model, result.fields)
    assert abs(fill[chosen] - 0.5) == min(abs(f - 0.5) for f in fill)
    assert 0.2 < fill[chosen] < 0.8 and fill[-1] > 0.95        # not the last, uniform snapshot
