"""What the test modules share: case builders, reference values and readers of results folders.

Reference values are written out here from scipy.constants and Table 1 of Milotti et al.,
Entropy 2018, 20, 515 (SI units), never taken from ``vip_transport.solver``: a test compares
the package with them, so they must not come from the code under test.

The builders make small variations of the shipped cases:

- ``case_data(preset, **sections)`` the dict a case file would give; ``make_case`` validates it;
- ``write_case(folder, **sections)`` the shipped ``cases/vip2.yaml`` with changes, as a file;
- ``strip()``, ``shell()`` the 2D/3D conductors (meshes.blocks) of VIP-2 and VIP;

and ``run_cli``, ``start_cli`` (with a pause at a known step), ``read_summary``,
``read_timeseries`` run the command and read what it wrote.
Test modules import them by name (``from conftest import make_case``).
"""

from __future__ import annotations

import copy
import csv
import json
import math
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from scipy.constants import e, electron_volt, h, k, m_e

ROOT = Path(__file__).resolve().parents[1]
CASES = ROOT / "cases"

# ----------------------------------------------------------------------------- copper (section 2.1)

FERMI_ENERGY = 7.0 * electron_volt          # J
CONDUCTIVITY = 5.9e7                        # S/m
TEMPERATURE = 300.0                         # K
N_CU = 8 * math.sqrt(2) * math.pi * m_e**1.5 / h**3 * (2 / 3) * FERMI_ENERGY**1.5   # eq. 7, m^-3
V_FERMI = math.sqrt(2 * FERMI_ENERGY / m_e)                                        # m/s
V_AVERAGE = 0.75 * V_FERMI                                                          # eq. 8, m/s
TAU_CU = m_e * CONDUCTIVITY / (N_CU * e**2)                                         # eq. 10, s
D_EINSTEIN = CONDUCTIVITY * k * TEMPERATURE / (N_CU * e**2)                         # eq. 13, m^2/s
D_DEGENERATE = V_FERMI**2 * TAU_CU / 3                                              # m^2/s
#: close encounters per second (section 3): v / l, l = 1/(n pi (lambda/2)^2), lambda = h/(m_e v)
CLOSE_ENCOUNTER_RATE = V_AVERAGE * N_CU * math.pi * (h / (m_e * V_AVERAGE) / 2) ** 2


@dataclass(frozen=True)
class Target:
    """A target of Table 1: length L, thickness z, width w [m], current I [A], geometric factor."""

    length: float
    thickness: float
    width: float
    current: float
    geometric_factor: float

    @property
    def area(self) -> float:
        """Cross-section z w [m^2]."""
        return self.thickness * self.width

    def drift_velocity(self, current: float | None = None) -> float:
        """v_d = I/(n e z w) [m/s] (eq. 11)."""
        return (self.current if current is None else current) / (N_CU * e * self.area)

    def transit_time(self, current: float | None = None) -> float:
        """n e z w L / I [s] (eq. 12)."""
        return self.length / self.drift_velocity(current)


VIP_RADIUS = 0.045                                                     # m
TABLE1 = {"vip": Target(0.088, 50e-6, 2 * math.pi * VIP_RADIUS, 40.0, 0.01),
          "vip2": Target(0.071, 50e-6, 0.020, 100.0, 0.018)}

#: keys of summary.json's "derived" in the results contract (README, "Results contract")
DERIVED_CONTRACT_KEYS = ("electron_density_m3", "fermi_velocity_m_s", "collision_time_s", "mean_free_path_m",
                         "diffusivity_m2_s", "drift_velocity_m_s", "transit_time_s", "rms_diffusion_length_m")
#: the columns of timeseries.csv in the results contract
TIMESERIES_CONTRACT_COLUMNS = ["time_s", "new_electrons_in_target", "scattering_rate_per_s",
                               "cumulative_scatterings"]


# ----------------------------------------------------------------------------- the claims ledger

#: ledger id -> the paper's printed value, for every number issue 5 lists (read from the paper's text)
PAPER_CLAIMS = {
    # section 2.1 derived quantities
    "material.electron_density_m3": 8.46e28, "material.average_speed_m_s": 1.18e6,
    "material.collision_time_s": 2.5e-14, "material.mean_free_path_m": 39e-9,
    "material.diffusivity_m2_s": 1.1e-4,
    "vip.drift_coefficient_m_per_C": 5.23e-6, "vip2.drift_coefficient_m_per_C": 7.38e-4,
    "vip.drift_velocity_m_s": 0.21e-3, "vip2.drift_velocity_m_s": 7.4e-3,
    # traversal times, r_RMS
    "vip.transit_time_s": 420.0, "vip2.transit_time_s": 10.0,
    "vip.rms_diffusion_length_m": 0.20, "vip2.rms_diffusion_length_m": 0.03,
    # S_inf = dt_T/tau; close encounters per transit
    "vip.conduction_scatterings_per_transit": 1.3e16, "vip2.conduction_scatterings_per_transit": 3e14,
    "vip.close_encounters_per_transit": 1.2e19, "vip2.close_encounters_per_transit": 2.8e17,
    # RS straight path
    "vip.rs_scatterings_per_transit": 2.2e6, "vip.rs_scatterings_per_transit.2": 2.3e6,
    "vip2.rs_scatterings_per_transit": 1.8e6,
    # amplification factors
    "vip.amplification_conduction": 1e10, "vip2.amplification_conduction": 1e8,
    "vip.amplification_close_encounters": 5.2e12, "vip2.amplification_close_encounters": 1.6e11,
    # the bound, the half rate, the long-time rate, the dimensional claim
    "bound_beta2_half": 2.6e-40,
    "no_current_half_semi_infinite": 0.5, "no_current_half_finite_reservoir": 0.5,
    "long_time_rate_independent_of_current": 1.0,
    "dimensional_claim.vip": 0.0, "dimensional_claim.vip2": 0.0,
}
#: the ledger's verdicts (issue 5: confirmed / corrected with cause / refuted; and the two for claims
#: that cannot be recomputed from the paper or whose check was not run)
LEDGER_VERDICTS = {"confirmed", "corrected", "interpretation", "refuted", "not recomputable", "not yet checked"}


def max_relative_error(values, exact) -> float:
    """max |values - exact| over max |exact|: the error measure of N(t) used throughout."""
    exact = np.asarray(exact, float)
    return float(np.max(np.abs(np.asarray(values, float) - exact)) / np.max(np.abs(exact)))


def within_printed(x, printed: str) -> bool:
    """Whether ``x`` agrees with the printed literal at its printed precision: |x - p| at most
    half a unit of its last digit (trailing zeros of an integer mantissa are not significant)."""
    mant, _, exp = printed.lower().partition("e")
    exp = int(exp or 0)
    if "." in mant:
        last = exp - len(mant.split(".")[1])
    else:
        last = exp + (len(mant) - len(mant.rstrip("0")))
    return abs(x - float(printed)) <= 0.5 * 10.0**last * (1 + 1e-9)


# ----------------------------------------------------------------------------- cases


def merged(data: dict, sections: dict) -> dict:
    """A deep copy of ``data`` with ``sections`` merged in: a dict updates its section key by
    key (the keys it does not name keep their values), anything else replaces the entry."""
    out = copy.deepcopy(data)
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = {**out[key], **copy.deepcopy(value)}
        else:
            out[key] = copy.deepcopy(value)
    return out


def case_data(preset: str | None = "vip2", **sections) -> dict:
    """A case as the dict its YAML file would give: Table 1 by ``preset`` ("vip", "vip2"), or
    with ``preset=None`` the VIP-2 target written out without a preset; ``sections`` merged in
    (see :func:`merged`), e.g. ``case_data("vip", method="fv", fv={"time_steps": 100})``."""
    if preset is None:
        base = {"name": "test", "geometry": {"length": "71 mm", "width": "20 mm", "thickness": "50 um"},
                "transport": {"current": "100 A"}, "counting": {"geometric_factor": 0.018}}
    else:
        base = {"name": "test", "geometry": {"preset": preset}}
    return merged(base, sections)


def make_case(preset: str | None = "vip2", *, source: str = "<dict>", **sections):
    """The validated ``Case`` of ``case_data(preset, **sections)``."""
    from vip_transport.solver.config import case_from_dict

    return case_from_dict(case_data(preset, **sections), source=source)


def shipped_case_data(name: str = "vip2") -> dict:
    """``cases/<name>.yaml`` as a dict."""
    return yaml.safe_load((CASES / f"{name}.yaml").read_text(encoding="utf-8"))


def write_case(folder, name: str = "case", *, shipped: str = "vip2", **sections) -> Path:
    """Write the shipped case ``shipped`` named ``name`` with ``sections`` merged in to
    ``folder/<name>.yaml``; returns the path."""
    data = merged(shipped_case_data(shipped), {"name": name, **sections})
    path = Path(folder) / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- 2D/3D conductors

W2, Z2 = TABLE1["vip2"].width, TABLE1["vip2"].thickness     # m: the VIP-2 strip's width, thickness
C1 = TABLE1["vip"].width                                      # m: the VIP shell's circumference


def strip(connector_width=W2, offset=0.0, connector_thickness=Z2, *, reservoir=0.04, outlet=0.05):
    """The VIP-2 strip with reservoir, connector (1 cm; narrower or thinner if asked, its centre
    line ``offset`` from the target's) and outlet, lengths in m."""
    from vip_transport.meshes.blocks import Conductor, Lead

    return Conductor((Lead("reservoir", reservoir, W2, Z2),
                      Lead("connector", 0.01, connector_width, connector_thickness, offset=offset),
                      Lead("target", TABLE1["vip2"].length, W2, Z2), Lead("outlet", outlet, W2, Z2)))


def shell(tab_width=C1, angles=(), *, reservoir=0.04, outlet=0.05):
    """The VIP cylinder shell (radius 45 mm) with reservoir, connector (1 cm; feed tabs of
    total width ``tab_width`` at ``angles`` [rad] if given) and outlet, lengths in m."""
    from vip_transport.meshes.blocks import Conductor, Lead

    z = TABLE1["vip"].thickness
    return Conductor((Lead("reservoir", reservoir, C1, z), Lead("connector", 0.01, tab_width, z, angles=angles),
                      Lead("target", TABLE1["vip"].length, C1, z), Lead("outlet", outlet, C1, z)),
                     shape="shell", radius=VIP_RADIUS)


# ----------------------------------------------------------------------------- the command and its folder


def run_cli(*args, cwd, timeout=300, env=None) -> subprocess.CompletedProcess:
    """``python -m vip_transport.solver.cli ARGS`` in a fresh process (the console script's
    code path), plots with the Agg backend; ``env`` adds variables."""
    env = {**os.environ, "MPLBACKEND": "Agg", **(env or {})}
    return subprocess.run([sys.executable, "-m", "vip_transport.solver.cli", *map(str, args)], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=timeout)


def start_cli(*args, cwd=None, pause_after=None, pause_file=None) -> subprocess.Popen:
    """``python -m vip_transport.solver.cli ARGS`` started in a fresh process (text pipes);
    with ``pause_after`` k a run stops after step k (the CLI's test hook), writes
    ``pause_file`` and waits there for a signal: interrupted at a known point, never raced."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    if pause_after is not None:
        env.update(VIP_TRANSPORT_TEST_PAUSE_AFTER_STEP=str(pause_after), VIP_TRANSPORT_TEST_PAUSE_FILE=str(pause_file))
    return subprocess.Popen([sys.executable, "-m", "vip_transport.solver.cli", *map(str, args)], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def wait_until_paused(pause_file, proc, timeout=300):
    """Wait until the run started by ``start_cli`` has reached its pause point (a known step)."""
    start = time.monotonic()
    while not Path(pause_file).exists():
        assert proc.poll() is None, f"the run ended before its pause point: {proc.stderr.read()}"
        assert time.monotonic() - start < timeout, "the run never reached its pause point"
        time.sleep(0.02)


def read_summary(folder) -> dict:
    """summary.json of a results folder."""
    return json.loads((Path(folder) / "summary.json").read_text())


def read_timeseries(folder) -> tuple[list, np.ndarray]:
    """(header, rows as floats) of timeseries.csv of a results folder."""
    with open(Path(folder) / "timeseries.csv", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], np.array(rows[1:], dtype=float)


def assert_direct_equals_complement(problem, times, seed: int, electrons: int, batches: int = 8):
    """The total electron density is stationary, so the Monte Carlo walk's direct count of new
    electrons in the target equals n V_target minus its count of old ones: both within 3
    standard errors of their difference, at every output time; some short (split) steps taken."""
    from vip_transport.solver.montecarlo.driver import run_batch

    tallies = [run_batch(problem, s, electrons, times) for s in np.random.SeedSequence(seed).spawn(batches)]
    direct = np.array([t.sums[0, 0] for t in tallies])
    complement = problem.target_electrons - np.array([t.sums[0, 1] for t in tallies])
    diff = direct.mean(axis=0) - complement.mean(axis=0)
    se = np.sqrt((direct.var(axis=0, ddof=1) + complement.var(axis=0, ddof=1)) / len(tallies))
    assert np.all(np.abs(diff) <= 3 * se), np.round(diff / se, 2)
    return tallies
