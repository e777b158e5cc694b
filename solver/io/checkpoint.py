"""Checkpoints of a finite-volume run, so that a stopped run (SIGINT, SIGTERM, SIGKILL) can
continue, and checkpoints that cannot lie.

A run that will write results to ``DIR`` keeps its checkpoint in the sibling folder
``.DIR.checkpoint/``, made at the first save (a run that fails to start leaves nothing): the
resolved case (``case.resolved.yaml``) and ``state.npz`` (time, density, index of the next
step, running integrals, finished outputs, field snapshots taken, counters, wall time so far).
Every write goes to a temporary file renamed over the old one, so a kill leaves either the old
or the new checkpoint.  Resuming replays nothing: the stepper continues from the saved step
with the saved density, so the resumed run reproduces the uninterrupted one.

``state.npz`` carries a format version, the SHA-256 of the resolved case it belongs to
(``Case.digest``) and a SHA-256 of every array; :func:`load_checkpoint` verifies all of them and
refuses (UserError, exit 2) a damaged checkpoint or one whose case file was edited, saying how
to start again.  Arrays only: ``allow_pickle`` stays off.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import zipfile
from pathlib import Path

import numpy as np

from ..config import load_case, write_resolved
from ..errors import CaseError, UserError
from ..run.bookkeeping import Records
from ..timestepping.base import StepState

__all__ = ["FORMAT_VERSION", "checkpoint_folder", "Checkpointer", "load_checkpoint", "remove_checkpoint"]

FORMAT_VERSION = 2
_ARRAYS = ("c", "index", "n_target", "n_target_dt", "snapshot_index", "snapshot_c")


def checkpoint_folder(out) -> Path:
    """The checkpoint folder of the results folder ``out``."""
    out = Path(out)
    return out.parent / f".{out.name}.checkpoint"


def _sha256(array: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()


class Checkpointer:
    """Callable(state, records) for ``run_case(checkpoint=...)``: saves at most once every
    ``interval_s`` seconds of wall time (0: at every output) into ``folder``, for ``case``.
    ``elapsed_s``: wall time of the earlier parts of a resumed run [s]; ``started``: when the
    run first started (ISO time)."""

    def __init__(self, folder, case, interval_s: float = 30.0, *, elapsed_s: float = 0.0, started: str = ""):
        self.folder = Path(folder)
        self.case = case
        self.interval_s = interval_s
        self.elapsed_before = elapsed_s
        self.started = started
        self._start = self._last = time.monotonic()
        self.saved = 0

    @property
    def elapsed_s(self) -> float:
        """Wall time of the run so far, earlier parts included [s]."""
        return self.elapsed_before + (time.monotonic() - self._start)

    def __call__(self, state: StepState, records: Records):
        now = time.monotonic()
        if now - self._last >= self.interval_s:
            self.save(state, records)
            self._last = now

    def save(self, state: StepState, records: Records):
        if not self.folder.is_dir():
            self.folder.mkdir(parents=True)
        if not (self.folder / "case.resolved.yaml").is_file():
            write_resolved(self.case, self.folder / "case.resolved.yaml")
        snapshots = records.snapshots
        arrays = {"c": np.asarray(state.c, dtype=float),
                  "index": np.asarray(records.index, dtype=np.int64),
                  "n_target": np.asarray(records.n_target, dtype=float),
                  "n_target_dt": np.asarray(records.n_target_dt, dtype=float),
                  "snapshot_index": np.asarray([k for k, _ in snapshots], dtype=np.int64),
                  "snapshot_c": np.asarray([c for _, c in snapshots], dtype=float).reshape(len(snapshots),
                                                                                           len(state.c))}
        meta = {"version": FORMAT_VERSION, "case_sha256": self.case.digest(), "t": state.t,
                "next_step": state.next_step, "integrals": state.integrals, "counters": state.counters,
                "elapsed_s": self.elapsed_s, "started": self.started,
                "checksums": {name: _sha256(a) for name, a in arrays.items()}}
        tmp = self.folder / f"state.tmp-{os.getpid()}.npz"
        np.savez(tmp, meta=np.array(json.dumps(meta)), **arrays)
        os.replace(tmp, self.folder / "state.npz")
        self.saved += 1


def _damaged(folder: Path, what: str) -> UserError:
    return UserError(f"{folder}: the checkpoint cannot be used: {what}. Start the run again "
                     f"without --resume (and delete {folder})")


def load_checkpoint(folder):
    """(case, StepState, Records, meta) saved in ``folder``, verified; UserError (exit 2) when
    there is none, when it is damaged, or when its case was edited after the run started.
    ``meta``: elapsed_s (wall time of the earlier parts) and started (ISO time)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError(f"{folder}: nothing to resume: no checkpoint folder (the run finished, or never "
                        f"reached its first checkpoint); start it again without --resume")
    path = folder / "state.npz"
    if not (folder / "case.resolved.yaml").is_file() or not path.is_file():
        missing = "case.resolved.yaml" if not (folder / "case.resolved.yaml").is_file() else "state.npz"
        raise _damaged(folder, f"it has no {missing}")
    try:
        case = load_case(folder / "case.resolved.yaml")
    except CaseError as exc:
        raise _damaged(folder, f"its case file does not load ({exc})") from None
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            arrays = {name: np.array(data[name]) for name in _ARRAYS}
    except (OSError, EOFError, ValueError, KeyError, zipfile.BadZipFile, json.JSONDecodeError) as exc:
        raise _damaged(folder, f"state.npz is unreadable ({type(exc).__name__}: {str(exc)[:100]})") from None
    if not isinstance(meta, dict) or meta.get("version") != FORMAT_VERSION:
        raise _damaged(folder, f"state.npz is of format {meta.get('version') if isinstance(meta, dict) else '?'}, "
                               f"not {FORMAT_VERSION}")
    bad = [name for name, a in arrays.items() if meta.get("checksums", {}).get(name) != _sha256(a)]
    if bad:
        raise _damaged(folder, f"the checksum of {', '.join(bad)} does not match (a damaged file)")
    if meta.get("case_sha256") != case.digest():
        raise _damaged(folder, "its case.resolved.yaml was edited after the run started (the checkpoint "
                               "belongs to another case)")
    try:
        state = StepState(t=float(meta["t"]), c=arrays["c"], next_step=int(meta["next_step"]),
                          integrals=dict(meta["integrals"]), counters=dict(meta.get("counters", {})))
        records = Records(index=[int(i) for i in arrays["index"]],
                          n_target=[float(v) for v in arrays["n_target"]],
                          n_target_dt=[float(v) for v in arrays["n_target_dt"]],
                          snapshots=[(int(k), np.array(c)) for k, c in zip(arrays["snapshot_index"],
                                                                            arrays["snapshot_c"])])
    except (KeyError, TypeError, ValueError) as exc:
        raise _damaged(folder, f"state.npz lacks {exc}") from None
    return case, state, records, {"elapsed_s": float(meta.get("elapsed_s", 0.0)),
                                  "started": str(meta.get("started", ""))}


def remove_checkpoint(folder) -> None:
    """Remove the checkpoint folder (after the results are written)."""
    shutil.rmtree(folder, ignore_errors=True)
