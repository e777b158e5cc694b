"""Geometry and meshes for vip-transport: geometry only, never physics (lengths in metres)."""
