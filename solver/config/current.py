"""The current of a case: a constant switched on at t_on, an on/off square wave, or a table.

:func:`solver.physics.schedule.schedule_from_spec` turns any of them into the piecewise-constant
I(t) the solvers use.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Annotated, Literal, Union

from pydantic import BeforeValidator, Field, model_validator

from .types import Current, Duration, Instant, Model, Probability, problem
from .units import format_quantity, show

__all__ = ["CurrentSpec", "ConstantCurrent", "SquareCurrent", "TableCurrent", "CurrentField",
           "SCHEDULES"]


class CurrentSpec(Model):
    """A current I(t) in A, zero before it is switched on; times in s."""

    schedule: str

    def nominal(self) -> float:
        """The run's characteristic current, A: the constant, the square's high, the table's max."""
        raise NotImplementedError


class ConstantCurrent(CurrentSpec):
    """I = value for t >= t_on, 0 before."""

    schedule: Literal["constant"]
    value: Current = Field(description='a current, such as "100 A"')
    t_on: Instant = Field("0 s", validate_default=True)

    def nominal(self) -> float:
        return self.value


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


class TableCurrent(CurrentSpec):
    """Piecewise constant: I = values[k] on [times[k], times[k+1]), the last value forever after."""

    schedule: Literal["table"]
    times: tuple[Instant, ...] = Field(description="a list of times, such as [0 s, 10 s]")
    values: tuple[Current, ...] = Field(description="a list of currents, such as [0 A, 100 A]")

    @model_validator(mode="after")
    def _check(self):
        times, values = self.times, self.values
        if not times:
            raise problem("expected at least one time, starting at 0 s; got an empty list", "times")
        if len(values) != len(times):
            raise problem(f"expected one value per time ({len(times)}); got {len(values)}", "values")
        if times[0] != 0.0:
            raise problem("expected the first time to be 0 s (the current is defined from the "
                          f"start of the run); got {format_quantity(times[0], 'time')}", "times.0")
        for k in range(1, len(times)):
            if not times[k] > times[k - 1]:
                raise problem(f"expected times to increase strictly, so a time after "
                              f"{format_quantity(times[k - 1], 'time')}; got "
                              f"{format_quantity(times[k], 'time')}", f"times.{k}")
        return self

    def nominal(self) -> float:
        return max(self.values)


#: schedule name -> its model
SCHEDULES = {"constant": ConstantCurrent, "square": SquareCurrent, "table": TableCurrent}


def _current_mapping(value):
    """A plain quantity means {schedule: constant, value: ...}; a mapping must name its schedule."""
    if value is None:
        raise problem('expected a current, such as "100 A", or a mapping with a schedule '
                      "(constant, square or table); got null")
    if isinstance(value, CurrentSpec):
        return value
    if not isinstance(value, Mapping):
        return {"schedule": "constant", "value": value}
    schedule = value.get("schedule")
    if schedule not in SCHEDULES:
        close = difflib.get_close_matches(str(schedule), list(SCHEDULES), n=1, cutoff=0.5)
        hint = f' (did you mean "{close[0]}"?)' if close and schedule is not None else ""
        got = "nothing (the key is missing)" if schedule is None else show(schedule)
        raise problem(f"expected one of constant, square, table; got {got}{hint}", "schedule")
    return value


CurrentField = Annotated[Union[ConstantCurrent, SquareCurrent, TableCurrent],
                         Field(discriminator="schedule"), BeforeValidator(_current_mapping)]
