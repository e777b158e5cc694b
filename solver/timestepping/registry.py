"""The stepper of a case: chosen from one registry by ``fv.stepper`` and the model's backend.

``fv.stepper: cached`` takes the factorising stepper of the model's backend (1D tridiagonal:
:class:`~.cached.CachedStepper`; 2D/3D SuperLU, PARDISO or AMG: :class:`~.ladder.LadderStepper`);
``fv.stepper: fipy`` the plain FiPy loop (:class:`~.fipy_loop.FiPyStepper`).  A new backend (for
example PETSc with MPI) adds an entry to :data:`BACKEND_STEPPERS`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .base import Stepper
from .cached import CachedStepper
from .fipy_loop import FiPyStepper
from .ladder import LadderStepper

if TYPE_CHECKING:
    from ..fv.model import TransportModel

__all__ = ["BACKEND_STEPPERS", "STEPPERS", "make_stepper"]


def _ladder(model: TransportModel) -> Stepper:
    return LadderStepper(model.operator, model.volume, backend=model.linear_solver,
                         ratio=model.preconditioner_ladder, rates=model.boundary_rates)


#: model backend -> the factorising stepper for it
BACKEND_STEPPERS = {
    "tridiagonal": lambda model: CachedStepper(model.operator, model.volume),
    "splu": _ladder,
    "pardiso": _ladder,
    "amg": _ladder,
}

#: fv.stepper -> stepper builder
STEPPERS = {
    "cached": lambda model: BACKEND_STEPPERS[model.linear_solver](model),
    "fipy": lambda model: FiPyStepper(model.fipy_equation),
}


def make_stepper(name: str, model: TransportModel) -> Stepper:
    """The stepper ``name`` (``fv.stepper``: "cached" or "fipy") for ``model``."""
    return STEPPERS[name](model)
