"""Time stepping of  V dc/dt = K(I) c + f(I):  the step plan (:mod:`.plan`), the stepper
contract and run state (:mod:`.base`), the steppers (1D :mod:`.cached`, 2D/3D :mod:`.ladder`,
the FiPy cross-check :mod:`.fipy_loop`) and the registry that picks one (:mod:`.registry`)."""
