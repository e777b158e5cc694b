"""The 2D/3D drift field as the walk reads it: the FV model's face flows, interpolated inside
every cell by the lowest-order Raviart-Thomas (RT0) rule, and the stretches of the conductor
where that field is uniform (where the walk takes exact steps).

RT0: within a cell [x_lo, x_hi] x [y_lo, y_hi] (x [z_lo, z_hi]) the velocity component along
each axis varies linearly between the normal velocities of the cell's two faces on that axis,

    v_x(x) = v_x,lo + (v_x,hi - v_x,lo) (x - x_lo)/(x_hi - x_lo),   likewise v_y(y), v_z(z),

with v_f = q_f/A_f the face flow of the FV model (``fv.potential.DriftField``) over the face's
true area, per ampere [m/C] (the field at current I is I times it).  The normal component is
continuous across every face, the field is divergence-free inside every cell exactly when the
face flows balance (the FV potential's current balance), and its flux through every face is
the FV model's q_f: the interpolation consistent with the finite-volume fluxes.  Walls (and the
faces of inactive cells) carry no flow.

Uniform stretches: runs of whole x-columns whose active cells form the same cross-section and
where every x-face velocity equals the column's flow over its area, and every transverse one
vanishes, to UNIFORM_TOLERANCE: there the drift is the uniform u = 1/A per ampere and the walk
steps exactly (``block_walk``).  The first stretch (the far reservoir or feed) continues upstream
beyond the mesh, where the same lead goes on; the last one ends at the far end of the circuit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["BlockField", "block_field", "UNIFORM_TOLERANCE", "MAX_BANDS"]

UNIFORM_TOLERANCE = 1e-4     # relative deviation of the drift below which a column counts as uniform
MAX_BANDS = 16               # bands across (feed tabs) per uniform stretch


@dataclass
class BlockField:
    """Arrays of the walk (SI; velocities per ampere [m/C]); see the module docstring.

    ``axes`` (x, y, z) face coordinates [m] (2D: z = [0, 0]); ``velocity`` (6, cells): x lo/hi,
    y lo/hi, z lo/hi components along +axis; ``zband`` (2, nx*ny) the active z-range of every
    column (lo > hi: inactive); ``periodic`` the circumference [m] (0: walls across);
    ``stretch_of_column`` (nx,) stretch index or -1; per stretch: ``stretch_x`` (S, 2) [m],
    ``stretch_speed`` (S,) [m/C], ``stretch_bands`` (S, MAX_BANDS, 2) [m], ``stretch_nbands``
    (S,), ``stretch_zband`` (S, 2) [m]; ``column_area`` (nx,) true cross-section [m^2];
    ``cell_area`` (cells,) the true cross-section a cell takes of its column [m^2]."""

    axes: tuple
    velocity: np.ndarray
    zband: np.ndarray
    periodic: float
    stretch_of_column: np.ndarray
    stretch_x: np.ndarray
    stretch_speed: np.ndarray
    stretch_bands: np.ndarray
    stretch_nbands: np.ndarray
    stretch_zband: np.ndarray
    column_area: np.ndarray
    cell_area: np.ndarray
    active: np.ndarray

    @property
    def shape(self) -> tuple:
        return tuple(len(a) - 1 for a in self.axes)


def _cell_velocities(block, drift) -> np.ndarray:
    """(6, cells) RT0 face velocities along +axis [m/C] of every cell (module docstring)."""
    grid = block.grid
    nx, ny = block.shape[:2]
    nz = block.shape[2] if block.dimension == 3 else 1
    v = drift.face_velocity(1.0) * grid.face_sign
    out = np.zeros((6, grid.number_of_cells))
    for axis in range(block.dimension):
        ids = grid.face_ids(axis)
        if block.dimension == 2:
            ids = ids[None]                        # (nz', ny', nx') with nz = 1
        if axis == 0:
            lo, hi = ids[:, :, :-1], ids[:, :, 1:]
        elif axis == 1:
            lo = ids[:, :-1, :]
            hi = np.concatenate([ids[:, 1:-1, :], ids[:, :1, :] if block.periodic else ids[:, -1:, :]], axis=1)
        else:
            lo, hi = ids[:-1], ids[1:]
        out[2 * axis] = v[lo.ravel()]
        out[2 * axis + 1] = v[hi.ravel()]
    return out * block.active


def _bands(mask, coords, periodic) -> list:
    """Intervals (lo, hi) [m] of consecutive True cells of ``mask`` on the axis with face
    coordinates ``coords``; on a periodic axis a band through the seam is one interval with
    lo < coords[0] (shifted by the period)."""
    out, start = [], None
    for i, on in enumerate(list(mask) + [False]):
        if on and start is None:
            start = i
        elif not on and start is not None:
            out.append([coords[start], coords[i]])
            start = None
    if periodic and len(out) > 1 and out[0][0] == coords[0] and out[-1][1] == coords[-1]:
        last = out.pop()
        out[0][0] = last[0] - periodic
    return [tuple(b) for b in out]


def block_field(block, drift) -> BlockField:
    """The walk's arrays of a ``meshes.blocks.BlockMesh`` and its 1-A ``DriftField``."""
    nx, ny = block.shape[:2]
    nz = block.shape[2] if block.dimension == 3 else 1
    axes = tuple(np.asarray(a, float) for a in block.axes)
    if block.dimension == 2:
        axes = axes + (np.zeros(2),)
    velocity = _cell_velocities(block, drift)
    active = block.active.reshape(nz, ny, nx)
    zc = 0.5 * (axes[2][1:] + axes[2][:-1])
    zband = np.empty((2, ny, nx))
    zband[0], zband[1] = np.inf, -np.inf
    for iz in range(nz):
        on = active[iz]
        zband[0] = np.where(on, np.minimum(zband[0], axes[2][iz]), zband[0])
        zband[1] = np.where(on, np.maximum(zband[1], axes[2][iz + 1]), zband[1])
    counts = active.sum(axis=0)
    thick = np.where(counts > 0, zband[1] - zband[0], 0.0)
    if block.dimension == 3:
        dz = np.diff(axes[2])
        filled = (active * dz[:, None, None]).sum(axis=0)
        if np.any(np.abs(filled - thick) > 1e-9 * max(float(dz.sum()), 1e-300)):
            raise ValueError("a column's active cells through the thickness are not contiguous")
    volume = block.volume.reshape(nz, ny, nx) * active
    dx = np.diff(axes[0])
    column_area = volume.sum(axis=(0, 1)) / dx
    cell_area = (volume / dx[None, None, :]).ravel()
    periodic = float(axes[1][-1] - axes[1][0]) if block.periodic else 0.0
    stretches = _uniform_stretches(velocity.reshape(6, nz, ny, nx), active, axes, zband, periodic)
    return BlockField(axes=axes, velocity=velocity, zband=zband.reshape(2, -1), periodic=periodic,
                      column_area=column_area, cell_area=cell_area, active=block.active.copy(),
                      **stretches)


def _uniform_stretches(v, active, axes, zband, periodic) -> dict:
    """The uniform stretches (module docstring) as arrays."""
    nz, ny, nx = active.shape
    speed = np.zeros(nx)
    uniform = np.zeros(nx, dtype=bool)
    for ix in range(nx):
        on = active[:, :, ix]
        if not on.any():
            continue
        vx = np.concatenate([v[0, :, :, ix][on], v[1, :, :, ix][on]])
        u = float(np.mean(vx))
        across = np.concatenate([v[k, :, :, ix][on] for k in (2, 3, 4, 5)])
        ok = u > 0 and np.all(np.abs(vx - u) <= UNIFORM_TOLERANCE * u) and \
            np.all(np.abs(across) <= UNIFORM_TOLERANCE * u)
        uniform[ix], speed[ix] = ok, u
    signature = [active[:, :, ix].tobytes() for ix in range(nx)]
    runs, ix = [], 0
    while ix < nx:
        if not uniform[ix]:
            ix += 1
            continue
        j = ix
        while j + 1 < nx and uniform[j + 1] and signature[j + 1] == signature[ix] and \
                abs(speed[j + 1] - speed[ix]) <= UNIFORM_TOLERANCE * speed[ix]:
            j += 1
        runs.append((ix, j))
        ix = j + 1
    if not runs or runs[0][0] != 0:
        raise ValueError("the far upstream lead of the mesh does not carry a uniform drift")
    of_column = np.full(nx, -1, dtype=np.int64)
    S = len(runs)
    sx, su = np.zeros((S, 2)), np.zeros(S)
    sb, snb, sz = np.zeros((S, MAX_BANDS, 2)), np.zeros(S, dtype=np.int64), np.zeros((S, 2))
    for s, (a, b) in enumerate(runs):
        of_column[a:b + 1] = s
        sx[s] = (axes[0][a], axes[0][b + 1])
        su[s] = speed[a]
        on_y = active[:, :, a].any(axis=0)
        bands = _bands(on_y, axes[1], periodic)
        if len(bands) > MAX_BANDS:
            raise ValueError(f"more than {MAX_BANDS} feed bands across")
        snb[s] = len(bands)
        sb[s, :len(bands)] = bands
        iy = int(np.flatnonzero(on_y)[0])
        sz[s] = zband[:, iy, a]
    sx[0, 0] = -np.inf
    if runs[-1][1] == nx - 1:
        sx[-1, 1] = np.inf
    return {"stretch_of_column": of_column, "stretch_x": sx, "stretch_speed": su,
            "stretch_bands": sb, "stretch_nbands": snb, "stretch_zband": sz}
