"""What a reader needs to repeat a run: package and dependency versions (BLAS and MKL included),
where the code came from (the git commit, and whether the checkout had changes, only when the
package runs from a checkout of this project), the case (its file's SHA-256 and the digest of
the resolved case), the host, the times, the absolute command and the working directory.

Versions come from the installed metadata, not from importing the packages (an analytic run
must not pay for importing FiPy); the checkout is asked once per process (a sweep worker writes
many folders).
"""

from __future__ import annotations

import functools
import os
import platform
import shlex
import socket
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from .. import __version__

__all__ = ["provenance", "source_checkout", "dependency_versions"]

#: distributions whose versions are recorded (those installed)
DEPENDENCIES = ("fipy", "numpy", "scipy", "pint", "pydantic", "matplotlib", "pyyaml", "xarray", "meshio",
                "pyamg", "pypardiso", "mkl", "dask", "distributed", "numba")


def _installed(distribution: str) -> str | None:
    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


@functools.lru_cache(maxsize=1)
def dependency_versions() -> dict:
    """{distribution: version} of the dependencies installed, and the BLAS numpy was built with."""
    import numpy as np

    out = {name: v for name in DEPENDENCIES if (v := _installed(name)) is not None}
    blas = (getattr(np.__config__, "CONFIG", {}) or {}).get("Build Dependencies", {}).get("blas", {})
    if blas:
        out["numpy_blas"] = f"{blas.get('name')} {blas.get('version')}".strip()
    return out


def _git(root: Path, *args) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10)


@functools.lru_cache(maxsize=1)
def source_checkout() -> dict:
    """{"git_commit", "git_dirty", "source"}: the commit and whether tracked files differ from
    it, when the package runs from a git checkout of this project (the folder above solver/
    holds this project's setup.cfg and is the checkout's top); else commit and dirty are None
    and source says "installed" (an installed copy has no commit of its own, even inside
    another repository)."""
    root = Path(__file__).resolve().parents[2]
    none = {"git_commit": None, "git_dirty": None, "source": "installed"}
    try:
        setup = (root / "setup.cfg").read_text(encoding="utf-8")
    except OSError:
        return none
    if "name = vip-transport" not in setup:
        return none
    try:
        top = _git(root, "rev-parse", "--show-toplevel")
        if top.returncode != 0 or Path(top.stdout.strip()).resolve() != root:
            return {**none, "source": f"checkout without git history: {root}"}
        commit = _git(root, "rev-parse", "HEAD").stdout.strip() or None
        dirty = _git(root, "status", "--porcelain", "--untracked-files=no").stdout.strip() != ""
    except (OSError, subprocess.SubprocessError):
        return {**none, "source": f"checkout (git unavailable): {root}"}
    return {"git_commit": commit, "git_dirty": dirty, "source": f"git checkout: {root}"}


def provenance(*, wall_time_s, started, wall_time_parts=None, case=None) -> dict:
    """The provenance block of summary.json (``wall_time_parts`` [s]: the wall times of the parts
    of a resumed run; ``wall_time_s`` is then their sum; ``case``: the run's case)."""
    out = {
        "package": "vip-transport",
        "package_version": __version__,
        **source_checkout(),
        "python": sys.version.split()[0],
        **dependency_versions(),
        "host": socket.gethostname(),
        "platform": platform.platform(),
        "started": started,
        "wall_time_s": wall_time_s,
        **({"wall_time_parts_s": list(wall_time_parts)} if wall_time_parts else {}),
        "command": shlex.join([os.path.abspath(sys.argv[0]), *sys.argv[1:]]) if sys.argv and sys.argv[0] else "",
        "working_directory": os.getcwd(),
    }
    if case is not None:
        out["case_file"] = os.path.abspath(case.source) if Path(case.source).is_file() else case.source
        out["case_file_sha256"] = case._file_sha256
        out["case_resolved_sha256"] = case.digest()
    return out
