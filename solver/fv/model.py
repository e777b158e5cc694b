"""What a finite-volume transport model provides, and the model of a case in its dimension.

A model is the semi-discrete system  V dc/dt = K(I) c + f(I)  of one mesh (1D line,
:class:`~.line_model.LineModel`; 2D/3D block, :class:`~.block_model.BlockModel`), with the
flows through its two ends computed independently of K for the conservation balance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

if TYPE_CHECKING:
    from ..config.schema import Case

__all__ = ["TransportModel", "build_model"]


@runtime_checkable
class TransportModel(Protocol):
    """The contract between a finite-volume model and the steppers and the driver.

    ``electron_density`` n [m^-3]; ``volume`` V [m^3] per cell; ``cells`` named bool masks
    ("reservoir", "connector", "target", "outlet", ...); ``linear_solver`` the stepper backend
    ("splu", "pardiso", "amg"; 1D: "tridiagonal"); ``step_ladder`` the ratio q of a quantised
    step plan, or None (1D).
    """

    electron_density: float
    linear_solver: str

    @property
    def volume(self) -> np.ndarray: ...

    @property
    def cell_centers(self) -> np.ndarray:
        """Cell centres [m]: x (1D) or (dim, cells) (2D/3D)."""

    @property
    def cells(self) -> dict: ...

    @property
    def number_of_cells(self) -> int: ...

    @property
    def step_ladder(self) -> float | None: ...

    def operator(self, current: float) -> tuple:
        """(K [m^3/s] scipy sparse, f [1/s]) at the current ``current`` [A]."""

    def fipy_equation(self, current: float) -> tuple:
        """(FiPy equation TransientTerm == terms, its CellVariable): the plain-FiPy cross-check."""

    def boundary_rates(self, c: np.ndarray, current: float) -> tuple[float, float]:
        """(inflow, outflow) [1/s] through the two ends, from the face formulas."""

    def content(self, c: np.ndarray, part: str | None = None) -> float:
        """Electrons sum V c in ``part`` (or everywhere)."""

    def mesh_info(self) -> dict:
        """What summary.json records about the mesh."""


def build_model(case: Case, derived: dict) -> tuple[TransportModel, np.ndarray]:
    """The finite-volume model of ``case`` in its dimension and the initial density c0 [m^-3]."""
    if case.geometry.dimension == 1:
        from .line_model import build_line_model

        return build_line_model(case, derived)
    from .block_model import build_nd_model

    return build_nd_model(case, derived)
