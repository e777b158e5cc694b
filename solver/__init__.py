"""vip-transport: drift and diffusion of "new" conduction electrons in VIP/VIP-2 copper targets.

The package solves dc/dt + div(v c) = div(D grad c) for the new-electron density c [m^-3]
(Milotti et al., Entropy 2018, 20, 515) analytically in 1D and by finite volumes (FiPy), and
turns the solution into scattering and X-ray counts and a bound on beta^2/2.
"""

__version__ = "0.2.0"
