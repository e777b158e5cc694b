"""The Monte Carlo method: random walks of new conduction electrons in 1D, 2D and 3D, an
independent check of the finite-volume solution (``driver.run_montecarlo``)."""
