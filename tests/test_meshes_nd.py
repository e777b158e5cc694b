"""meshes.blocks: 2D/3D meshes of the strip and the cylinder shell with reservoir, connector and
outlet -- exact volumes, named faces, parts joined through whole shared faces.

Volumes are compared with length x width x thickness of each lead to 1e-12 (the issue asks
1e-6): the strip's cells are boxes, the 2D sheet carries the thickness as a coefficient, and
the 3D shell is built in (x, s, zeta), s the arc length at the mid-surface radius r, with the
cylindrical metric r'/r, so that its volume is exactly 2 pi r z L (sum of r' dr' = r z).
"""

import math

import numpy as np
import pytest

from conftest import C1 as C, VIP_RADIUS as R, W2 as W, Z2 as Z, shell, strip
from vip_transport.meshes.blocks import Conductor, Lead, Resolution, axis_faces, build_block_mesh, lead_bands

GEOMETRIES = {
    "strip uniform": strip(),
    "strip narrow connector on an edge": strip(0.005, offset=0.0075),
    "strip thin narrow connector": strip(0.006, offset=-0.004, connector_thickness=20e-6),
    "shell uniform": shell(),
    "shell two feed tabs": shell(0.02, angles=(0.0, math.pi)),
    "shell three tabs": shell(0.03, angles=(0.5, 2.5, 4.5)),
}
RES = Resolution(dx=0.071 / 40, grading=1.1, cells_across=32, cells_through=2)


@pytest.fixture(scope="module", params=[(name, dim) for name in GEOMETRIES for dim in (2, 3)],
                ids=lambda p: f"{p[0]}-{p[1]}D")
def built(request):
    name, dim = request.param
    return name, build_block_mesh(GEOMETRIES[name], RES, dim)


def test_volume_of_every_lead_is_geometric(built):
    _, block = built
    for lead in block.conductor.leads:
        volume = block.volume[block.cells[lead.name]].sum()
        assert volume == pytest.approx(lead.length * lead.width * lead.thickness, rel=1e-12), lead.name
    assert block.volume[block.active].sum() == pytest.approx(block.geometric_volume(), rel=1e-12)


def test_named_faces_are_non_empty(built):
    name, block = built
    required = ["upstream_end", "downstream_end", "connector_start", "target_start", "outlet_start"]
    if "uniform" not in name or block.dimension == 3:
        required.append("walls")
    if block.periodic:
        required.append("seam_duplicates")
    for key in required:
        assert block.faces[key].any(), key
    for lead in block.conductor.leads:
        assert block.cells[lead.name].any(), lead.name


def test_parts_join_through_whole_shared_faces(built):
    """Every face of an active cell is exactly one of: an interior face carrying flux between
    two active cells, an end face, a wall, or the shell's unused seam copy; the faces on a
    junction plane between two active cells are all in '<lead>_start' and carry flux, and
    their number is the overlap of the two leads' bands (in cells) times the cells through."""
    _, block = built
    c0, c1 = block.face_cells
    active0 = block.active[c0]
    active1 = np.where(c1 >= 0, block.active[np.maximum(c1, 0)], False)
    touching = active0 | active1
    flux = active0 & active1 & ~block.faces["seam_duplicates"]
    ends = block.faces["upstream_end"] | block.faces["downstream_end"]
    kinds = flux.astype(int) + ends + block.faces["walls"] + block.faces["seam_duplicates"]
    assert np.all(kinds[touching] == 1)
    assert np.all(block.face_factor[flux | ends] > 0) and np.all(block.face_factor[~(flux | ends)] == 0)
    y = block.axes[1]
    centres = 0.5 * (y[1:] + y[:-1])
    leads = block.conductor.leads
    for a, b in zip(leads[:-1], leads[1:]):
        start = block.faces[f"{b.name}_start"]
        inside = lambda name: np.any([(centres > lo) & (centres < hi) for lo, hi in block.bands[name]], axis=0)
        overlap = int(np.sum(inside(a.name) & inside(b.name)))
        through = 1
        if block.dimension == 3:
            z = block.axes[2]
            zc = 0.5 * (z[1:] + z[:-1])
            through = int(np.sum(np.abs(zc) < 0.5 * min(a.thickness, b.thickness)))
        assert start.sum() == overlap * through, b.name
        plane = block.x_plane_faces(int(block.extras["x_plane"][start][0]))
        both = plane & active0 & active1
        assert np.array_equal(both, start)


def test_shell_3d_is_the_cylindrical_metric():
    block = build_block_mesh(shell(), RES, 3)
    r = R + block.cell_centers[2]
    assert np.allclose(block.cell_factor[block.active], (r / R)[block.active], rtol=1e-14)
    inner = block.cell_centers[2] < 0
    # inner half-shell pi (r^2 - (r - z/2)^2) per unit length: exact to rounding
    target = block.cells["target"]
    expected = math.pi * (R ** 2 - (R - Z / 2) ** 2) * 0.088
    assert block.volume[target & inner].sum() == pytest.approx(expected, rel=1e-12)


def test_tabs_are_placed_at_their_angles_and_split_at_the_seam():
    c = shell(0.03, angles=(0.0, math.pi))
    bands = lead_bands(c.leads[1], c)
    expected = ((0.0, 0.0075), (R * math.pi - 0.0075, R * math.pi + 0.0075), (C - 0.0075, C))
    assert np.allclose(bands, expected, rtol=0, atol=1e-15)
    block = build_block_mesh(c, RES, 2)
    tab = block.cells["connector"]
    assert block.volume[tab].sum() == pytest.approx(0.01 * 0.03 * Z, rel=1e-12)
    # the tab at angle 0 is one piece joined across the seam
    seam_faces = (block.face_axis == 1) & (block.face_factor > 0) & tab[block.face_cells[0]]
    y0 = np.asarray(block.mesh.faceCenters[1])[seam_faces] + block.origin[1]
    assert np.any(np.isclose(y0, 0.0, atol=1e-12))


@pytest.mark.parametrize("conductor, words", [
    (Conductor((Lead("connector", 0.01, 0.004, Z, offset=0.02), Lead("target", 0.071, W, Z))), "do not touch"),
    (shell(0.03, angles=(0.0, 0.1)), "overlap"),
    (Conductor((Lead("connector", 0.01, W, Z, angles=(1.0,)), Lead("target", 0.071, W, Z))), "angles are for"),
])
def test_impossible_geometries_are_refused(conductor, words):
    with pytest.raises(ValueError, match=words):
        build_block_mesh(conductor, RES, 2)


def test_axis_faces_pass_through_every_break():
    faces = axis_faces(-0.01, 0.01, [-0.0025, 0.0025, 0.004], 0.001)
    for b in (-0.01, -0.0025, 0.0025, 0.004, 0.01):
        assert np.min(np.abs(faces - b)) < 1e-15
    assert np.all(np.diff(faces) > 0) and np.max(np.diff(faces)) <= 0.00125 + 1e-15
