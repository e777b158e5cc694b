"""The geometry section of a case: the target (strip or cylinder shell) and the conductors
around it (connector, reservoir, outlet); every length an SI float in metres."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Optional

from pydantic import BeforeValidator, Field, PlainSerializer, model_validator

from .types import (Angles, Length, Model, Offset, OptLength, choice, flag, integer, problem, quantity,
                    set_resolved)
from .units import QuantityError, describe, format_quantity, show, to_si

__all__ = ["Section", "Connector", "Outlet", "Reservoir", "Geometry"]


class Section(Model):
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
        raise problem(str(exc).replace("; got", ' or "semi-infinite"; got', 1)) from None
    if not x > 0:
        raise problem(f'expected a length greater than 0 or "semi-infinite"; got {show(value)}')
    return x


ReservoirLength = Annotated[Optional[float], BeforeValidator(_reservoir_length),
                            PlainSerializer(lambda x: "semi-infinite" if x is None else
                                            format_quantity(x, "length"), when_used="always")]


class Reservoir(Model):
    """The supply of new electrons (density n) upstream of the connector.

    ``length`` is in m, or None for a semi-infinite reservoir. ``target_volumes`` (if given) is
    the reservoir volume in target volumes; the length then follows from the reservoir's
    cross-section: length = target_volumes * L w z / (width * thickness).  ``circuit``: the
    reservoir is the circuit's copper outside the target, closed into a loop (what leaves the
    outlet re-enters the reservoir); it needs a finite length, injection from the reservoir
    and a 1D line (docs/model-choices.md).
    """

    length: ReservoirLength = None
    width: OptLength = None
    thickness: OptLength = None
    offset: Offset = Field("0 m", validate_default=True)   # as for Section
    angles: Angles = ()
    target_volumes: quantity("dimensionless", optional=True, such_as="2.3e6") = None
    circuit: flag() = False

    @property
    def area(self) -> float:
        """Cross-section width*thickness, m^2."""
        return self.width * self.thickness

    @property
    def semi_infinite(self) -> bool:
        return self.length is None


def _fill(section, width, thickness):
    """``section`` with its null width/thickness taken from the target's."""
    return section._replace(width=width if section.width is None else section.width,
                            thickness=thickness if section.thickness is None else section.thickness)


class Geometry(Model):
    """Target (strip or cylinder shell) and the conductors around it; all lengths in m.

    For a cylinder ``width`` is the circumference 2 pi r; give ``width`` or ``radius`` (both
    only if they agree to 1e-9). ``radius`` is resolved for every cylinder and is None for a
    strip.
    """

    preset: choice("vip", "vip2", None) = None
    shape: choice("strip", "cylinder") = "strip"
    dimension: integer(1, 3) = 1
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
        width, radius = self._width_and_radius()
        set_resolved(self, width=width, radius=radius)
        connector = _fill(self.connector, width, self.thickness)
        outlet = _fill(self.outlet, width, self.thickness)
        reservoir = self._reservoir_from_volumes(_fill(self.reservoir, width, self.thickness))
        for key, section in (("connector", connector), ("reservoir", reservoir), ("outlet", outlet)):
            self._check_placement(key, section, width)
        if reservoir.length is not None and not connector.length + reservoir.length > connector.length:
            # x_min = x_max - length would equal x_max in floating point (analytic and FV fail)
            key = "reservoir.length" if self.reservoir.length is not None else "reservoir.target_volumes"
            raise problem(f"expected a reservoir length that is not negligible beside the "
                          f"connector ({format_quantity(connector.length, 'length')}); got "
                          f"{format_quantity(reservoir.length, 'length')}", key)
        if reservoir.circuit and reservoir.length is None:
            raise problem('expected a finite reservoir (length or target_volumes) for a circuit: the '
                          'loop is the copper outside the target; got length "semi-infinite"',
                          "reservoir.circuit")
        if reservoir.circuit and self.dimension != 1:
            raise problem(f"expected dimension 1 with a circuit reservoir (the loop is a 1D line); "
                          f"got {self.dimension}", "dimension")
        set_resolved(self, connector=connector, outlet=outlet, reservoir=reservoir)
        return self

    def _width_and_radius(self) -> tuple:
        """(width, radius) [m] of the target: a cylinder's width is its circumference 2 pi r."""
        width, radius = self.width, self.radius
        if self.shape == "strip" and radius is not None:
            raise problem("expected no radius for a strip (radius is for shape: cylinder); got "
                          f"{format_quantity(radius, 'length')}", "radius")
        if width is None and radius is None:
            raise problem('expected the width (or, for a cylinder, the radius) with a unit, '
                          'such as "20 mm", or a preset (geometry.preset: vip or vip2); got '
                          'nothing', "width")
        if radius is not None:
            circumference = 2.0 * math.pi * radius
            if width is None:
                width = circumference
            elif abs(width - circumference) > 1e-9 * circumference:
                raise problem(f"expected width = 2 pi radius = "
                              f"{format_quantity(circumference, 'length')} for radius "
                              f"{format_quantity(radius, 'length')} (give one of the two); got "
                              f"{format_quantity(width, 'length')}", "width")
        elif self.shape == "cylinder":
            radius = width / (2.0 * math.pi)
        if not (math.isfinite(width) and radius != 0.0):
            raise problem(f"expected a radius whose circumference 2 pi r is finite; got "
                          f"{format_quantity(radius, 'length')}", "radius")
        return width, radius

    def _reservoir_from_volumes(self, reservoir: Reservoir) -> Reservoir:
        """The reservoir with its length from target_volumes, if given."""
        volumes = reservoir.target_volumes
        if volumes is None:
            return reservoir
        length = volumes * self.length * self.width * self.thickness / reservoir.area
        given = reservoir.length
        if given is not None and abs(given - length) > 1e-9 * length:
            raise problem(f"expected reservoir.length or reservoir.target_volumes, not both "
                          f"(target_volumes {volumes!r} means a length of "
                          f"{format_quantity(length, 'length')}); got "
                          f"{format_quantity(given, 'length')}", "reservoir.length")
        if not (math.isfinite(length) and length > 0.0):
            raise problem(f"expected target_volumes giving a finite, non-zero reservoir "
                          f"length; got {volumes!r}", "reservoir.target_volumes")
        return reservoir._replace(length=length if given is None else given)

    def _check_placement(self, key: str, section, width: float) -> None:
        """Offsets on strips, angles on cylinders, leads no wider than a cylinder."""
        if self.shape == "strip" and section.angles:
            raise problem("expected no angles on a strip (feed-tab angles are for shape: "
                          "cylinder; use offset to move a lead across a strip); got "
                          f"{len(section.angles)} angles", f"{key}.angles")
        if self.shape == "cylinder":
            if section.offset != 0.0:
                raise problem("expected offset 0 on a cylinder (place feed tabs with angles); "
                              f"got {format_quantity(section.offset, 'length')}", f"{key}.offset")
            if section.width > width * (1 + 1e-9):
                raise problem(f"expected a width of at most the circumference "
                              f"{format_quantity(width, 'length')}; got "
                              f"{format_quantity(section.width, 'length')}", f"{key}.width")

    @property
    def area(self) -> float:
        """Target cross-section width*thickness, m^2."""
        return self.width * self.thickness

    @property
    def volume(self) -> float:
        """Target volume length*width*thickness, m^3."""
        return self.length * self.area
