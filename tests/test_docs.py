"""The documentation shows what works: the README's Python example runs as written (from a
fresh process, in a scratch folder) and draws the X-ray rate; every docs/ page the README names
exists; no repository file points users at material outside the repository."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import ROOT


def test_the_readme_python_example_runs_and_draws_the_plot(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## From Python"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    code = code.replace('"cases/', f'"{ROOT}/cases/')
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env={"MPLBACKEND": "Agg", "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "xray_rate.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_documentation_pages_exist_and_stay_inside_the_repository():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for page in re.findall(r"\]\((docs/[^)#]+)\)", readme):
        assert (ROOT / page).is_file(), page
    for path in [ROOT / "README.md", *ROOT.glob("docs/*.md"), *ROOT.glob("cases/*.yaml"), *ROOT.glob("notebooks/*.ipynb")]:
        assert "../shared" not in path.read_text(encoding="utf-8"), path
        assert "PHYSICS.md" not in path.read_text(encoding="utf-8"), path
