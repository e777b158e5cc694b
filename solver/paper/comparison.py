"""Our derived quantities beside the paper's printed numbers: ``vip-transport derive``.

``compare_with_paper(case)`` sets ``derive(case)`` against :mod:`.printed` with a verdict and,
for each disagreement, its cause (the numbered misprints of docs/physics.md, the case's own
choices of D and convention, a material other than the paper's copper).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ..config.presets import preset_target
from ..physics import material as m
from ..physics.choices import choice_notes, model_choices
from ..physics.derived import derive
from .printed import PRESETS, agrees_with_printed, paper_entries

if TYPE_CHECKING:
    from ..config.schema import Case

__all__ = ["compare_with_paper", "format_table", "derive_json", "derive_text", "note_reference"]

# Relative tolerances for "the case's geometry/current is the preset's": the area tolerance
# admits Table 1's w = 282.74 mm as well as 2 pi x 45 mm = 282.743 mm.
_MATCH_RTOL = {"length": 1e-6, "area": 1e-4, "current": 1e-6}


def _scope(case: Case) -> tuple[str, bool, str]:
    """(preset for the table, full comparison?, note saying which quantities are compared)."""
    preset = case.geometry.preset
    if preset not in PRESETS:
        return ("vip", False,
                "material quantities only: the case has no geometry preset ('vip'/'vip2'), so "
                "its geometry and current are not the paper's")
    want = preset_target(preset)
    have = {
        "length": float(case.geometry.length),
        "area": float(case.geometry.area),
        "current": float(case.transport.current.nominal()),
    }
    off = [
        f"{k} {have[k]:.6g} vs {want[k]:.6g}"
        for k in want
        if not math.isclose(have[k], want[k], rel_tol=_MATCH_RTOL[k])
    ]
    if off:
        return (preset, False,
                f"material quantities only: the case's geometry/current differ from Table 1 "
                f"preset '{preset}' ({', '.join(off)})")
    return (preset, True, f"all quantities: the case's L, A, I are Table 1 preset '{preset}'")


def _material_deviation(case: Case) -> str:
    cu = m.Copper()
    mat = case.material
    diffs = []
    for name, unit, ref, scale in (
        ("fermi_energy", "eV", cu.fermi_energy, m.ELECTRON_VOLT),
        ("conductivity", "S/m", cu.conductivity, 1.0),
        ("temperature", "K", cu.temperature, 1.0),
    ):
        val = float(getattr(mat, name))
        if not math.isclose(val, ref, rel_tol=1e-9):
            diffs.append(f"{name} {val / scale:.6g} {unit} (paper {ref / scale:.6g})")
    return ("case material differs from the paper's copper: " + ", ".join(diffs)) if diffs else ""


_MFP_KEYS = ("mean_free_path_m", "rs_scatterings_per_transit", "amplification_conduction",
             "amplification_close_encounters")
_ENCOUNTER_KEYS = ("electron_wavelength_m", "close_encounter_distance_m", "close_encounter_time_s",
                   "close_encounters_per_transit", "amplification_close_encounters",
                   "scattering_rate_per_s", "scatterings_per_transit")


def _case_causes(case: Case, key: str) -> list[str]:
    """Causes that come from the case's own choices rather than from the paper."""
    tr = case.transport
    causes = []
    if key in ("diffusivity_m2_s", "rms_diffusion_length_m"):
        choice = tr.diffusivity
        if choice != "einstein":
            what = f"'{choice}'" if isinstance(choice, str) else f"{float(choice):.6g} m^2/s"
            causes.append(f"case uses D = {what}; the paper uses the Einstein relation (eq. 13)")
        if tr.diffusivity_scale != 1.0:
            causes.append(f"case scales D by {tr.diffusivity_scale:g} (Figure 2 uses 0.01)")
    cnt = case.counting
    if key in _MFP_KEYS and cnt.mean_free_path_speed != "fermi":
        causes.append("case takes the mean free path at the average speed (3/4) v_F "
                      "(counting.mean_free_path_speed); the paper at v_F")
    if key in _ENCOUNTER_KEYS and cnt.encounter_speed != "average":
        causes.append("case takes the close encounters at v_F (counting.encounter_speed); the paper "
                      "at the average speed (3/4) v_F")
    if key == "rms_diffusion_length_m" and tr.convention != "paper":
        causes.append(
            "convention (misprint 1): the standard r_RMS = sqrt(2 D dt_T) is sqrt(2) x the "
            "paper's sqrt(D dt_T); use convention 'paper' to reproduce it"
        )
    return causes


def compare_with_paper(case: Case, derived: dict | None = None) -> list[dict]:
    """Rows comparing ``derive(case)`` with the paper's printed numbers.

    Each row: {quantity, unit, paper, printed, ours, rel_diff, verdict, cause, section, scope}.
    ``verdict`` is 'agrees' when |ours - paper| <= half a unit of the last printed digit
    (bounds: when ours satisfies the bound), else 'differs'; ``cause`` names the reason for each
    disagreement (docs/physics.md misprint numbers, the case's D/convention choices, a non-paper
    material) and is empty when the row agrees. ``rel_diff`` = (ours - paper)/paper.

    If the case has no preset, or its length/area/current are not Table 1's for its preset,
    only the material quantities (which do not depend on L, A, I) are compared, and every row's
    ``scope`` says so.
    """
    d = derive(case) if derived is None else derived
    preset, full, scope = _scope(case)
    mat_dev = _material_deviation(case)
    rows = []
    for e in paper_entries(preset):
        if e.scope == "case" and not full:
            continue
        ours = d.get(e.key)
        ok = agrees_with_printed(ours, e.printed, e.kind)
        rel = None if ours is None else (ours - e.value) / e.value
        cause = ""
        if not ok:
            parts = ([mat_dev] if mat_dev else []) + _case_causes(case, e.key)
            if e.cause:
                parts.append(e.cause)
            if ours is None:
                parts.append("ours is infinite/undefined")
            cause = "; ".join(parts) if parts else "unexplained"
        rows.append({
            "quantity": e.key,
            "unit": e.unit,
            "paper": e.value,
            "printed": ("> " if e.kind == "lower_bound" else "") + e.printed,
            "ours": ours,
            "rel_diff": rel,
            "verdict": "agrees" if ok else "differs",
            "cause": cause,
            "section": e.section,
            "scope": scope,
        })
    return rows


def note_reference(notes: list[str], cause: str) -> str:
    """"[k]" for ``cause`` in the numbered ``notes`` (appended if new); "" without a cause."""
    if not cause:
        return ""
    if cause not in notes:
        notes.append(cause)
    return f"[{notes.index(cause) + 1}]"


def format_table(rows: list[dict]) -> str:
    """Fixed-width text table of ``compare_with_paper`` rows; causes are listed as notes below."""
    scopes = list(dict.fromkeys(r.get("scope", "") for r in rows if r.get("scope")))
    head = ["quantity", "unit", "sec.", "paper", "ours", "rel.diff", "verdict", "note"]
    body = []
    notes: list[str] = []
    for r in rows:
        note = note_reference(notes, r["cause"])
        ours = "inf/None" if r["ours"] is None else f"{r['ours']:.4g}"
        rel = "" if r["rel_diff"] is None else f"{r['rel_diff']:+.2%}"
        body.append([r["quantity"], r["unit"], r.get("section", ""), r.get("printed", f"{r['paper']:g}"),
                     ours, rel, r["verdict"], note])
    widths = [max(len(str(x)) for x in col) for col in zip(head, *body)] if body else [len(h) for h in head]

    def line(cells):
        return "  ".join(str(c).ljust(w) for c, w in zip(cells, widths)).rstrip()
    out = [f"# {s}" for s in scopes]
    out.append("# verdict: 'agrees' if |ours - paper| <= half a unit of the last printed digit")
    out.append(line(head))
    out.append(line(["-" * w for w in widths]))
    out.extend(line(b) for b in body)
    if notes:
        out.append("")
        out.extend(f"[{i}] {n}" for i, n in enumerate(notes, 1))
    n_ok = sum(r["verdict"] == "agrees" for r in rows)
    out.append("")
    out.append(f"{n_ok}/{len(rows)} printed values agree")
    return "\n".join(out)


def derive_json(case: Case) -> dict:
    """``derive(case)`` plus ``{"model_choices": ..., "paper_comparison": compare_with_paper(case)}``;
    JSON-serialisable."""
    d = derive(case)
    out: dict = dict(d)
    out["model_choices"] = model_choices(case)
    out["paper_comparison"] = compare_with_paper(case, d)
    return out


def derive_text(case: Case) -> str:
    """The ``derive`` table: the model choices in force and the ones that move the answer
    (``physics.choices.choice_notes``), then :func:`format_table`."""
    d = derive(case)
    return "\n".join(f"# {line}" for line in choice_notes(case, d)) + "\n" + format_table(compare_with_paper(case, d))
