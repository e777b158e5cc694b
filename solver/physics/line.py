"""The uniform 1D line of a case, as the closed forms see it (Milotti et al. 2018, eqs. 14-24).

The target lies on (0, L), the reservoir on [x_min, x_max] with x_max = -(connector length)
(x_min = -inf: semi-infinite), every lead with the target's cross-section A, and the line empty
elsewhere.  :func:`nonuniform_part` is the one check that a case is such a line;
:class:`Line` evaluates the closed forms of :mod:`.analytic` for a constant current switched on
at t = 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from . import analytic
from .circuit import electrons_in_target_line
from .derived import derive
from .material import drift_velocity
from .quadrature import cumulative_log_time_integral

if TYPE_CHECKING:
    from ..config.schema import Case

__all__ = ["Line", "line_of", "nonuniform_part", "reservoir_span", "loop_period"]


def nonuniform_part(case: Case) -> str | None:
    """The dotted key of the first thing that keeps ``case`` from being a uniform 1D line
    ("geometry.connector", "geometry.reservoir", "geometry.outlet": a cross-section other than
    the target's; "geometry.dimension": 2D/3D), or None."""
    g = case.geometry
    for key in ("connector", "reservoir", "outlet"):
        if not math.isclose(getattr(g, key).area, g.area, rel_tol=1e-12):
            return f"geometry.{key}"
    return "geometry.dimension" if g.dimension != 1 else None


def reservoir_span(case: Case) -> tuple[float, float]:
    """(x_min, x_max) [m] of the reservoir on the line: x_max = -(connector length), x_min
    = x_max - reservoir length (-inf when semi-infinite)."""
    g = case.geometry
    x_max = -g.connector.length
    return (-math.inf if g.reservoir.semi_infinite else x_max - g.reservoir.length), x_max


def loop_period(case: Case) -> float | None:
    """The circumference P [m] of a circuit reservoir's loop (reservoir + connector + target +
    outlet), or None for an open line."""
    g = case.geometry
    if not g.reservoir.circuit:
        return None
    return g.reservoir.length + g.connector.length + g.length + g.outlet.length


@dataclass(frozen=True)
class Line:
    """The uniform 1D line of a case (SI): target (0, L), reservoir [x_min, x_max].

    ``length`` L [m], ``area`` A [m^2], ``x_min`` [m] (-inf: semi-infinite), ``x_max`` [m]
    (= -connector length), ``diffusivity`` D [m^2/s] (scale included), ``convention``,
    ``density`` n [m^-3], ``current`` I [A] (constant); ``period`` P [m] of a circuit's loop
    (None: an open line).
    """

    length: float
    area: float
    x_min: float
    x_max: float
    diffusivity: float
    convention: str
    density: float
    current: float
    period: float | None = None

    @property
    def reservoir_length(self) -> float:
        """L_res = x_max - x_min [m] (inf for a semi-infinite reservoir)."""
        return self.x_max - self.x_min

    @property
    def drift_velocity(self) -> float:
        """v_d = I/(n e A) [m/s] (eq. 11)."""
        return drift_velocity(self.current, self.density, self.area)

    def displacement(self, t):
        """Drift displacement X(t) = v_d t [m] for t [s]."""
        return self.drift_velocity * np.asarray(t, float)

    def pdf(self, x, t):
        """p(x, t) = c/(n L_res) [1/m]: eq. 24 (factor 1/2 restored) for one new electron."""
        return analytic.reservoir_density(x, t, self.displacement(t), self.x_min, self.x_max,
                                          self.diffusivity, 1.0 / self.reservoir_length, self.convention)

    def electrons_in_target(self, t):
        """N(t) [count]: new electrons in the target (integral of eq. 24 times n A L_res)."""
        return electrons_in_target_line(t, self.displacement(t), self.length, self.x_min, self.x_max,
                                        self.diffusivity, self.density, self.area, self.convention, self.period)

    def electrons_time_integral(self, T: float) -> float:
        """integral_0^T N(t) dt [count s], for T [s] > 0: vectorised adaptive Gauss-Kronrod in
        ln t (:func:`.quadrature.cumulative_log_time_integral`, error <= 2e-12 of the value)."""
        return float(cumulative_log_time_integral(self.electrons_in_target, np.array([float(T)]))[0])

    def fraction_in_target(self, t):
        """N(t)/(n A L_res): probability that a given new electron is in the target [1]."""
        return electrons_in_target_line(t, self.displacement(t), self.length, self.x_min, self.x_max,
                                        self.diffusivity, 1.0 / self.reservoir_length, 1.0,
                                        self.convention, self.period)


def line_of(case: Case) -> Line:
    """The :class:`Line` of a validated, uniform, 1D, constant-current case.

    Raises ValueError for anything the closed forms here do not describe: a lead cross-section
    different from the target's, a 2D/3D case (:func:`nonuniform_part`), or a current that is
    not a constant switched on at t = 0.
    """
    current = case.transport.current
    if current.schedule != "constant" or current.t_on != 0.0:
        raise ValueError("line_of: the closed forms here need a constant current from t = 0; "
                         f"got schedule {current.schedule!r}")
    odd = nonuniform_part(case)
    if odd is not None:
        raise ValueError(f"line_of: the closed forms need a uniform 1D line ({odd} is not); use "
                         "method fv otherwise")
    g, d = case.geometry, derive(case)
    x_min, x_max = reservoir_span(case)
    return Line(length=g.length, area=g.area, x_min=x_min, x_max=x_max,
                diffusivity=d["diffusivity_m2_s"], convention=case.transport.convention,
                density=d["electron_density_m3"], current=float(current.nominal()), period=loop_period(case))
