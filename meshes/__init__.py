"""Geometry and meshes for vip-transport: geometry only, never physics (lengths in metres).

:mod:`.line`: the graded quasi-1D line of parts (reservoir, connector, target, outlet);
:mod:`.conductor`: the 2D/3D conductor specs (leads, placement across, resolution);
:mod:`.blocks`: the 2D/3D block mesh with named cell and face sets and metric factors;
:mod:`.grid`: its tensor grid in FiPy's numbering, and FiPy meshes of x-slabs.
"""
