"""Start-up of `vip-transport run` for an analytic case (issue 14 item 2): FiPy is never
imported, matplotlib only when the plots are drawn (checked in a fresh interpreter, where
sys.modules shows exactly what the command imported).  The time itself is measured by
benchmarks/bench_sweep.py, not asserted."""

import subprocess
import sys
from pathlib import Path

CASES = Path(__file__).resolve().parent.parent / "cases"

SCRIPT = """
import sys
from vip_transport.solver.io import results
from vip_transport.solver.cli import main

plot = results.plot_result
seen = {}

def watched(folder, result):
    seen["matplotlib before the plots"] = "matplotlib" in sys.modules
    return plot(folder, result)

results.plot_result = watched
code = main(["run", sys.argv[1], "--out", sys.argv[2]])
print(code, seen["matplotlib before the plots"], "fipy" in sys.modules, "matplotlib" in sys.modules)
"""


def test_analytic_run_imports_neither_fipy_nor_matplotlib_early(tmp_path):
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(CASES / "vip2.yaml"), str(tmp_path / "vip2")],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    code, matplotlib_early, fipy, matplotlib_at_end = out.stdout.split()[-4:]
    assert code == "0"
    assert matplotlib_early == "False" and fipy == "False" and matplotlib_at_end == "True"
