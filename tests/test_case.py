"""solver.case: shipped cases equal Table 1, presets and defaults fill in, the resolved record
round-trips, and every kind of bad input gives one CaseError naming file, key and expectation."""

import math
import time

import numpy as np
import pytest
import yaml

from conftest import CASES, FERMI_ENERGY, case_data
from vip_transport.solver.config import MAX_CASE_BYTES, Case, case_from_dict, load_case, write_resolved
from vip_transport.solver.errors import CaseError


def minimal(**sections):
    """A valid case without a preset, whole sections replaced by keyword."""
    return {**case_data(None), **sections}


def error_of(data, source="cases/x.yaml") -> str:
    with pytest.raises(CaseError) as info:
        case_from_dict(data, source=source)
    return str(info.value)


def write(tmp_path, text, name="case.yaml"):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# --- shipped cases ---------------------------------------------------------------------------

def test_vip2_yaml_is_table_1():
    case = load_case(CASES / "vip2.yaml")
    g = case.geometry
    assert case.name == "vip2" and case.method == "analytic" and g.dimension == 1
    assert (g.shape, g.preset, g.radius) == ("strip", "vip2", None)
    assert g.length == pytest.approx(0.071) and g.width == pytest.approx(0.020)
    assert g.thickness == pytest.approx(50e-6) and g.area == pytest.approx(0.020 * 50e-6)
    assert case.transport.current.schedule == "constant"
    assert case.transport.current.nominal() == 100.0
    assert case.counting.geometric_factor == 0.018
    assert case.source.endswith("vip2.yaml")


def test_vip_yaml_is_table_1():
    case = load_case(CASES / "vip.yaml")
    g = case.geometry
    assert (g.shape, g.preset) == ("cylinder", "vip")
    assert g.radius == pytest.approx(0.045)
    assert g.width == pytest.approx(0.28274, abs=5e-6)  # Table 1: 282.74 mm = 2 pi 45 mm
    assert g.length == pytest.approx(0.088) and g.thickness == pytest.approx(50e-6)
    assert case.transport.current.nominal() == 40.0
    assert case.counting.geometric_factor == 0.01


@pytest.mark.parametrize("preset", ["vip", "vip2"])
def test_shipped_files_spell_out_exactly_the_defaults(preset):
    assert load_case(CASES / f"{preset}.yaml") == case_from_dict(
        {"name": preset, "geometry": {"preset": preset}})


def test_defaults_and_si_values():
    case = case_from_dict(minimal())
    g, m, t = case.geometry, case.material, case.transport
    assert g.connector.length == pytest.approx(0.01) and g.outlet.length == pytest.approx(0.10)
    assert g.connector.width == g.width and g.outlet.thickness == g.thickness
    assert g.reservoir.semi_infinite and g.reservoir.length is None
    assert g.reservoir.area == pytest.approx(g.area)
    assert m.fermi_energy == pytest.approx(FERMI_ENERGY) and m.conductivity == 5.9e7
    assert m.temperature == 300.0
    assert (t.diffusivity, t.diffusivity_scale, t.convention, t.injection) == (
        "einstein", 1.0, "standard", "reservoir")
    assert (case.counting.scattering, case.counting.capture_probability,
            case.counting.xray_count_limit) == ("close-encounters", 1.0, None)
    assert (case.time.duration, case.time.outputs, case.time.first_output) == (1e4, 200, 1.0)
    fv = case.fv
    assert (fv.cells_per_target, fv.grading, fv.scheme, fv.stepper, fv.convection) == (
        800, 1.03, "crank-nicolson", "cached", "auto")
    assert (fv.time_steps, fv.first_step, fv.startup_steps, fv.far_field) == (
        2000, pytest.approx(1e-3), 4, 12.0)
    assert case.limits.max_cells == 5_000_000 and case.method == "analytic"


def test_figure_cases_load():
    fig2 = load_case(CASES / "fig2.yaml")
    assert fig2.geometry.preset == "vip" and fig2.transport.current.nominal() == 40.0
    assert fig2.transport.diffusivity_scale == 0.01 and fig2.transport.convention == "paper"
    assert fig2.time.duration == 1e3 and fig2.geometry.connector.length == pytest.approx(0.01)
    reservoir_volume = fig2.geometry.reservoir.length * fig2.geometry.reservoir.area
    assert reservoir_volume == pytest.approx(2.3e6 * fig2.geometry.volume)
    fig3 = load_case(CASES / "fig3.yaml")
    assert fig3.geometry.preset == "vip2" and fig3.transport.convention == "paper"
    assert fig3.geometry.reservoir.target_volumes == 2.3e6 and fig3.time.duration == 1e4


# --- presets and geometry resolution ------------------------------------------------------

def test_preset_values_are_overridden_by_explicit_keys():
    case = case_from_dict({"name": "o", "geometry": {"preset": "vip2", "length": "10 cm"},
                           "transport": {"current": "5 A"},
                           "counting": {"geometric_factor": 0.5}})
    assert case.geometry.length == pytest.approx(0.10)
    assert case.geometry.width == pytest.approx(0.020)  # still from the preset
    assert case.transport.current.nominal() == 5.0 and case.counting.geometric_factor == 0.5


def test_cylinder_width_from_radius_and_radius_from_width():
    by_radius = case_from_dict(minimal(geometry={
        "shape": "cylinder", "length": "88 mm", "radius": "45 mm", "thickness": "50 um"}))
    assert by_radius.geometry.width == pytest.approx(2 * math.pi * 0.045, rel=1e-15)
    by_width = case_from_dict(minimal(geometry={
        "shape": "cylinder", "length": "88 mm", "width": "282.74 mm", "thickness": "50 um"}))
    assert by_width.geometry.radius == pytest.approx(0.28274 / (2 * math.pi))


def test_inconsistent_width_and_radius_is_refused():
    message = error_of(minimal(geometry={"shape": "cylinder", "length": "88 mm",
                                         "radius": "45 mm", "width": "20 mm",
                                         "thickness": "50 um"}))
    assert "cases/x.yaml: geometry.width:" in message and "2 pi radius" in message


def test_radius_on_a_strip_is_refused():
    message = error_of({"name": "s", "geometry": {"preset": "vip2", "radius": "1 cm"}})
    assert "geometry.radius" in message and "strip" in message


def test_sections_resolve_to_target_cross_section_and_reservoir_volumes():
    case = case_from_dict(minimal(geometry={
        "length": "71 mm", "width": "20 mm", "thickness": "50 um",
        "connector": {"length": "2 cm", "width": "10 mm"},
        "reservoir": {"target_volumes": 100, "thickness": "100 um"},
        "outlet": None}))
    g = case.geometry
    assert g.connector.width == pytest.approx(0.010) and g.connector.thickness == g.thickness
    assert g.reservoir.width == g.width and g.reservoir.thickness == pytest.approx(1e-4)
    assert g.reservoir.length == pytest.approx(100 * 0.071 / 2)  # twice the area, half length
    assert g.outlet.length == pytest.approx(0.10) and not g.reservoir.semi_infinite


def test_reservoir_length_and_volumes_together_must_agree():
    message = error_of(minimal(geometry={
        "length": "71 mm", "width": "20 mm", "thickness": "50 um",
        "reservoir": {"length": "1 m", "target_volumes": 2.3e6}}))
    assert "geometry.reservoir.length" in message and "not both" in message


def test_missing_width_names_the_key():
    message = error_of(minimal(geometry={"length": "71 mm", "thickness": "50 um"}))
    assert "geometry.width:" in message and "radius" in message


# --- resolved record -----------------------------------------------------------------------

ROUND_TRIP = [
    {"name": "a", "geometry": {"preset": "vip"}},
    {"name": "b", "geometry": {"preset": "vip2", "reservoir": {"target_volumes": "2.3e6"}},
     "transport": {"current": {"schedule": "square", "high": "100 A", "period": "200 s",
                               "duty": 0.3, "t_on": "5 s"},
                   "diffusivity": "1.1e-6 m^2/s", "diffusivity_scale": 0.01},
     "method": "fv", "fv": {"first_step": "1 ms"}},
    minimal(geometry={"shape": "cylinder", "length": "88 mm", "width": "282.7 mm",
                      "thickness": "50 um", "dimension": 2},
            transport={"current": {"schedule": "table", "times": ["0 s", "10 s", "100 s"],
                                   "values": ["0 A", "100 A", "40 A"]},
                       "diffusivity": "degenerate", "injection": "single-electron"},
            counting={"geometric_factor": 0.02, "xray_count_limit": 3,
                      "scattering": "conduction", "capture_probability": 0.1},
            time={"duration": "1 h", "outputs": 7, "first_output": "0.5 s"},
            material={"temperature": "77 K"}),
]


@pytest.mark.parametrize("data", ROUND_TRIP)
def test_resolved_yaml_round_trips_to_an_equal_case(tmp_path, data):
    case = case_from_dict(data, source="orig.yaml")
    path = write_resolved(case, tmp_path / "case.resolved.yaml")
    again = load_case(path)
    assert again == case
    assert again.to_resolved_dict() == case.to_resolved_dict()
    assert again.source != case.source  # equality ignores where a case came from
    plain = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert plain == case.to_resolved_dict()


def test_equality_sees_a_changed_value():
    a = case_from_dict(minimal())
    b = case_from_dict(minimal(time={"duration": "2e4 s"}))
    assert a != b and a == case_from_dict(minimal())


def test_case_is_frozen():
    case = case_from_dict(minimal())
    with pytest.raises(Exception):
        case.name = "other"
    with pytest.raises(Exception):
        case.geometry.length = 1.0


# --- current schedules ---------------------------------------------------------------------

def current_of(spec):
    return case_from_dict(minimal(transport={"current": spec})).transport.current


def test_constant_current():
    plain = current_of("100 A")
    assert (plain.schedule, plain.value, plain.t_on, plain.nominal()) == ("constant", 100.0, 0.0,
                                                                          100.0)
    late = current_of({"schedule": "constant", "value": "40 A", "t_on": "10 s"})
    assert (late.value, late.t_on, late.nominal()) == (40.0, 10.0, 40.0)
    assert current_of("0 A").nominal() == 0.0


def test_square_current():
    sq = current_of({"schedule": "square", "high": "100 A", "low": "10 A", "period": "200 s",
                     "duty": 0.25, "t_on": "100 s"})
    assert (sq.schedule, sq.high, sq.low, sq.period, sq.duty, sq.t_on) == (
        "square", 100.0, 10.0, 200.0, 0.25, 100.0)
    assert sq.nominal() == 100.0
    defaults = current_of({"schedule": "square", "high": "1 A", "period": "2 s"})
    assert (defaults.low, defaults.duty, defaults.t_on) == (0.0, 0.5, 0.0)


def test_table_current():
    table = current_of({"schedule": "table", "times": ["0 s", "10 s", "100 s"],
                        "values": ["0 A", "100 A", "40 A"]})
    assert table.schedule == "table"
    assert table.times == (0.0, 10.0, 100.0) and table.values == (0.0, 100.0, 40.0)
    assert table.nominal() == 100.0


@pytest.mark.parametrize("spec, key, words", [
    ({"schedule": "table", "times": ["1 s", "10 s"], "values": ["1 A", "2 A"]},
     "transport.current.times.0", "0 s"),
    ({"schedule": "table", "times": ["0 s", "10 s", "5 s"], "values": ["1 A", "2 A", "3 A"]},
     "transport.current.times.2", "increase"),
    ({"schedule": "table", "times": ["0 s", "10 s"], "values": ["1 A"]},
     "transport.current.values", "one value per time"),
    ({"schedule": "table", "times": ["0 s", "10 mm"], "values": ["1 A", "2 A"]},
     "transport.current.times.1", "expected a time"),
    ({"schedule": "sqare", "high": "1 A"}, "transport.current.schedule", 'did you mean "square"'),
    ({"schedule": "square", "high": "1 A", "period": "2 s", "duty": 0},
     "transport.current.duty", "(0, 1]"),
    ({"schedule": "square", "high": "1 A"}, "transport.current.period", "missing"),
    ({"schedule": "constant", "valu": "1 A"}, "transport.current.valu", 'did you mean "value"'),
    ("-5 A", "transport.current.value", "negative currents are not accepted"),
    ({"schedule": "square", "high": "1 A", "low": "-1 A", "period": "2 s"},
     "transport.current.low", "negative"),
])
def test_bad_current_schedules(spec, key, words):
    message = error_of(minimal(transport={"current": spec}))
    assert f"cases/x.yaml: {key}: " in message and words in message


# --- time outputs -------------------------------------------------------------------------

def test_output_times_are_log_spaced_and_inclusive():
    times = case_from_dict(minimal(time={"duration": "1e4 s", "outputs": 5})).time.output_times()
    assert times[0] == 1.0 and times[-1] == 1e4
    assert np.allclose(times, [1, 10, 100, 1000, 1e4])
    one = case_from_dict(minimal(time={"duration": "50 s", "outputs": 1})).time.output_times()
    assert list(one) == [50.0]


def test_first_output_after_duration_is_refused():
    message = error_of(minimal(time={"duration": "10 s", "first_output": "20 s"}))
    assert "time.first_output" in message and "before time.duration" in message


# --- bad input: keys and values -----------------------------------------------------------

def test_unknown_key_suggests_the_close_name():
    message = error_of({"name": "x", "geometry": {"preset": "vip2", "lenght": "71 mm"}})
    assert message.startswith("cases/x.yaml: geometry.lenght: ")
    assert 'did you mean "length"' in message
    top = error_of({"name": "x", "geometry": {"preset": "vip2"}, "methd": "fv"})
    assert "methd" in top and 'did you mean "method"' in top


def test_missing_required_keys_are_named():
    message = error_of({"geometry": {}})
    for key in ("name", "geometry.length", "geometry.thickness", "transport.current",
                "counting.geometric_factor"):
        assert f"cases/x.yaml: {key}: " in message
    assert "missing" in message and "preset" in message


def test_missing_unit_and_wrong_dimension():
    bare = error_of(minimal(geometry={"length": 71, "width": "20 mm", "thickness": "50 um"}))
    assert "cases/x.yaml: geometry.length: " in bare and "no unit" in bare
    assert "71 mm" in bare
    wrong = error_of(minimal(material={"conductivity": "5.9e7 A"}))
    assert "material.conductivity" in wrong and "not a conductivity" in wrong


def test_negative_and_zero_lengths_are_refused():
    message = error_of(minimal(geometry={"length": "-71 mm", "width": "0 mm",
                                         "thickness": "50 um"}))
    assert "geometry.length: expected a length greater than 0" in message
    assert "geometry.width: expected a length greater than 0" in message


def test_every_problem_is_listed_in_one_message():
    message = error_of(minimal(time={"outputs": 0}, fv={"grading": 3, "scheme": "cn"},
                               counting={"geometric_factor": 1.5}, method="fem"))
    for key in ("time.outputs", "fv.grading", "fv.scheme", "counting.geometric_factor",
                "method"):
        assert f"cases/x.yaml: {key}: expected" in message
    assert "5 problems" in message


@pytest.mark.parametrize("section, value, key, words", [
    ("material", {"temperature": "27 degC"}, "material.temperature", "kelvin"),
    ("transport", {"current": "1 A", "diffusivity": "einstien"}, "transport.diffusivity",
     'did you mean "einstein"'),
    ("transport", {"current": "1 A", "convention": "papers"}, "transport.convention",
     "standard, paper"),
    ("counting", {"geometric_factor": 0.1, "xray_count_limit": -1},
     "counting.xray_count_limit", "greater than 0"),
    ("geometry", {"preset": "vip2", "dimension": 4}, "geometry.dimension", "from 1 to 3"),
    ("geometry", "vip2", "geometry", "mapping"),
    ("name", "../etc", "name", "case name"),
])
def test_value_errors_name_the_key(section, value, key, words):
    data = minimal(**{section: value})
    message = error_of(data)
    assert f"cases/x.yaml: {key}: " in message and words in message


def test_case_from_dict_refuses_non_mapping():
    assert "expected a mapping" in error_of([1, 2]) and "cases/x.yaml" in error_of("text")


# --- bad files -----------------------------------------------------------------------------

def load_error(path) -> str:
    """The CaseError message for loading ``path``, checked to start with the file name and
    returned without it (so that words in the temporary path cannot satisfy an assertion)."""
    with pytest.raises(CaseError) as info:
        load_case(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    return message.replace(str(path), "<file>")


def test_bad_yaml_names_file_and_line(tmp_path):
    message = load_error(write(tmp_path, "name: x\ngeometry: {preset: vip2\n"))
    assert "line 3" in message and "expected valid YAML" in message


@pytest.mark.parametrize("text, words", [
    ("- a\n- b\n", "expected a mapping"),
    ("just text\n", "expected a mapping"),
    ("", "an empty file"),
    ("# only a comment\n", "an empty file"),
])
def test_top_level_must_be_a_mapping(tmp_path, text, words):
    assert words in load_error(write(tmp_path, text))


def test_non_utf8_file(tmp_path):
    message = load_error(write(tmp_path, b"name: caf\xe9\n"))
    assert "expected UTF-8" in message and "0xe9" in message


def bomb(levels: int) -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_quickly(tmp_path):
    path = write(tmp_path, bomb(10) + "name: *j\n")  # 10^9 strings once expanded
    start = time.perf_counter()
    message = load_error(path)
    assert time.perf_counter() - start < 2.0
    assert "expanding YAML aliases" in message and "1,000,000" in message


def test_small_aliases_are_fine(tmp_path):
    text = ("name: alias\ngeometry: {preset: vip2, connector: &sec {length: 1 cm},\n"
            "           outlet: *sec}\n")
    case = load_case(write(tmp_path, text))
    assert case.geometry.outlet.length == pytest.approx(0.01)


def test_recursive_alias_and_duplicate_keys(tmp_path):
    assert "recursive alias" in load_error(write(tmp_path, "name: &x [*x]\n"))
    message = load_error(write(tmp_path, "name: a\nname: b\n"))
    assert "line 2" in message and '"name" twice' in message


def test_python_tags_are_not_constructed(tmp_path):
    message = load_error(write(tmp_path, "name: !!python/object/apply:os.getcwd []\n"))
    assert "expected valid YAML" in message and "python/object" in message


def test_oversize_file_is_refused_unread(tmp_path):
    message = load_error(write(tmp_path, "#" * (MAX_CASE_BYTES + 1)))
    assert "1 MB" in message and "1,000,001 bytes" in message


def test_missing_file(tmp_path):
    assert "expected a readable case file" in load_error(tmp_path / "nope.yaml")


def test_load_reports_the_file_name_in_value_errors(tmp_path):
    path = write(tmp_path, "name: x\ngeometry: {preset: vip2, length: 71}\n", name="mine.yaml")
    assert load_error(path).startswith("<file>: geometry.length: ")


def test_only_case_error_escapes_for_garbage(tmp_path):
    garbage = ["name: [\n", "? [a, b]\n: c\n", "name: {a: 1}\ngeometry: [1]\n",
               "{1: 2}\n", "name: x\ntransport: {current: {schedule: table, times: 5}}\n",
               "name: x\ngeometry: {preset: vip2}\ntime: {outputs: .inf}\n",
               "[" * 5000 + "]" * 5000 + "\n"]
    for text in garbage:
        with pytest.raises(CaseError):
            load_case(write(tmp_path, text))


# --- robustness: random structures over the real keys give CaseError or a Case, nothing else --

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_LEAF = st.one_of(st.none(), st.booleans(), st.integers(-10**30, 10**30),
                  st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
                  st.sampled_from(["71 mm", "0 A", "-1 s", "1e308 m", "1e-308 m", "1e400 m",
                                   "semi-infinite", "vip", "vip2", "cylinder", "fv", "table",
                                   "square", "constant", "2.3e6", "1 m^2/s", "nan", "300 K"]))
_KEYS = st.sampled_from(["name", "geometry", "preset", "shape", "dimension", "length", "width",
                         "radius", "thickness", "connector", "reservoir", "target_volumes",
                         "outlet", "material", "temperature", "transport", "current",
                         "schedule", "value", "high", "period", "duty", "times", "values",
                         "diffusivity", "counting", "geometric_factor", "time", "duration",
                         "outputs", "method", "fv", "cells_per_target", "grading", "limits",
                         "max_cells", "bogus"])
_TREE = st.recursive(_LEAF, lambda kids: st.one_of(st.lists(kids, max_size=3),
                                                   st.dictionaries(_KEYS, kids, max_size=5)),
                     max_leaves=25)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(extra=st.dictionaries(_KEYS, _TREE, max_size=4), preset=st.sampled_from(["vip", "vip2"]))
def test_random_input_gives_case_error_or_case(extra, preset):
    data = {"name": "fuzz", "geometry": {"preset": preset}, **extra}
    try:
        case = case_from_dict(data, source="fuzz.yaml")
    except CaseError as exc:
        assert str(exc).startswith("fuzz.yaml: ")
    else:
        assert isinstance(case, Case)


# --- 2D/3D keys: lead placement, cross resolution, linear solver, field snapshots ---------

def test_nd_keys_default_and_resolve():
    case = case_from_dict(minimal(method="fv", fv={"cells_per_target": 400}))
    g = case.geometry
    for section in (g.connector, g.reservoir, g.outlet):
        assert section.offset == 0.0 and section.angles == ()
    # null cells_across: cells as wide as long, 20 mm / (71 mm / 400) -> 113
    assert case.fv.cells_across == math.ceil(0.020 / (0.071 / 400))
    assert (case.fv.cells_through, case.fv.linear_solver, case.output.fields) == (2, "auto", None)


def test_feed_tab_angles_and_offsets_parse_and_round_trip(tmp_path):
    data = minimal(geometry={"shape": "cylinder", "radius": "45 mm", "length": "88 mm", "thickness": "50 um",
                             "dimension": 3, "connector": {"width": "20 mm", "angles": ["0 deg", "3.14159 rad"]}},
                   method="fv", fv={"cells_per_target": 40, "cells_across": 64, "cells_through": 3,
                                    "linear_solver": "amg"},
                   output={"fields": ["1 s", "10 min"]})
    case = case_from_dict(data)
    assert case.geometry.connector.angles == pytest.approx((0.0, 3.14159))
    assert case.output.fields == (1.0, 600.0)
    again = load_case(write_resolved(case, tmp_path / "r.yaml"))
    assert again == case and again.geometry.connector.angles == case.geometry.connector.angles
    strip = case_from_dict(minimal(geometry={"length": "71 mm", "width": "20 mm", "thickness": "50 um",
                                             "connector": {"width": "5 mm", "offset": "-7.5 mm"}}))
    assert strip.geometry.connector.offset == pytest.approx(-0.0075)


@pytest.mark.parametrize("geometry, key, words", [
    ({"connector": {"angles": ["90"]}}, "geometry.connector.angles.0", "an angle with a unit"),
    ({"connector": {"angles": [90]}}, "geometry.connector.angles.0", "an angle with a unit"),
    ({"connector": {"angles": ["5 mm"]}}, "geometry.connector.angles.0", "an angle with a unit"),
    ({"connector": {"angles": "0 deg"}}, "geometry.connector.angles", "a list of angles"),
    ({"outlet": {"angles": ["0 deg"]}}, "geometry.outlet.angles", "no angles on a strip"),
    ({"reservoir": {"offset": "3 kg"}}, "geometry.reservoir.offset", "a length"),
])
def test_bad_placement_on_a_strip_is_refused(geometry, key, words):
    base = {"length": "71 mm", "width": "20 mm", "thickness": "50 um"}
    message = error_of(minimal(geometry={**base, **geometry}))
    assert f"{key}:" in message and words in message


@pytest.mark.parametrize("section, key, words", [
    ({"outlet": {"offset": "1 mm"}}, "geometry.outlet.offset", "offset 0 on a cylinder"),
    ({"connector": {"width": "300 mm"}}, "geometry.connector.width", "at most the circumference"),
])
def test_bad_placement_on_a_cylinder_is_refused(section, key, words):
    message = error_of({"name": "t", "geometry": {"preset": "vip", **section}})
    assert f"{key}:" in message and words in message


def test_field_times_must_lie_in_the_run():
    message = error_of(minimal(time={"duration": "100 s"}, output={"fields": ["10 s", "200 s"]}))
    assert "output.fields.1:" in message and "(0 s, time.duration" in message
