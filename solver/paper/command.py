"""The ``vip-transport paper`` command: figures 2 and 3 (PNG + CSV), the claims ledger
(Markdown + JSON) and a summary, written atomically into one folder."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

from ..io.outdir import claim
from ..io.results import atomic_folder, json_safe, now_iso, provenance
from .figures import (DEFAULT_RESERVOIR_TARGET_VOLUMES, Figure3Data, figure2_data, figure3_data,
                      plot_figure2, plot_figure3)
from .ledger import build_ledger, write_ledger

__all__ = ["write_paper", "run_paper"]


def _write_figure2_csv(panels, folder: Path) -> list[str]:
    names = []
    for k, p in enumerate(panels):
        name = f"figure2_{'abc'[k]}.csv"
        with open(folder / name, "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["x_m"] + [f"pdf_per_m_t{t:g}s" for t in p.times])
            for j, x in enumerate(p.x):
                w.writerow([repr(float(x))] + [repr(float(v)) for v in p.pdf[:, j]])
        names.append(name)
    return names


def _write_figure3_csv(data: Figure3Data, folder: Path) -> str:
    name = "figure3.csv"
    with open(folder / name, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["panel", "time_s"] + [f"fraction_in_target_I{i:g}A" for i in data.currents])
        for panel, times, curves in (("short", data.short_times, data.short), ("long", data.long_times, data.long)):
            for j, t in enumerate(times):
                w.writerow([panel, repr(float(t))] + [repr(float(curves[i][j])) for i in data.currents])
    return name


def write_paper(out, *, reservoir_target_volumes: float = DEFAULT_RESERVOIR_TARGET_VOLUMES,
                check_dimensions: bool = True, force: bool = False) -> dict:
    """Write figures 2-3 (PNG + CSV), the claims ledger (ledger.md, ledger.json) and summary.json
    into the folder ``out``, atomically (all or nothing; ``io.outdir`` rules for an existing
    folder, ``force`` as for ``run``). Returns the summary dict."""
    with claim(out, force=force) as out:
        return _write_paper(out, reservoir_target_volumes, check_dimensions, force)


def _write_paper(out, reservoir_target_volumes, check_dimensions, force) -> dict:
    started, start = now_iso(), time.perf_counter()
    panels = figure2_data(reservoir_target_volumes)
    fig3 = figure3_data(reservoir_target_volumes=reservoir_target_volumes)
    rows = build_ledger(reservoir_target_volumes=reservoir_target_volumes, check_dimensions=check_dimensions)
    with atomic_folder(out, force=force) as tmp:
        files = [plot_figure2(panels, tmp / "figure2.png").name, *_write_figure2_csv(panels, tmp),
                 plot_figure3(fig3, tmp / "figure3.png").name, _write_figure3_csv(fig3, tmp),
                 *write_ledger(tmp, rows)]
        verdicts: dict[str, int] = {}
        for r in rows:
            verdicts[r["verdict"]] = verdicts.get(r["verdict"], 0) + 1
        line2, line3 = panels[0].line, fig3.lines[fig3.currents[-1]]
        summary = json_safe({
            "what": "Milotti et al., Entropy 2018, 20, 515: figures 2 and 3 (paper convention, closed forms) "
                    "and the claims ledger",
            "reservoir_target_volumes": reservoir_target_volumes,
            "figure2": {"target": "vip", "reservoir_length_m": line2.reservoir_length,
                        "reservoir_volume_m3": line2.reservoir_length * line2.area,
                        "diffusivity_m2_s": line2.diffusivity, "convention": line2.convention,
                        "connector_m": -line2.x_max,
                        "panels": [{"label": p.label, "current_A": p.line.current, "times_s": p.times}
                                   for p in panels]},
            "figure3": {"target": "vip2", "reservoir_length_m": line3.reservoir_length,
                        "reservoir_volume_m3": line3.reservoir_length * line3.area,
                        "diffusivity_m2_s": line3.diffusivity, "convention": line3.convention,
                        "currents_A": fig3.currents},
            "ledger_verdicts": verdicts,
            "files": files + ["summary.json"],
            "provenance": provenance(wall_time_s=time.perf_counter() - start, started=started),
        })
        with open(tmp / "summary.json", "w") as fh:
            json.dump(summary, fh, indent=2, allow_nan=False)
            fh.write("\n")
    return summary


def run_paper(args) -> int:
    """The ``vip-transport paper [--out DIR]`` command: write the folder, report, return 0."""
    out = Path(getattr(args, "out", None) or "results/paper")
    volumes = getattr(args, "reservoir_target_volumes", None) or DEFAULT_RESERVOIR_TARGET_VOLUMES
    summary = write_paper(out, reservoir_target_volumes=volumes, force=getattr(args, "force", False))
    counts = ", ".join(f"{v} {k}" for k, v in sorted(summary["ledger_verdicts"].items()))
    print(f"figures 2 and 3 (reservoir {volumes:.3g} target volumes) and the claims ledger ({counts})")
    print(f"results: {out}")
    return 0
