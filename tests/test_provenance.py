"""Provenance a physicist can cite, and logs beside the results: summary.json names the
versions (BLAS and MKL included), the commit and whether the checkout had changes (only for a
checkout of this project), the case file's and the resolved case's SHA-256, the absolute
command and the working directory; run.log records what the run did; --quiet and --verbose."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

from vip_transport.solver.cli import main
from vip_transport.solver.config import load_case

from conftest import ROOT


def test_provenance_names_what_a_reader_needs(tmp_path, capsys):
    case_path = tmp_path / "mine.yaml"
    case_path.write_text((ROOT / "cases" / "vip2.yaml").read_text().replace("outputs: 200", "outputs: 5"))
    out = tmp_path / "out"
    assert main(["run", str(case_path), "--out", str(out)]) == 0
    prov = json.loads((out / "summary.json").read_text())["provenance"]
    for key in ("package_version", "python", "fipy", "numpy", "scipy", "pint", "pydantic", "matplotlib",
                "numpy_blas", "host", "started", "wall_time_s", "working_directory"):
        assert prov.get(key), key
    assert prov["case_file"] == str(case_path.resolve())
    assert prov["case_file_sha256"] == hashlib.sha256(case_path.read_bytes()).hexdigest()
    assert prov["case_resolved_sha256"] == load_case(case_path).digest()
    assert Path(prov["command"].split()[0]).is_absolute() and prov["working_directory"] == str(Path.cwd())
    # this test runs from a checkout of the project: its commit, and a dirty flag that git agrees with
    git = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True)
    status = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                            capture_output=True, text=True)
    assert prov["git_commit"] == git.stdout.strip()
    assert prov["git_dirty"] is (status.stdout.strip() != "")


def test_an_installed_copy_inside_another_repository_claims_no_commit(tmp_path):
    """A copy of the package outside this project's checkout (as pip installs it), even inside
    some other git repository, reports no commit of its own."""
    other = tmp_path / "their-analysis"
    (other / "vip_transport").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(other)], check=True)
    subprocess.run(["cp", "-r", str(ROOT / "solver"), str(other / "vip_transport" / "solver")], check=True)
    code = ("import sys; sys.path.insert(0, sys.argv[1]);"
            "from vip_transport.solver.io.provenance import source_checkout; print(source_checkout())")
    proc = subprocess.run([sys.executable, "-S", "-c", code, str(other)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "'git_commit': None" in proc.stdout and "'source': 'installed'" in proc.stdout


def test_run_log_and_the_talk_options(tmp_path, capsys):
    case = ROOT / "cases" / "vip2.yaml"
    out = tmp_path / "out"
    assert main(["run", str(case), "--out", str(out), "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    log = (out / "run.log").read_text()
    assert "INFO case vip2" in log and "finished in" in log
    assert "run.log" in json.loads((out / "summary.json").read_text())["files"]
    fv = tmp_path / "fv.yaml"
    fv.write_text(case.read_text().replace("method: analytic", "method: fv").replace("duration: 1e4 s", "duration: 100 s"))
    assert main(["run", str(fv), "--out", str(tmp_path / "fv"), "--verbose"]) == 0
    err = capsys.readouterr().err
    assert "INFO: case vip2" in err and "(50 %)" in err
    assert "(100 %)" in (tmp_path / "fv" / "run.log").read_text()
