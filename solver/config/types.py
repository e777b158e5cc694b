"""Field types of the case schema: each parses and checks one kind of value, raises a
one-sentence ``expected ...; got ...`` error, and writes the value back for
``case.resolved.yaml`` (a quantity in SI units that :func:`~.units.to_si` reads back exactly).

Every dimensional field is an SI float inside the package; its pydantic serialiser writes it as
text with its SI unit ("0.071 m"), so ``Case.to_resolved_dict`` is the schema's own dump and no
second list of the fields exists.
"""

from __future__ import annotations

import difflib
import math
import re
from typing import Annotated, Literal, Optional

from pydantic import BaseModel, BeforeValidator, ConfigDict, PlainSerializer
from pydantic_core import PydanticCustomError

from .units import QuantityError, describe, format_quantity, show, to_si

__all__ = ["problem", "quantity", "integer", "choice", "flag", "case_name", "angles", "Model", "set_resolved",
           "Length", "OptLength", "Probability", "Current", "Duration", "OptDuration", "Instant",
           "Offset", "Angles", "serialise_quantity"]


def problem(message: str, subkey: str | None = None) -> PydanticCustomError:
    """A validation error whose text is ``message``; ``subkey`` extends the dotted key."""
    ctx = {"message": message}
    if subkey:
        ctx["subkey"] = subkey
    return PydanticCustomError("case_value", "{message}", ctx)


def _range_text(low, low_open, high, high_open) -> str:
    if high is None:
        return f"greater than {low:g}" if low_open else f"of {low:g} or more"
    return f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"


def serialise_quantity(dimension: str):
    """The serialiser of an SI float of ``dimension``: text with its SI unit (None stays None)."""
    return PlainSerializer(lambda x: None if x is None else format_quantity(x, dimension),
                           when_used="always")


def quantity(dimension: str, *, low: float = 0.0, low_open: bool = True,
             high: float | None = None, high_open: bool = False, optional: bool = False,
             negative_note: str | None = None, such_as: str | None = None):
    """An SI float parsed from text with a unit (a number for "dimensionless"), range-checked;
    written back as text with its SI unit (dimensionless: as a number)."""
    example = describe(dimension)
    if such_as is not None:
        example = example.split(", such as")[0] + f", such as {such_as}"

    def check(value):
        if value is None:
            if optional:
                return None
            raise problem(f"expected {example}; got null")
        try:
            x = to_si(value, dimension)
        except QuantityError as exc:   # with this key's own example
            raise problem(str(exc).replace(describe(dimension), example, 1)) from None
        ok = (x > low if low_open else x >= low) and (
            high is None or (x < high if high_open else x <= high))
        if not ok:
            note = f" ({negative_note})" if negative_note and x < 0 else ""
            noun = example.split(",")[0].replace(" with a unit", "")
            raise problem(f"expected {noun} {_range_text(low, low_open, high, high_open)}, "
                          f"{example.split(', ', 1)[1]}; got {show(value)}{note}")
        return x

    kind = Optional[float] if optional else float
    if dimension == "dimensionless":
        return Annotated[kind, BeforeValidator(check)]
    return Annotated[kind, BeforeValidator(check), serialise_quantity(dimension)]


def integer(low: int, high: int):
    """A whole number in [low, high]; accepts 200, 200.0, "200" and "2e3"."""

    def check(value):
        expected = f"expected a whole number from {low} to {high}"
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise problem(f"{expected}; got {show(value)}")
        try:
            number = float(value) if not isinstance(value, int) else value
        except ValueError:
            raise problem(f"{expected}; got {show(value)} (not a number)") from None
        if isinstance(number, float) and not (math.isfinite(number) and number.is_integer()):
            raise problem(f"{expected}; got {show(value)} (not a whole number)")
        number = int(number)
        if not low <= number <= high:
            raise problem(f"{expected}; got {show(value)}")
        return number

    return Annotated[int, BeforeValidator(check)]


def choice(*options):
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
        raise problem(f"expected one of {words}; got {show(value)}{hint}")

    literal = Literal[tuple(names)]  # type: ignore[valid-type]
    return Annotated[Optional[literal] if None in options else literal, BeforeValidator(check)]


def flag():
    """true or false (YAML booleans only: "yes", 1 and "true" as text are refused)."""
    def check(value):
        if isinstance(value, bool):
            return value
        raise problem(f"expected true or false; got {show(value)}")

    return Annotated[bool, BeforeValidator(check)]


def case_name(value):
    """A case name: up to 64 letters, digits, '.', '_' or '-', starting with a letter or digit."""
    if isinstance(value, str) and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", value):
        return value
    note = " (quote it to make it text)" if isinstance(value, (int, float)) else ""
    raise problem("expected a case name of up to 64 letters, digits, '.', '_' or '-' starting "
                  f"with a letter or digit, such as vip2; got {show(value)}{note}")


def angles(value):
    """A list of angles, each text with a unit ("90 deg", "1.2 rad"), to radians; null -> ()."""
    if value is None:
        return ()
    if not isinstance(value, (list, tuple)):
        raise problem(f'expected a list of angles with units, such as [0 deg, 180 deg]; got {show(value)}')
    out = []
    for k, item in enumerate(value):
        if not isinstance(item, str) or re.fullmatch(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*", item):
            raise problem(f'expected an angle with a unit, such as "90 deg" (a bare number would be '
                          f'ambiguous); got {show(item)}', str(k))
        try:
            x = to_si(item, "dimensionless")
        except QuantityError:
            raise problem(f'expected an angle with a unit, such as "90 deg"; got {show(item)}',
                          str(k)) from None
        if not math.isfinite(x):
            raise problem(f"expected a finite angle; got {show(item)}", str(k))
        out.append(x)
    return tuple(out)


Length = quantity("length")
OptLength = quantity("length", optional=True)
Probability = quantity("dimensionless", high=1.0, such_as="0.018")
Current = quantity("current", low_open=False, negative_note=(
    "negative currents are not accepted: by convention the electrons drift from the reservoir "
    "toward the outlet, so give the magnitude of the current"))
Duration = quantity("time")
OptDuration = quantity("time", optional=True)
Instant = quantity("time", low_open=False)
Offset = quantity("length", low=-math.inf, such_as="7.5 mm")
Angles = Annotated[tuple[float, ...], BeforeValidator(angles),
                   PlainSerializer(lambda a: [f"{x!r} rad" for x in a] or None, when_used="always")]


def set_resolved(model: BaseModel, **values) -> None:
    """Store resolved values on a frozen model while it is being validated (never afterwards)."""
    for key, value in values.items():
        object.__setattr__(model, key, value)


class Model(BaseModel):
    """Base of the case's models: frozen, unknown keys refused, and never put into an invalid
    state by a copy: :meth:`model_copy` validates its ``update`` as case-file values."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def model_copy(self, *, update=None, deep: bool = False):
        """A copy with ``update`` applied *and validated*, as if the case file had said it:
        quantities as text with units ("40 A", "5 mm"), sections as mappings or models.
        (pydantic's own model_copy does not validate; a case copied with a plain 40 or a str
        would fail later, far from the mistake.)  Raises CaseError naming the key."""
        if not update:
            return super().model_copy(deep=deep)
        from pydantic import ValidationError

        from ..errors import CaseError
        from .messages import format_errors

        data = self.model_dump(mode="json")
        data.update({k: v.model_dump(mode="json") if isinstance(v, BaseModel) else v for k, v in update.items()})
        try:
            return type(self).model_validate(data)
        except ValidationError as exc:
            raise CaseError(format_errors(exc, f"{type(self).__name__}.model_copy", type(self))) from None

    def _replace(self, **values):
        """A copy with resolved SI ``values`` set without validation: for validators only."""
        return BaseModel.model_copy(self, update=values)
