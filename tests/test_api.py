"""The Python API a physicist uses: a case cannot be put into an invalid state by the usual
pydantic calls, with_changes edits it as the case file would, and a run's results come back
as arrays and as a labelled dataset."""

from __future__ import annotations

import numpy as np
import pytest

from vip_transport.solver.config import case_from_dict, load_case, with_changes
from vip_transport.solver.errors import CaseError
from vip_transport.solver.run import run_case

from conftest import ROOT


def test_model_copy_validates_what_it_is_given():
    case = load_case(ROOT / "cases" / "vip2.yaml")
    copy = case.model_copy(update={"transport": case.transport.model_copy(update={"current": "40 A"})})
    assert copy.transport.current.nominal() == 40.0 and copy.source == case.source
    result = run_case(copy.model_copy(update={"time": {"duration": "100 s", "outputs": 5}}))
    assert result.derived["current_A"] == 40.0
    for section, update, key in [(case.transport, {"current": 40}, "current.value"),
                                 (case.transport, {"current": "40 kg"}, "current.value"),
                                 (case.geometry, {"thickness": "-5 um"}, "thickness"),
                                 (case, {"method": "fvm"}, "method")]:
        with pytest.raises(CaseError) as info:
            section.model_copy(update=update)
        assert f"model_copy: {key}: expected" in str(info.value)


def test_with_changes_equals_the_edited_case_file(tmp_path):
    text = (ROOT / "cases" / "vip2.yaml").read_text()
    edited = text.replace("  current: 100 A ", "  current: 40 A  ").replace("  duration: 1e4 s", "  duration: 100 s")
    assert edited != text
    path = tmp_path / "edited.yaml"
    path.write_text(edited)
    changed = with_changes(load_case(ROOT / "cases" / "vip2.yaml"),
                           {"transport.current": "40 A", "time.duration": "100 s"})
    assert changed == load_case(path)
    assert changed.time.first_output == pytest.approx(100 * 1e-4)        # the default followed
    with pytest.raises(CaseError, match='transport.curent: expected one of the keys.*did you mean "current"'):
        with_changes(changed, {"transport.curent": "40 A"})
    with pytest.raises(CaseError, match="transport.current.value: expected a current"):
        with_changes(changed, {"transport.current": "40"})


def test_profiles_come_with_their_positions():
    case = case_from_dict({"name": "p", "geometry": {"preset": "vip2"}, "transport": {}, "counting": {},
                           "method": "fv", "time": {"duration": "10 s", "outputs": 4},
                           "fv": {"cells_per_target": 100}})
    result = run_case(case, store_profiles=True)
    profiles = result.profiles
    assert profiles["c"].shape == (4, len(profiles["x"]))
    np.testing.assert_array_equal(profiles["times"], result.times)
    # the electrons in the target from the profile equal N(t): the same cells, the same volumes
    model = profiles["model"]
    target = model.cells["target"]
    assert np.allclose(profiles["c"][:, target] @ model.volume[target], result.electrons_in_target, rtol=1e-12)
    assert np.all(np.diff(profiles["x"]) > 0) and profiles["x"][target].min() > 0
