"""FiPy terms into matrices: the convection scheme of each face and the assembly of K, f.

The semi-discrete system of every model is V dc/dt = K c + f; :func:`assemble` reads K and f
from FiPy's linear system of the steady terms (FiPy keeps this step private; it is used here
only, and ``tests/test_assembly.py`` checks it against FiPy's public ``eq.solve`` path).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..errors import SolverError

__all__ = ["CONVECTION_TERMS", "CENTRAL_PECLET_LIMIT", "convection_term", "convection_faces", "assemble"]

CONVECTION_TERMS = ("auto", "exponential", "central", "upwind")
CENTRAL_PECLET_LIMIT = 2.0   # central differences stay monotone below this cell Peclet number


def convection_term(name):
    """The FiPy convection term class of scheme ``name`` (exponential, central, upwind)."""
    import fipy

    return {"exponential": fipy.ExponentialConvectionTerm,
            "central": fipy.CentralDifferenceConvectionTerm,
            "upwind": fipy.UpwindConvectionTerm}[name]


def convection_faces(convection, faces, peclet):
    """Faces of each convection scheme: {scheme: bool mask over faces}.

    ``faces`` (bool) are the faces that carry convection; ``peclet`` the cell Peclet number
    |q| d/(A D) of each face.  "auto": central differences where the Peclet number is below
    CENTRAL_PECLET_LIMIT (second order and monotone there), exponential elsewhere; any other
    name: that scheme on every face.
    """
    if convection != "auto":
        return {convection: faces}
    central = faces & (peclet < CENTRAL_PECLET_LIMIT)
    return {"central": central, "exponential": faces & ~central}


def assemble(steady, var):
    """(K as scipy CSR, -RHS) of FiPy's linear system for the terms ``steady`` in ``var``:
    the semi-discrete operator is K c + f with f = -RHS (plus any sources added by hand)."""
    # Faces that carry no flux (2D/3D walls) have zero diffusion and convection coefficients:
    # FiPy's exponential scheme computes their Peclet number as 0/0 and then, correctly, uses
    # alpha = 1/2 on a zero coefficient.  The warning is noise; a non-finite entry is not.
    with np.errstate(invalid="ignore", divide="ignore"):
        linear = steady._prepareLinearSystem(var, None, (), 1.0)
    K, f = sp.csr_matrix(linear.matrix.matrix), -np.asarray(linear.RHSvector, dtype=float).copy()
    if not (np.all(np.isfinite(K.data)) and np.all(np.isfinite(f))):
        raise SolverError("FiPy assembled a non-finite operator (check the coefficients)")
    return K, f
