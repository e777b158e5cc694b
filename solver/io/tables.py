"""Tables of report rows (dicts): Markdown for people, CSV (full precision) and JSON for
programs.  Numbers are written with 4 significant digits in Markdown, repr() in CSV."""

from __future__ import annotations

import csv
import json
import math

import numpy as np

__all__ = ["format_value", "markdown_table", "write_csv", "write_json"]


def format_value(value) -> str:
    """A cell for people: "-" for None, integers as they are, floats to 4 significant digits."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    if isinstance(value, (bool, str)):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    value = float(value)
    if value == 0 or 1e-3 <= abs(value) < 1e5:
        return f"{value:.4g}"
    return f"{value:.3e}"


def markdown_table(rows, columns, headers=None) -> str:
    """``rows`` (dicts) as a Markdown table of ``columns`` (keys), headed by ``headers``."""
    headers = list(headers or columns)
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(format_value(r.get(c)).replace("|", "\\|") for c in columns) + " |"
              for r in rows]
    return "\n".join(lines) + "\n"


def write_csv(path, rows, columns) -> None:
    """``rows`` as CSV with the header ``columns``; floats at full precision, None empty."""
    with open(path, "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for r in rows:
            writer.writerow(["" if r.get(c) is None else (repr(float(r[c])) if isinstance(r[c], float) else r[c])
                             for c in columns])


def write_json(path, data) -> None:
    """``data`` as indented JSON (numpy types as Python, inf/NaN as null)."""
    from .results import json_safe

    with open(path, "w") as fh:
        json.dump(json_safe(data), fh, indent=2, allow_nan=False)
        fh.write("\n")
