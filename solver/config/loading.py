"""Reading case files: hardened YAML in, a validated :class:`~.schema.Case` out; and writing
``case.resolved.yaml``.

``load_case("cases/vip2.yaml")`` reads at most 1 MB of UTF-8 safe YAML (no Python tags; alias
bombs, recursive aliases, duplicate keys and unreadably long integers refused before any object
is built) and validates it.  Bad input only ever raises :class:`~solver.errors.CaseError`, whose
message lists each problem on one line as ``<file>: <dotted.key>: expected ...; got ...``.
"""

from __future__ import annotations

import difflib
import typing
from collections.abc import Mapping
from pathlib import Path

import yaml
from pydantic import BaseModel, ValidationError

from ..errors import CaseError
from .current import SCHEDULES
from .presets import PRESET_FILLED
from .schema import Case
from .units import show

__all__ = ["MAX_CASE_BYTES", "case_from_dict", "load_case", "read_case_data", "write_resolved"]

MAX_CASE_BYTES = 1_000_000  # a case file is a page of text; anything bigger is refused unread
MAX_YAML_NODES = 1_000_000  # nodes after expanding aliases ("billion laughs" guard)
MAX_PROBLEMS_SHOWN = 20     # a CaseError lists at most this many problems (and counts the rest)
# libyaml's parser (when PyYAML has it) is ~5x faster on a 1 MB file and limits nesting depth.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_TAGS = SCHEDULES


def _model_in(annotation):
    """The BaseModel class inside an annotation (Optional/Annotated/Union), if exactly one."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    found = [m for arg in typing.get_args(annotation) if (m := _model_in(arg)) is not None]
    return found[0] if len(found) == 1 else None


def _model_at(loc: tuple):
    """The model class at a (raw) validation-error location, walking down from Case."""
    model = Case
    for i, part in enumerate(loc):
        if i and loc[i - 1] == "current" and part in _TAGS:
            model = _TAGS[part]
        elif model is not None and isinstance(part, str) and part in model.model_fields:
            model = _model_in(model.model_fields[part].annotation)
        else:
            return None
    return model


def _clean_loc(loc: tuple) -> tuple:
    """Drop the discriminator tag pydantic inserts after transport.current."""
    return tuple(part for i, part in enumerate(loc)
                 if not (i and loc[i - 1] == "current" and part in _TAGS))


def _explain(error: dict) -> str:
    """The ``expected ...; got ...`` text for one pydantic error."""
    kind, given, loc = error["type"], error.get("input"), tuple(error["loc"])
    ctx = error.get("ctx") or {}
    if kind == "case_value":
        return ctx["message"]
    if kind == "missing":
        model = _model_at(loc[:-1])
        field = model.model_fields.get(loc[-1]) if model is not None else None
        wanted = field.description if field is not None and field.description else "a value"
        clean = _clean_loc(loc)
        hint = " (or set geometry.preset: vip or vip2)" if clean[-2:] in PRESET_FILLED else ""
        return f"expected {wanted}{hint}; got nothing (the key is missing)"
    if kind == "invalid_key":   # the input is the key itself (a number, a date, true, null)
        return f"expected keys that are text (quote the key); got the key {show(given)}"
    if kind == "extra_forbidden":
        model = _model_at(loc[:-1])
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


def _format_errors(exc: ValidationError, source: str) -> str:
    lines = {}   # insertion-ordered set: a file with 100,000 bad values must not take minutes
    for error in exc.errors(include_url=False):
        loc = _clean_loc(tuple(error["loc"]))
        if error["type"] == "invalid_key":
            loc = loc[:-1] + (show(error.get("input")),)
        subkey = (error.get("ctx") or {}).get("subkey")
        key_loc = loc + tuple(subkey.split(".")) if subkey else loc
        key = ".".join(str(p) for p in key_loc) or "(top level)"
        lines.setdefault(f"{source}: {key}: {_explain(error)}", None)
    lines = list(lines)
    if len(lines) == 1:
        return lines[0]
    shown = lines[:MAX_PROBLEMS_SHOWN]
    if len(lines) > len(shown):
        shown.append(f"{source}: ... and {len(lines) - len(shown):,} more problems")
    return f"{source}: {len(lines)} problems in the case:\n" + "\n".join(shown)


def case_from_dict(data, source: str = "<dict>") -> Case:
    """Validate plain data (as loaded from YAML) into a :class:`Case`; raises CaseError.

    ``source`` names the origin in error messages and becomes ``case.source``.
    """
    if not isinstance(data, Mapping):
        raise CaseError(f"{source}: (top level): expected a mapping of sections (name:, "
                        f"geometry:, transport:, ...); got {show(data)}")
    try:
        case = Case.model_validate(dict(data))
    except ValidationError as exc:
        raise CaseError(_format_errors(exc, source)) from None
    case._source = source
    return case


def _check_nodes(node, source: str) -> None:
    """Refuse alias bombs, recursive aliases, duplicate keys and integers too long to read
    before constructing objects."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(n) -> int:
        key = id(n)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise CaseError(f"{source}: line {n.start_mark.line + 1}: expected plain data; got "
                            "a recursive alias (an anchor that contains itself)")
        active.add(key)
        total = 1
        if isinstance(n, yaml.ScalarNode) and n.tag == "tag:yaml.org,2002:int" \
                and len(n.value) > 4000:   # Python refuses to read ints of over 4,300 digits
            raise CaseError(f"{source}: line {n.start_mark.line + 1}: expected a number of at most "
                            f"4,000 digits; got one of {len(n.value):,} characters")
        if isinstance(n, yaml.SequenceNode):
            for child in n.value:
                total += size(child)
        elif isinstance(n, yaml.MappingNode):
            seen = set()
            for k, v in n.value:
                if isinstance(k, yaml.ScalarNode) and k.value != "<<":
                    if k.value in seen:
                        raise CaseError(f"{source}: line {k.start_mark.line + 1}: expected each "
                                        f"key once in a mapping; got \"{k.value}\" twice")
                    seen.add(k.value)
                total += size(k) + size(v)
        if total > MAX_YAML_NODES:
            raise CaseError(f"{source}: expected at most {MAX_YAML_NODES:,} values after "
                            "expanding YAML aliases (&anchor/*alias); got more (an alias bomb?)")
        active.discard(key)
        sizes[key] = total
        return total

    size(node)


def _parse_yaml(text: str, source: str):
    loader = None
    try:
        loader = _SAFE_LOADER(text.lstrip("\ufeff"))  # may refuse control characters at once
        node = loader.get_single_node()
        if node is None:
            return None
        _check_nodes(node, source)
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise CaseError(f"{source}: {where}expected valid YAML; got {exc.problem or exc}") \
            from None
    except yaml.YAMLError as exc:
        raise CaseError(f"{source}: expected valid YAML; got {exc}") from None
    except RecursionError:
        raise CaseError(f"{source}: expected plain data; got YAML nested too deeply") from None
    except (ValueError, OverflowError) as exc:   # e.g. an int of 5,000 digits, a date 2001-13-45
        raise CaseError(f"{source}: expected plain data; got a value YAML cannot read "
                        f"({str(exc)[:120]})") from None
    finally:
        if loader is not None:
            loader.dispose()


def read_case_data(path):
    """Read a YAML case file (UTF-8, at most 1 MB, safe YAML only) into plain data (a mapping),
    before validation (``--set`` and sweeps change it first); raises CaseError."""
    path = Path(path)
    source = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_CASE_BYTES:
            raise CaseError(f"{source}: expected a case file of at most {MAX_CASE_BYTES:,} bytes "
                            f"(1 MB); got {size:,} bytes")
        with open(path, "rb") as handle:
            raw = handle.read(MAX_CASE_BYTES + 1)
    except OSError as exc:
        raise CaseError(f"{source}: expected a readable case file; got "
                        f"{exc.strerror or exc}") from None
    if len(raw) > MAX_CASE_BYTES:
        raise CaseError(f"{source}: expected a case file of at most {MAX_CASE_BYTES:,} bytes "
                        "(1 MB); got more")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CaseError(f"{source}: byte {exc.start}: expected UTF-8 text; got the byte "
                        f"0x{raw[exc.start]:02x} (save the file as UTF-8)") from None
    data = _parse_yaml(text, source)
    if not isinstance(data, Mapping):
        got = "an empty file" if data is None else show(data)
        raise CaseError(f"{source}: (top level): expected a mapping of sections (name:, "
                        f"geometry:, transport:, ...); got {got}")
    return data


def load_case(path) -> Case:
    """Read a YAML case file (UTF-8, at most 1 MB, safe YAML only) into a :class:`Case`."""
    return case_from_dict(read_case_data(path), source=str(path))


def write_resolved(case: Case, path) -> Path:
    """Write ``case.resolved.yaml``: every default and derived value, quantities in SI units."""
    path = Path(path)
    header = ("# Resolved case: every default filled in and every quantity in SI units.\n"
              f"# Read from: {case.source!r}\n"
              "# Loading this file gives the same case (vip_transport.solver.config.load_case).\n")
    body = yaml.safe_dump(case.to_resolved_dict(), sort_keys=False, allow_unicode=True,
                          default_flow_style=False)
    path.write_text(header + body, encoding="utf-8")
    return path
