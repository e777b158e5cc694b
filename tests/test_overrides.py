"""`run CASE --set key.path=VALUE` (issue 14 item 4): the changed case equals the case file
edited by hand (an independent route through the loader); a wrong key or unit exits 2 with a
message naming it; nothing is written then."""

import pytest

from vip_transport.solver.cli import main
from vip_transport.solver.config import load_case
from vip_transport.solver.config.overrides import (apply_overrides, load_case_with_overrides,
                                                   parse_assignment)
from vip_transport.solver.errors import CaseError

from pathlib import Path

VIP2 = Path(__file__).resolve().parent.parent / "cases" / "vip2.yaml"


def edited(tmp_path, old, new):
    """cases/vip2.yaml with one line changed by text replacement, loaded as a file."""
    text = VIP2.read_text()
    assert text.count(old) == 1
    path = tmp_path / "edited.yaml"
    path.write_text(text.replace(old, new))
    return load_case(path)


@pytest.mark.parametrize("assignment, old, new", [
    ("transport.current=120 A", "current: 100 A", "current: 120 A"),
    ("geometry.connector.width=5 mm", "connector: {length: 1 cm, width: null", "connector: {length: 1 cm, width: 5 mm"),
    ("transport.diffusivity=degenerate", "diffusivity: einstein ", "diffusivity: degenerate "),
    ("material.conductivity=5.5e7 S/m", "conductivity: 5.9e7 S/m", "conductivity: 5.5e7 S/m"),
    ("time.duration=1e3 s", "duration: 1e4 s", "duration: 1e3 s"),     # first_output follows: 0.1 s
    ("transport.current={schedule: square, high: 100 A, period: 20 s}", "current: 100 A",
     "current: {schedule: square, high: 100 A, period: 20 s}"),
])
def test_set_equals_the_edited_file(tmp_path, assignment, old, new):
    assert load_case_with_overrides(VIP2, [assignment]) == edited(tmp_path, old, new)


def test_set_creates_missing_sections_and_several_apply_in_order():
    data = {"name": "m", "geometry": {"preset": "vip2"}, "transport": {"current": "100 A"}}
    out = apply_overrides(data, [parse_assignment("fv.cells_per_target=400"),
                                 parse_assignment("transport.current=1 A"),
                                 parse_assignment("transport.current=2 A")])
    assert out["fv"] == {"cells_per_target": 400} and out["transport"]["current"] == "2 A"
    assert data["transport"]["current"] == "100 A"          # the input is not changed


@pytest.mark.parametrize("assignment, names", [
    ("geometry.conector.width=5 mm", ['geometry.conector', 'did you mean "connector"']),
    ("transport.curent=120 A", ['transport.curent', 'did you mean "current"']),
    ("transport.current=120 kg", ["transport.current.value", '"120 kg"', "current"]),
    ("geometry.length=71", ["geometry.length", "no unit"]),
    ("geometry.length.x=1 m", ["geometry.length.x", "is a value"]),
    ("transport.current.t_on=5 s", ["transport.current", "as a whole"]),
    ("time.outputs", ["--set time.outputs", "key.path=VALUE"]),
])
def test_set_mistakes_exit_2_naming_the_key(tmp_path, capsys, assignment, names):
    out = tmp_path / "out"
    assert main(["run", str(VIP2), "--set", assignment, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 1
    for name in names:
        assert name in err, err
    assert not out.exists()


def test_set_with_resume_is_refused(tmp_path, capsys):
    assert main(["run", "--resume", str(tmp_path), "--set", "time.outputs=3"]) == 2
    assert "--resume" in capsys.readouterr().err


def test_key_check_walks_the_schema():
    assert parse_assignment("transport.current.high=1 A")[0] == ("transport", "current", "high")
    with pytest.raises(CaseError, match="time.outputz"):
        parse_assignment("time.outputz=3")
