"""Build script: the metadata is in setup.cfg; this lists the packages under their installed
names (the folders solver/ and meshes/ become vip_transport.solver and vip_transport.meshes)
and adds the optional C extension of the 1D stepper (solver/linalg/_tridiagonal.c, see
solver/linalg/tridiagonal.py).  Without a C compiler the build of the extension is skipped and
the same functions run on numpy and SciPy.  The extension is built for the generic x86-64 (or
other) target of the compiler, not for this machine (no -march=native): a wheel made here must
run on another machine of the same architecture."""

from setuptools import Extension, find_packages, setup


def installed(folder):
    """Packages under ``folder`` with the prefix vip_transport.<folder>."""
    return [f"vip_transport.{folder}"] + [f"vip_transport.{folder}.{p}" for p in find_packages(folder)]


setup(packages=installed("solver") + installed("meshes"),
      ext_modules=[Extension("vip_transport.solver.linalg._tridiagonal", ["solver/linalg/_tridiagonal.c"],
                             optional=True, extra_compile_args=["-O3"])])
