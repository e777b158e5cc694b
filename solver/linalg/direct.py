"""Sparse direct solvers: SuperLU (scipy) and MKL PARDISO (``pypardiso``), behind one interface.

``factorise(A, backend)`` returns an object with ``solve(b) -> x`` for a square sparse A;
``backend`` is "splu" (SuperLU, minimum degree on A + A^T: a few 1e5 unknowns) or "pardiso"
(MKL PARDISO: METIS nested dissection, far less fill on 2D/3D grids, and the ordering and
symbolic factorisation can be re-used for a matrix of the same sparsity pattern:
``PardisoLU.refactor``, only the numerical factorisation).  "direct" picks PARDISO when
``pypardiso`` is importable, else SuperLU.

PARDISO runs on as many threads as MKL is allowed (``MKL_NUM_THREADS``, else
``OMP_NUM_THREADS``).
"""

from __future__ import annotations

import functools
import os

import numpy as np
import scipy.sparse as sp

from ..errors import SolverError

__all__ = ["pardiso_available", "direct_backend", "factorise", "PardisoLU", "SuperLU", "FACTORISATIONS"]


@functools.lru_cache(maxsize=None)
def pardiso_available() -> bool:
    """Whether MKL PARDISO can be used (``pypardiso`` and its MKL runtime load); checked once.
    The MKL runtime found is put in ``PYPARDISO_MKL_RT`` (unless set), so that later solvers
    load it directly instead of searching the environment's tree (~0.4 s each)."""
    try:
        import pypardiso

        solver = pypardiso.PyPardisoSolver()
    except (ImportError, OSError):
        return False
    path = getattr(solver.libmkl, "_name", None)
    if path:
        os.environ.setdefault("PYPARDISO_MKL_RT", path)
    return True


def direct_backend(name: str = "direct") -> str:
    """The direct backend to use for ``name``: "splu" or "pardiso" as given; "direct": PARDISO
    when available, else SuperLU."""
    if name == "direct":
        return "pardiso" if pardiso_available() else "splu"
    if name not in ("splu", "pardiso"):
        raise ValueError(f"direct solver must be direct, splu or pardiso; got {name!r}")
    return name


class PardisoLU:
    """LU factorisation of a real square sparse matrix by MKL PARDISO (real unsymmetric type,
    METIS ordering, scaling and weighted matching, pivots perturbed at 1e-13 with automatic
    iterative refinement if any was), or with ``spd`` its Cholesky factorisation (symmetric
    positive definite: half the work and memory; only the upper triangle is read).

    ``refactor(A)`` replaces the factorisation by that of a matrix with the same sparsity
    pattern, re-using the ordering and symbolic analysis (PARDISO phase 22 only); a matrix of
    another pattern is analysed afresh.  ``solve(b)`` solves A x = b with the current factors.
    Raises SolverError if PARDISO reports an error.
    """

    UNSYMMETRIC, SPD = 11, 2    # PARDISO matrix types: real unsymmetric, real symmetric positive definite

    def __init__(self, A, spd=False):
        import pypardiso

        pardiso_available()         # sets PYPARDISO_MKL_RT: no search for the MKL runtime
        self.spd = bool(spd)
        self._pardiso = pypardiso.PyPardisoSolver(mtype=self.SPD if self.spd else self.UNSYMMETRIC)
        # 1-based iparm numbers of the MKL manual: own settings, METIS, automatic refinement,
        # pivot perturbation 1e-13 (1e-8 for Cholesky), scaling and matching (unsymmetric only)
        # and zero-based indices (35), so that scipy's index arrays are passed without copies
        settings = ((1, 1), (2, 2), (8, 0), (10, 8), (11, 0), (13, 0)) if self.spd else \
            ((1, 1), (2, 2), (8, 0), (10, 13), (11, 1), (13, 1))
        settings += ((35, 1),)
        for index, value in settings:
            self._pardiso.set_iparm(index, value)
        self._pattern = None
        self.refactor(A)

    def _call(self, phase, A, b):
        """One PARDISO call of ``phase`` (11 analysis, 22 factorisation, 33 solve) on the CSR
        ``A`` (int32 indices, zero-based) and right-hand side ``b``; returns x (phase 33)."""
        import ctypes

        p = self._pardiso
        b = np.ascontiguousarray(b, dtype=float)
        x = np.zeros_like(b)
        error = ctypes.c_int32(0)
        int_p = ctypes.POINTER(ctypes.c_int32)

        def byref(value):
            return ctypes.byref(ctypes.c_int32(value))

        p._mkl_pardiso(p.pt.ctypes.data_as(ctypes.POINTER(p._pt_type[0])), byref(1), byref(1),
                       byref(p.mtype), byref(phase), byref(A.shape[0]), A.data.ctypes.data_as(ctypes.c_void_p),
                       A.indptr.ctypes.data_as(int_p), A.indices.ctypes.data_as(int_p),
                       p.perm.ctypes.data_as(int_p), byref(1), p.iparm.ctypes.data_as(int_p), byref(0),
                       b.ctypes.data_as(ctypes.c_void_p), x.ctypes.data_as(ctypes.c_void_p), ctypes.byref(error))
        if error.value != 0:
            from pypardiso.pardiso_wrapper import PyPardisoError     # its message for the code

            raise SolverError(f"PARDISO phase {phase}: {PyPardisoError(error.value)}")
        return x

    def refactor(self, A):
        """Factorise ``A`` (CSR or convertible), re-using the analysis if its pattern is the
        analysed one."""
        A = sp.csr_matrix(A, dtype=float)
        if self.spd:                # PARDISO reads the upper triangle of a symmetric matrix
            A = sp.triu(A, format="csr")
        A.sort_indices()
        self._pardiso._check_A(A)        # square, float64, no empty row; sets CSR orientation
        if A.indptr.dtype != np.int32 or A.indices.dtype != np.int32:
            A.indptr, A.indices = A.indptr.astype(np.int32), A.indices.astype(np.int32)
        dummy = np.zeros(A.shape[0])
        same = (self._pattern is not None and np.array_equal(A.indptr, self._pattern[0])
                and np.array_equal(A.indices, self._pattern[1]))
        if not same:
            self._call(11, A, dummy)
            self._pattern = (A.indptr, A.indices)
        self._call(22, A, dummy)
        self.A = A
        self.perturbed_pivots = int(self._pardiso.get_iparm(14))
        return self

    def drop_matrix(self):
        """Forget the factorised matrix (its memory), keeping the factorisation for a
        ``refactor``; ``solve`` needs a refactor first."""
        self.A = None

    def solve(self, b):
        """x with A x = b [units of b / units of A]."""
        return self._call(33, self.A, np.asarray(b, dtype=float))

    def free(self):
        """Release all of PARDISO's memory for this factorisation, the factors and the analysis
        (phase -1; phase 0 would keep the analysis, ~0.4 GB at 1e6 cells, with no handle left
        to free it).  The object is unusable after."""
        if self._pattern is not None:
            self._pardiso.free_memory(everything=True)
            self._pattern = None

    def __del__(self):
        try:
            self.free()
        except Exception:       # interpreter shutdown: MKL may be gone already
            pass


class SuperLU:
    """SuperLU of a structurally symmetric matrix (minimum degree on A + A^T), ``solve(b)``
    (``spd`` is accepted for the common interface; SuperLU does not use it)."""

    def __init__(self, A, spd=False):
        from scipy.sparse.linalg import splu

        self._lu = splu(sp.csc_matrix(A), permc_spec="MMD_AT_PLUS_A", options={"SymmetricMode": True})
        self.solve = self._lu.solve


#: direct backend name -> factorisation class: ``cls(A, spd=...)`` with ``solve(b)``
FACTORISATIONS = {"splu": SuperLU, "pardiso": PardisoLU}


def factorise(A, backend: str = "direct", spd: bool = False):
    """A factorisation of the sparse square ``A`` with ``solve(b) -> x``: SuperLU ("splu") or
    PARDISO ("pardiso"; Cholesky if ``spd``, A symmetric positive definite); "direct" picks as
    ``direct_backend`` does."""
    return FACTORISATIONS[direct_backend(backend)](A, spd=spd)
