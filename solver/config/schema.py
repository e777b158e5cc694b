"""The case schema: a validated, frozen :class:`Case` with every value an SI float.

Sections: geometry (:mod:`.geometry`), material, transport (with the current of
:mod:`.current`), counting, time, method, fv, montecarlo (:mod:`.montecarlo`), output, limits.
Validation fills the Table 1 preset (:mod:`.presets`) and every default, and resolves derived
values (cylinder width 2 pi r, lead cross-sections, a reservoir given in target volumes, the
default first time step and cells).  :meth:`Case.to_resolved_dict` is the schema's own dump (each field type writes itself,
:mod:`.types`): written as ``case.resolved.yaml`` and loaded again it gives an equal case.

The YAML shape, defaults and rules are documented in ``cases/vip2.yaml``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Literal, Optional, Union

import numpy as np
from pydantic import BeforeValidator, Field, PlainSerializer, PrivateAttr, model_validator

from .current import CurrentField
from .geometry import Geometry
from .montecarlo import MonteCarlo
from .physical import check_physical
from .presets import fill_preset
from .types import (Duration, Instant, Model, OptDuration, Probability, case_name, choice, integer,
                    problem, quantity, set_resolved)
from .units import QuantityError, format_quantity, show, to_si

__all__ = ["Case", "Material", "Transport", "Counting", "Time", "FV", "Output", "Limits",
           "SECTIONS", "default_cells_per_target", "default_steps_per_front"]

SECTIONS = ("geometry", "material", "transport", "counting", "time", "fv", "montecarlo", "output", "limits")


class Material(Model):
    """Copper by default (section 2.1): E_F in J, sigma in S/m, T in K."""

    fermi_energy: quantity("energy") = Field("7 eV", validate_default=True)
    conductivity: quantity("conductivity") = Field("5.9e7 S/m", validate_default=True)
    temperature: quantity("temperature") = Field("300 K", validate_default=True)


def _diffusivity(value):
    if value in ("einstein", "degenerate"):
        return value
    try:
        x = to_si(value, "diffusivity")
    except QuantityError as exc:
        import difflib

        close = difflib.get_close_matches(value, ["einstein", "degenerate"], n=1, cutoff=0.6) \
            if isinstance(value, str) else []
        hint = f' (did you mean "{close[0]}"?)' if close else ""
        raise problem(str(exc).replace("expected ", "expected einstein, degenerate or ", 1)
                      + hint) from None
    if not x > 0:
        raise problem("expected einstein, degenerate or a diffusivity greater than 0, such as "
                      f'"1.1e-6 m^2/s"; got {show(value)}')
    return x


Diffusivity = Annotated[Union[Literal["einstein", "degenerate"], float], BeforeValidator(_diffusivity),
                        PlainSerializer(lambda d: d if isinstance(d, str) else
                                        format_quantity(d, "diffusivity"), when_used="always")]


class Transport(Model):
    """Current (A), diffusivity (m^2/s or a named relation), and the solution conventions.

    diffusivity: "einstein" D = sigma k_B T/(n e^2) (eq. 13), "degenerate"
    D = 2 sigma E_F/(3 n e^2), or a value; multiplied by diffusivity_scale. convention:
    "standard" Green's function variance 2 D t, "paper" eq. 14's variance D t. injection:
    "reservoir" (eq. 24) or "single-electron" (one electron at x = 0, t = 0; eqs. 18-19).
    """

    current: CurrentField = Field(description='a current, such as "100 A", or a schedule mapping')
    diffusivity: Diffusivity = "einstein"
    diffusivity_scale: quantity("dimensionless", such_as="0.01") = 1.0
    convention: choice("standard", "paper") = "standard"
    injection: choice("reservoir", "single-electron") = "reservoir"


class Counting(Model):
    """How scatterings become X-ray counts (section 3).

    scattering: "close-encounters" (rate v/l with l = 1/(n pi (lambda_e/2)^2), section 3) or
    "conduction" (rate 1/tau, eq. 10). The speeds (docs/model-choices.md): mean_free_path_speed
    is the v of mu = v tau (Ramberg-Snow's L/mu), encounter_speed the v of lambda_e = h/(m_e v)
    and of the encounter rate v/l; "fermi" sqrt(2 E_F/m_e) or "average" (3/4) of it (eq. 8).
    The paper uses fermi for mu and average for the encounters. capture_probability r and the
    detector's geometric_factor are in (0, 1]; xray_count_limit is the observed upper limit on
    counts used for the bound (None: none).
    """

    scattering: choice("close-encounters", "conduction") = "close-encounters"
    mean_free_path_speed: choice("fermi", "average") = "fermi"
    encounter_speed: choice("average", "fermi") = "average"
    capture_probability: Probability = 1.0
    geometric_factor: Probability = Field(
        description="the detector's geometric factor, a number in (0, 1], such as 0.018")
    xray_count_limit: quantity("dimensionless", optional=True, such_as="2.3") = None


class Time(Model):
    """Run duration (s) and output times, log-spaced from first_output (s) to duration."""

    duration: Duration = Field("1e4 s", validate_default=True)
    outputs: integer(1, 100_000) = 200
    first_output: OptDuration = None

    @model_validator(mode="after")
    def _resolve(self):
        first = self.duration * 1e-4 if self.first_output is None else self.first_output
        if first > self.duration or (self.outputs > 1 and first >= self.duration):
            raise problem(f"expected a time before time.duration "
                          f"({format_quantity(self.duration, 'time')}); got "
                          f"{format_quantity(first, 'time')}", "first_output")
        set_resolved(self, first_output=first)
        return self

    def output_times(self) -> np.ndarray:
        """``outputs`` times (s), log-spaced from first_output to duration inclusive."""
        if self.outputs == 1:
            return np.array([self.duration])
        times = np.geomspace(self.first_output, self.duration, self.outputs)
        times[0], times[-1] = self.first_output, self.duration
        return times


class FV(Model):
    """Finite-volume settings (ignored by the analytic method).

    cells_per_target: uniform cells along the target; grading: growth ratio of cells into the
    reservoir and outlet; time_steps log-spaced from first_step (s; default duration*1e-7);
    startup_steps implicit-Euler steps after t = 0 and every current change; far boundaries
    far_field spreads sqrt(4 D T) (plus the drift v T) away; steps_per_front: steps while a
    front of width sqrt(4 D t) passes a point (keeps dt below sqrt(4 D t)/(k v)); convection:
    auto = central where the cell Peclet number is below 2, exponential elsewhere.
    linear_solver (2D/3D): splu (SuperLU), pardiso (MKL PARDISO, package pypardiso), amg
    (pyamg + GMRES); auto = pardiso when installed, else splu up to 3e5 cells and amg above.
    cells_per_target and steps_per_front default (null) to :func:`default_cells_per_target`
    and :func:`default_steps_per_front`.
    """

    cells_per_target: Optional[integer(4, 10**18)] = None  # limits.max_cells refuses big meshes
    grading: quantity("dimensionless", low=1.0, high=2.0, such_as="1.03") = 1.03
    scheme: choice("crank-nicolson", "implicit-euler") = "crank-nicolson"
    stepper: choice("cached", "fipy") = "cached"
    convection: choice("auto", "exponential", "central", "upwind") = "auto"
    time_steps: integer(1, 10**9) = 2000
    first_step: OptDuration = None
    startup_steps: integer(0, 10**6) = 4
    far_field: quantity("dimensionless", low=1.0, low_open=False, such_as="12") = 12.0
    steps_per_front: Optional[integer(0, 10**6)] = None
    spacing: choice("log", "uniform") = "log"
    cells_across: Optional[integer(1, 10**9)] = None   # 2D/3D; null: cells as wide as long
    cells_through: integer(1, 10**6) = 2                # 3D
    linear_solver: choice("auto", "splu", "pardiso", "amg") = "auto"   # 2D/3D


def default_cells_per_target(injection: str) -> int:
    """Uniform cells along the target when fv.cells_per_target is null: 800 for reservoir
    injection, 1600 for a single electron, whose narrow pulse needs finer cells."""
    return 1600 if injection == "single-electron" else 800


def default_steps_per_front(injection: str) -> int:
    """fv.steps_per_front when null: 40 for reservoir injection, 160 for a single electron."""
    return 160 if injection == "single-electron" else 40


class Output(Model):
    """Extras beside the results contract.

    ``fields``: times (s) of the 2D/3D field snapshots (density, potential, drift velocity as
    VTK files with a .pvd index in fields/, and a PNG map at the last one); each is moved to
    the nearest output time. null: 6 output times log-spaced over the run; []: none.
    """

    fields: Optional[tuple[Instant, ...]] = None


class Limits(Model):
    """Refuse runs too big to finish: finite-volume runs estimated to need more than max_cells
    cells or max_steps time steps, and runs of any method whose current changes more than
    max_steps times (``solver.run.size``)."""

    max_cells: integer(1, 10**12) = 5_000_000
    max_steps: integer(1, 10**9) = 1_000_000


class Case(Model):
    """A validated case: every quantity an SI float, every default and derived value filled.

    Equality ignores :attr:`source` (where the case was read from).
    """

    name: Annotated[str, BeforeValidator(case_name)] = Field(description="a case name, such as vip2")
    geometry: Geometry
    material: Material = Field(default_factory=Material)
    transport: Transport
    counting: Counting
    time: Time = Field(default_factory=Time)
    method: choice("analytic", "fv", "montecarlo") = "analytic"
    fv: FV = Field(default_factory=FV)
    montecarlo: MonteCarlo = Field(default_factory=MonteCarlo)
    output: Output = Field(default_factory=Output)
    limits: Limits = Field(default_factory=Limits)
    _source: str = PrivateAttr("<dict>")
    _written: dict | None = PrivateAttr(None)      # the data as written (config.loading)
    _file_sha256: str | None = PrivateAttr(None)   # SHA-256 of the case file read, if any

    @property
    def source(self) -> str:
        """The file the case was read from ("<dict>" for ``case_from_dict``)."""
        return self._source

    @model_validator(mode="before")
    @classmethod
    def _preset_and_sections(cls, data):
        """Treat absent/null sections as empty and fill a preset's values where not given."""
        if not isinstance(data, Mapping):
            return data
        data = dict(data)
        for key in SECTIONS:
            if data.get(key, None) is None:
                data[key] = {}
        return fill_preset(data)

    @model_validator(mode="after")
    def _resolve(self):
        duration = self.time.duration
        fv, injection = self.fv, self.transport.injection
        first_step = duration * 1e-7 if fv.first_step is None else fv.first_step
        if first_step >= duration:
            raise problem(f"expected a first time step shorter than time.duration "
                          f"({format_quantity(duration, 'time')}); got "
                          f"{format_quantity(first_step, 'time')}", "fv.first_step")
        cells = fv.cells_per_target or default_cells_per_target(injection)
        across = fv.cells_across
        if across is None:
            across = max(1, math.ceil(min(self.geometry.width / (self.geometry.length / cells), 1e18)))
        set_resolved(self, fv=fv._replace(
            first_step=first_step, cells_per_target=cells, cells_across=across,
            steps_per_front=(default_steps_per_front(injection) if fv.steps_per_front is None
                             else fv.steps_per_front)))
        for k, t_field in enumerate(self.output.fields or ()):
            if t_field > duration or t_field <= 0.0:
                raise problem(f"expected a time in (0 s, time.duration = {format_quantity(duration, 'time')}]; "
                              f"got {format_quantity(t_field, 'time')}", f"output.fields.{k}")
        check_physical(self)
        return self

    def __eq__(self, other) -> bool:
        if not isinstance(other, Case):
            return NotImplemented
        return self.to_resolved_dict() == other.to_resolved_dict()

    def __hash__(self) -> int:
        return hash(repr(self.to_resolved_dict()))

    def model_copy(self, *, update=None, deep: bool = False) -> "Case":
        """A validated copy (see ``Model.model_copy``), with the same source."""
        copy = super().model_copy(update=update, deep=deep)
        copy._source = self._source
        copy._written = copy.to_resolved_dict()
        return copy

    def digest(self) -> str:
        """SHA-256 (hex) of the resolved case: equal for equal cases, whatever file they came
        from; it identifies a case in checkpoints (and sweeps)."""
        import hashlib
        import json

        text = json.dumps(self.to_resolved_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def to_resolved_dict(self) -> dict:
        """Plain data (str, int, float, None, list, dict) with units written out in SI: the
        schema's dump.  Written as YAML and loaded again it gives an equal :class:`Case`."""
        return self.model_dump(mode="json")
