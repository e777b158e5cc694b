"""Changing a case before it is validated: ``run CASE --set key.path=VALUE`` and the axes of a
sweep.

A key path is the dotted path of a key in the case file ("transport.current",
"geometry.connector.width", "material.conductivity", "time.duration").  It is checked against
the schema before anything runs: an unknown key is a CaseError naming it, with a did-you-mean.
A value is YAML, exactly as it would be written in the case file ("120 A", "5 mm", einstein,
60, "{schedule: square, high: 100 A, period: 20 s}"), so it takes the same units and is
refused for the same reasons (a bare number for a length, "100 kg" for a current).

Overrides are applied to the case data *as written* (before presets and defaults are filled),
then the whole case is validated: values derived from others (a lead's width from the target's,
the first output from the duration) follow the change, as if the file had said it.
"""

from __future__ import annotations

import copy
import difflib
import re
from collections.abc import Mapping

from ..errors import CaseError
from .current import SCHEDULES
from .loading import _model_in, _parse_yaml, case_from_dict, read_case_data
from .schema import Case
from .units import show

__all__ = ["parse_assignment", "check_key_path", "apply_overrides", "case_with_overrides",
           "load_case_with_overrides"]

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CURRENT_KEYS = sorted({k for model in SCHEDULES.values() for k in model.model_fields})


def check_key_path(path: str, source: str, prefix: str = "") -> tuple[str, ...]:
    """The parts of the dotted key ``path`` if it names a key of the case schema; else
    CaseError ``<source>: <prefix><path so far>: expected one of the keys ...; got ...``."""
    parts = tuple(path.split(".")) if isinstance(path, str) else ()
    if not parts or not all(_KEY.fullmatch(p) for p in parts):
        where = f"{source}: {prefix.rstrip('.')}: " if prefix else f"{source}: "
        raise CaseError(f"{where}expected a dotted key such as transport.current or "
                        f"geometry.connector.width; got {show(path)}")
    model, names = Case, None
    for i, part in enumerate(parts):
        where = prefix + ".".join(parts[:i + 1])
        if model is None and names is None:
            raise CaseError(f"{source}: {where}: expected no key inside {prefix}{'.'.join(parts[:i])}, which "
                            f"is a value, not a section; got the key \"{part}\"")
        known = list(model.model_fields) if model is not None else names
        if part not in known:
            close = difflib.get_close_matches(part, known, n=1, cutoff=0.6)
            hint = f' (did you mean "{close[0]}"?)' if close else ""
            raise CaseError(f"{source}: {where}: expected one of the keys {', '.join(known)}; got the "
                            f'unknown key "{part}"{hint}')
        if model is None:                      # inside transport.current: leaves only
            model, names = None, None
        elif model.__name__ == "Transport" and part == "current":
            model, names = None, _CURRENT_KEYS
        else:
            model, names = _model_in(model.model_fields[part].annotation), None
    return parts


def parse_assignment(text: str) -> tuple[tuple[str, ...], object]:
    """``"key.path=VALUE"`` -> (key parts, value); the value is read as YAML (quantities as text
    with units, numbers, names, lists, mappings); raises CaseError naming ``--set text``."""
    source = f"--set {text}"
    if not isinstance(text, str) or "=" not in text:
        raise CaseError(f"{source}: expected key.path=VALUE, such as transport.current=120A or "
                        f'"geometry.connector.width=5 mm"; got no "="')
    key, value_text = text.split("=", 1)
    parts = check_key_path(key.strip(), source)
    value = _parse_yaml(value_text, source) if value_text.strip() else None
    return parts, value


def apply_overrides(data: Mapping, overrides, source: str = "--set") -> dict:
    """A deep copy of case ``data`` with each (key parts, value) of ``overrides`` set, creating
    the sections on the way; raises CaseError where a key path runs through a value."""
    out = copy.deepcopy(dict(data))
    for parts, value in overrides:
        node = out
        for i, part in enumerate(parts[:-1]):
            child = node.get(part)
            if child is None:
                child = node[part] = {}
            elif not isinstance(child, Mapping):
                where = ".".join(parts[:i + 1])
                raise CaseError(f"{source}: {where}: expected a mapping to set {'.'.join(parts[i + 1:])} in; "
                                f"got {show(child)} (set {where} as a whole instead)")
            else:
                child = node[part] = dict(child)
            node = child
        node[parts[-1]] = value
    return out


def case_with_overrides(data: Mapping, assignments, source: str) -> Case:
    """Validate ``data`` with the ``--set`` texts ``assignments`` applied (source names it in
    errors, as "<file> with --set")."""
    overrides = [parse_assignment(text) for text in assignments]
    label = f"{source} with --set" if overrides else source
    return case_from_dict(apply_overrides(data, overrides, label), source=label)


def load_case_with_overrides(path, assignments=()) -> Case:
    """``load_case(path)`` with ``--set key.path=VALUE`` texts applied first."""
    return case_with_overrides(read_case_data(path), assignments, str(path))
