"""Ledger rows of sec. 4's dimensional claim: "the final estimate of the amplification factors
does not depend on the dimension", checked by running small finite-volume cases in 1D, 2D and 3D
(``solver.compare.compare_dimensions``), with a uniform feed and with an uneven one."""

from __future__ import annotations

from ...compare import compare_dimensions
from ...config.loading import case_from_dict
from ...errors import SolverError
from ...physics.derived import derive
from .rows import ledger_case, row

__all__ = ["FEEDS", "dimension_amplifications", "dimension_case", "dimensional_claim_rows"]


def dimension_amplifications(comparison: dict) -> dict[int, float]:
    """Amplification factor per dimension, {dimension: A}, from a ``compare_dimensions`` result
    ({"rows": [{"dimension": d, "amplification_factor": A, ...}], ...}); rows without a
    factor (no current) are left out."""
    return {int(r["dimension"]): float(r["amplification_factor"]) for r in comparison["rows"]
            if r.get("amplification_factor") is not None}


#: Uneven feeds for the dimensional check: (description, connector keys, cells across the target).
FEEDS = {
    "vip": ("one 10 mm wide feed tab at 0 deg", {"width": "10 mm", "angles": ["0 deg"]}, 16),
    "vip2": ("a 5 mm wide connector flush with one edge", {"width": "5 mm", "offset": "7.5 mm"}, 8),
}


def dimension_case(preset: str, *, connector=None, transits: float = 3.0, cells_per_target: int = 16,
                   cells_across: int | None = None, time_steps: int = 100, outputs: int = 10):
    """A small finite-volume Table 1 case for the dimensional check: semi-infinite reservoir, 1 cm
    connector (plus ``connector`` keys: width, offset, angles), ``transits`` transit times n e A L/I,
    ``cells_per_target`` cells along and ``cells_across`` (default 4 VIP-2, 8 VIP) across,
    ``outputs`` log-spaced output times."""
    transit = derive(ledger_case(preset))["transit_time_s"]
    across = cells_across or {"vip": 8, "vip2": 4}[preset]
    return case_from_dict({"name": f"dims-{preset}",
                           "geometry": {"preset": preset, "connector": {"length": "1 cm", **(connector or {})}},
                           "transport": {}, "counting": {}, "method": "fv",
                           "time": {"duration": f"{transits * transit!r} s", "outputs": outputs},
                           "fv": {"cells_per_target": cells_per_target, "time_steps": time_steps,
                                  "cells_across": across},
                           "output": {"fields": []}}, source="solver.paper.ledger")


def dimensional_claim_rows(check: bool = True, tolerance: float = 1e-2, cells_per_target: int = 16,
                           time_steps: int = 100, feeds: bool = True) -> list[dict]:
    """Ledger rows for sec. 4's "the final estimate of the amplification factors does not depend
    on the dimension", for VIP and VIP-2, with ``solver.compare.compare_dimensions(case,
    dims=(1, 2, 3))`` on :func:`dimension_case`:

    * ``dimensional_claim.<preset>``: uniform feed (the paper's 1D picture), 3 transit times;
    * ``dimensional_claim.<preset>_feed`` (if ``feeds``): the uneven feed of :data:`FEEDS`, over 30
      transit times (the "final estimate"); details give the largest difference of N(t) during
      the switch-on.

    Confirmed when every |A_d/A_1D - 1| <= ``tolerance``, else refuted. If a run fails
    (SolverError), or ``check`` is False, the row is 'not yet checked' with the reason; never a
    made-up number.
    """
    specs = []
    for p in ("vip", "vip2"):
        specs.append((f"dimensional_claim.{p}", p, "uniform feed, 3 transit times", {}, 3.0, None))
        if feeds:
            label, connector, across = FEEDS[p]
            specs.append((f"dimensional_claim.{p}_feed", p, f"{label}, 30 transit times", connector, 30.0, across))

    def claim(p, what):
        return (f"sec. 4: the amplification factors do not depend on the dimension ({p.upper()}, {what}; ours: "
                f"max |A_d/A_1D - 1| over 2D and 3D, small FV resolution)")

    def pending(claim_id, p, what, reason):
        return row(claim_id, claim(p, what), "4 para. 2", "1", "0", None, "not yet checked", reason, paper=0.0)

    rows = []
    for claim_id, p, what, connector, transits, across in specs:
        if not check:
            rows.append(pending(claim_id, p, what, "skipped (check_dimensions=False)"))
            continue
        case = dimension_case(p, connector=connector, transits=transits, cells_per_target=cells_per_target,
                              cells_across=across, time_steps=time_steps)
        try:
            result = compare_dimensions(case, dims=(1, 2, 3))
        except SolverError as exc:
            rows.append(pending(claim_id, p, what, f"the finite-volume comparison failed: {exc}"))
            continue
        amps = dimension_amplifications(result)
        if 1 not in amps or len(amps) < 2:
            rows.append(pending(claim_id, p, what, f"compare_dimensions gave no amplification factor per "
                                                   f"dimension (found {sorted(amps)})"))
            continue
        worst = max(abs(a / amps[1] - 1.0) for dim, a in amps.items() if dim != 1)
        details = {f"amplification_{k}D": v for k, v in sorted(amps.items())}
        details["duration_s"] = case.time.duration
        details["cells_per_target"] = cells_per_target
        n_diff = [r["max_rel_diff_N_t"] for r in result["rows"] if r.get("max_rel_diff_N_t") is not None]
        if n_diff:
            details["max_rel_diff_N_t"] = max(n_diff)
        ok = worst <= tolerance
        note = f"tolerance {tolerance:g} on the amplification factor over {case.time.duration:.4g} s"
        if n_diff:
            note += f"; N(t) differs by up to {max(n_diff):.2g} of its maximum during the run"
        if not ok:
            note = f"the amplification factor differs by {worst:.3g} between dimensions ({note})"
        rows.append(row(claim_id, claim(p, what), "4 para. 2", "1", "0", worst, "confirmed" if ok else "refuted",
                         note, details=details, paper=0.0))
    return rows
