"""Tensor-product grids with FiPy's numbering, computed with numpy, and FiPy meshes of x-slabs.

Why not simply FiPy's grid: at 1e6 cells FiPy's ``NonUniformGrid2D/3D`` holds 1.1 GB (2D) to
2.5 GB (3D) of geometry arrays and FiPy's y-periodic ``PeriodicGrid3DTopBottom`` takes ~13 s to
build, while the solver reads a handful of face arrays.  ``TensorGrid`` computes those arrays
from the cell widths, numbered exactly as FiPy numbers them (``tests/test_grid.py`` compares
every array with FiPy's):

- cells: x fastest, then y, then z;
- faces: one block per normal axis, in the order y, x (2D) or z, y, x (3D); inside a block x
  fastest; the face at position p = 0..n_a along its axis a lies between cells p-1 and p;
- ``face_cells[0]`` is cell p-1 (cell 0 on the face p = 0), ``face_cells[1]`` cell p (-1 on
  the exterior faces); the normal points from the first cell to the second (outwards on an
  exterior face: -e_a at p = 0, +e_a at p = n_a);
- ``periodic`` (in y): FiPy's ``_connectFaces`` joins the faces p = 0 and p = n_y.  The face
  p = 0 then lies between cells n_y-1 and 0 (normal +e_y, centre distance (w_last + w_0)/2);
  the faces p = n_y stay in the mesh as unused exterior faces.

The discretisation stays FiPy's: ``fipy_mesh`` builds the FiPy grid of the whole domain or of
the x-slab of cell columns [lo, hi), and ``Slab`` maps its cells and faces to the whole grid's,
so that terms built on slabs with one column of overlap assemble the rows of the whole grid's
operator exactly (``solver.slabs``).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

__all__ = ["TensorGrid", "Slab"]


@dataclass(frozen=True)
class Slab:
    """FiPy mesh of the cell columns [lo, hi) along x of a ``TensorGrid``.

    ``cells`` [slab cell] -> cell of the whole grid; ``faces`` [slab face] -> face of the whole
    grid (a slab's first and last x-faces are exterior in the slab, interior in the grid).
    """

    mesh: object
    lo: int
    hi: int
    cells: np.ndarray
    faces: np.ndarray

    def columns(self, lo: int, hi: int) -> np.ndarray:
        """Slab cell indices whose column (x index in the whole grid) is in [lo, hi)."""
        nx = self.hi - self.lo
        column = self.lo + np.arange(len(self.cells)) % nx
        return np.flatnonzero((column >= lo) & (column < hi))


class TensorGrid:
    """Grid of cells with widths ``widths[a]`` [m] along each axis a (x, y[, z]) from the
    origin 0, optionally periodic in y; the arrays are those of FiPy's grid (module docstring).
    """

    def __init__(self, widths, periodic: bool = False):
        self.widths = tuple(np.asarray(w, dtype=float) for w in widths)
        if len(self.widths) not in (2, 3):
            raise ValueError(f"a tensor grid has 2 or 3 axes, got {len(self.widths)}")
        self.periodic = bool(periodic)

    @property
    def dimension(self) -> int:
        return len(self.widths)

    @property
    def shape(self) -> tuple:
        """Cells along each axis (nx, ny[, nz])."""
        return tuple(len(w) for w in self.widths)

    @property
    def number_of_cells(self) -> int:
        return math.prod(self.shape)

    @property
    def face_blocks(self) -> tuple:
        """Normal axes of the face blocks, in FiPy's order."""
        return tuple(range(self.dimension - 1, -1, -1))

    def _block_shape(self, axis: int) -> tuple:
        """Shape (nz, ny, nx) order of the face block of normal ``axis`` (n_a + 1 along it)."""
        n = list(self.shape)
        n[axis] += 1
        return tuple(reversed(n))

    @functools.cached_property
    def _offsets(self) -> dict:
        offsets, start = {}, 0
        for axis in self.face_blocks:
            offsets[axis] = start
            start += math.prod(self._block_shape(axis))
        offsets["end"] = start
        return offsets

    @property
    def number_of_faces(self) -> int:
        return self._offsets["end"]

    def face_ids(self, axis: int) -> np.ndarray:
        """Face numbers of the block of normal ``axis``, shaped (nz, ny, nx) with n_a + 1
        along ``axis``."""
        shape = self._block_shape(axis)
        return self._offsets[axis] + np.arange(math.prod(shape)).reshape(shape)

    def _along(self, axis: int, values) -> np.ndarray:
        """``values`` (one per position along ``axis``) shaped to broadcast over a block."""
        shape = [1] * self.dimension
        shape[self.dimension - 1 - axis] = -1
        return np.asarray(values).reshape(shape)

    def _per_face(self, per_block) -> np.ndarray:
        """Concatenate ``per_block(axis)`` (broadcastable to the block's shape) over blocks."""
        return np.concatenate([np.broadcast_to(per_block(axis), self._block_shape(axis)).ravel()
                               for axis in self.face_blocks])

    def _position(self, axis: int) -> np.ndarray:
        return self._along(axis, np.arange(self.shape[axis] + 1))

    @functools.cached_property
    def face_axis(self) -> np.ndarray:
        """Normal axis (0 x, 1 y, 2 z) of each face (int8)."""
        return self._per_face(lambda a: np.int8(a)).astype(np.int8)

    @functools.cached_property
    def face_position(self) -> np.ndarray:
        """Position p = 0..n_a of each face along its normal axis (int32)."""
        return self._per_face(self._position).astype(np.int32)

    @functools.cached_property
    def face_cells(self) -> np.ndarray:
        """(2, faces) int32 (int64 above 2^31 cells): the cells either side (-1: none), the
        normal from first to second."""
        dtype = np.int32 if self.number_of_cells < 2 ** 31 else np.int64
        cells = np.arange(self.number_of_cells, dtype=dtype).reshape(tuple(reversed(self.shape)))

        def side(axis, which):
            n, r = self.shape[axis], self.dimension - 1 - axis
            p = np.arange(n + 1)
            if which == 0:
                index = np.maximum(p - 1, 0)
                if self.periodic and axis == 1:
                    index[0] = n - 1
            else:
                index = np.minimum(p, n - 1)
            out = np.take(cells, index, axis=r)
            if which == 1:
                missing = (p == n) if (self.periodic and axis == 1) else (p == 0) | (p == n)
                out = np.where(self._along(axis, missing), -1, out)
            return out

        return np.stack([self._per_face(lambda a: side(a, 0)), self._per_face(lambda a: side(a, 1))])

    @functools.cached_property
    def face_sign(self) -> np.ndarray:
        """Direction (+1/-1, int8) of each face normal along its axis."""
        def sign(axis):
            s = np.ones(self.shape[axis] + 1, dtype=np.int8)
            if not (self.periodic and axis == 1):
                s[0] = -1
            return self._along(axis, s)

        return self._per_face(sign)

    @property
    def face_normals(self) -> np.ndarray:
        """Unit normals (dim, faces)."""
        normals = np.zeros((self.dimension, self.number_of_faces))
        normals[self.face_axis, np.arange(self.number_of_faces)] = self.face_sign
        return normals

    @functools.cached_property
    def face_areas(self) -> np.ndarray:
        """Face areas [m^2] (2D: lengths [m]): the product of the other axes' widths."""
        def area(axis):
            out = np.ones(1)
            for other in range(self.dimension):
                if other != axis:
                    out = out * self._along(other, self.widths[other])
            return out

        return self._per_face(area)

    @functools.cached_property
    def cell_distances(self) -> np.ndarray:
        """Distance between the centres of a face's two cells [m]; exterior faces: from the
        cell centre to the face."""
        def distance(axis):
            w = self.widths[axis]
            d = np.concatenate([[0.5 * w[0]], 0.5 * (w[:-1] + w[1:]), [0.5 * w[-1]]])
            if self.periodic and axis == 1:
                d[0] = 0.5 * (w[0] + w[-1])
            return self._along(axis, d)

        return self._per_face(distance)

    def face_coordinates(self, axis: int) -> np.ndarray:
        """Grid-line coordinates along ``axis`` [m] from 0 (FiPy's cumulative sum)."""
        return np.concatenate([[0.0], np.cumsum(self.widths[axis])])

    def cell_coordinates(self, axis: int) -> np.ndarray:
        """Cell-centre coordinates along ``axis`` [m]."""
        f = self.face_coordinates(axis)
        return 0.5 * (f[:-1] + f[1:])

    def face_centers_along(self, component: int) -> np.ndarray:
        """Coordinate ``component`` of every face centre [m]."""
        return self._per_face(lambda a: self._along(
            component, self.face_coordinates(component) if a == component
            else self.cell_coordinates(component)))

    @property
    def face_centers(self) -> np.ndarray:
        """Face centres (dim, faces) [m]."""
        return np.stack([self.face_centers_along(c) for c in range(self.dimension)])

    @property
    def cell_volumes(self) -> np.ndarray:
        """Cell volumes [m^3] (2D: areas [m^2])."""
        out = np.ones(1)
        for axis in range(self.dimension):
            out = out * self._along(axis, self.widths[axis])
        return np.broadcast_to(out, tuple(reversed(self.shape))).ravel()

    def cell_centers_along(self, component: int) -> np.ndarray:
        """Coordinate ``component`` of every cell centre [m]."""
        along = self._along(component, self.cell_coordinates(component))
        return np.broadcast_to(along, tuple(reversed(self.shape))).ravel()

    @property
    def cell_centers(self) -> np.ndarray:
        """Cell centres (dim, cells) [m]."""
        return np.stack([self.cell_centers_along(c) for c in range(self.dimension)])

    def fipy_mesh(self, lo: int = 0, hi: int | None = None):
        """FiPy's grid of the cell columns [lo, hi) along x (default: the whole grid)."""
        from fipy.meshes.nonUniformGrid2D import NonUniformGrid2D
        from fipy.meshes.nonUniformGrid3D import NonUniformGrid3D
        from fipy.meshes.periodicGrid2D import PeriodicGrid2DTopBottom
        from fipy.meshes.periodicGrid3D import PeriodicGrid3DTopBottom

        widths = [self.widths[0][lo:hi]] + list(self.widths[1:])
        if self.dimension == 2:
            cls = PeriodicGrid2DTopBottom if self.periodic else NonUniformGrid2D
            return cls(dx=widths[0], dy=widths[1])
        cls = PeriodicGrid3DTopBottom if self.periodic else NonUniformGrid3D
        return cls(dx=widths[0], dy=widths[1], dz=widths[2])

    def slab(self, lo: int, hi: int) -> Slab:
        """The FiPy mesh of columns [lo, hi) and its cell and face maps to this grid."""
        cells = np.arange(self.number_of_cells).reshape(tuple(reversed(self.shape)))[..., lo:hi]
        faces = [self.face_ids(axis)[..., lo:hi + (1 if axis == 0 else 0)] for axis in self.face_blocks]
        return Slab(mesh=self.fipy_mesh(lo, hi), lo=lo, hi=hi, cells=cells.ravel(),
                    faces=np.concatenate([f.ravel() for f in faces]))
