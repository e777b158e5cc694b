"""The results folder belongs to the package: what ``--out DIR`` may name, who may write it,
and what happens to what is already there.  Nothing a user put anywhere is ever deleted.

- ``DIR`` must be a folder that can be created or replaced: not a regular file, not the current
  directory or one above it, inside a writable parent (:func:`check_out`, before any work).
- A folder of ours carries the marker file ``.vip-transport-results`` listing the files the
  package wrote.  Replacing our previous results is silent when the folder holds only those
  files; anything else in it (a user's notes) keeps the old folder: it is moved aside to the
  visible ``DIR.previous-<time>`` and the caller says so.  An existing folder that is not ours
  and not empty is refused, unless ``force``: then it too is moved aside, never deleted.
- A run holds an advisory lock on ``DIR`` (the file ``.DIR.lock`` beside it, with the holder's
  process id) for its whole duration, checkpoint included; a second run on the same ``DIR`` is
  refused naming that process (:func:`claim`).
- Temporary folders ``.DIR.tmp-*`` left by a killed run (recognised by name and marker) are
  removed by the next run that claims ``DIR``.
"""

from __future__ import annotations

import datetime as _dt
import errno
import fcntl
import json
import os
import shutil
import socket
from contextlib import contextmanager
from pathlib import Path

from .. import __version__
from ..errors import UserError

__all__ = ["MARKER", "check_out", "claim", "is_ours", "write_marker", "publish", "temporary_prefix"]

MARKER = ".vip-transport-results"


def temporary_prefix(target: Path) -> str:
    """Name prefix of the temporary folders beside ``target``."""
    return f".{target.name}.tmp-"


def is_ours(folder: Path) -> bool:
    """Whether ``folder`` is a results folder written by this package (its marker is there)."""
    return (folder / MARKER).is_file()


def write_marker(folder: Path, files) -> None:
    """Mark ``folder`` as ours, listing the ``files`` (relative paths) the package wrote."""
    data = {"package": "vip-transport", "version": __version__, "files": sorted(files)}
    (folder / MARKER).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def _written_files(folder: Path) -> set[str]:
    try:
        return set(json.loads((folder / MARKER).read_text(encoding="utf-8"))["files"])
    except (OSError, ValueError, KeyError, TypeError):
        return set()


def _foreign(folder: Path) -> list[str]:
    """Relative paths in our ``folder`` that the package did not write there."""
    ours = _written_files(folder) | {MARKER}
    found = []
    for path in folder.rglob("*"):
        rel = path.relative_to(folder).as_posix()
        if path.is_dir():
            if not any(f.startswith(rel + "/") for f in ours):
                found.append(rel + "/")
        elif rel not in ours:
            found.append(rel)
    return sorted(found)


def check_out(target, *, force: bool = False) -> Path:
    """``target`` as an absolute Path if results can be written there; else UserError (exit 2)
    naming the path and what to do.  Checked before any work starts."""
    target = Path(target)
    absolute = Path(os.path.abspath(target))
    cwd = Path(os.getcwd())
    if absolute == cwd or absolute in cwd.parents:
        raise UserError(f"--out {target}: expected a results folder of its own; got the current "
                        f"directory (or one above it), which cannot be replaced: name a sub-folder, "
                        f"such as --out results/run1")
    if absolute.exists() and not absolute.is_dir():
        raise UserError(f"--out {target}: expected a folder for the results; got an existing "
                        f"{'file' if absolute.is_file() else 'non-folder'} of that name")
    parent = absolute.parent
    existing = parent
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise UserError(f"--out {target}: expected a place where a folder can be made; got "
                        f"{existing}, which is a file")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UserError(f"--out {target}: expected a writable place; {existing} is not writable")
    if absolute.is_dir() and not is_ours(absolute) and any(absolute.iterdir()) and not force:
        raise UserError(f"--out {target}: expected a new folder or a results folder of "
                        f"vip-transport; got a folder that holds other files. Choose another --out, "
                        f"or add --force to move that folder aside to {target.name}.previous-<time> "
                        f"(nothing is deleted)")
    return absolute


def _aside(target: Path) -> Path:
    """A visible, unused name beside ``target`` for its previous contents."""
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    candidate = target.with_name(f"{target.name}.previous-{stamp}")
    k = 1
    while candidate.exists():
        k += 1
        candidate = target.with_name(f"{target.name}.previous-{stamp}-{k}")
    return candidate


def publish(tmp: Path, target: Path, *, force: bool = False) -> str | None:
    """Move the complete folder ``tmp`` into place as ``target``.  Our previous results holding
    only our files are replaced; anything else is moved aside (returns a sentence saying where),
    never deleted.  An existing foreign, non-empty folder without ``force`` is refused."""
    moved = None
    if target.is_dir() and any(target.iterdir()):
        extra = _foreign(target) if is_ours(target) else None
        if extra is None and not force:
            raise UserError(f"--out {target}: the folder appeared during the run and holds other "
                            f"files; nothing was written there")
        if extra:
            aside = _aside(target)
            os.replace(target, aside)
            moved = (f"the previous results in {target} held other files too "
                     f"({', '.join(extra[:3])}{', ...' if len(extra) > 3 else ''}); moved them aside to {aside}")
        elif extra is None:
            aside = _aside(target)
            os.replace(target, aside)
            moved = f"{target} was not a results folder of vip-transport; moved it aside to {aside} (--force)"
    if target.is_dir() and (moved is None):
        old = target.parent / f".{target.name}.old-{os.getpid()}"
        os.replace(target, old)         # ours, only our files: replaced as a whole
        os.replace(tmp, target)
        shutil.rmtree(old, ignore_errors=True)
        return None
    os.replace(tmp, target)
    return moved


def _lock_path(target: Path) -> Path:
    return target.parent / f".{target.name}.lock"


def _remove_stale_temporaries(target: Path) -> None:
    """Remove ``.DIR.tmp-*`` and ``.DIR.old-*`` folders of ours left by a killed run (the lock
    is held, so no other run is writing them)."""
    for path in target.parent.glob(f".{target.name}.*"):
        name = path.name
        if path.is_dir() and (name.startswith(temporary_prefix(target)) or name.startswith(f".{target.name}.old-")) \
                and (is_ours(path) or not any(path.iterdir())):
            shutil.rmtree(path, ignore_errors=True)


def _acquire(path: Path, target: Path):
    """An open, exclusively locked lock file at ``path`` (the file the path names now: a file
    unlinked by a finishing run while we waited is not a lock)."""
    while True:
        try:
            handle = open(path, "a+", encoding="utf-8")
        except OSError as exc:
            raise UserError(f"--out {target}: cannot write beside it ({path}): {exc.strerror or exc}") from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            raise UserError(f"--out {target}: another run is writing this folder ({holder}); wait for it "
                            f"to finish or choose another --out") from None
        try:
            same = os.fstat(handle.fileno()).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return handle
        handle.close()


@contextmanager
def claim(target, *, force: bool = False):
    """Check ``target`` (:func:`check_out`), create its parent, hold its lock for the block and
    remove stale temporary folders; yields the absolute Path.  A second claim on the same
    folder while this one is held raises UserError naming the process that holds it."""
    target = check_out(target, force=force)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"--out {target}: cannot make {target.parent}: {exc.strerror or exc}") from None
    path = _lock_path(target)
    handle = _acquire(path, target)
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(f"process {os.getpid()} on {socket.gethostname()}\n")
        handle.flush()
        _remove_stale_temporaries(target)
        yield target
    finally:
        try:
            path.unlink()               # while still locked: a waiting opener then retries
        except OSError:
            pass
        handle.close()
