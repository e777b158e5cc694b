"""K c + f evaluated as face fluxes, and the residual of a step matrix: the two products a step
needs besides its solve, written so that round-off scales with the fluxes."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..linalg import tridiagonal
from ..linalg.tridiagonal import dot

__all__ = ["FluxForm", "StepMatrix", "dot"]


class FluxForm:
    """K c (and, for ``rhs``, K c + f with the source ``f`` [1/s]) evaluated as a sum of face
    fluxes, so that round-off scales with the fluxes and not with the (much larger) diagonal
    terms of a fine mesh.

    A finite-volume operator couples cells i < j through one face; the flow from i to j is
    F_ij = K_ji c_i - K_ij c_j = K_ij (c_i - c_j) + (K_ji - K_ij) c_i, and
    (K c)_i = sum_j F_ji - sum_j F_ij + d_i c_i with d_i = sum over column i of K: zero inside
    (interior faces only move electrons), non-zero where a boundary removes or adds them.
    Column sums below 1e-12 of the diagonal are FiPy's round-off and are set to zero.  With
    1e5 cells this keeps the conservation balance ~1e3 times closer than K @ c.
    """

    def __init__(self, K, f=None):
        K = sp.csr_matrix(K)
        upper = sp.triu(K, k=1).tocsr()
        lower_t = sp.tril(K, k=-1).T.tocsr()
        faces = (abs(upper) + abs(lower_t)).tocoo()            # a face wherever either is non-zero
        self.i, self.j = faces.row, faces.col
        self.w = np.asarray(upper[self.i, self.j]).ravel()      # K_ij, i < j
        self.net = np.asarray(lower_t[self.i, self.j]).ravel() - self.w   # K_ji - K_ij
        diag = K.diagonal()
        colsum = np.asarray(K.sum(axis=0)).ravel()
        self.d = np.where(np.abs(colsum) > 1e-12 * np.abs(diag), colsum, 0.0)
        self.n = K.shape[0]
        self._chain = bool(np.all(self.j == self.i + 1)) and len(self.i) == self.n - 1
        self.f = np.zeros(self.n) if f is None else np.asarray(f, dtype=float)
        support = np.flatnonzero((self.d != 0) | (self.f != 0))    # the ends: few cells
        self._sparse_source = (support.astype(np.int64), self.d[support], self.f[support])

    def rhs(self, c, volume, out=None):
        """(K c + f [1/s], max |K c + f|, max |c|, sum volume c) with the source f given at
        construction: what a step needs of c, in one compiled pass along a 1D chain;
        K c + f written into ``out`` if given."""
        if self._chain and self.n > 1 and tridiagonal.AVAILABLE:
            return tridiagonal.chain_rhs(c, self.w, self.net, *self._sparse_source, volume, out=out)
        out = np.add(self @ c, self.f, out=out)
        return out, float(np.max(np.abs(out))), float(np.max(np.abs(c))), dot(volume, c)

    def __matmul__(self, c):
        flow = self.w * (c[self.i] - c[self.j]) + self.net * c[self.i]
        out = self.d * c
        if self._chain:                       # 1D: face k joins cells k and k+1
            out[1:] += flow
            out[:-1] -= flow
        else:
            out += np.bincount(self.j, flow, minlength=self.n) - np.bincount(self.i, flow, minlength=self.n)
        return out


class StepMatrix:
    """A sparse step matrix M = V/dt - theta K (``matrix``, scipy CSC) and its residual
    r = M x - b, computed from M itself (never from its factors); ``tridiagonal.TridiagonalMatrix``
    is the same for 1D."""

    def __init__(self, M):
        self.matrix = sp.csc_matrix(M)

    def residual(self, x, b, out=None):
        """(r = M x - b, sum r, max |r|), r written into ``out`` if given."""
        r = np.subtract(self.matrix @ x, b, out=out)
        return r, float(r.sum()), float(np.max(np.abs(r)))
