"""The claims ledger as Markdown and JSON (``ledger.md``, ``ledger.json``)."""

from __future__ import annotations

import json
from pathlib import Path

from ...io.results import json_safe
from ..comparison import note_reference
from .rows import VERDICTS

__all__ = ["ledger_markdown", "ledger_json", "write_ledger"]


def _fmt(x):
    if x is None:
        return "-"
    return f"{x:.4g}"


def ledger_markdown(rows: list[dict]) -> str:
    """A Markdown table (id, claim, sec., paper, ours, rel. diff, verdict, note) with the causes
    as numbered notes below it, and a count of verdicts."""
    notes: list[str] = []
    out = ["| # | claim | sec. | unit | paper | ours | rel. diff | verdict | note |",
           "|---|---|---|---|---|---|---|---|---|"]
    for k, r in enumerate(rows, 1):
        ref = note_reference(notes, r["cause"])
        rel = "-" if r["rel_diff"] is None else f"{r['rel_diff']:+.2%}"
        printed = r["printed"] or "(none)"
        claim = r["claim"].replace("|", "\\|")
        out.append(f"| {k} | `{r['id']}`: {claim} | {r['section']} | {r['unit']} | {printed} | "
                   f"{_fmt(r['ours'])} | {rel} | {r['verdict']} | {ref} |".replace("\n", " "))
    out.append("")
    out.extend(f"[{i}] {n}" for i, n in enumerate(notes, 1))
    out.append("")
    counts = {v: sum(r["verdict"] == v for r in rows) for v in VERDICTS}
    out.append(f"{len(rows)} claims: " + ", ".join(f"{n} {v}" for v, n in counts.items() if n))
    return "\n".join(out)


def ledger_json(rows: list[dict]) -> dict:
    """JSON-ready ledger: {"verdicts": VERDICTS, "rows": rows} with inf/NaN as null."""
    return json_safe({"source": "Milotti et al., Entropy 2018, 20, 515", "verdicts": list(VERDICTS),
                      "rows": rows})


def write_ledger(folder, rows: list[dict]) -> list[str]:
    """Write ``ledger.md`` and ``ledger.json`` into ``folder``; returns the file names."""
    folder = Path(folder)
    head = ("# Claims ledger: Milotti et al., Entropy 2018, 20, 515\n\n"
            "Ours: CODATA constants, standard convention (variance 2 D t), Einstein D, close encounters "
            "unless stated. Verdict: confirmed (agrees at the printed precision or the stated tolerance), "
            "corrected (differs, cause named), refuted, not recomputable, not yet checked.\n\n")
    (folder / "ledger.md").write_text(head + ledger_markdown(rows) + "\n", encoding="utf-8")
    with open(folder / "ledger.json", "w") as fh:
        json.dump(ledger_json(rows), fh, indent=2, allow_nan=False)
        fh.write("\n")
    return ["ledger.md", "ledger.json"]
