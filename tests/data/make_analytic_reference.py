"""Regenerate ``analytic_reference.json``: the analytic method's results on the test grid,
computed with the independent reference time integral (scipy.integrate.quad per output
interval, rtol 1e-12: ``run_analytic(..., time_integral="quad")``).

The file was made with this script on the branch ``sweeps`` off main 6cbcc78, where the quad
path gives the same numbers as main's ``run_analytic`` (whose only time integral it was) for
every case it could run; the issue-12 crash case ran only once an absolute floor near
underflow was added to quad's error test.  tests/test_analytic_fast.py checks the fast
Gauss-Kronrod path against it to 1e-12; a slow test recomputes some cases with quad.

    .venv/bin/python tests/data/make_analytic_reference.py     # a few minutes
"""

import json
import sys
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
CASES = HERE.parent.parent / "cases"


def _make(name, preset="vip2", current="100 A", scale=1.0, reservoir="semi-infinite", injection="reservoir",
          convention="standard", time=None, connector=None, diffusivity="einstein"):
    data = {"name": name, "method": "analytic",
            "geometry": {"preset": preset, "reservoir": {"length": reservoir}},
            "transport": {"current": current, "diffusivity": diffusivity, "diffusivity_scale": scale,
                          "injection": injection, "convention": convention},
            "time": {"outputs": 40, **(time or {})}}
    if connector is not None:
        data["geometry"]["connector"] = {"length": connector}
    return data


def grid():
    """The test grid: tests/test_fv.py's analytic cases, both conventions, schedules, the shipped
    case files and the cases of issue 12 (name -> case data)."""
    out = {}
    for preset in ("vip", "vip2"):
        for current in ("0 A", "1 A", "40 A", "100 A"):
            for scale in (1.0, 0.01):
                for reservoir in ("semi-infinite", "20 cm"):
                    name = f"{preset}-{current.replace(' ', '')}-D{scale:g}-{reservoir.replace(' ', '')}"
                    out[name] = _make(name, preset, current, scale, reservoir)
    for preset, current in (("vip", "40 A"), ("vip2", "100 A"), ("vip2", "0 A")):
        for scale in (1.0, 0.01):
            name = f"single-{preset}-{current.replace(' ', '')}-D{scale:g}"
            out[name] = _make(name, preset, current, scale, injection="single-electron")
    square = {"schedule": "square", "high": "100 A", "low": "0 A", "period": "20 s", "duty": 0.5}
    out["square-wave"] = _make("square-wave", current=square, scale=0.01,
                               time={"duration": "200 s", "first_output": "1 s"})
    out["switched-on-late"] = _make("switched-on-late", current={"schedule": "constant", "value": "100 A",
                                                                  "t_on": "30 s"})
    out["table"] = _make("table", current={"schedule": "table", "times": ["0 s", "5 s", "50 s"],
                                           "values": ["100 A", "250 A", "10 A"]}, reservoir="2 cm")
    for conv_case in ("vip2-100A", "vip-40A"):
        preset, current = conv_case.split("-")
        name = f"paper-{conv_case}"
        out[name] = _make(name, preset, current[:-1] + " A", convention="paper")
    # issue 12: the analytic crash case and the FV cases it found
    out["issue12-crash"] = _make("issue12-crash", current="250 A", convention="paper",
                                 time={"duration": "0.5 s", "outputs": 60})
    out["issue12-strip-250A"] = _make("issue12-strip-250A", current="250 A", diffusivity="3.3e-7 m^2/s",
                                      time={"duration": "20 s"})
    out["issue12-100A-2cm"] = _make("issue12-100A-2cm", diffusivity="3.3e-7 m^2/s", reservoir="2 cm",
                                    time={"duration": "60 s"})
    out["issue12-1um-connector"] = _make("issue12-1um-connector", current="250 A", convention="paper",
                                         connector="1 um", time={"duration": "0.5 s"})
    for path in sorted(CASES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text())
        if data.get("method", "analytic") == "analytic":
            out[f"cases/{path.name}"] = data
    return out


def main():
    from vip_transport.solver.config import case_from_dict
    from vip_transport.solver.physics.derived import derive
    from vip_transport.solver.run.analytic import run_analytic

    records = {}
    for name, data in grid().items():
        case = case_from_dict(data, source=name)
        start = time.perf_counter()
        result = run_analytic(case, derive(case), time_integral="quad")
        print(f"{name}: {time.perf_counter() - start:.1f} s", file=sys.stderr)
        records[name] = {"case": data, "times_s": [float(t) for t in result.times],
                         "new_electrons_in_target": [float(v) for v in result.electrons_in_target],
                         "cumulative_scatterings": [float(v) for v in result.cumulative_scatterings]}
    out = HERE / "analytic_reference.json"
    lines = [f"  {json.dumps(name)}: {json.dumps(record)}" for name, record in records.items()]
    out.write_text('{"made_by": "tests/data/make_analytic_reference.py (time_integral=\'quad\')",\n "cases": {\n'
                   + ",\n".join(lines) + "\n}}\n")
    print(f"wrote {out} ({len(records)} cases)", file=sys.stderr)


if __name__ == "__main__":
    main()
