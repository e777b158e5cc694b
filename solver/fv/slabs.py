"""FiPy assembly on x-slabs of a tensor grid, stitched into the operator of the whole grid.

FiPy assembles a finite-volume operator row by row from local data: the row of cell i holds
the coefficients of the faces of i (diffusion A_f/d_f, the convection scheme's weights, which
take the face's Peclet number from the diffusion coefficient on the same face) and the cells
beyond them; the right-hand side of i holds the constraints on i's faces.  So the terms built
on the FiPy mesh of the cell columns [a - 1, b + 1) give, in their rows of the columns [a, b),
exactly the rows of the whole mesh's operator (the overlap columns' rows see a slab boundary
and are dropped; ``tests/test_slabs.py`` checks equality with the whole-mesh assembly).

Why: at 1e6 cells FiPy's mesh holds 1.1 GB (2D) / 2.5 GB (3D) and its assembly of the summed
terms another 1.9 / 3.6 GB for a moment.  Slabs of ``SLAB_CELLS`` cells bound that to a few
hundred MB; the cost is one FiPy mesh per slab, about what the whole mesh costs.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..linalg.memory import release_memory
from .assembly import assemble

__all__ = ["SLAB_CELLS", "slab_ranges", "assemble_on_slabs"]

SLAB_CELLS = 100_000    # cells per slab (before the two overlap columns)


def slab_ranges(columns: int, cells_per_column: int, max_cells: int = SLAB_CELLS) -> list:
    """Column ranges [a, b) covering 0..``columns`` with at most ``max_cells`` cells each
    (at least one column)."""
    width = max(1, max_cells // max(1, cells_per_column))
    return [(a, min(columns, a + width)) for a in range(0, columns, width)]


def assemble_on_slabs(grid, terms_on, max_cells: int | None = None):
    """(K as scipy CSR, f) of FiPy's linear system of the whole ``grid`` (a
    ``meshes.grid.TensorGrid``), assembled slab by slab: ``terms_on(slab) -> (var, terms)``
    builds the FiPy variable and terms on ``slab.mesh`` (coefficients of face j of the slab
    are those of face ``slab.faces[j]`` of the grid), ``max_cells`` per slab (default
    SLAB_CELLS).  K and f as ``solver.fv.assembly.assemble`` returns them (operator K c + f)."""
    nx = grid.shape[0]
    n = grid.number_of_cells
    rows, cols, vals = [], [], []
    f = np.zeros(n)
    for a, b in slab_ranges(nx, n // nx, max_cells or SLAB_CELLS):
        slab = grid.slab(max(0, a - 1), min(nx, b + 1))
        var, terms = terms_on(slab)
        K, rhs = assemble(terms, var)
        own = slab.columns(a, b)
        block = K[own].tocoo()
        rows.append(slab.cells[own][block.row])
        cols.append(slab.cells[block.col])
        vals.append(block.data)
        f[slab.cells[own]] = rhs[own]
        del slab, var, terms, K, block
        release_memory()        # FiPy's term graph is a reference cycle holding the slab's arrays
    K = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n))
    del rows, cols, vals
    release_memory()
    return K, f
