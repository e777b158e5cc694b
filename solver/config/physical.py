"""Physical sanity of a case, checked at validation: values that each pass their own range but
together leave the model (a Fermi energy whose electron density overflows, a cross-section
that underflows to zero, a conductor shorter than the electrons' mean free path, a run shorter
than a thousand collision times) are refused with the key named, before anything runs.

The derived quantities are computed by the one formula of each (``solver.physics.material``).
"""

from __future__ import annotations

import math
from ..physics import material as m
from .types import problem
from .units import format_brief

__all__ = ["check_physical", "MIN_COLLISION_TIMES"]

MIN_COLLISION_TIMES = 1000   # a run must last this many collision times tau (drift-diffusion regime)


def _value(formula, *args) -> float:
    """formula(*args) as a float, inf where the arithmetic overflows or divides by zero."""
    try:
        return float(formula(*args))
    except (OverflowError, ZeroDivisionError):
        return math.inf


def _require(value: float, key: str, what: str, given: str) -> None:
    """Refuse ``given`` (the value at ``key``, as text) unless ``value`` is finite and > 0."""
    if not (math.isfinite(value) and value > 0.0):
        made = "zero" if value == 0.0 else ("infinite" if math.isinf(value) else repr(value))
        raise problem(f"expected a value giving a finite, non-zero {what}; got {given}, which makes it {made}",
                      key)


def _lengths(case):
    """(dotted key, length [m]) of every length the models mesh or integrate over."""
    g = case.geometry
    yield "geometry.length", g.length
    yield "geometry.width", g.width
    yield "geometry.thickness", g.thickness
    for name in ("connector", "reservoir", "outlet"):
        section = getattr(g, name)
        if section.length is not None:
            key = "target_volumes" if name == "reservoir" and section.target_volumes is not None else "length"
            yield f"geometry.{name}.{key}", section.length
        yield f"geometry.{name}.width", section.width
        yield f"geometry.{name}.thickness", section.thickness


def check_physical(case) -> None:
    """Raise a validation problem (key named) if the case's derived quantities leave the model
    (``case``: the ``schema.Case`` being validated, which imports this module):
    n, tau, the mean free path, both diffusivities and every drift coefficient finite and
    non-zero; k_F times the mean free path at least 1; every length at least a mean free path; the temperature below the Fermi
    temperature; the run at least MIN_COLLISION_TIMES collision times long."""
    mat, g = case.material, case.geometry
    energy = format_brief(mat.fermi_energy / m.ELECTRON_VOLT, "dimensionless") + " eV"
    sigma = format_brief(mat.conductivity, "conductivity")
    n = _value(m.electron_density, mat.fermi_energy)
    _require(n, "material.fermi_energy", "electron density n (eq. 7)", energy)
    _require(_value(m.fermi_speed, mat.fermi_energy), "material.fermi_energy", "Fermi speed", energy)
    tau = _value(m.collision_time, mat.conductivity, n)
    _require(tau, "material.conductivity", "collision time tau = m_e sigma/(n e^2) (eq. 10)", sigma)
    mfp = _value(m.mean_free_path, _value(m.fermi_speed, mat.fermi_energy), tau)
    _require(mfp, "material.conductivity", "mean free path v_F tau", sigma)
    k_f = _value(m.fermi_wavenumber, mat.fermi_energy)
    if not mfp * k_f >= 1.0:
        raise problem(f"expected a conductivity giving a mean free path of at least 1/k_F = "
                      f"{format_brief(1.0 / k_f, 'length')} (the Ioffe-Regel limit of the free-electron "
                      f"picture the model rests on); got {sigma}, a mean free path of "
                      f"{format_brief(mfp, 'length')}", "material.conductivity")
    fermi_temperature = mat.fermi_energy / m.BOLTZMANN
    if not mat.temperature < fermi_temperature:
        raise problem(f"expected a temperature below the Fermi temperature E_F/k_B = "
                      f"{format_brief(fermi_temperature, 'temperature')} (eq. 7 gives the electron density "
                      f"of a degenerate gas, T << E_F/k_B); got {format_brief(mat.temperature, 'temperature')}",
                      "material.temperature")
    _require(_value(m.einstein_diffusivity, mat.conductivity, mat.temperature, n), "material.temperature",
             "Einstein diffusivity sigma k_B T/(n e^2) (eq. 13)", format_brief(mat.temperature, "temperature"))
    _require(_value(m.degenerate_diffusivity, mat.conductivity, mat.fermi_energy, n), "material.fermi_energy",
             "degenerate diffusivity 2 sigma E_F/(3 n e^2)", energy)
    for key, length in _lengths(case):
        if length < mfp:
            raise problem(f"expected a length of at least the electrons' mean free path "
                          f"{format_brief(mfp, 'length')} (drift and diffusion describe a conductor "
                          f"only on longer scales); got {format_brief(length, 'length')}", key)
    for key, area in (("geometry.thickness", g.area), ("geometry.connector.thickness", g.connector.area),
                      ("geometry.reservoir.thickness", g.reservoir.area),
                      ("geometry.outlet.thickness", g.outlet.area)):
        given = format_brief(area, "length") + "^2"
        _require(area, key, "cross-section width x thickness", given)
        _require(_value(m.drift_coefficient, n, area), key, "drift coefficient 1/(n e A)", given)
    _require(g.volume, "geometry.length", "target volume", format_brief(g.length, "length"))
    if g.reservoir.circuit and case.method not in ("analytic", "fv"):
        raise problem(f"expected method analytic or fv with a circuit reservoir (the loop is in the closed form "
                      f"and the finite volumes only); got {case.method}", "method")
    if g.reservoir.circuit and case.method == "fv" and case.fv.stepper == "fipy":
        raise problem("expected stepper cached with a circuit reservoir (the plain FiPy loop has no face "
                      "joining the outlet to the reservoir); got fipy", "fv.stepper")
    if g.reservoir.circuit and case.transport.injection != "reservoir":
        raise problem(f"expected injection reservoir with a circuit reservoir (the loop carries the "
                      f"reservoir's electrons round); got {case.transport.injection}", "transport.injection")
    shortest = MIN_COLLISION_TIMES * tau
    if case.time.duration < shortest:
        raise problem(f"expected a duration of at least {MIN_COLLISION_TIMES} collision times "
                      f"({format_brief(shortest, 'time')}: drift and diffusion describe times much "
                      f"longer than tau = {format_brief(tau, 'time')}); got "
                      f"{format_brief(case.time.duration, 'time')}", "time.duration")
