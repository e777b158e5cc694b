"""Which linear solver serves a system: one registry for the 2D/3D stepper and the potential.

Backends: "splu" (SuperLU), "pardiso" (MKL PARDISO through pypardiso) and "amg" (pyamg's
Ruge-Stueben hierarchy as a Krylov preconditioner).  :func:`choose_backend` turns a case's
``fv.linear_solver`` ("auto" or a name) into one of them; a further backend (PETSc, say) is one
more entry here and in :data:`solver.linalg.direct.FACTORISATIONS` or :mod:`.amg`.
"""

from __future__ import annotations

from .direct import FACTORISATIONS, pardiso_available

__all__ = ["BACKENDS", "DIRECT_LIMIT", "choose_backend", "is_direct", "check_available"]

BACKENDS = ("splu", "pardiso", "amg")
DIRECT_LIMIT = 300_000      # active cells up to which "auto" uses SuperLU when PARDISO is missing


def is_direct(backend: str) -> bool:
    """Whether ``backend`` factorises exactly (an LU), as opposed to an AMG hierarchy."""
    return backend in FACTORISATIONS


def choose_backend(name: str, cells: int) -> str:
    """The backend for ``name`` on a system of ``cells`` unknowns: "auto" is PARDISO when
    installed, else SuperLU up to DIRECT_LIMIT unknowns and AMG above; a backend name as given."""
    if name != "auto":
        if name not in BACKENDS:
            raise ValueError(f"linear solver must be auto or one of {BACKENDS}; got {name!r}")
        return name
    if pardiso_available():
        return "pardiso"
    return "splu" if cells <= DIRECT_LIMIT else "amg"


def check_available(backend: str) -> str | None:
    """Why ``backend`` cannot be used here (None if it can)."""
    if backend == "pardiso" and not pardiso_available():
        return "pardiso needs the package pypardiso (pip install pypardiso); use splu or amg"
    return None
