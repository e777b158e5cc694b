"""A run's results as a labelled dataset: N(t), the rates and the cumulative scatterings, and
the density fields kept at the snapshot times (1D profiles c(x, t); 2D/3D cell fields), each
with its unit as an attribute.

One description (:func:`variables`) serves both :func:`to_dataset` (an ``xarray.Dataset`` for
Python users) and :func:`write_netcdf` (``results.nc`` in the results folder: NetCDF-3, written
by ``scipy.io.netcdf_file`` so that a run does not import xarray; xarray, ParaView-free tools
and Matlab read it).  :func:`open_results` reads a results folder back as a Dataset.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import __version__

__all__ = ["NETCDF_NAME", "variables", "to_dataset", "write_netcdf", "open_results"]

NETCDF_NAME = "results.nc"

_SERIES = (  # name in the dataset and timeseries.csv, attribute of RunResult, unit, description
    ("new_electrons_in_target", "electrons_in_target", "1", "new electrons in the target N(t)"),
    ("scattering_rate_per_s", "scattering_rate", "1/s", "scattering rate nu N(t)"),
    ("cumulative_scatterings", "cumulative_scatterings", "1", "scatterings since switch-on S(t)"),
)


def variables(result) -> tuple[dict, dict, dict]:
    """(coords, data_vars, attrs) of ``result``: each variable a tuple (dims, values, attrs)."""
    coords = {"time_s": (("time_s",), np.asarray(result.times, float),
                         {"units": "s", "long_name": "time since switch-on"})}
    data = {}
    for name, attribute, unit, text in _SERIES:
        data[name] = (("time_s",), np.asarray(getattr(result, attribute), float), {"units": unit, "long_name": text})
    fields = result.fields or {}
    if fields.get("c"):
        model = fields["model"]
        n = model.electron_density
        c = np.asarray(fields["c"], float)
        coords["snapshot_time_s"] = (("snapshot_time_s",), np.asarray(fields["times"], float),
                                     {"units": "s", "long_name": "time of each density snapshot"})
        centres = np.atleast_2d(model.cell_centers)
        one_d = centres.shape[0] == 1
        keep = np.ones(c.shape[1], bool) if one_d else np.asarray(model.block.active)
        space = "x_m" if one_d else "cell"          # 1D: the cell centres are the coordinate
        names = []
        for axis, label in zip(range(centres.shape[0]), ("x", "y", "z")):
            name = "x_m" if one_d else f"cell_{label}_m"
            names.append(name)
            coords[name] = ((space,), centres[axis][keep],
                            {"units": "m", "long_name": f"cell centre {label} (target entrance at x = 0)"})
        extra = {} if one_d else {"coordinates": " ".join(names)}
        data["density_m3"] = (("snapshot_time_s", space), c[:, keep],
                              {"units": "m-3", "long_name": "new-electron density c", **extra})
        data["density_over_n"] = (("snapshot_time_s", space), c[:, keep] / n,
                                  {"units": "1", "long_name": "new-electron density over the electron density n",
                                   **extra})
    attrs = {"title": f"vip-transport results of case {result.case.name}", "case": result.case.name,
             "method": result.method, "source": f"vip-transport {__version__}",
             "references": "Milotti et al., Entropy 2018, 20, 515",
             "electron_density_m3": float(result.derived["electron_density_m3"])}
    return coords, data, attrs


def to_dataset(result):
    """``result`` as an ``xarray.Dataset`` (units in each variable's attrs)."""
    import xarray as xr

    coords, data, attrs = variables(result)
    data = {k: (dims, values, {a: b for a, b in var_attrs.items() if a != "coordinates"})
            for k, (dims, values, var_attrs) in data.items()}
    return xr.Dataset(data_vars={k: xr.Variable(*v) for k, v in data.items()},
                      coords={k: xr.Variable(*v) for k, v in coords.items()}, attrs=attrs)


def write_netcdf(path, result) -> str:
    """Write ``results.nc`` for ``result`` at ``path`` (NetCDF-3 64-bit offset); returns its name."""
    from scipy.io import netcdf_file

    coords, data, attrs = variables(result)
    path = Path(path)
    with netcdf_file(path, "w", version=2) as nc:
        for key, value in attrs.items():
            setattr(nc, key, value)
        sizes = {}
        for dims, values, _ in list(coords.values()) + list(data.values()):
            sizes.update(zip(dims, np.shape(values)))
        for dim, size in sizes.items():
            nc.createDimension(dim, size)
        for name, (dims, values, var_attrs) in {**coords, **data}.items():
            var = nc.createVariable(name, "d", dims)
            var[:] = values
            for key, value in var_attrs.items():
                setattr(var, key, value)
    return path.name


def open_results(folder):
    """The ``results.nc`` of a results folder as an ``xarray.Dataset`` (loaded into memory)."""
    import xarray as xr

    with xr.open_dataset(Path(folder) / NETCDF_NAME, engine="scipy") as ds:
        return ds.load()
