"""BOUND files: a measured spectrum's counts and the case whose transport model turns them into
an upper limit on beta^2/2 (``vip-transport bound BOUND.yaml``).

    case: vip2.yaml                 # the case file (path relative to this file), or a case mapping
    confidence_level: 0.9           # of the upper limit, in (0, 1)
    signal_region:                  # counts in the signal region (the Cu K-alpha lines)
      current_on:  {counts: 1210, live_time: 60 d}    # with the current of `current`
      current_off: {counts: 1175, live_time: 60 d}    # without new electrons in the target
    detection_efficiency: 1         # in (0, 1]; multiplies the geometric factor
    geometric_factor: null          # null: the case's counting.geometric_factor
    current: null                   # the current during current_on's live time, as in a case file
                                    # ("100 A", or {schedule: square | table, ...}); null: the case's
    systematics: true               # also the bound for every model choice (docs/model-choices.md)
    circuit_length: 2 m             # the circuit loop of those choices

The current-on counts are taken with the current switched on at the start of the live time
(the transport model's t = 0); the current-off counts measure the background (no new electrons
in the target: the reservoir disconnected, as the paper requires).  Every quantity takes a unit;
a mistake is a CaseError ``<file>: <dotted.key>: expected ...; got ...``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Union

from pydantic import Field, ValidationError

from ..errors import CaseError
from .current import CurrentField
from .loading import case_from_dict, load_case, read_case_data
from .messages import format_errors
from .overrides import with_changes
from .schema import Case
from .types import Duration, Length, Model, Probability, flag, integer, quantity

__all__ = ["Counts", "SignalRegion", "BoundSpec", "BoundInput", "load_bound", "bound_from_dict"]


class Counts(Model):
    """Events counted in the signal region during a live time [s]."""

    counts: integer(0, 10**15) = Field(description="a number of events, such as 1210")
    live_time: Duration = Field(description='a time with a unit, such as "60 d"')


class SignalRegion(Model):
    """The counts with the current on and with it off (the background)."""

    current_on: Counts = Field(description="a mapping {counts: N, live_time: T}")
    current_off: Counts = Field(description="a mapping {counts: N, live_time: T}")


class BoundSpec(Model):
    """A BOUND file, validated (SI floats).  ``case`` is kept as written: a path or a mapping."""

    case: Union[str, dict[str, Any]] = Field(description="a case file path, such as vip2.yaml, or a case mapping")
    confidence_level: quantity("dimensionless", high=1.0, high_open=True, such_as="0.9") = 0.9
    signal_region: SignalRegion = Field(description="a mapping with current_on and current_off")
    detection_efficiency: Probability = 1.0
    geometric_factor: Optional[Probability] = None
    current: Optional[CurrentField] = None
    systematics: flag() = True
    circuit_length: Length = Field("2 m", validate_default=True)


@dataclass(frozen=True)
class BoundInput:
    """A validated BOUND file: ``spec`` and ``case``, the case with the current-on live time as
    its duration, the BOUND file's current and geometric factor; ``source`` the file."""

    spec: BoundSpec
    case: Case
    source: str


def bound_from_dict(data, source: str = "<dict>", folder: Path | None = None) -> BoundInput:
    """Validate BOUND data; a case path is read relative to ``folder`` (default: the working
    directory).  Raises CaseError naming the file and the key."""
    if not isinstance(data, Mapping):
        raise CaseError(f"{source}: (top level): expected a mapping with case, signal_region, ...; got {data!r}")
    try:
        spec = BoundSpec.model_validate(dict(data))
    except ValidationError as exc:
        raise CaseError(format_errors(exc, source, BoundSpec)) from None
    if isinstance(spec.case, str):
        path = Path(spec.case)
        path = path if path.is_absolute() or folder is None else folder / path
        try:
            case = load_case(path)
        except CaseError as exc:
            raise CaseError(f"{source}: case: {exc}") from None
    else:
        case = case_from_dict(spec.case, source=f"{source}: case")
    changes = {"time.duration": f"{spec.signal_region.current_on.live_time!r} s", "time.first_output": None}
    if spec.current is not None:
        changes["transport.current"] = data["current"]
    if spec.geometric_factor is not None:
        changes["counting.geometric_factor"] = spec.geometric_factor
    try:
        case = with_changes(case, changes)
    except CaseError as exc:
        raise CaseError(f"{source}: {exc}") from None
    return BoundInput(spec=spec, case=case, source=source)


def load_bound(path) -> BoundInput:
    """Read and validate a BOUND file (hardened YAML, as case files are)."""
    path = Path(path)
    return bound_from_dict(read_case_data(path), source=str(path), folder=path.parent)
