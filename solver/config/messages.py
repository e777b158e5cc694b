"""The messages of a refused case: pydantic's validation errors turned into one line each,
``<file>: <dotted.key>: expected ...; got ...``, naming the key, what was expected and what was
given (with a did-you-mean for unknown keys)."""

from __future__ import annotations

import difflib
import typing

from pydantic import BaseModel, ValidationError

from .presets import PRESET_FILLED
from .units import show

__all__ = ["format_errors", "model_in", "MAX_PROBLEMS_SHOWN"]

MAX_PROBLEMS_SHOWN = 20     # a CaseError lists at most this many problems (and counts the rest)


def model_in(annotation):
    """The BaseModel class inside an annotation (Optional/Annotated/Union), if exactly one."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    found = [m for arg in typing.get_args(annotation) if (m := model_in(arg)) is not None]
    return found[0] if len(found) == 1 else None


def _models_in(annotation) -> list:
    """Every BaseModel class inside an annotation (the members of a union)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def _member(field, tag):
    """The member of the discriminated union ``field`` whose discriminator is ``tag``, or None."""
    for model in _models_in(field.annotation):
        if tag in typing.get_args(model.model_fields[field.discriminator].annotation):
            return model
    return None


def _walk(loc: tuple, root) -> tuple:
    """(model class at the raw validation-error location ``loc`` from ``root``, or None; the
    location without the union tags pydantic inserts, e.g. after transport.current)."""
    model, field, clean = root, None, []
    for part in loc:
        if field is not None and field.discriminator and isinstance(part, str):
            member = _member(field, part)
            if member is not None:
                model, field = member, None
                continue
        clean.append(part)
        if model is not None and isinstance(part, str) and part in model.model_fields:
            field = model.model_fields[part]
            model = model_in(field.annotation)
        else:
            model, field = None, None
    return model, tuple(clean)


def _explain(error: dict, root) -> str:
    """The ``expected ...; got ...`` text for one pydantic error."""
    kind, given, loc = error["type"], error.get("input"), tuple(error["loc"])
    ctx = error.get("ctx") or {}
    if kind == "case_value":
        return ctx["message"]
    if kind == "missing":
        model, _ = _walk(loc[:-1], root)
        field = model.model_fields.get(loc[-1]) if model is not None else None
        wanted = field.description if field is not None and field.description else "a value"
        clean = _walk(loc, root)[1]
        hint = " (or set geometry.preset: vip or vip2)" if clean[-2:] in PRESET_FILLED else ""
        return f"expected {wanted}{hint}; got nothing (the key is missing)"
    if kind == "invalid_key":   # the input is the key itself (a number, a date, true, null)
        return f"expected keys that are text (quote the key); got the key {show(given)}"
    if kind == "extra_forbidden":
        model, _ = _walk(loc[:-1], root)
        names = list(model.model_fields) if model is not None else []
        close = difflib.get_close_matches(str(loc[-1]), names, n=1, cutoff=0.6)
        hint = f' (did you mean "{close[0]}"?)' if close else ""
        return (f"expected one of the keys {', '.join(names)}; got the unknown key "
                f'"{loc[-1]}"{hint}')
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"expected a mapping of keys to values; got {show(given)}"
    if kind in ("tuple_type", "list_type"):
        return f"expected a list, such as [0 s, 10 s]; got {show(given)}"
    if kind == "string_type":
        return f"expected text; got {show(given)}"
    return f"{error['msg']}; got {show(given)}"


def format_errors(exc: ValidationError, source: str, root) -> str:
    """One line ``<source>: <dotted.key>: expected ...; got ...`` per problem of ``exc`` (a
    pydantic ValidationError of the model class ``root``), at most MAX_PROBLEMS_SHOWN."""
    lines = {}   # insertion-ordered set: a file with 100,000 bad values must not take minutes
    for error in exc.errors(include_url=False):
        loc = _walk(tuple(error["loc"]), root)[1]
        if error["type"] == "invalid_key":
            loc = loc[:-1] + (show(error.get("input")),)
        subkey = (error.get("ctx") or {}).get("subkey")
        key_loc = loc + tuple(subkey.split(".")) if subkey else loc
        key = ".".join(str(p) for p in key_loc) or "(top level)"
        lines.setdefault(f"{source}: {key}: {_explain(error, root)}", None)
    lines = list(lines)
    if len(lines) == 1:
        return lines[0]
    shown = lines[:MAX_PROBLEMS_SHOWN]
    if len(lines) > len(shown):
        shown.append(f"{source}: ... and {len(lines) - len(shown):,} more problems")
    return f"{source}: {len(lines)} problems in the case:\n" + "\n".join(shown)
