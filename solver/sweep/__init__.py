"""Parameter sweeps: a base case, axes of values or distributions, every case on Dask.

``load_sweep(path)`` / ``sweep_from_dict(data)`` validate a sweep (:mod:`.spec`, sampled axes
in :mod:`.sampling`); ``run_sweep(sweep, out)`` runs its unfinished cases (:mod:`.engine`, one
task per case in :mod:`.worker`) and writes the table and plots (:mod:`.table`, :mod:`.plots`).
"""

from .engine import SweepReport, local_client, run_sweep
from .spec import Point, Sweep, case_key, load_sweep, sweep_from_dict
from .table import read_table

__all__ = ["Point", "Sweep", "SweepReport", "case_key", "load_sweep", "local_client", "read_table",
           "run_sweep", "sweep_from_dict"]
