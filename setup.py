"""Build script: the metadata is in setup.cfg; this adds the optional C extension of the 1D
stepper (solver/_tridiagonal.c, see solver/tridiagonal.py).  Without a C compiler the build
of the extension is skipped and the same functions run on numpy and LAPACK."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("solver._tridiagonal", ["solver/_tridiagonal.c"], optional=True,
                             extra_compile_args=["-O3", "-march=native"])])
