"""Field snapshots of 2D/3D runs for ParaView: density, potential and drift velocity.

``write_fields(folder, result)`` writes into ``folder/fields/``:
- ``fields_NNN.vtu`` (meshio, VTK XML unstructured grid of the active cells, quads in 2D,
  hexahedra in 3D) with cell data ``density_m3`` c [m^-3], ``density_over_n`` c/n,
  ``potential_V`` phi(I) = I phi(1 A) [V] (electron-flow convention, see
  ``solver.fv.potential``), ``drift_velocity_m_s`` v [m/s] (3 components) and ``part`` (index
  into the lead names, listed in the .pvd comment);
- ``fields.pvd``, the time series index ParaView opens (timestep = t [s]);
- ``density_last.png``, a map of c/n at the last snapshot around the target (3D: the middle
  layer through the thickness; shell: unrolled, y = arc length at the mid-surface).
Shells are written rolled up: (x, (r + zeta) cos(y/r), (r + zeta) sin(y/r)), velocities
rotated to match.  The snapshot times are ``case.output.fields`` (``solver.run.plan.field_output_indices``).
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np

__all__ = ["write_fields"]

def _points(block):
    """Grid vertices (3, nvertices) [m] in output coordinates (shells rolled up)."""
    axes = list(block.axes) + ([np.zeros(1)] if block.dimension == 2 else [])
    grid = np.meshgrid(*axes, indexing="ij")            # (nx+1, ny+1, nz+1)
    x, y, z = (np.transpose(g).ravel() for g in grid)   # x fastest, then y, then z
    if not block.periodic:
        return np.stack([x, y, z])
    r = block.conductor.radius
    theta, radius = y / r, r + z
    return np.stack([x, radius * np.cos(theta), radius * np.sin(theta)])


def _cells(block):
    """Vertex ids of the active cells, VTK order (quad or hexahedron)."""
    nx, ny = block.shape[:2]
    nz = block.shape[2] if block.dimension == 3 else 1
    k, j, i = np.unravel_index(np.flatnonzero(block.active), (nz, ny, nx))
    vx, vy = nx + 1, (nx + 1) * (ny + 1)

    def v(di, dj, dk):
        return (i + di) + (j + dj) * vx + (k + dk) * vy

    quad = [v(0, 0, 0), v(1, 0, 0), v(1, 1, 0), v(0, 1, 0)]
    if block.dimension == 2:
        return "quad", np.stack(quad, axis=1)
    top = [v(0, 0, 1), v(1, 0, 1), v(1, 1, 1), v(0, 1, 1)]
    return "hexahedron", np.stack(quad + top, axis=1)


def _velocity_xyz(block, velocity):
    """Cell velocities (3, cells) [m/s] in output coordinates."""
    v = np.zeros((3, velocity.shape[1]))
    v[:velocity.shape[0]] = velocity
    if block.periodic:
        theta = block.cell_centers[1] / block.conductor.radius
        vs, vr = v[1].copy(), v[2].copy()
        v[1] = vr * np.cos(theta) - vs * np.sin(theta)
        v[2] = vr * np.sin(theta) + vs * np.cos(theta)
    return v


def _currents(result):
    from ..physics.schedule import schedule_from_spec

    T = result.case.time.duration
    return schedule_from_spec(result.case.transport.current).current(result.fields["times"], T)


def _png(path, block, c, n, t):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    nx, ny = block.shape[:2]
    nz = block.shape[2] if block.dimension == 3 else 1
    layer = np.asarray(c, float).reshape(nz, ny, nx)[nz // 2] / n
    active = block.active.reshape(nz, ny, nx)[nz // 2]
    x, y = block.axes[0], block.axes[1]
    g = block.conductor
    lo = block.edges.get("connector", block.edges["target"])[0] - 0.25 * g.target.length
    hi = block.edges["target"][1] + 0.25 * g.target.length
    keep = np.flatnonzero((x[:-1] >= lo) & (x[1:] <= hi))
    fig, ax = plt.subplots(figsize=(7.5, 3.6))
    data = np.ma.masked_where(~active[:, keep], layer[:, keep])
    mesh = ax.pcolormesh(x[keep[0]:keep[-1] + 2] * 1e3, y * 1e3, data, shading="flat", vmin=0.0,
                         vmax=max(1.0, float(data.max()) if data.count() else 1.0), cmap="viridis")
    for name in ("target",):
        x0, x1 = block.edges[name]
        ax.axvline(x0 * 1e3, color="w", lw=0.6, ls="--")
        ax.axvline(x1 * 1e3, color="w", lw=0.6, ls="--")
    ax.set_xlabel("x along the current [mm]")
    ax.set_ylabel("arc length at mid-radius [mm]" if block.periodic else "y across [mm]")
    ax.set_title(f"new-electron density c/n at t = {t:.4g} s" + (" (mid-thickness)" if block.dimension == 3 else ""))
    fig.colorbar(mesh, ax=ax, label="c / n")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def write_fields(folder, result) -> list:
    """Write the snapshots of ``result`` (a 2D/3D RunResult with ``fields``) into
    ``folder/fields/``; returns the written paths relative to ``folder`` (for summary.json's
    ``files``), [] when the run kept no snapshot."""
    snap = getattr(result, "fields", None)
    if not snap or not snap.get("c") or result.case.geometry.dimension == 1:
        return []            # 1D profiles are in results.nc (solver.io.dataset)
    import meshio

    model = snap["model"]
    block, drift = model.block, model.drift
    out = Path(folder) / "fields"
    out.mkdir(parents=True, exist_ok=True)
    points = _points(block).T
    kind, cells = _cells(block)
    act = block.active
    names = [lead.name for lead in block.conductor.leads]
    part = block.extras["lead_index"][act].astype(np.int32)
    n = model.electron_density
    files, entries = [], []
    for k, (t, c, current) in enumerate(zip(snap["times"], snap["c"], _currents(result))):
        velocity = _velocity_xyz(block, drift.cell_velocity(current))
        data = {"density_m3": np.asarray(c)[act], "density_over_n": np.asarray(c)[act] / n,
                "potential_V": current * drift.potential[act], "drift_velocity_m_s": velocity[:, act].T,
                "part": part}
        name = f"fields_{k:03d}.vtu"
        meshio.write(out / name, meshio.Mesh(points, [(kind, cells)],
                                             cell_data={key: [value] for key, value in data.items()}),
                     file_format="vtu")
        files.append(f"fields/{name}")
        entries.append(f'    <DataSet timestep="{float(t)!r}" part="0" file="{name}"/>')
    pvd = ("<?xml version=\"1.0\"?>\n"
           f"<!-- vip-transport field snapshots of {escape(result.case.name)}; part ids: "
           f"{escape(', '.join(f'{i} {nm}' for i, nm in enumerate(names)))} -->\n"
           "<VTKFile type=\"Collection\" version=\"0.1\">\n  <Collection>\n"
           + "\n".join(entries) + "\n  </Collection>\n</VTKFile>\n")
    (out / "fields.pvd").write_text(pvd, encoding="utf-8")
    _png(out / "density_last.png", block, snap["c"][-1], n, float(snap["times"][-1]))
    return ["fields/fields.pvd", *files, "fields/density_last.png"]
