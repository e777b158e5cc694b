"""meshes.grid: the numpy tensor grid has FiPy's numbering and geometry, whole and by x-slabs.

Every array the solver reads (face cells, normals, areas, centre distances, face and cell
centres, cell volumes) is compared with FiPy's own grid of the same widths -- NonUniformGrid2D/3D
and the y-periodic PeriodicGrid2D/3DTopBottom -- exactly for integers, to 1e-14 relative for
lengths (FiPy and numpy sum the widths in the same order).  A slab's cell and face maps are
checked by the same comparison on FiPy's mesh of the slab.
"""

import numpy as np
import pytest

from vip_transport.meshes.grid import TensorGrid

SHAPES = [(5, 3), (4, 5, 3), (1, 4), (3, 2, 2)]


def widths(shape, seed=1):
    rng = np.random.default_rng(seed)
    return [rng.uniform(0.5, 2.0, n) for n in shape]


def fipy_arrays(mesh):
    return {"face_cells": np.asarray(mesh.faceCellIDs.filled(-1)),
            "face_normals": np.asarray(mesh.faceNormals),
            "face_areas": np.asarray(mesh._faceAreas),
            "cell_distances": np.asarray(mesh._cellDistances),
            "face_centers": np.asarray(mesh.faceCenters),
            "cell_volumes": np.asarray(mesh.cellVolumes),
            "cell_centers": np.asarray(mesh.cellCenters)}


@pytest.mark.parametrize("periodic", [False, True], ids=["plain", "periodic in y"])
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_arrays_are_fipys(shape, periodic):
    grid = TensorGrid(widths(shape), periodic=periodic)
    mesh = grid.fipy_mesh()
    assert (grid.number_of_cells, grid.number_of_faces) == (mesh.numberOfCells, mesh.numberOfFaces)
    for name, theirs in fipy_arrays(mesh).items():
        ours = getattr(grid, name)
        assert ours.shape == theirs.shape, name
        if name == "face_cells":
            assert np.array_equal(ours, theirs)
        else:
            assert np.allclose(ours, theirs, rtol=1e-14, atol=1e-15), name
    normals = np.asarray(mesh.faceNormals)
    assert np.array_equal(grid.face_axis, np.argmax(np.abs(normals), axis=0))
    assert np.array_equal(grid.face_sign, normals[grid.face_axis, np.arange(grid.number_of_faces)])


@pytest.mark.parametrize("periodic", [False, True], ids=["plain", "periodic in y"])
@pytest.mark.parametrize("shape", [(6, 3), (5, 3, 2)], ids=str)
@pytest.mark.parametrize("columns", [(0, 2), (2, 5), (4, 6), (0, 6)], ids=str)
def test_slab_maps_to_the_whole_grid(shape, periodic, columns):
    lo, hi = columns
    hi = min(hi, shape[0])
    grid = TensorGrid(widths(shape, seed=2), periodic=periodic)
    slab = grid.slab(lo, hi)
    x0 = grid.face_coordinates(0)[lo]
    theirs = fipy_arrays(slab.mesh)
    shift = np.zeros((grid.dimension, 1))
    shift[0] = x0
    assert np.allclose(theirs["cell_centers"] + shift, grid.cell_centers[:, slab.cells], rtol=1e-14)
    assert np.allclose(theirs["face_centers"] + shift, grid.face_centers[:, slab.faces], rtol=1e-14)
    assert np.allclose(theirs["face_areas"], grid.face_areas[slab.faces], rtol=1e-14)
    cut = np.zeros(len(slab.faces), dtype=bool)     # the slab's ends inside the grid
    x_faces = grid.face_axis[slab.faces] == 0
    position = grid.face_position[slab.faces]
    cut[x_faces & (((position == lo) & (lo > 0)) | ((position == hi) & (hi < shape[0])))] = True
    assert np.allclose(theirs["cell_distances"][~cut], grid.cell_distances[slab.faces][~cut], rtol=1e-14)
    assert np.array_equal(np.sort(slab.columns(lo + 1, hi)),
                          np.flatnonzero(grid.cell_centers[0, slab.cells] > grid.face_coordinates(0)[lo + 1]))
