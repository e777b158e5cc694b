"""Case files: YAML in, a validated, frozen :class:`Case` out (all values SI floats).

A case flows one way: ``load_case("cases/vip2.yaml")`` reads the YAML safely, fills the
Table 1 preset and the defaults, parses every quantity through :mod:`solver.units`, resolves the
derived geometry (cylinder width 2 pi r, connector/reservoir/outlet cross-sections, a reservoir
given in target volumes) and checks the run size. :meth:`Case.to_resolved_dict` (and
:func:`write_resolved`) record the result as ``case.resolved.yaml``: every default spelled out,
every quantity in SI units; loading that file again gives an equal :class:`Case`.

Bad input only ever raises :class:`~solver.errors.CaseError`, whose message lists each problem
on one line as ``<file>: <dotted.key>: expected ...; got ...``.

The YAML shape, defaults and rules are documented in ``cases/vip2.yaml``; presets (Table 1 of
Milotti et al., Entropy 2018, 20, 515) are in :data:`PRESETS`.
"""

from __future__ import annotations

import difflib
import math
import re
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal, Optional, Union

import numpy as np
import yaml
from pydantic import (BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr,
                      ValidationError, model_validator)
from pydantic_core import PydanticCustomError

from solver.errors import CaseError
from solver.units import QuantityError, describe, format_quantity, show, to_si

__all__ = [
    "MAX_CASE_BYTES",
    "PRESETS",
    "Case",
    "ConstantCurrent",
    "Counting",
    "CurrentSpec",
    "FV",
    "Geometry",
    "Limits",
    "Output",
    "Material",
    "Reservoir",
    "Section",
    "SquareCurrent",
    "TableCurrent",
    "Time",
    "Transport",
    "case_from_dict",
    "estimate_cells",
    "estimate_steps",
    "load_case",
    "write_resolved",
]

MAX_CASE_BYTES = 1_000_000  # a case file is a page of text; anything bigger is refused unread
MAX_YAML_NODES = 1_000_000  # nodes after expanding aliases ("billion laughs" guard)
MAX_PROBLEMS_SHOWN = 20     # a CaseError lists at most this many problems (and counts the rest)
# libyaml's parser (when PyYAML has it) is ~5x faster on a 1 MB file and limits nesting depth.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Table 1 of the paper. A preset fills geometry, transport.current and
#: counting.geometric_factor wherever the case file leaves them out (or null).
PRESETS: dict[str, dict[str, object]] = {
    "vip": {"shape": "cylinder", "radius": "45 mm", "length": "88 mm", "thickness": "50 um",
            "current": "40 A", "geometric_factor": 0.01},
    "vip2": {"shape": "strip", "width": "20 mm", "length": "71 mm", "thickness": "50 um",
             "current": "100 A", "geometric_factor": 0.018},
}
_PRESET_FILLED = {("geometry", "length"), ("geometry", "thickness"), ("transport", "current"),
                  ("counting", "geometric_factor")}
_SECTIONS = ("geometry", "material", "transport", "counting", "time", "fv", "output", "limits")


# ---------------------------------------------------------------------------------------------
# Field types: each parses and checks one kind of value and raises a one-sentence error.

def _problem(message: str, subkey: str | None = None) -> PydanticCustomError:
    """A validation error whose text is ``message``; ``subkey`` extends the dotted key."""
    ctx = {"message": message}
    if subkey:
        ctx["subkey"] = subkey
    return PydanticCustomError("case_value", "{message}", ctx)


def _range_text(low, low_open, high, high_open) -> str:
    if high is None:
        return f"greater than {low:g}" if low_open else f"of {low:g} or more"
    return f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"


def _quantity(dimension: str, *, low: float = 0.0, low_open: bool = True,
              high: float | None = None, high_open: bool = False, optional: bool = False,
              negative_note: str | None = None, such_as: str | None = None):
    """An SI float parsed from text with a unit (a number for "dimensionless"), range-checked."""
    example = describe(dimension)
    if such_as is not None:
        example = example.split(", such as")[0] + f", such as {such_as}"

    def check(value):
        if value is None:
            if optional:
                return None
            raise _problem(f"expected {example}; got null")
        try:
            x = to_si(value, dimension)
        except QuantityError as exc:
            raise _problem(str(exc)) from None
        ok = (x > low if low_open else x >= low) and (
            high is None or (x < high if high_open else x <= high))
        if not ok:
            note = f" ({negative_note})" if negative_note and x < 0 else ""
            noun = example.split(",")[0].replace(" with a unit", "")
            raise _problem(f"expected {noun} {_range_text(low, low_open, high, high_open)}, "
                           f"{example.split(', ', 1)[1]}; got {show(value)}{note}")
        return x

    return Annotated[Optional[float] if optional else float, BeforeValidator(check)]


def _integer(low: int, high: int):
    """A whole number in [low, high]; accepts 200, 200.0, "200" and "2e3"."""

    def check(value):
        expected = f"expected a whole number from {low} to {high}"
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise _problem(f"{expected}; got {show(value)}")
        try:
            number = float(value) if not isinstance(value, int) else value
        except ValueError:
            raise _problem(f"{expected}; got {show(value)} (not a number)") from None
        if isinstance(number, float) and not (math.isfinite(number) and number.is_integer()):
            raise _problem(f"{expected}; got {show(value)} (not a whole number)")
        number = int(number)
        if not low <= number <= high:
            raise _problem(f"{expected}; got {show(value)}")
        return number

    return Annotated[int, BeforeValidator(check)]


def _choice(*options):
    """One of the given strings (or None, if listed), with a did-you-mean on a near miss."""
    names = [o for o in options if o is not None]
    words = ", ".join(names) + (" or null" if None in options else "")

    def check(value):
        if value in options and not isinstance(value, bool):
            return value
        hint = ""
        if isinstance(value, str):
            close = difflib.get_close_matches(value.lower(), names, n=1, cutoff=0.5)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
        raise _problem(f"expected one of {words}; got {show(value)}{hint}")

    literal = Literal[tuple(names)]  # type: ignore[valid-type]
    return Annotated[Optional[literal] if None in options else literal, BeforeValidator(check)]


def _name(value):
    if isinstance(value, str) and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", value):
        return value
    note = " (quote it to make it text)" if isinstance(value, (int, float)) else ""
    raise _problem("expected a case name of up to 64 letters, digits, '.', '_' or '-' starting "
                   f"with a letter or digit, such as vip2; got {show(value)}{note}")


Length = _quantity("length")
OptLength = _quantity("length", optional=True)
Probability = _quantity("dimensionless", high=1.0, such_as="0.018")
Current = _quantity("current", low_open=False, negative_note=(
    "negative currents are not accepted: by convention the electrons drift from the reservoir "
    "toward the outlet, so give the magnitude of the current"))
Duration = _quantity("time")
OptDuration = _quantity("time", optional=True)
Instant = _quantity("time", low_open=False)
Offset = _quantity("length", low=-math.inf, such_as="7.5 mm")


def _angles(value):
    """A list of angles, each text with a unit ("90 deg", "1.2 rad"), to radians; null -> ()."""
    if value is None:
        return ()
    if not isinstance(value, (list, tuple)):
        raise _problem(f'expected a list of angles with units, such as [0 deg, 180 deg]; got {show(value)}')
    out = []
    for k, item in enumerate(value):
        if not isinstance(item, str) or re.fullmatch(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*", item):
            raise _problem(f'expected an angle with a unit, such as "90 deg" (a bare number would be '
                           f'ambiguous); got {show(item)}', str(k))
        try:
            x = to_si(item, "dimensionless")
        except QuantityError:
            raise _problem(f'expected an angle with a unit, such as "90 deg"; got {show(item)}',
                           str(k)) from None
        if not math.isfinite(x):
            raise _problem(f"expected a finite angle; got {show(item)}", str(k))
        out.append(x)
    return tuple(out)


Angles = Annotated[tuple[float, ...], BeforeValidator(_angles)]


def _set(model: BaseModel, **values) -> None:
    """Store resolved values on a frozen model while it is being validated (never afterwards)."""
    for key, value in values.items():
        object.__setattr__(model, key, value)


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# ---------------------------------------------------------------------------------------------
# Geometry

class Section(_Model):
    """A straight conductor next to the target: length, width, thickness in m.

    Width and thickness left out (null) are resolved to the target's by :class:`Geometry`.
    Placement across the target (2D/3D only; the 1D line sees the cross-section alone):
    ``offset`` [m] of the centre line from the target's centre line on a strip ((w_target -
    width)/2 puts it flush with an edge); ``angles`` [rad] of feed tabs on a cylinder shell,
    which share ``width`` equally (null: one tab at 0 if narrower than the circumference).
    """

    length: Length
    width: OptLength = None
    thickness: OptLength = None
    offset: Offset = Field("0 m", validate_default=True)
    angles: Angles = ()

    @property
    def area(self) -> float:
        """Cross-section width*thickness, m^2."""
        return self.width * self.thickness


class Connector(Section):
    """The conductor between the reservoir and the target (default 1 cm)."""

    length: Length = Field("1 cm", validate_default=True)


class Outlet(Section):
    """The conductor downstream of the target, through which electrons leave (default 10 cm)."""

    length: Length = Field("10 cm", validate_default=True)


def _reservoir_length(value):
    if value is None or value == "semi-infinite":
        return None
    try:
        x = to_si(value, "length")
    except QuantityError as exc:
        raise _problem(str(exc).replace("; got", ' or "semi-infinite"; got', 1)) from None
    if not x > 0:
        raise _problem(f'expected a length greater than 0 or "semi-infinite"; got {show(value)}')
    return x


class Reservoir(_Model):
    """The supply of new electrons (density n) upstream of the connector.

    ``length`` is in m, or None for a semi-infinite reservoir. ``target_volumes`` (if given) is
    the reservoir volume in target volumes; the length then follows from the reservoir's
    cross-section: length = target_volumes * L w z / (width * thickness).
    """

    length: Annotated[Optional[float], BeforeValidator(_reservoir_length)] = None
    width: OptLength = None
    thickness: OptLength = None
    offset: Offset = Field("0 m", validate_default=True)   # as for Section
    angles: Angles = ()
    target_volumes: _quantity("dimensionless", optional=True, such_as="2.3e6") = None

    @property
    def area(self) -> float:
        """Cross-section width*thickness, m^2."""
        return self.width * self.thickness

    @property
    def semi_infinite(self) -> bool:
        return self.length is None


class Geometry(_Model):
    """Target (strip or cylinder shell) and the conductors around it; all lengths in m.

    For a cylinder ``width`` is the circumference 2 pi r; give ``width`` or ``radius`` (both
    only if they agree to 1e-9). ``radius`` is resolved for every cylinder and is None for a
    strip.
    """

    preset: _choice("vip", "vip2", None) = None
    shape: _choice("strip", "cylinder") = "strip"
    dimension: _integer(1, 3) = 1
    length: Length = Field(description=describe("length"))
    width: OptLength = None
    radius: OptLength = None
    thickness: Length = Field(description='a length with a unit, such as "50 um"')
    connector: Connector = Field(default_factory=Connector)
    reservoir: Reservoir = Field(default_factory=Reservoir)
    outlet: Outlet = Field(default_factory=Outlet)

    @model_validator(mode="before")
    @classmethod
    def _empty_sections(cls, data):
        if isinstance(data, Mapping):
            data = dict(data)
            for key in ("connector", "reservoir", "outlet"):
                if key in data and data[key] is None:
                    data[key] = {}
        return data

    @model_validator(mode="after")
    def _resolve(self):
        width, radius = self.width, self.radius
        if self.shape == "strip" and radius is not None:
            raise _problem("expected no radius for a strip (radius is for shape: cylinder); got "
                           f"{format_quantity(radius, 'length')}", "radius")
        if width is None and radius is None:
            raise _problem('expected the width (or, for a cylinder, the radius) with a unit, '
                           'such as "20 mm", or a preset (geometry.preset: vip or vip2); got '
                           'nothing', "width")
        if radius is not None:
            circumference = 2.0 * math.pi * radius
            if width is None:
                width = circumference
            elif abs(width - circumference) > 1e-9 * circumference:
                raise _problem(f"expected width = 2 pi radius = "
                               f"{format_quantity(circumference, 'length')} for radius "
                               f"{format_quantity(radius, 'length')} (give one of the two); got "
                               f"{format_quantity(width, 'length')}", "width")
        elif self.shape == "cylinder":
            radius = width / (2.0 * math.pi)
        if not (math.isfinite(width) and radius != 0.0):
            raise _problem(f"expected a radius whose circumference 2 pi r is finite; got "
                           f"{format_quantity(radius, 'length')}", "radius")
        _set(self, width=width, radius=radius)

        def fill(section):
            return section.model_copy(update={
                "width": width if section.width is None else section.width,
                "thickness": self.thickness if section.thickness is None else section.thickness})

        connector, outlet, reservoir = fill(self.connector), fill(self.outlet), fill(self.reservoir)
        volumes = reservoir.target_volumes
        if volumes is not None:
            length = volumes * self.length * width * self.thickness / reservoir.area
            given = reservoir.length
            if given is not None and abs(given - length) > 1e-9 * length:
                raise _problem(f"expected reservoir.length or reservoir.target_volumes, not both "
                               f"(target_volumes {volumes!r} means a length of "
                               f"{format_quantity(length, 'length')}); got "
                               f"{format_quantity(given, 'length')}", "reservoir.length")
            if not (math.isfinite(length) and length > 0.0):
                raise _problem(f"expected target_volumes giving a finite, non-zero reservoir "
                               f"length; got {volumes!r}", "reservoir.target_volumes")
            reservoir = reservoir.model_copy(update={"length": length if given is None else given})
        for key, section in (("connector", connector), ("reservoir", reservoir), ("outlet", outlet)):
            if self.shape == "strip" and section.angles:
                raise _problem("expected no angles on a strip (feed-tab angles are for shape: "
                               "cylinder; use offset to move a lead across a strip); got "
                               f"{len(section.angles)} angles", f"{key}.angles")
            if self.shape == "cylinder":
                if section.offset != 0.0:
                    raise _problem("expected offset 0 on a cylinder (place feed tabs with angles); "
                                   f"got {format_quantity(section.offset, 'length')}", f"{key}.offset")
                if section.width > width * (1 + 1e-9):
                    raise _problem(f"expected a width of at most the circumference "
                                   f"{format_quantity(width, 'length')}; got "
                                   f"{format_quantity(section.width, 'length')}", f"{key}.width")
        if reservoir.length is not None and not connector.length + reservoir.length > connector.length:
            # x_min = x_max - length would equal x_max in floating point (analytic and FV fail)
            key = "reservoir.length" if self.reservoir.length is not None else "reservoir.target_volumes"
            raise _problem(f"expected a reservoir length that is not negligible beside the "
                           f"connector ({format_quantity(connector.length, 'length')}); got "
                           f"{format_quantity(reservoir.length, 'length')}", key)
        _set(self, connector=connector, outlet=outlet, reservoir=reservoir)
        return self

    @property
    def area(self) -> float:
        """Target cross-section width*thickness, m^2."""
        return self.width * self.thickness

    @property
    def volume(self) -> float:
        """Target volume length*width*thickness, m^3."""
        return self.length * self.area


# ---------------------------------------------------------------------------------------------
# Material

class Material(_Model):
    """Copper by default (section 2.1): E_F in J, sigma in S/m, T in K."""

    fermi_energy: _quantity("energy") = Field("7 eV", validate_default=True)
    conductivity: _quantity("conductivity") = Field("5.9e7 S/m", validate_default=True)
    temperature: _quantity("temperature") = Field("300 K", validate_default=True)


# ---------------------------------------------------------------------------------------------
# Current schedules

class CurrentSpec(_Model):
    """A current I(t) in A, zero before it is switched on; times in s.

    Subclasses: :class:`ConstantCurrent`, :class:`SquareCurrent`, :class:`TableCurrent`.
    :func:`solver.schedule.schedule_from_spec` turns one into a time function.
    """

    schedule: str

    def nominal(self) -> float:
        """The run's characteristic current, A: the constant, the square's high, the table's max."""
        raise NotImplementedError

    def to_resolved_dict(self) -> dict:
        raise NotImplementedError


class ConstantCurrent(CurrentSpec):
    """I = value for t >= t_on, 0 before."""

    schedule: Literal["constant"]
    value: Current = Field(description='a current, such as "100 A"')
    t_on: Instant = Field("0 s", validate_default=True)

    def nominal(self) -> float:
        return self.value

    def to_resolved_dict(self) -> dict:
        return {"schedule": "constant", "value": format_quantity(self.value, "current"),
                "t_on": format_quantity(self.t_on, "time")}


class SquareCurrent(CurrentSpec):
    """For t >= t_on: I = high during the first duty*period of each period, low otherwise.

    The current is 0 before t_on; 0 < duty <= 1.
    """

    schedule: Literal["square"]
    high: Current = Field(description='a current, such as "100 A"')
    low: Current = Field("0 A", validate_default=True)
    period: Duration = Field(description='a time with a unit, such as "200 s"')
    duty: Probability = 0.5
    t_on: Instant = Field("0 s", validate_default=True)

    def nominal(self) -> float:
        return self.high

    def to_resolved_dict(self) -> dict:
        return {"schedule": "square", "high": format_quantity(self.high, "current"),
                "low": format_quantity(self.low, "current"),
                "period": format_quantity(self.period, "time"), "duty": self.duty,
                "t_on": format_quantity(self.t_on, "time")}


class TableCurrent(CurrentSpec):
    """Piecewise constant: I = values[k] on [times[k], times[k+1]), the last value forever after."""

    schedule: Literal["table"]
    times: tuple[Instant, ...] = Field(description="a list of times, such as [0 s, 10 s]")
    values: tuple[Current, ...] = Field(description="a list of currents, such as [0 A, 100 A]")

    @model_validator(mode="after")
    def _check(self):
        times, values = self.times, self.values
        if not times:
            raise _problem("expected at least one time, starting at 0 s; got an empty list",
                           "times")
        if len(values) != len(times):
            raise _problem(f"expected one value per time ({len(times)}); got {len(values)}",
                           "values")
        if times[0] != 0.0:
            raise _problem("expected the first time to be 0 s (the current is defined from the "
                           f"start of the run); got {format_quantity(times[0], 'time')}", "times.0")
        for k in range(1, len(times)):
            if not times[k] > times[k - 1]:
                raise _problem(f"expected times to increase strictly, so a time after "
                               f"{format_quantity(times[k - 1], 'time')}; got "
                               f"{format_quantity(times[k], 'time')}", f"times.{k}")
        return self

    def nominal(self) -> float:
        return max(self.values)

    def to_resolved_dict(self) -> dict:
        return {"schedule": "table", "times": [format_quantity(t, "time") for t in self.times],
                "values": [format_quantity(v, "current") for v in self.values]}


_SCHEDULES = ("constant", "square", "table")


def _current_mapping(value):
    """A plain quantity means {schedule: constant, value: ...}; a mapping must name its schedule."""
    if value is None:
        raise _problem('expected a current, such as "100 A", or a mapping with a schedule '
                       "(constant, square or table); got null")
    if not isinstance(value, Mapping):
        return {"schedule": "constant", "value": value}
    schedule = value.get("schedule")
    if schedule not in _SCHEDULES:
        close = difflib.get_close_matches(str(schedule), _SCHEDULES, n=1, cutoff=0.5)
        hint = f' (did you mean "{close[0]}"?)' if close and schedule is not None else ""
        got = "nothing (the key is missing)" if schedule is None else show(schedule)
        raise _problem(f"expected one of constant, square, table; got {got}{hint}", "schedule")
    return value


CurrentField = Annotated[Union[ConstantCurrent, SquareCurrent, TableCurrent],
                         Field(discriminator="schedule"), BeforeValidator(_current_mapping)]


# ---------------------------------------------------------------------------------------------
# Transport, counting, time, numerics

def _diffusivity(value):
    if value in ("einstein", "degenerate"):
        return value
    try:
        x = to_si(value, "diffusivity")
    except QuantityError as exc:
        close = difflib.get_close_matches(value, ["einstein", "degenerate"], n=1, cutoff=0.6) \
            if isinstance(value, str) else []
        hint = f' (did you mean "{close[0]}"?)' if close else ""
        raise _problem(str(exc).replace("expected ", "expected einstein, degenerate or ", 1)
                       + hint) from None
    if not x > 0:
        raise _problem("expected einstein, degenerate or a diffusivity greater than 0, such as "
                       f'"1.1e-6 m^2/s"; got {show(value)}')
    return x


class Transport(_Model):
    """Current (A), diffusivity (m^2/s or a named relation), and the solution conventions.

    diffusivity: "einstein" D = sigma k_B T/(n e^2) (eq. 13), "degenerate"
    D = 2 sigma E_F/(3 n e^2), or a value; multiplied by diffusivity_scale. convention: "standard" Green's function variance
    2 D t, "paper" eq. 14's variance D t. injection: "reservoir" (eq. 24) or "single-electron"
    (one electron at x = 0, t = 0; eqs. 18-19).
    """

    current: CurrentField = Field(description='a current, such as "100 A", or a schedule mapping')
    diffusivity: Annotated[Union[Literal["einstein", "degenerate"], float],
                           BeforeValidator(_diffusivity)] = "einstein"
    diffusivity_scale: _quantity("dimensionless", such_as="0.01") = 1.0
    convention: _choice("standard", "paper") = "standard"
    injection: _choice("reservoir", "single-electron") = "reservoir"


class Counting(_Model):
    """How scatterings become X-ray counts (section 3).

    scattering: "close-encounters" (rate v/l with l = 1/(n pi (lambda_e/2)^2), section 3) or
    "conduction" (rate 1/tau, eq. 10). capture_probability r and the detector's
    geometric_factor are in (0, 1]; xray_count_limit is the observed upper limit on counts used
    for the bound (None: none).
    """

    scattering: _choice("close-encounters", "conduction") = "close-encounters"
    capture_probability: Probability = 1.0
    geometric_factor: Probability = Field(
        description="the detector's geometric factor, a number in (0, 1], such as 0.018")
    xray_count_limit: _quantity("dimensionless", low_open=False, optional=True,
                                such_as="3.2") = None


class Time(_Model):
    """Run duration (s) and output times, log-spaced from first_output (s) to duration."""

    duration: Duration = Field("1e4 s", validate_default=True)
    outputs: _integer(1, 100_000) = 200
    first_output: OptDuration = None

    @model_validator(mode="after")
    def _resolve(self):
        first = self.duration * 1e-4 if self.first_output is None else self.first_output
        if first > self.duration or (self.outputs > 1 and first >= self.duration):
            raise _problem(f"expected a time before time.duration "
                           f"({format_quantity(self.duration, 'time')}); got "
                           f"{format_quantity(first, 'time')}", "first_output")
        _set(self, first_output=first)
        return self

    def output_times(self) -> np.ndarray:
        """``outputs`` times (s), log-spaced from first_output to duration inclusive."""
        if self.outputs == 1:
            return np.array([self.duration])
        times = np.geomspace(self.first_output, self.duration, self.outputs)
        times[0], times[-1] = self.first_output, self.duration
        return times


class FV(_Model):
    """Finite-volume settings (ignored by the analytic method).

    cells_per_target: uniform cells along the target; grading: growth ratio of cells into the
    reservoir and outlet; time_steps log-spaced from first_step (s; default duration*1e-7);
    startup_steps implicit-Euler steps after t = 0 and every current change; far boundaries
    far_field spreads sqrt(4 D T) (plus the drift v T) away; steps_per_front: steps while a
    front of width sqrt(4 D t) passes a point (keeps dt below sqrt(4 D t)/(k v)); convection:
    auto = central where the cell Peclet number is below 2, exponential elsewhere.
    linear_solver (2D/3D): splu (SuperLU), pardiso (MKL PARDISO, package pypardiso), amg
    (pyamg + GMRES); auto = pardiso when installed, else splu up to 3e5 cells and amg above.
    cells_per_target and steps_per_front default (null) to 800 and 40 for reservoir injection
    and to 1600 and 160 for a single electron, whose narrow pulse needs both finer (these
    defaults give N(t) within 1e-4 of the analytic solution for VIP and VIP-2, 0-100 A, D and D/100).
    """

    cells_per_target: Optional[_integer(4, 10**18)] = None  # limits.max_cells refuses big meshes
    grading: _quantity("dimensionless", low=1.0, high=2.0, such_as="1.03") = 1.03
    scheme: _choice("crank-nicolson", "implicit-euler") = "crank-nicolson"
    stepper: _choice("cached", "fipy") = "cached"
    convection: _choice("auto", "exponential", "central", "upwind") = "auto"
    time_steps: _integer(1, 10**9) = 2000
    first_step: OptDuration = None
    startup_steps: _integer(0, 10**6) = 4
    far_field: _quantity("dimensionless", such_as="12") = 12.0
    steps_per_front: Optional[_integer(0, 10**6)] = None
    spacing: _choice("log", "uniform") = "log"
    cells_across: Optional[_integer(1, 10**9)] = None   # 2D/3D; null: cells as wide as long
    cells_through: _integer(1, 10**6) = 2                # 3D
    linear_solver: _choice("auto", "splu", "pardiso", "amg") = "auto"   # 2D/3D


class Output(_Model):
    """Extras beside the results contract.

    ``fields``: times (s) of the 2D/3D field snapshots (density, potential, drift velocity as
    VTK files with a .pvd index in fields/, and a PNG map at the last one); each is moved to
    the nearest output time. null: 6 output times log-spaced over the run; []: none.
    """

    fields: Optional[tuple[Instant, ...]] = None


class Limits(_Model):
    """Refuse runs too big to finish: finite-volume runs estimated to need more than max_cells
    cells or max_steps time steps (see :func:`estimate_cells`, :func:`estimate_steps`), and
    runs of any method whose current changes more than max_steps times."""

    max_cells: _integer(1, 10**12) = 5_000_000
    max_steps: _integer(1, 10**9) = 1_000_000


# ---------------------------------------------------------------------------------------------
# The case

class Case(_Model):
    """A validated case: every quantity an SI float, every default and derived value filled.

    Equality ignores :attr:`source` (where the case was read from).
    """

    name: Annotated[str, BeforeValidator(_name)] = Field(description="a case name, such as vip2")
    geometry: Geometry
    material: Material = Field(default_factory=Material)
    transport: Transport
    counting: Counting
    time: Time = Field(default_factory=Time)
    method: _choice("analytic", "fv") = "analytic"
    fv: FV = Field(default_factory=FV)
    output: Output = Field(default_factory=Output)
    limits: Limits = Field(default_factory=Limits)
    _source: str = PrivateAttr("<dict>")

    @property
    def source(self) -> str:
        """The file the case was read from ("<dict>" for :func:`case_from_dict`)."""
        return self._source

    @model_validator(mode="before")
    @classmethod
    def _preset_and_sections(cls, data):
        """Treat absent/null sections as empty and fill a preset's values where not given."""
        if not isinstance(data, Mapping):
            return data
        data = dict(data)
        for key in _SECTIONS:
            if data.get(key, None) is None:
                data[key] = {}
        geometry, transport, counting = data["geometry"], data["transport"], data["counting"]
        preset = geometry.get("preset") if isinstance(geometry, Mapping) else None
        if not isinstance(preset, str) or preset not in PRESETS:
            return data
        values = PRESETS[preset]
        geometry = dict(geometry)
        for key in ("shape", "length", "thickness"):
            if geometry.get(key) is None:
                geometry[key] = values[key]
        if geometry.get("width") is None and geometry.get("radius") is None:
            if geometry["shape"] == "cylinder" and "radius" in values:
                geometry["radius"] = values["radius"]
            elif "width" in values:
                geometry["width"] = values["width"]
            else:  # a cylinder preset used as a strip keeps the cylinder's circumference
                geometry["width"] = format_quantity(
                    2.0 * math.pi * to_si(values["radius"], "length"), "length")
        data["geometry"] = geometry
        if isinstance(transport, Mapping) and transport.get("current") is None:
            data["transport"] = {**transport, "current": values["current"]}
        if isinstance(counting, Mapping) and counting.get("geometric_factor") is None:
            data["counting"] = {**counting, "geometric_factor": values["geometric_factor"]}
        return data

    @model_validator(mode="after")
    def _resolve(self):
        duration = self.time.duration
        first_step = self.fv.first_step
        if first_step is None:
            first_step = duration * 1e-7
        elif first_step >= duration:
            raise _problem(f"expected a first time step shorter than time.duration "
                           f"({format_quantity(duration, 'time')}); got "
                           f"{format_quantity(first_step, 'time')}", "fv.first_step")
        single = self.transport.injection == "single-electron"
        _set(self, fv=self.fv.model_copy(update={
            "first_step": first_step,
            "cells_per_target": self.fv.cells_per_target or (1600 if single else 800),
            "steps_per_front": (160 if single else 40) if self.fv.steps_per_front is None else self.fv.steps_per_front}))
        if self.fv.cells_across is None:
            h = self.geometry.length / self.fv.cells_per_target
            _set(self, fv=self.fv.model_copy(update={"cells_across": max(1, _ceil(self.geometry.width / h))}))
        for k, t_field in enumerate(self.output.fields or ()):
            if t_field > duration or t_field <= 0.0:
                raise _problem(f"expected a time in (0 s, time.duration = {format_quantity(duration, 'time')}]; "
                               f"got {format_quantity(t_field, 'time')}", f"output.fields.{k}")
        changes, how = _current_changes(self)
        if changes > self.limits.max_steps:
            raise _problem(f"expected at most {self.limits.max_steps:,} current changes; got "
                           f"{changes:,} ({how}): lengthen transport.current.period or shorten "
                           f"time.duration, or raise limits.max_steps", "limits.max_steps")
        if self.method == "fv":
            cells, how = _cells_breakdown(self)
            if cells > self.limits.max_cells:
                raise _problem(f"expected at most {self.limits.max_cells:,} cells; got an "
                               f"estimated {cells:,} cells ({how}): lower fv.cells_per_target or "
                               f"geometry.dimension, or raise limits.max_cells",
                               "limits.max_cells")
            steps, how = _steps_breakdown(self)
            if steps > self.limits.max_steps:
                raise _problem(f"expected at most {self.limits.max_steps:,} time steps; got an "
                               f"estimated {steps:,} ({how}): lower fv.time_steps or "
                               f"fv.steps_per_front, or raise limits.max_steps",
                               "limits.max_steps")
        return self

    def __eq__(self, other) -> bool:
        if not isinstance(other, Case):
            return NotImplemented
        return self.to_resolved_dict() == other.to_resolved_dict()

    def __hash__(self) -> int:
        return hash(repr(self.to_resolved_dict()))

    def to_resolved_dict(self) -> dict:
        """Plain data (str, int, float, None, list, dict) with units written out in SI.

        Written as YAML and loaded again it gives an equal :class:`Case`.
        """
        g, m, t, c = self.geometry, self.material, self.transport, self.counting

        def length(x):
            return None if x is None else format_quantity(x, "length")

        def section(s):
            return {"length": length(s.length), "width": length(s.width),
                    "thickness": length(s.thickness), "offset": length(s.offset),
                    "angles": [f"{a!r} rad" for a in s.angles] or None}

        reservoir = section(g.reservoir)
        if g.reservoir.semi_infinite:
            reservoir["length"] = "semi-infinite"
        reservoir["target_volumes"] = g.reservoir.target_volumes
        diffusivity = t.diffusivity if isinstance(t.diffusivity, str) else format_quantity(
            t.diffusivity, "diffusivity")
        fv = self.fv
        return {
            "name": self.name,
            "geometry": {"preset": g.preset, "shape": g.shape, "dimension": g.dimension,
                         "length": length(g.length), "width": length(g.width),
                         "radius": length(g.radius), "thickness": length(g.thickness),
                         "connector": section(g.connector), "reservoir": reservoir,
                         "outlet": section(g.outlet)},
            "material": {"fermi_energy": format_quantity(m.fermi_energy, "energy"),
                         "conductivity": format_quantity(m.conductivity, "conductivity"),
                         "temperature": format_quantity(m.temperature, "temperature")},
            "transport": {"current": t.current.to_resolved_dict(), "diffusivity": diffusivity,
                          "diffusivity_scale": t.diffusivity_scale,
                          "convention": t.convention, "injection": t.injection},
            "counting": {"scattering": c.scattering,
                         "capture_probability": c.capture_probability,
                         "geometric_factor": c.geometric_factor,
                         "xray_count_limit": c.xray_count_limit},
            "time": {"duration": format_quantity(self.time.duration, "time"),
                     "outputs": self.time.outputs,
                     "first_output": format_quantity(self.time.first_output, "time")},
            "method": self.method,
            "fv": {"cells_per_target": fv.cells_per_target, "grading": fv.grading,
                   "scheme": fv.scheme, "stepper": fv.stepper, "convection": fv.convection,
                   "time_steps": fv.time_steps,
                   "first_step": format_quantity(fv.first_step, "time"),
                   "startup_steps": fv.startup_steps, "far_field": fv.far_field,
                   "steps_per_front": fv.steps_per_front, "spacing": fv.spacing,
                   "cells_across": fv.cells_across, "cells_through": fv.cells_through,
                   "linear_solver": fv.linear_solver},
            "output": {"fields": None if self.output.fields is None else
                       [format_quantity(t_out, "time") for t_out in self.output.fields]},
            "limits": {"max_cells": self.limits.max_cells, "max_steps": self.limits.max_steps},
        }


# ---------------------------------------------------------------------------------------------
# Run-size estimate

def _rough_transport(case: Case) -> tuple[float, float]:
    """Rough n [m^-3] (eq. 7) and D [m^2/s] (eq. 13 or the degenerate value, times
    diffusivity_scale) for the run-size estimates."""
    from scipy import constants as sc

    m = case.material
    n = (8.0 * math.sqrt(2.0) * math.pi * sc.m_e ** 1.5 / sc.h ** 3) * (2.0 / 3.0) \
        * m.fermi_energy ** 1.5
    d = case.transport.diffusivity
    if d == "einstein":
        d = m.conductivity * sc.k * m.temperature / (n * sc.e ** 2)
    elif d == "degenerate":
        d = 2.0 * m.conductivity * m.fermi_energy / (3.0 * n * sc.e ** 2)
    return n, d * case.transport.diffusivity_scale


def _current_changes(case: Case) -> tuple[int, str]:
    """Times the current changes within the run (a square wave: twice a period)."""
    spec, duration = case.transport.current, case.time.duration
    if spec.schedule == "square" and spec.duty < 1.0:
        periods = _ceil(max(duration - spec.t_on, 0.0) / spec.period)
        return 2 * periods + 1, (f"a square wave of period {format_quantity(spec.period, 'time')} "
                                 f"changes twice a period")
    if spec.schedule == "table":
        return len(spec.times), "one per time of the table"
    return 1, "switch-on"


def _steps_breakdown(case: Case) -> tuple[int, str]:
    """Upper estimate of the planned time steps (see :func:`solver.stepper.plan_steps`)."""
    from scipy import constants as sc

    g, fv = case.geometry, case.fv
    n, d = _rough_transport(case)
    if case.transport.convention == "paper":
        d *= 0.5   # kernel diffusivity of the paper's convention
    speed = case.transport.current.nominal() / (n * sc.e * min(g.area, g.connector.area))
    front = 0
    if fv.steps_per_front and speed > 0:
        front = _ceil(fv.steps_per_front * speed * math.sqrt(case.time.duration / d)) \
            if d > 0 else 10**18
    events = case.time.outputs + _current_changes(case)[0]
    how = (f"{fv.startup_steps:,} start-up + {fv.time_steps:,} fv.time_steps + {events:,} output "
           f"times and current changes + {front:,} while the drifting fronts pass")
    return fv.startup_steps + fv.time_steps + events + front, how


def estimate_steps(case: Case) -> int:
    """Upper estimate of a finite-volume run's time steps, as checked against limits.max_steps.

    startup_steps + time_steps + (outputs + current changes) + the steps that keep dt below a
    front's passage time, steps_per_front * v sqrt(T / D_k), with v = I/(n e A) for the
    narrower of target and connector and D_k the kernel diffusivity.
    """
    return _steps_breakdown(case)[0]


def _rough_far_length(case: Case) -> float:
    """Rough distance (m) to a far boundary: far_field * sqrt(4 D T) + v_d T (estimate only).

    Uses n from eq. 7, D from eq. 13 (or the degenerate value) and v_d = I/(n e A) (eq. 11)
    with the nominal current.
    """
    from scipy import constants as sc

    n, d = _rough_transport(case)
    duration = case.time.duration
    drift = case.transport.current.nominal() / (n * sc.e * case.geometry.area) * duration
    return case.fv.far_field * math.sqrt(4.0 * d * duration) + drift


def _ceil(x: float) -> int:
    """ceil(x) for a count, saturating at 1e18 (absurd inputs must not overflow)."""
    return math.ceil(min(x, 1e18)) if not math.isnan(x) else 10**18


def _graded_cells(extent: float, first: float, grading: float) -> int:
    """Cells of sizes first*grading^k (k = 1, 2, ...) needed to cover ``extent`` (m)."""
    return max(1, _ceil(math.log1p(extent * (grading - 1.0) / first) / math.log(grading)))


def _cells_breakdown(case: Case) -> tuple[int, str]:
    g, fv = case.geometry, case.fv
    h = g.length / fv.cells_per_target
    far = _rough_far_length(case)
    reservoir = far if g.reservoir.semi_infinite else min(g.reservoir.length, far)
    along = (_ceil(fv.cells_per_target * (1.0 + g.connector.length / g.length))
             + _graded_cells(reservoir, h, fv.grading)
             + _graded_cells(min(g.outlet.length, far), h, fv.grading))
    across = fv.cells_across if g.dimension >= 2 else 1
    through = fv.cells_through if g.dimension == 3 else 1
    how = f"{along:,} along the length"
    if g.dimension >= 2:
        how += f" x {across:,} across the width"
    if g.dimension == 3:
        how += f" x {through:,} through the thickness"
    return along * across * through, how


def estimate_cells(case: Case) -> int:
    """Rough finite-volume cell count for ``case``, as checked against limits.max_cells.

    Along the length: cells_per_target uniform cells of size h = L/cells_per_target over the
    target and the connector, plus geometrically graded cells (ratio fv.grading, starting at h)
    over the outlet and the reservoir, each cut at the far-field distance
    far_field * sqrt(4 D T) + v_d T. In 2D the width (for a cylinder the circumference) is
    resolved with cells of size h; in 3D the thickness also, with at least 2 cells. The
    actual meshes may differ by a small factor.
    """
    return _cells_breakdown(case)[0]


# ---------------------------------------------------------------------------------------------
# Reading and writing

_TAGS = {"constant": ConstantCurrent, "square": SquareCurrent, "table": TableCurrent}


def _model_in(annotation):
    """The BaseModel class inside an annotation (Optional/Annotated/Union), if exactly one."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    found = [m for arg in typing.get_args(annotation) if (m := _model_in(arg)) is not None]
    return found[0] if len(found) == 1 else None


def _model_at(loc: tuple):
    """The model class at a (raw) validation-error location, walking down from Case."""
    model = Case
    for i, part in enumerate(loc):
        if i and loc[i - 1] == "current" and part in _TAGS:
            model = _TAGS[part]
        elif model is not None and isinstance(part, str) and part in model.model_fields:
            model = _model_in(model.model_fields[part].annotation)
        else:
            return None
    return model


def _clean_loc(loc: tuple) -> tuple:
    """Drop the discriminator tag pydantic inserts after transport.current."""
    return tuple(part for i, part in enumerate(loc)
                 if not (i and loc[i - 1] == "current" and part in _TAGS))


def _explain(error: dict) -> str:
    """The ``expected ...; got ...`` text for one pydantic error."""
    kind, given, loc = error["type"], error.get("input"), tuple(error["loc"])
    ctx = error.get("ctx") or {}
    if kind == "case_value":
        return ctx["message"]
    if kind == "missing":
        model = _model_at(loc[:-1])
        field = model.model_fields.get(loc[-1]) if model is not None else None
        wanted = field.description if field is not None and field.description else "a value"
        clean = _clean_loc(loc)
        hint = " (or set geometry.preset: vip or vip2)" if clean[-2:] in _PRESET_FILLED else ""
        return f"expected {wanted}{hint}; got nothing (the key is missing)"
    if kind == "invalid_key":   # the input is the key itself (a number, a date, true, null)
        return f"expected keys that are text (quote the key); got the key {show(given)}"
    if kind == "extra_forbidden":
        model = _model_at(loc[:-1])
        names = list(model.model_fields) if model is not None else []
        close = difflib.get_close_matches(str(loc[-1]), names, n=1, cutoff=0.6)
        hint = f' (did you mean "{close[0]}"?)' if close else ""
        return (f"expected one of the keys {', '.join(names)}; got the unknown key "
                f'"{loc[-1]}"{hint}')
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"expected a mapping of keys to values; got {show(given)}"
    if kind in ("tuple_type", "list_type"):
        return f"expected a list, such as [0 s, 10 s]; got {show(given)}"
    if kind == "string_type":
        return f"expected text; got {show(given)}"
    return f"{error['msg']}; got {show(given)}"


def _format_errors(exc: ValidationError, source: str) -> str:
    lines = {}   # insertion-ordered set: a file with 100,000 bad values must not take minutes
    for error in exc.errors(include_url=False):
        loc = _clean_loc(tuple(error["loc"]))
        if error["type"] == "invalid_key":
            loc = loc[:-1] + (show(error.get("input")),)
        subkey = (error.get("ctx") or {}).get("subkey")
        key_loc = loc + tuple(subkey.split(".")) if subkey else loc
        key = ".".join(str(p) for p in key_loc) or "(top level)"
        lines.setdefault(f"{source}: {key}: {_explain(error)}", None)
    lines = list(lines)
    if len(lines) == 1:
        return lines[0]
    shown = lines[:MAX_PROBLEMS_SHOWN]
    if len(lines) > len(shown):
        shown.append(f"{source}: ... and {len(lines) - len(shown):,} more problems")
    return f"{source}: {len(lines)} problems in the case:\n" + "\n".join(shown)


def case_from_dict(data, source: str = "<dict>") -> Case:
    """Validate plain data (as loaded from YAML) into a :class:`Case`; raises CaseError.

    ``source`` names the origin in error messages and becomes ``case.source``.
    """
    if not isinstance(data, Mapping):
        raise CaseError(f"{source}: (top level): expected a mapping of sections (name:, "
                        f"geometry:, transport:, ...); got {show(data)}")
    try:
        case = Case.model_validate(dict(data))
    except ValidationError as exc:
        raise CaseError(_format_errors(exc, source)) from None
    case._source = source
    return case


def _check_nodes(node, source: str) -> None:
    """Refuse alias bombs, recursive aliases, duplicate keys and integers too long to read
    before constructing objects."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(n) -> int:
        key = id(n)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise CaseError(f"{source}: line {n.start_mark.line + 1}: expected plain data; got "
                            "a recursive alias (an anchor that contains itself)")
        active.add(key)
        total = 1
        if isinstance(n, yaml.ScalarNode) and n.tag == "tag:yaml.org,2002:int" \
                and len(n.value) > 4000:   # Python refuses to read ints of over 4,300 digits
            raise CaseError(f"{source}: line {n.start_mark.line + 1}: expected a number of at most "
                            f"4,000 digits; got one of {len(n.value):,} characters")
        if isinstance(n, yaml.SequenceNode):
            for child in n.value:
                total += size(child)
        elif isinstance(n, yaml.MappingNode):
            seen = set()
            for k, v in n.value:
                if isinstance(k, yaml.ScalarNode) and k.value != "<<":
                    if k.value in seen:
                        raise CaseError(f"{source}: line {k.start_mark.line + 1}: expected each "
                                        f"key once in a mapping; got \"{k.value}\" twice")
                    seen.add(k.value)
                total += size(k) + size(v)
        if total > MAX_YAML_NODES:
            raise CaseError(f"{source}: expected at most {MAX_YAML_NODES:,} values after "
                            "expanding YAML aliases (&anchor/*alias); got more (an alias bomb?)")
        active.discard(key)
        sizes[key] = total
        return total

    size(node)


def _parse_yaml(text: str, source: str):
    loader = None
    try:
        loader = _SAFE_LOADER(text.lstrip("\ufeff"))  # may refuse control characters at once
        node = loader.get_single_node()
        if node is None:
            return None
        _check_nodes(node, source)
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise CaseError(f"{source}: {where}expected valid YAML; got {exc.problem or exc}") \
            from None
    except yaml.YAMLError as exc:
        raise CaseError(f"{source}: expected valid YAML; got {exc}") from None
    except RecursionError:
        raise CaseError(f"{source}: expected plain data; got YAML nested too deeply") from None
    except (ValueError, OverflowError) as exc:   # e.g. an int of 5,000 digits, a date 2001-13-45
        raise CaseError(f"{source}: expected plain data; got a value YAML cannot read "
                        f"({str(exc)[:120]})") from None
    finally:
        if loader is not None:
            loader.dispose()


def load_case(path) -> Case:
    """Read a YAML case file (UTF-8, at most 1 MB, safe YAML only) into a :class:`Case`."""
    path = Path(path)
    source = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_CASE_BYTES:
            raise CaseError(f"{source}: expected a case file of at most {MAX_CASE_BYTES:,} bytes "
                            f"(1 MB); got {size:,} bytes")
        with open(path, "rb") as handle:
            raw = handle.read(MAX_CASE_BYTES + 1)
    except OSError as exc:
        raise CaseError(f"{source}: expected a readable case file; got "
                        f"{exc.strerror or exc}") from None
    if len(raw) > MAX_CASE_BYTES:
        raise CaseError(f"{source}: expected a case file of at most {MAX_CASE_BYTES:,} bytes "
                        "(1 MB); got more")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CaseError(f"{source}: byte {exc.start}: expected UTF-8 text; got the byte "
                        f"0x{raw[exc.start]:02x} (save the file as UTF-8)") from None
    data = _parse_yaml(text, source)
    if not isinstance(data, Mapping):
        got = "an empty file" if data is None else show(data)
        raise CaseError(f"{source}: (top level): expected a mapping of sections (name:, "
                        f"geometry:, transport:, ...); got {got}")
    return case_from_dict(data, source=source)


def write_resolved(case: Case, path) -> Path:
    """Write ``case.resolved.yaml``: every default and derived value, quantities in SI units."""
    path = Path(path)
    header = ("# Resolved case: every default filled in and every quantity in SI units.\n"
              f"# Read from: {case.source!r}\n"
              "# Loading this file gives the same case (vip-transport solver.case.load_case).\n")
    body = yaml.safe_dump(case.to_resolved_dict(), sort_keys=False, allow_unicode=True,
                          default_flow_style=False)
    path.write_text(header + body, encoding="utf-8")
    return path
