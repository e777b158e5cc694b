"""Physical quantities with units: the only place strings such as "71 mm" are parsed.

Case files give every dimensional value as text, a number followed by a unit ("71 mm",
"50 um", "7 eV", "5.9e7 S/m", "1.1e-6 m^2/s"). :func:`parse_quantity` turns such text into a
float in SI units (metres, amperes, joules, S/m, kelvin, seconds, m^2/s) and
:func:`format_quantity` writes it back, exactly, for ``case.resolved.yaml``.

Rules (each one guards against a real mistake):

- A bare number for a dimensional quantity is refused ("has no unit"): 71 is not 71 mm.
- The text must be *a number, then a unit* -- no arithmetic ("10 mm/2"), no exponent towers
  (pint would evaluate "10**10**10" for minutes). The unit part is handed to pint's unit parser.
- "m" is the metre (pint's convention); minutes are "min".
- Temperatures must be absolute: "300 K" (or another absolute scale such as "540 degR").
  Offset scales (degC, degF) and temperature differences (delta_degC) are refused with a
  message asking for kelvin -- we do not convert them, so nobody has to guess which is meant.
- NaN, infinity and yes/no values are refused.

Errors inside the package are :class:`QuantityError` (a ``ValueError``) carrying one sentence,
``expected ...; got ...``; :func:`parse_quantity` turns it into a :class:`~solver.errors.CaseError`
prefixed by the source file and the dotted key.
"""

from __future__ import annotations

import functools
import math
import re
import reprlib
import threading

from ..errors import CaseError

__all__ = [
    "DIMENSIONS",
    "QuantityError",
    "describe",
    "dimension_of",
    "format_quantity",
    "format_brief",
    "parse_quantity",
    "show",
    "to_si",
]

#: dimension name -> (SI unit written by format_quantity, noun phrase, example)
DIMENSIONS: dict[str, tuple[str, str, str]] = {
    "length": ("m", "a length", "71 mm"),
    "current": ("A", "a current", "100 A"),
    "energy": ("J", "an energy", "7 eV"),
    "conductivity": ("S/m", "a conductivity", "5.9e7 S/m"),
    "temperature": ("K", "an absolute temperature", "300 K"),
    "time": ("s", "a time", "1e4 s"),
    "diffusivity": ("m^2/s", "a diffusivity", "1.1e-6 m^2/s"),
    "dimensionless": ("", "a plain number", "2.3e6"),
}

_MAX_TEXT = 100  # characters; a quantity is short text, anything longer is a mistake

_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_NAME = r"[^\W\d]+"  # letters (including µ, μ, Ω) and underscores
_FACTOR = rf"{_NAME}(?:\s*(?:\^|\*\*)\s*[+-]?\d{{1,2}})?"
_UNIT = rf"{_FACTOR}(?:\s*[*/]\s*{_FACTOR}|\s+{_FACTOR})*"
_QUANTITY_RE = re.compile(
    rf"^\s*(?P<number>{_NUMBER}|[+-]?(?:nan|inf|infinity))\s*(?P<unit>{_UNIT})?\s*$",
    re.IGNORECASE)


_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxtuple, _SHORT.maxdict = 2, 4, 4, 4
_SHORT.maxstring, _SHORT.maxother = 60, 60


class QuantityError(ValueError):
    """A value that is not the quantity asked for; the message reads ``expected ...; got ...``."""


_REGISTRY_LOCK = threading.Lock()


@functools.lru_cache(maxsize=1)
def _registry():
    """The module's single pint UnitRegistry, created on first use (not at import).

    lru_cache alone does not stop two threads that parse their first quantity at the same
    time from creating two registries (and pint refuses to compare units of different
    registries), hence the lock.
    """
    with _REGISTRY_LOCK:
        return _create_registry()


@functools.lru_cache(maxsize=1)
def _create_registry():
    import pint

    return pint.UnitRegistry()


@functools.lru_cache(maxsize=None)
def _si_unit(dimension: str):
    return _registry().parse_units(DIMENSIONS[dimension][0] or "dimensionless")


def describe(dimension: str) -> str:
    """How a value of ``dimension`` should look: 'a length with a unit, such as "71 mm"'."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}; known: {', '.join(DIMENSIONS)}")
    _, noun, example = DIMENSIONS[dimension]
    if dimension == "dimensionless":
        return f'{noun}, such as {example}'
    return f'{noun} with a unit, such as "{example}"'


def _escape_controls(text: str) -> str:
    """``text`` with control characters (NUL, escape sequences, ...) written as \\xNN escapes,
    so that an error message never sends them to a terminal."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


def show(value) -> str:
    """A short, YAML-flavoured rendering of a user's value for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value if len(value) <= 60 else value[:57] + "..."
        return f'"{_escape_controls(text)}"'
    text = _SHORT.repr(value)  # bounded: never walks a huge (or alias-shared) structure
    return text if len(text) <= 60 else text[:57] + "..."


def _fail(dimension: str, value, why: str | None = None) -> QuantityError:
    expected = describe(dimension)
    got = show(value) + (f" ({why})" if why else "")
    return QuantityError(f"expected {expected}; got {got}")


def _name_of(dimensionality) -> str:
    """Name a pint dimensionality in words when it is one of ours, e.g. 'a time'."""
    for dim, (unit, noun, _) in DIMENSIONS.items():
        if dimensionality == _si_unit(dim).dimensionality:
            return noun
    return f"dimension {dimensionality}"


def _has_offset(ureg, unit) -> bool:
    """Whether ``unit`` is an offset scale (degC, degF): 0 of it is not 0 in base units."""
    try:
        return ureg.Quantity(0.0, unit).to_base_units().magnitude != 0.0
    except Exception:       # pint refuses arithmetic with offset units inside compound units
        return True


def to_si(value, dimension: str) -> float:
    """Convert ``value`` ("71 mm", or a number for dimensionless) to an SI float.

    Parameters: value -- str (number and unit) or, for dimension "dimensionless" only, an int or
    float; dimension -- one of :data:`DIMENSIONS`. Returns the magnitude in the SI unit of that
    dimension (m, A, J, S/m, K, s, m^2/s, or 1). Raises :class:`QuantityError`.
    """
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}; known: {', '.join(DIMENSIONS)}")
    if isinstance(value, bool):
        raise _fail(dimension, value, "a yes/no value, not a quantity")
    if isinstance(value, (int, float)):
        if dimension != "dimensionless":
            raise _fail(dimension, value, "a bare number has no unit")
        number = float(value)
        if not math.isfinite(number):
            raise _fail(dimension, value, "not finite")
        return number
    if value is None:
        raise _fail(dimension, value)
    if not isinstance(value, str):
        kind = {dict: "a mapping", list: "a list"}.get(type(value), type(value).__name__)
        raise _fail(dimension, value, kind)
    if len(value) > _MAX_TEXT:
        raise _fail(dimension, value, f"longer than {_MAX_TEXT} characters")
    match = _QUANTITY_RE.match(value)
    if not match:
        raise _fail(dimension, value, "not a number followed by a unit")
    number = float(match["number"])
    unit_text = match["unit"]
    if not math.isfinite(number):
        raise _fail(dimension, value, "not finite")
    if unit_text is None:
        if dimension != "dimensionless":
            raise _fail(dimension, value, "a bare number has no unit")
        return number
    ureg = _registry()
    try:
        unit = ureg.parse_units(unit_text)
    except Exception as exc:  # pint raises several types (UndefinedUnitError, ...)
        undefined = getattr(exc, "unit_names", None)
        if undefined:
            names = undefined if isinstance(undefined, str) else ", ".join(map(str, undefined))
            raise _fail(dimension, value, f"unknown unit {names!r}") from None
        raise _fail(dimension, value, f"unit {unit_text!r} not understood") from None
    if _has_offset(ureg, unit) or "delta_" in str(unit):
        raise _fail(dimension, value,
                    "offset scales and temperature differences such as degC, degF and delta_degC "
                    'are not accepted: give the absolute temperature in kelvin, e.g. "300 K"')
    target = _si_unit(dimension)
    if unit.dimensionality != target.dimensionality:
        raise _fail(dimension, value, f"that is {_name_of(unit.dimensionality)}, not "
                                      f"{DIMENSIONS[dimension][1]}")
    if unit == target:
        result = number
    else:
        factor = float(ureg.Quantity(1.0, unit).to(target).magnitude)
        inverse = 1.0 / factor if factor else math.inf
        # Divide by decimal prefixes (mm, um, cm) so that "71 mm" is exactly 0.071, not
        # 0.07100000000000001: the resolved file then reads as the user wrote it.
        if 1.0 < inverse < 1e300 and abs(inverse - round(inverse)) <= 1e-9 * inverse:
            result = number / round(inverse)
        else:
            result = number * factor
    if not math.isfinite(result):
        raise _fail(dimension, value, "not finite in SI units")
    return float(result)


def dimension_of(value) -> str | None:
    """The name in :data:`DIMENSIONS` of the quantity ``value`` ("length" for "5 mm",
    "dimensionless" for a finite number), or None if it is none of them ("einstein", a mapping)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "dimensionless" if math.isfinite(value) else None
    if not isinstance(value, str) or not _QUANTITY_RE.match(value):
        return None
    for dimension in DIMENSIONS:
        try:
            to_si(value, dimension)
        except QuantityError:
            continue
        return dimension
    return None


def parse_quantity(value, dimension: str, *, key: str, source: str) -> float:
    """Parse ``value`` as ``dimension`` and return its SI magnitude (float).

    Example: ``parse_quantity("71 mm", "length", key="geometry.length", source="x.yaml")``
    returns 0.071 (m). A mistake raises :class:`~solver.errors.CaseError` with one line naming
    ``source``, ``key``, what was expected and what was given.
    """
    try:
        return to_si(value, dimension)
    except QuantityError as exc:
        raise CaseError(f"{source}: {key}: {exc}") from None


def format_quantity(value_si: float, dimension: str) -> str:
    """Write an SI magnitude as text that :func:`to_si` reads back to the identical float.

    ``format_quantity(0.071, "length")`` is ``"0.071 m"``; dimensionless values have no unit.
    """
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}; known: {', '.join(DIMENSIONS)}")
    number = float(value_si)
    if not math.isfinite(number):
        raise ValueError(f"cannot format a non-finite {dimension}: {value_si!r}")
    unit = DIMENSIONS[dimension][0]
    return f"{number!r} {unit}" if unit else repr(number)


def format_brief(value_si: float, dimension: str) -> str:
    """An SI magnitude to three significant digits with its unit, for messages ("3.91e-08 m")."""
    unit = DIMENSIONS[dimension][0]
    return f"{float(value_si):.3g} {unit}".rstrip()
