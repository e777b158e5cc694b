"""The bound on beta^2/2 from a measured spectrum (``vip-transport bound BOUND.yaml``):
:mod:`.spectrum` computes it, :mod:`.report` writes and prints it."""

from .spectrum import bound_from_spectrum

__all__ = ["bound_from_spectrum"]
