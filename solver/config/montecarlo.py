"""The ``montecarlo:`` section of a case: settings of the random-walk method
(``solver.montecarlo``), ignored by the other methods.

electrons: simulated electrons over all batches (split between the reservoir's new electrons
and the old ones downstream, ``solver.montecarlo.sampling``); batches: independent batches,
each with its own random stream (``numpy.random.SeedSequence(seed).spawn``), whose spread gives
the standard errors; seed: the root seed (same seed, same output); time_step: the step [s] of the
walk where it is not exact (near a change of cross-section in 1D; in the non-uniform drift
field of 2D/3D), null = the default of ``solver.montecarlo.line_problem.default_line_step``
(1D) or ``block_problem.default_block_step`` (2D/3D); workers: processes the batches run in
(does not change the results).
"""

from __future__ import annotations

from .types import Model, OptDuration, integer

__all__ = ["MonteCarlo", "DEFAULT_ELECTRONS", "DEFAULT_BATCHES"]

DEFAULT_ELECTRONS = 400_000
DEFAULT_BATCHES = 20


class MonteCarlo(Model):
    """Random-walk settings (see the module docstring)."""

    electrons: integer(2, 10**12) = DEFAULT_ELECTRONS
    batches: integer(2, 100_000) = DEFAULT_BATCHES
    seed: integer(0, 2**63 - 1) = 1
    time_step: OptDuration = None
    workers: integer(1, 1024) = 1
