"""solver.units: every accepted spelling gives the hand-computed SI value; mistakes are refused
with the source file, the dotted key and what was expected in the message."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vip_transport.solver.errors import CaseError
from vip_transport.solver.config.units import DIMENSIONS, format_quantity, parse_quantity, to_si

E = 1.602176634e-19  # C, exact in SI 2019


def parse(value, dimension):
    return parse_quantity(value, dimension, key="geometry.length", source="cases/x.yaml")


@pytest.mark.parametrize("text, dimension, expected", [
    ("71 mm", "length", 0.071),
    ("71mm", "length", 0.071),
    ("50 um", "length", 5e-5),
    ("50 µm", "length", 5e-5),   # micro sign U+00B5
    ("50 μm", "length", 5e-5),   # Greek mu U+03BC
    ("1 cm", "length", 0.01),
    ("0.071 m", "length", 0.071),
    ("2 km", "length", 2000.0),
    ("100 A", "current", 100.0),
    ("40 A", "current", 40.0),
    ("250 mA", "current", 0.25),
    ("7 eV", "energy", 7 * E),
    ("1.1215236438e-18 J", "energy", 1.1215236438e-18),
    ("5.9e7 S/m", "conductivity", 5.9e7),
    ("300 K", "temperature", 300.0),
    ("1e4 s", "time", 1e4),
    ("3 min", "time", 180.0),
    ("2 h", "time", 7200.0),
    ("1.1e-6 m^2/s", "diffusivity", 1.1e-6),
    ("1.1e-6 m**2/s", "diffusivity", 1.1e-6),
    ("1 cm^2/s", "diffusivity", 1e-4),
    ("2.3e6", "dimensionless", 2.3e6),
    (0.018, "dimensionless", 0.018),
    (12, "dimensionless", 12.0),
])
def test_accepted_spellings_give_si_values(text, dimension, expected):
    assert parse(text, dimension) == pytest.approx(expected, rel=1e-12)


def test_decimal_prefixes_are_exact():
    # "71 mm" must be the float 0.071, so case.resolved.yaml reads "0.071 m".
    assert parse("71 mm", "length") == 0.071
    assert parse("50 um", "length") == 5e-5
    assert format_quantity(parse("71 mm", "length"), "length") == "0.071 m"


def test_m_is_metre_not_minute():
    assert parse("1 m", "length") == 1.0
    with pytest.raises(CaseError, match="not a time"):
        parse("1 m", "time")


@pytest.mark.parametrize("value, why", [
    (71, "bare number has no unit"),
    (71.0, "bare number has no unit"),
    ("71", "bare number has no unit"),
    ("100 A", "that is a current, not a length"),
    ("7 eV", "that is an energy, not a length"),
    ("1 m^2", "not a length"),
    ("nan m", "not finite"),
    ("inf m", "not finite"),
    ("-inf m", "not finite"),
    ("1e400 m", "not finite"),
    ("seventy mm", "not a number followed by a unit"),
    ("71 furlongz", "unknown unit"),
    ("", "not a number followed by a unit"),
    ("10 mm / 2", "not a number followed by a unit"),   # no arithmetic
    ("10**10**10 m", "not a number followed by a unit"),  # no exponent towers
    ("1 m^99^99", "not a number followed by a unit"),
    (True, "yes/no"),
    (None, None),
    ([71, "mm"], "a list"),
    ("7" * 200 + " m", "longer than"),
])
def test_rejected_values_name_file_key_and_expectation(value, why):
    with pytest.raises(CaseError) as info:
        parse(value, "length")
    message = str(info.value)
    assert message.startswith("cases/x.yaml: geometry.length: ")
    assert 'expected a length with a unit, such as "71 mm"' in message
    assert "; got " in message
    if why:
        assert why in message
    assert "\n" not in message


@pytest.mark.parametrize("text", ["27 degC", "80 degF", "3 delta_degC"])
def test_offset_temperatures_are_refused_with_advice(text):
    with pytest.raises(CaseError) as info:
        parse(text, "temperature")
    assert "kelvin" in str(info.value) and "300 K" in str(info.value)


def test_absolute_non_kelvin_temperature_converts():
    assert parse("540 degR", "temperature") == pytest.approx(300.0)


def test_dimensionless_refuses_units_and_bools():
    with pytest.raises(CaseError, match="that is a length"):
        parse("5 mm", "dimensionless")
    with pytest.raises(CaseError, match="yes/no"):
        parse(False, "dimensionless")
    with pytest.raises(CaseError, match="not finite"):
        parse(float("nan"), "dimensionless")


def test_unknown_dimension_is_a_programming_error():
    with pytest.raises(ValueError):
        to_si("1 m", "speed")


def test_format_quantity_spelling():
    assert format_quantity(0.071, "length") == "0.071 m"
    assert format_quantity(1.1e-6, "diffusivity") == "1.1e-06 m^2/s"
    assert format_quantity(5.9e7, "conductivity") == "59000000.0 S/m"
    assert format_quantity(2.3e6, "dimensionless") == "2300000.0"
    with pytest.raises(ValueError):
        format_quantity(math.inf, "length")


@settings(max_examples=300, deadline=None)
@given(x=st.floats(min_value=1e-300, max_value=1e300, allow_nan=False, allow_infinity=False),
       dimension=st.sampled_from(sorted(DIMENSIONS)))
def test_format_then_parse_round_trips_exactly(x, dimension):
    assert to_si(format_quantity(x, dimension), dimension) == x
