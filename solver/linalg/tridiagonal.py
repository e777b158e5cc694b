"""The 1D (tridiagonal) time step's inner loops: K c in flux form, Thomas LU, residual.

The quasi-1D operator K couples each cell only to its two neighbours, so the step matrix
M = V/dt - theta K is tridiagonal.  With 1e5 cells and 1e4 steps a whole step must cost about
a millisecond.  The solve is a sequential recurrence that numpy cannot vectorise, and LAPACK's
pivoting ``dgttrs`` takes ~15 ns per unknown here (1.5 ms at 1e5 cells); a JIT compiler (numba)
runs the loops fast but adds ~100 MB of resident memory (LLVM), more than the whole 1D run may
use.  So these loops are a small C extension (``solver/linalg/_tridiagonal.c``, built by pip).  Where
it could not be built (no C compiler), ``AVAILABLE`` is False and the stepper takes its general
sparse path (FluxForm in numpy, SuperLU), ~3x slower per step and equal to round-off (tested).

- ``chain_rhs``: K c + f with K c evaluated as face fluxes along the chain (see
  ``solver.timestepping.flux.FluxForm``): flow_k = w_k (c_k - c_{k+1}) + net_k c_k from cell k to k+1,
  (K c)_i = d_i c_i + flow_{i-1} - flow_i.
- ``ThomasLU``: M = L U with L unit lower bidiagonal and U upper bidiagonal, no pivoting.  That
  is stable when M is column diagonally dominant (partial pivoting would not swap rows either):
  true for every operator here whose off-diagonals are >= 0 with column sums <= 0
  (exponential and upwind convection always, central below cell Peclet 2, as ``auto`` picks
  it), since V/dt > 0 only adds to the diagonal.  ``TridiagonalMatrix.column_dominant``
  checks it; other matrices go to SuperLU.
- ``TridiagonalMatrix.residual``: r = M x - b with sum(r) (electrons created by the solve,
  per dt) and max |r|, in one pass, from the matrix itself (not from its factors).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..errors import SolverError

__all__ = ["AVAILABLE", "dot", "is_tridiagonal", "tridiagonal_bands", "chain_rhs", "ThomasLU", "TridiagonalMatrix"]

try:
    from . import _tridiagonal as _c
    AVAILABLE = True
except ImportError:       # no C compiler when pip installed the package
    _c = None
    AVAILABLE = False


def dot(u, v) -> float:
    """sum u_i v_i of two float64 vectors without BLAS: OpenBLAS's threaded ddot is ~100x
    slower than this on a loaded 2-core box (threads spin against each other); in C where the
    extension is built (0.03 ms at 1e5 values), else numpy's einsum (0.05 ms)."""
    if AVAILABLE:
        return _c.dot(_f64(u), _f64(v))
    return float(np.einsum("i,i->", u, v))


def is_tridiagonal(M) -> bool:
    """True if the sparse matrix ``M`` has entries only on its three central diagonals."""
    coo = sp.coo_matrix(M)
    return coo.nnz == 0 or int(np.max(np.abs(coo.row - coo.col))) <= 1


def tridiagonal_bands(M):
    """(lower, diag, upper) of a tridiagonal matrix, each of length n:
    lower[i] = M[i, i-1] (lower[0] = 0), upper[i] = M[i, i+1] (upper[n-1] = 0)."""
    M = sp.csr_matrix(M)
    n = M.shape[0]
    lower, upper = np.zeros(n), np.zeros(n)
    lower[1:] = M.diagonal(-1)
    upper[:-1] = M.diagonal(1)
    return lower, np.ascontiguousarray(M.diagonal(), dtype=float), upper


def _f64(a):
    return np.ascontiguousarray(a, dtype=float)


def chain_rhs(c, w, net, support, d, f, volume, out=None):
    """(K c + f [1/s], max |K c + f|, max |c|, sum volume c) in one pass, for face fluxes
    ``w``, ``net`` (length n - 1 >= 1) of a chain (``solver.timestepping.flux.FluxForm``) and the column
    sums ``d`` of K and the source ``f`` given on the few cells ``support`` (int64, increasing)
    where either is non-zero; written into ``out`` if given (a buffer re-used across steps
    stays in cache: a fresh 0.8 MB array costs as much as the whole pass here)."""
    c = _f64(c)
    out = np.empty_like(c) if out is None else out
    return (out, *_c.chain_rhs(c, w, net, support, d, f, _f64(volume), out))


class TridiagonalMatrix:
    """A tridiagonal matrix by its bands (``tridiagonal_bands``), with a one-pass residual."""

    def __init__(self, lower, diag, upper):
        self.lower, self.diag, self.upper = _f64(lower), _f64(diag), _f64(upper)

    @classmethod
    def from_sparse(cls, M):
        return cls(*tridiagonal_bands(M))

    def shifted(self, shift, scale):
        """The matrix diag(shift) + scale * self (e.g. V/dt - theta K)."""
        return TridiagonalMatrix(scale * self.lower, shift + scale * self.diag, scale * self.upper)

    def column_dominant(self) -> bool:
        """True if the diagonal is positive and at least the sum of |off-diagonals| of its
        column (column j holds upper[j-1] and lower[j+1])."""
        off = np.zeros_like(self.diag)
        off[1:] += np.abs(self.upper[:-1])
        off[:-1] += np.abs(self.lower[1:])
        return bool(np.all(self.diag > 0) and np.all(off <= self.diag * (1 + 1e-12)))

    @property
    def matrix(self):
        """The matrix as scipy CSC."""
        return sp.diags([self.lower[1:], self.diag, self.upper[:-1]], [-1, 0, 1], format="csc")

    def residual(self, x, b, out=None):
        """(r = M x - b, sum r, max |r|), r written into ``out`` if given."""
        x, b = _f64(x), _f64(b)
        r = np.empty_like(x) if out is None else out
        total, biggest = _c.residual(self.lower, self.diag, self.upper, x, b, r)
        return r, total, biggest


class ThomasLU:
    """Thomas LU (no pivoting) of a column diagonally dominant ``TridiagonalMatrix`` M,
    re-used for many solves."""

    def __init__(self, M):
        n = len(M.diag)
        self._factors = (np.empty(n), np.empty(n), np.empty(n))
        if not _c.thomas_factor(M.lower, M.diag, M.upper, *self._factors) > 0.0:
            raise SolverError("tridiagonal factorisation met a zero or non-finite pivot")

    def solve(self, b):
        """M^-1 b."""
        b = _f64(b)
        x = np.empty_like(b)
        _c.thomas_solve(*self._factors, b, x)
        return x
