"""Reliability (issue 13): the results folder never destroys a user's files, runs on the same
folder exclude each other, checkpoints cannot lie, and accepted values do not crash later.
Each test below failed on the code before the fix (the defect it is named for)."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import numpy as np
import pytest
import yaml

from conftest import ROOT, start_cli, wait_until_paused
from vip_transport.solver.cli import main
from vip_transport.solver.config import case_from_dict, load_case
from vip_transport.solver.errors import CaseError
from vip_transport.solver.io.outdir import MARKER

ANALYTIC = """
name: small
geometry: {preset: vip2}
transport: {current: 100 A}
time: {duration: 100 s, outputs: 6}
"""

FV = """
name: fvrun
geometry: {preset: vip2}
transport: {current: 100 A, diffusivity_scale: 0.01}
time: {duration: 1e3 s, outputs: 40}
method: fv
fv: {time_steps: 4000, cells_per_target: 200}
"""


def write_case(folder: Path, text: str = ANALYTIC, name: str = "case.yaml") -> Path:
    path = folder / name
    path.write_text(text)
    return path


cli = start_cli


def paused_run(tmp_path, out, pause_after=2900):
    """A finite-volume run on ``out`` stopped at step ``pause_after`` of its 4,256 (half of its
    40 outputs done, each checkpointed), waiting for a signal."""
    pause = tmp_path / f"paused-{out.name}"
    proc = cli("run", write_case(tmp_path, FV, "fv.yaml"), "--out", out, "--checkpoint-every", "0",
               pause_after=pause_after, pause_file=pause)
    wait_until_paused(pause, proc)
    return proc


def stopped_checkpoint(tmp_path, out):
    """The checkpoint folder of a run on ``out`` killed at a known step."""
    proc = paused_run(tmp_path, out)
    proc.kill()
    proc.wait(timeout=60)
    work = out.parent / f".{out.name}.checkpoint"
    assert (work / "state.npz").is_file()
    return work


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# ----------------------------------------------------------------------------- 1-4: --out


def test_out_on_a_folder_that_is_not_ours_is_refused_and_nothing_is_deleted(tmp_path, capsys):
    out = tmp_path / "thesis"
    (out / "figures").mkdir(parents=True)
    (out / "thesis.tex").write_text("\\documentclass{article}")
    assert main(["run", str(write_case(tmp_path)), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert str(out) in err and "--force" in err and "Traceback" not in err
    assert sorted(p.name for p in out.iterdir()) == ["figures", "thesis.tex"]
    # with --force the folder is moved aside under a visible name, never deleted
    assert main(["run", str(write_case(tmp_path)), "--out", str(out), "--force"]) == 0
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("thesis.previous-")]
    assert len(aside) == 1 and (aside[0] / "thesis.tex").read_text() == "\\documentclass{article}"
    assert (out / "summary.json").is_file() and (out / MARKER).is_file()


def test_files_a_user_added_to_our_results_are_kept(tmp_path, capsys):
    out = tmp_path / "results" / "small"
    assert main(["run", str(write_case(tmp_path)), "--out", str(out)]) == 0
    (out / "notes.txt").write_text("my notes")
    assert main(["run", str(write_case(tmp_path)), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    aside = [p for p in out.parent.iterdir() if p.name.startswith("small.previous-")]
    assert len(aside) == 1 and (aside[0] / "notes.txt").read_text() == "my notes"
    assert "notes.txt" in err and str(aside[0]) in err
    assert not (out / "notes.txt").exists() and (out / "summary.json").is_file()


def test_out_naming_a_file_is_refused(tmp_path, capsys):
    target = tmp_path / "data.csv"
    target.write_text("1,2,3")
    assert main(["run", str(write_case(tmp_path)), "--out", str(target)]) == 2
    assert "data.csv" in capsys.readouterr().err
    assert target.read_text() == "1,2,3" and hidden(tmp_path) == []


def test_out_dot_is_refused_and_leaves_nothing(tmp_path):
    case = write_case(tmp_path)
    proc = cli("run", case, "--out", ".", cwd=tmp_path)
    assert proc.wait(timeout=120) == 2
    err = proc.stderr.read()
    assert "current directory" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.yaml"]


@pytest.mark.parametrize("where", ["under a file", "on a read-only file system"])
def test_unwritable_out_is_a_user_error_naming_the_path(tmp_path, capsys, where):
    if where == "under a file":
        (tmp_path / "plain").write_text("x")
        out = tmp_path / "plain" / "results"
    else:
        out = Path("/proc/vip-transport-results")        # not writable, even by root
    assert main(["run", str(write_case(tmp_path)), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert str(out) in err and "Traceback" not in err and "internal error" not in err


# ----------------------------------------------------------------------------- 5: concurrency


def test_a_second_run_on_the_same_out_is_refused_and_the_first_finishes_intact(tmp_path):
    out = tmp_path / "out"
    first = paused_run(tmp_path, out)
    second = cli("run", write_case(tmp_path, FV, "fv2.yaml"), "--out", out)
    assert second.wait(timeout=120) == 2
    err = second.stderr.read()
    assert "another run is writing" in err and f"process {first.pid}" in err
    first.send_signal(signal.SIGINT)                  # stop the first one at its pause point ...
    assert first.wait(timeout=60) == 130
    resumed = cli("run", "--resume", out)             # ... and finish it: its work was intact
    assert resumed.wait(timeout=300) == 0, resumed.stderr.read()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["complete"] and len(summary["files"]) >= 5
    assert hidden(tmp_path) == []                     # no lock, checkpoint or temporary left


# ----------------------------------------------------------------------------- 6-7: checkpoints


@pytest.mark.parametrize("damage", ["truncated", "emptied", "random bytes", "no case file"])
def test_a_damaged_checkpoint_is_refused(tmp_path, damage):
    out = tmp_path / "out"
    work = stopped_checkpoint(tmp_path, out)
    state = work / "state.npz"
    if damage == "truncated":
        state.write_bytes(state.read_bytes()[: state.stat().st_size // 2])
    elif damage == "emptied":
        state.write_bytes(b"")
    elif damage == "random bytes":
        state.write_bytes(np.random.default_rng(0).bytes(4096))
    else:
        (work / "case.resolved.yaml").unlink()
    proc = cli("run", "--resume", out)
    assert proc.wait(timeout=120) == 2
    err = proc.stderr.read()
    assert "checkpoint cannot be used" in err and "without --resume" in err and "Traceback" not in err


def test_a_checkpoint_with_a_changed_array_is_refused(tmp_path):
    """A well-formed file whose density was changed fails its checksum."""
    out = tmp_path / "out"
    work = stopped_checkpoint(tmp_path, out)
    with np.load(work / "state.npz") as data:
        arrays = {k: np.array(data[k]) for k in data.files}
    arrays["c"][10] *= 2.0
    np.savez(work / "state.npz", **arrays)
    proc = cli("run", "--resume", out)
    assert proc.wait(timeout=120) == 2 and "checksum of c" in proc.stderr.read()


@pytest.mark.parametrize("edit", [("fv", "convection", "upwind"), ("transport", "current", "40.0 A"),
                                  ("fv", "cells_per_target", 400)])
def test_a_checkpoint_whose_case_was_edited_is_refused(tmp_path, edit):
    out = tmp_path / "out"
    work = stopped_checkpoint(tmp_path, out)
    resolved = work / "case.resolved.yaml"
    data = yaml.safe_load(resolved.read_text())
    section, key, value = edit
    if key == "current":
        data[section][key]["value"] = value
    else:
        data[section][key] = value
    resolved.write_text(yaml.safe_dump(data))
    proc = cli("run", "--resume", out)
    assert proc.wait(timeout=120) == 2
    err = proc.stderr.read()
    assert "edited after the run started" in err and "Traceback" not in err


def test_resume_messages_say_what_is_missing(tmp_path, capsys):
    assert main(["run", "--resume", str(tmp_path / "never")]) == 2
    assert "no checkpoint folder" in capsys.readouterr().err
    (tmp_path / ".half.checkpoint").mkdir()
    assert main(["run", "--resume", str(tmp_path / "half")]) == 2
    err = capsys.readouterr().err
    assert "no checkpoint folder" not in err and "has no case.resolved.yaml" in err


# ----------------------------------------------------------------------------- 8: extreme values

BASE = {"name": "x", "geometry": {"preset": "vip2"}, "transport": {}, "counting": {}}


@pytest.mark.parametrize("change, key", [
    ({"material": {"fermi_energy": "1e300 eV"}}, "material.fermi_energy"),
    ({"material": {"conductivity": "1e-300 S/m"}}, "material.conductivity"),
    ({"geometry": {"preset": "vip2", "width": "1e-200 m", "thickness": "1e-200 m"}}, "geometry.width"),
    ({"geometry": {"preset": "vip2", "connector": {"length": "1e-300 m"}}, "method": "fv"}, "geometry.connector.length"),
    ({"geometry": {"preset": "vip2", "outlet": {"length": "1e-300 m"}}, "method": "fv"}, "geometry.outlet.length"),
    ({"fv": {"far_field": 1e-300}, "method": "fv"}, "fv.far_field"),
    ({"time": {"duration": "1e-300 s"}, "method": "fv"}, "time.duration"),
    ({"counting": {"xray_count_limit": 0}}, "counting.xray_count_limit"),
])
def test_extreme_values_are_refused_at_validation_with_the_key(change, key):
    with pytest.raises(CaseError) as info:
        case_from_dict({**BASE, **change}, source="cases/x.yaml")
    assert f"cases/x.yaml: {key}: expected" in str(info.value)


def test_messages_escape_control_characters_and_use_the_keys_own_example(tmp_path, capsys):
    with pytest.raises(CaseError) as info:
        case_from_dict({**BASE, "name": "a\x00b\x1b[2J"})
    assert "\x00" not in str(info.value) and "\x1b" not in str(info.value) and "\\x00" in str(info.value)
    with pytest.raises(CaseError) as info:
        case_from_dict({**BASE, "counting": {"geometric_factor": "1e400"}})
    assert "such as 0.018" in str(info.value) and "2.3e6" not in str(info.value)


# ----------------------------------------------------------------------------- 9: leftovers


def test_a_failed_start_leaves_nothing(tmp_path, capsys):
    """A 2D case whose connector lies outside the strip fails when its mesh is built."""
    case = write_case(tmp_path, FV.replace("geometry: {preset: vip2}", "geometry: {preset: vip2, dimension: 2, "
                                           "connector: {width: 5 mm, offset: 30 mm}}"))
    assert main(["run", str(case), "--out", str(tmp_path / "out")]) == 2
    assert "geometry" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.yaml"]


def test_stale_temporary_folders_of_ours_are_removed_by_the_next_run(tmp_path):
    out = tmp_path / "out"
    stale = tmp_path / ".out.tmp-killed"
    stale.mkdir()
    (stale / MARKER).write_text("{}")
    (stale / "timeseries.csv").write_text("half")
    foreign = tmp_path / ".out.tmp-not-ours"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("someone else's")
    assert main(["run", str(write_case(tmp_path)), "--out", str(out)]) == 0
    assert not stale.exists()
    assert (foreign / "keep.txt").exists()


# ----------------------------------------------------------------------------- 10: smaller


def test_the_shipped_case_documents_every_key_and_choice():
    text = (ROOT / "cases" / "vip2.yaml").read_text()
    assert "max_steps" in text and "pardiso" in text
    assert load_case(ROOT / "cases" / "vip2.yaml").limits.max_steps == 1_000_000
