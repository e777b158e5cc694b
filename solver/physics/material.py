"""Copper and the quantities derived from it (Milotti et al., Entropy 2018, 20, 515, eqs. 7-13, sec. 3).

Pure functions on floats, SI units, CODATA constants from :mod:`scipy.constants` only.
Every relation is written here once and called everywhere else.  Equation numbers are the
paper's; ``docs/physics.md`` gives the conventions and the misprints, deliberately *not* copied
here:

* eq. 7 is evaluated with CODATA constants: its coefficient is 6.812e27 eV^-3/2 m^-3, not the
  printed 6.846e27, so n(7 eV) = 8.41e28 m^-3, 0.58 % below the printed 8.46e28 (misprint 7);
* the paper calls (3/4) sqrt(2 E_F/m_e) = 1.18e6 m/s "v_F" (eq. 8); here ``fermi_speed`` is
  sqrt(2 E_F/m_e) = 1.57e6 m/s and ``average_speed`` is the (3/4) value;
* tau (eq. 10) does not depend on the speed; the mean free path does (39 nm with the Fermi speed,
  29 nm with the average speed; misprint 4);
* section 3's capture-probability estimate multiplies two times (misprint 5); see
  :func:`capture_probability_estimate`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy import constants as _c

__all__ = [
    "ELECTRON_VOLT",
    "BOLTZMANN",
    "KALPHA_WIDTH",
    "electron_density",
    "density_of_states_coefficient",
    "fermi_speed",
    "fermi_wavenumber",
    "average_speed",
    "collision_time",
    "mean_free_path",
    "einstein_diffusivity",
    "degenerate_diffusivity",
    "drift_coefficient",
    "drift_velocity",
    "drift_displacement",
    "volume_flow",
    "transit_time",
    "electron_wavelength",
    "close_encounter_distance",
    "close_encounter_time",
    "capture_probability_estimate",
    "Copper",
]

ELECTRON_VOLT = _c.electron_volt
"""1 eV in J (CODATA, exact)."""

BOLTZMANN = _c.k
"""k_B in J/K (CODATA, exact)."""

KALPHA_WIDTH = 2.73 * _c.electron_volt
"""Gamma = 2.73 eV in J: weighted natural width of the Cu K-alpha complex (paper sec. 3, ref. [7])."""


def density_of_states_coefficient() -> float:
    """C = 8 sqrt(2) pi m_e^{3/2} / h^3 [J^-3/2 m^-3], the prefactor of eq. 7.

    In eV^-3/2 m^-3 (multiply by e^{3/2}) this is 6.812e27, not the printed 6.846e27 (misprint 7).
    """
    return 8.0 * math.sqrt(2.0) * math.pi * _c.m_e**1.5 / _c.h**3


def electron_density(fermi_energy: float) -> float:
    """Free-electron density at 0 K, n = (8 sqrt(2) pi m_e^{3/2}/h^3)(2/3) E_F^{3/2} (eq. 7) [m^-3].

    ``fermi_energy`` in J. For copper (7 eV) n = 8.41e28 m^-3 with CODATA constants.
    """
    if fermi_energy < 0:
        raise ValueError(f"fermi_energy must be >= 0 J, got {fermi_energy!r}")
    return density_of_states_coefficient() * (2.0 / 3.0) * fermi_energy**1.5


def fermi_speed(fermi_energy: float) -> float:
    """Fermi speed v_F = sqrt(2 E_F / m_e) [m/s] (1.57e6 m/s for 7 eV)."""
    if fermi_energy < 0:
        raise ValueError(f"fermi_energy must be >= 0 J, got {fermi_energy!r}")
    return math.sqrt(2.0 * fermi_energy / _c.m_e)


def fermi_wavenumber(fermi_energy: float) -> float:
    """Fermi wavenumber k_F = sqrt(2 m_e E_F)/hbar [1/m] (1.36e10 1/m for 7 eV)."""
    return math.sqrt(2.0 * _c.m_e * fermi_energy) / _c.hbar


def average_speed(fermi_energy: float) -> float:
    """The paper's average electron speed (3/4) sqrt(2 E_F / m_e) (eq. 8, printed "v_F") [m/s].

    1.18e6 m/s for 7 eV; used by the paper for lambda_e and the close-encounter time (sec. 3).
    """
    return 0.75 * fermi_speed(fermi_energy)


def collision_time(conductivity: float, density: float) -> float:
    """Collision (relaxation) time tau = m_e sigma / (n e^2) (eq. 10) [s].

    ``conductivity`` sigma in S/m, ``density`` n in m^-3. 2.49e-14 s for copper.
    """
    return _c.m_e * conductivity / (density * _c.e**2)


def mean_free_path(speed: float, tau: float) -> float:
    """Mean free path mu = v tau (eqs. 9-10) [m]; ``speed`` in m/s, ``tau`` in s.

    39 nm with the Fermi speed 1.57e6 m/s (the paper's printed value), 29 nm with 1.18e6 m/s.
    """
    return speed * tau


def einstein_diffusivity(conductivity: float, temperature: float, density: float) -> float:
    """Classical Einstein relation D = sigma k_B T / (n e^2) (eq. 13) [m^2/s].

    1.13e-4 m^2/s for copper at 300 K (printed 1.1e-4). This is the D the paper uses.
    """
    return conductivity * _c.k * temperature / (density * _c.e**2)


def degenerate_diffusivity(conductivity: float, fermi_energy: float, density: float) -> float:
    """Degenerate-gas tracer diffusivity D = 2 sigma E_F / (3 n e^2) = v_F^2 tau / 3 [m^2/s].

    v_F = sqrt(2 E_F/m_e), tau from eq. 10. 2.04e-2 m^2/s for copper. Not in the paper.
    """
    return 2.0 * conductivity * fermi_energy / (3.0 * density * _c.e**2)


def drift_coefficient(density: float, area: float) -> float:
    """Drift coefficient 1/(n e A) = 1/(n e z w) (sec. 2.1, after eq. 11) [m/C]; ``area`` in m^2."""
    return 1.0 / (density * _c.e * area)


def volume_flow(current, density: float):
    """Volume of electron fluid carried per second, Q = I/(n e) [m^3/s] (= v_d A in any
    cross-section A); ``current`` in A (signed, scalar or array), ``density`` n in m^-3."""
    return current / (density * _c.e)


def drift_velocity(current, density: float, area):
    """Drift velocity v_d = I / (n e A) = Q/A (eq. 11) [m/s]; ``current`` in A (signed),
    ``area`` in m^2."""
    return current / (density * _c.e * area)


def drift_displacement(charge, density: float, area):
    """Drift displacement X = Q/(n e A) [m] after the charge ``charge`` Q [C] has passed
    (eq. 11 integrated over time: X(t) = integral v_d dt with v_d = I(t)/(n e A))."""
    return drift_velocity(charge, density, area)


def transit_time(length: float, velocity: float) -> float:
    """Transit time under the detector dt_T = L / |v_d| = n e A L / |I| (eq. 12) [s].

    Returns ``math.inf`` for v_d = 0 (no current: the electrons never cross by drift).
    """
    if velocity == 0:
        return math.inf
    return length / abs(velocity)


def electron_wavelength(speed: float) -> float:
    """de Broglie wavelength lambda_e = h / (m_e v) (sec. 3) [m].

    6.18e-10 m with the average speed (3/4) sqrt(2E_F/m_e) (printed 6.1e-10).
    """
    return _c.h / (_c.m_e * speed)


def close_encounter_distance(density: float, wavelength: float) -> float:
    """Mean distance between close encounters l = 1 / (n pi (lambda_e/2)^2) (sec. 3) [m].

    ``density`` in m^-3, ``wavelength`` in m. 39.6 pm for copper (printed 41 pm).
    """
    return 1.0 / (density * math.pi * (wavelength / 2.0) ** 2)


def close_encounter_time(distance: float, speed: float) -> float:
    """Mean time between close encounters l / v (sec. 3) [s] (3.37e-17 s; printed 3.5e-17 s)."""
    return distance / speed


def capture_probability_estimate(
    wavelength: float, speed: float, width: float = KALPHA_WIDTH
) -> dict[str, float]:
    """Readings of the paper's capture-probability estimate r ~ (hbar/Gamma) x (lambda_e/v_F) (sec. 3).

    Misprint 5 of docs/physics.md: the printed formula multiplies two *times*, the K-alpha lifetime
    hbar/Gamma [s] and the encounter transit time lambda_e/v [s], so it has units s^2 and is not a
    probability. All readings are returned:

    * ``lifetime_s``              hbar/Gamma [s]  (2.41e-16 s for Gamma = 2.73 eV);
    * ``transit_s``               lambda_e/v [s]  (5.25e-16 s with v = 1.18e6 m/s; printed 5.3e-16);
    * ``product_s2``              (hbar/Gamma)(lambda_e/v) [s^2] -- the printed product, numerically
      1.3e-31 s^2: NOT a probability, returned only for completeness;
    * ``ratio_transit_over_lifetime``  (lambda_e/v)/(hbar/Gamma) [1]  (2.18 with v = 1.18e6 m/s);
    * ``ratio_lifetime_over_transit``  (hbar/Gamma)/(lambda_e/v) [1]  (0.459).

    None of these reproduces the printed "r ~ 1.6" when lambda_e and v use the same speed: the
    product is 31 orders of magnitude off, the ratios give 2.2 and 0.46. The value 1.63 (-> "1.6")
    is obtained from the transit/lifetime ratio when lambda_e is computed with the average speed
    1.18e6 m/s but divided by the true Fermi speed 1.57e6 m/s, i.e. 3/4 of the ratio reading
    (see ``solver.derive``: key ``capture_r_ratio_fermi_speed``). Either way r > 1, which is all
    the paper uses ("every close encounter leads to a capture").

    ``wavelength`` in m, ``speed`` in m/s, ``width`` Gamma in J.
    """
    lifetime = _c.hbar / width
    transit = wavelength / speed
    return {
        "lifetime_s": lifetime,
        "transit_s": transit,
        "product_s2": lifetime * transit,
        "ratio_transit_over_lifetime": transit / lifetime,
        "ratio_lifetime_over_transit": lifetime / transit,
    }


@dataclass(frozen=True)
class Copper:
    """Copper as the paper uses it (sec. 2.1): E_F = 7 eV [J], sigma = 5.9e7 S/m, T = 300 K.

    ``Copper()`` and ``Copper.paper()`` are the paper's copper. Properties give the derived
    quantities with the functions above.
    """

    fermi_energy: float = 7.0 * _c.electron_volt
    conductivity: float = 5.9e7
    temperature: float = 300.0

    @classmethod
    def paper(cls) -> "Copper":
        """The paper's copper: E_F = 7 eV, sigma = 5.9e7 S/m, T = 300 K (sec. 2.1)."""
        return cls()

    @property
    def electron_density(self) -> float:
        """n [m^-3] (eq. 7)."""
        return electron_density(self.fermi_energy)

    @property
    def fermi_speed(self) -> float:
        """sqrt(2 E_F/m_e) [m/s]."""
        return fermi_speed(self.fermi_energy)

    @property
    def average_speed(self) -> float:
        """(3/4) sqrt(2 E_F/m_e) [m/s] (eq. 8)."""
        return average_speed(self.fermi_energy)

    @property
    def collision_time(self) -> float:
        """tau [s] (eq. 10)."""
        return collision_time(self.conductivity, self.electron_density)

    @property
    def mean_free_path(self) -> float:
        """v_F tau [m] (the paper's 39 nm)."""
        return mean_free_path(self.fermi_speed, self.collision_time)

    @property
    def einstein_diffusivity(self) -> float:
        """sigma k_B T/(n e^2) [m^2/s] (eq. 13)."""
        return einstein_diffusivity(self.conductivity, self.temperature, self.electron_density)

    @property
    def degenerate_diffusivity(self) -> float:
        """2 sigma E_F/(3 n e^2) [m^2/s]."""
        return degenerate_diffusivity(self.conductivity, self.fermi_energy, self.electron_density)
