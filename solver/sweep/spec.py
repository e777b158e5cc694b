"""A sweep file: a base case, changes for every case, and the axes swept.

    name: current-width               # optional; default: the file's name
    base: vip2.yaml                   # a case file (relative to this file), or a case mapping
    set: {time.outputs: 60}           # optional: changes for every case, as with run --set
    grid:                             # every combination of these axes' values
      transport.current: [40 A, 100 A, 250 A]
      geometry.connector.width: [1 mm, 5 mm, 20 mm]
    zip:                              # optional: axes that advance together (equal lengths)
      transport.diffusivity: [einstein, degenerate]
      transport.diffusivity_scale: [1, 0.01]
    sample:                           # optional: input uncertainties (sampling.py)
      count: 100
      method: latin-hypercube         # latin-hypercube | random
      seed: 1
      axes:
        material.conductivity: {distribution: normal, mean: 5.9e7 S/m, std: 2e6 S/m}
    output: {case_plots: false}       # optional: the two PNGs of each case's results folder

Axes are dotted keys of the case file (``config.overrides``), values written as in case files.
The cases are the grid's combinations x the zip's rows x the samples (the same samples for every
combination).  Each case is validated before anything runs: a wrong key, unit or value is a
CaseError naming the file, the point and the key.  A case is identified by a hash of its
resolved case (its name left out), which keys its results folder: a restarted sweep finds it.
"""

from __future__ import annotations

import difflib
import hashlib
import itertools
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..config import case_from_dict
from ..config.loading import read_case_data
from ..config.overrides import apply_overrides, check_key_path
from ..config.schema import Case
from ..config.types import case_name
from ..config.units import show
from ..errors import CaseError
from .sampling import METHODS, Distribution, draw, parse_distribution

__all__ = ["MAX_CASES", "Axis", "Point", "Sweep", "load_sweep", "sweep_from_dict", "case_key"]

MAX_CASES = 100_000
_KEYS = ("name", "base", "set", "grid", "zip", "sample", "output")


@dataclass(frozen=True)
class Axis:
    """A swept key: ``key`` (dotted), ``kind`` ("grid", "zip" or "sample"), ``values`` as
    written (grid, zip) or ``distribution`` (sample)."""

    key: str
    kind: str
    values: tuple = ()
    distribution: Distribution | None = None


@dataclass(frozen=True)
class Point:
    """One case of a sweep: its ``index``, the axis ``values`` it was given (key -> value as
    handed to the case), ``group`` (its grid/zip combination) and ``sample`` (None unless
    sampled), the validated ``case`` and its ``key`` (hash of the resolved case)."""

    index: int
    values: dict
    group: int
    sample: int | None
    case: Case
    key: str


@dataclass(frozen=True)
class Sweep:
    """A validated sweep file (see the module docstring); :meth:`points` lists its cases."""

    name: str
    source: str
    base: dict
    changes: tuple = ()
    axes: tuple = ()
    count: int = 0
    method: str = "latin-hypercube"
    seed: int = 0
    case_plots: bool = False
    _points: list = field(default_factory=list, compare=False, repr=False)

    def axes_of(self, *kinds) -> list:
        return [a for a in self.axes if a.kind in kinds]

    def points(self) -> list[Point]:
        """Every case, validated (computed once)."""
        if not self._points:
            self._points.extend(_expand(self))
        return list(self._points)


def case_key(case: Case) -> str:
    """16 hex digits of the SHA-256 of the resolved case without its name: equal cases (however
    they were written) share the key, any change of a value gives another."""
    resolved = case.to_resolved_dict()
    resolved.pop("name", None)
    text = json.dumps(resolved, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _fail(source, key, expected, got):
    raise CaseError(f"{source}: {key}: expected {expected}; got {show(got)}")


def _mapping(data, source, key):
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        _fail(source, key, "a mapping of keys to values", data)
    return dict(data)


def _value_lists(data, source, section, seen):
    axes = []
    for key, values in _mapping(data, source, section).items():
        check_key_path(key, source, prefix=f"{section}.")
        if key in seen:
            raise CaseError(f"{source}: {section}.{key}: expected each key in one of set, grid, zip, "
                            f"sample; got it again (already in {seen[key]})")
        seen[key] = section
        if not isinstance(values, list) or not values:
            _fail(source, f"{section}.{key}", "a non-empty list of values, such as [40 A, 100 A]", values)
        axes.append(Axis(key, section, tuple(values)))
    return axes


def sweep_from_dict(data, source: str = "<dict>", base_dir=".") -> Sweep:
    """Validate a sweep given as plain data; ``base: FILE`` is read relative to ``base_dir``."""
    if not isinstance(data, Mapping):
        _fail(source, "(top level)", "a mapping with base:, grid:, zip:, sample:", data)
    for key in data:
        if key not in _KEYS:
            close = difflib.get_close_matches(str(key), _KEYS, n=1, cutoff=0.6)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            raise CaseError(f"{source}: {key}: expected one of the keys {', '.join(_KEYS)}; got the "
                            f'unknown key "{key}"{hint}')
    base = data.get("base")
    if isinstance(base, str):
        base = read_case_data(Path(base_dir) / base)
    elif not isinstance(base, Mapping):
        _fail(source, "base", "a case file name such as vip2.yaml, or a case mapping", base)
    name = data.get("name", Path(source).stem if source != "<dict>" else "sweep")
    try:
        case_name(name)
    except Exception:
        _fail(source, "name", "a name of up to 64 letters, digits, '.', '_' or '-'", name)
    seen = {}
    changes = []
    for key, value in _mapping(data.get("set"), source, "set").items():
        changes.append((check_key_path(key, source, prefix="set."), value))
        seen[key] = "set"
    axes = _value_lists(data.get("grid"), source, "grid", seen)
    zipped = _value_lists(data.get("zip"), source, "zip", seen)
    if len({len(a.values) for a in zipped}) > 1:
        _fail(source, "zip", "lists of one length", {a.key: len(a.values) for a in zipped})
    axes += zipped
    sample = _mapping(data.get("sample"), source, "sample")
    count, method, seed = 0, "latin-hypercube", 0
    if sample:
        unknown = sorted(set(sample) - {"count", "method", "seed", "axes"})
        if unknown:
            _fail(source, f"sample.{unknown[0]}", "one of the keys count, method, seed, axes", unknown[0])
        count, method, seed = sample.get("count"), sample.get("method", method), sample.get("seed", 0)
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_CASES:
            _fail(source, "sample.count", f"a whole number of samples from 1 to {MAX_CASES:,}", count)
        if method not in METHODS:
            _fail(source, "sample.method", f"one of {', '.join(METHODS)}", method)
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            _fail(source, "sample.seed", "a whole number of 0 or more", seed)
        for key, spec in _mapping(sample.get("axes"), source, "sample.axes").items():
            check_key_path(key, source, prefix="sample.axes.")
            if key in seen:
                raise CaseError(f"{source}: sample.axes.{key}: expected each key in one of set, grid, "
                                f"zip, sample; got it again (already in {seen[key]})")
            seen[key] = "sample"
            axes.append(Axis(key, "sample", distribution=parse_distribution(spec, f"{source}: sample.axes.{key}")))
        if not any(a.kind == "sample" for a in axes):
            _fail(source, "sample.axes", "at least one sampled key", sample.get("axes"))
    output = _mapping(data.get("output"), source, "output")
    if set(output) - {"case_plots"} or not isinstance(output.get("case_plots", False), bool):
        _fail(source, "output", "{case_plots: true} or {case_plots: false}", output)
    combos = math.prod(len(a.values) for a in axes if a.kind == "grid") * \
        (len(zipped[0].values) if zipped else 1) * max(count, 1)
    if combos > MAX_CASES:
        _fail(source, "(top level)", f"at most {MAX_CASES:,} cases", f"{combos:,} cases")
    return Sweep(name=name, source=source, base=dict(base), changes=tuple(changes), axes=tuple(axes),
                 count=count, method=method, seed=seed, case_plots=output.get("case_plots", False))


def load_sweep(path) -> Sweep:
    """Read and validate a sweep file (YAML, read as safely as case files)."""
    path = Path(path)
    return sweep_from_dict(read_case_data(path), source=str(path), base_dir=path.parent)


def _expand(sweep: Sweep) -> list[Point]:
    grid, zipped = sweep.axes_of("grid"), sweep.axes_of("zip")
    sampled = sweep.axes_of("sample")
    combos = list(itertools.product(*(a.values for a in grid)))
    rows = list(zip(*(a.values for a in zipped))) or [()]
    samples = draw([a.distribution for a in sampled], sweep.count, sweep.method, sweep.seed) if sampled else [None]
    base_name = str(sweep.base.get("name", sweep.name))[:46]
    points = []
    for group, (combo, row) in enumerate(itertools.product(combos, rows)):
        for s, drawn in enumerate(samples):
            values = {a.key: v for a, v in zip(grid, combo)}
            values.update({a.key: v for a, v in zip(zipped, row)})
            values.update({a.key: v for a, v in zip(sampled, drawn or ())})
            index = len(points)
            label = ", ".join(f"{k}={show(v)}" for k, v in values.items())
            where = f"{sweep.source}: case {index} ({label})" if label else sweep.source
            data = apply_overrides(sweep.base, [*sweep.changes, *((tuple(k.split(".")), v) for k, v in values.items())],
                                   where)
            case = case_from_dict(data, source=where)
            key = case_key(case)
            case = case.model_copy(update={"name": f"{base_name}-{key[:8]}"})
            case._source = where
            points.append(Point(index, values, group, None if drawn is None else s, case, key))
    return points
