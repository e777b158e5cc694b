"""Checkpoints of a finite-volume run, so that a stopped run (SIGINT, SIGKILL) can continue.

A run that will write results to ``DIR`` keeps its checkpoint in the sibling folder
``.DIR.checkpoint/``: the resolved case (``case.resolved.yaml``) and ``state.npz`` (time,
density, index of the next step, running integrals, finished outputs, field snapshots taken).
Every write goes to a temporary file renamed over the old one, so a kill leaves either the old
or the new checkpoint.  Resuming replays nothing: the stepper continues from the saved step
with the saved density, so the resumed run reproduces the uninterrupted one.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np

from ..errors import UserError
from ..run.bookkeeping import Records
from ..timestepping.base import StepState

__all__ = ["checkpoint_folder", "Checkpointer", "load_checkpoint"]


def checkpoint_folder(out) -> Path:
    """The checkpoint folder of the results folder ``out``."""
    out = Path(out)
    return out.parent / f".{out.name}.checkpoint"


class Checkpointer:
    """Callable(state, records) for ``run_case(checkpoint=...)``: saves at most once every
    ``interval_s`` seconds of wall time (0: at every output)."""

    def __init__(self, folder, interval_s: float = 30.0):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.interval_s = interval_s
        self._last = time.monotonic()
        self.saved = 0

    def __call__(self, state: StepState, records: Records):
        now = time.monotonic()
        if now - self._last >= self.interval_s:
            self.save(state, records)
            self._last = now

    def save(self, state: StepState, records: Records):
        tmp = self.folder / f"state.tmp-{os.getpid()}.npz"
        snapshots = records.snapshots
        fields = np.asarray([c for _, c in snapshots], dtype=float).reshape(len(snapshots), len(state.c))
        np.savez(tmp, t=state.t, c=state.c, next_step=state.next_step,
                 integrals=json.dumps(state.integrals),
                 index=np.asarray(records.index, dtype=np.int64),
                 n_target=np.asarray(records.n_target, dtype=float),
                 n_target_dt=np.asarray(records.n_target_dt, dtype=float),
                 snapshot_index=np.asarray([k for k, _ in snapshots], dtype=np.int64),
                 snapshot_c=fields)
        os.replace(tmp, self.folder / "state.npz")
        self.saved += 1


def load_checkpoint(folder):
    """(StepState, Records) saved in ``folder``; UserError when there is none."""
    path = Path(folder) / "state.npz"
    if not path.is_file():
        raise UserError(f"{folder}: no checkpoint to resume (no state.npz): the run finished, or never "
                        f"reached its first checkpoint; start it again without --resume")
    with np.load(path) as data:
        state = StepState(t=float(data["t"]), c=np.array(data["c"]), next_step=int(data["next_step"]),
                          integrals=json.loads(str(data["integrals"])))
        records = Records(index=[int(i) for i in data["index"]],
                          n_target=[float(v) for v in data["n_target"]],
                          n_target_dt=[float(v) for v in data["n_target_dt"]],
                          snapshots=[(int(k), np.array(c)) for k, c in zip(data["snapshot_index"],
                                                                            data["snapshot_c"])])
    return state, records
