"""solver.io.results: the results folder, written whole or not at all, and what it holds.

A run result is built here by hand (known arrays, not a run), written, and read back: the time
series bit for bit, summary.json with the contract's keys (README, listed in conftest) and the
numbers given, JSON without NaN or infinity; the folder appears complete or keeps what was
there before, with no temporary folder left, for a failure at any point (an exception or
Ctrl-C inside it); a folder that is not ours is never deleted (refused, or moved aside with
force); the provenance names the versions imported here and the checkout's commit.
"""

import datetime as dt
import json
import math
import os
import shutil
import subprocess

import numpy as np
import pytest

from conftest import (DERIVED_CONTRACT_KEYS, ROOT, TIMESERIES_CONTRACT_COLUMNS, make_case, read_summary,
                      read_timeseries)
from vip_transport.solver.errors import UserError
from vip_transport.solver.io import results
from vip_transport.solver.io.outdir import MARKER
from vip_transport.solver.run.result import RunResult

AWKWARD = [0.1, 1 / 3, 2.0 / 3e-290, 5e-324, 1.2345678901234567e300, 123456789.123456789, 0.0]


def hand_made_result(case=None, n=7):
    """A RunResult with known numbers (1D: no fields): times 1..n s, N = awkward floats."""
    case = case or make_case("vip2", counting={"xray_count_limit": 2})
    times = np.arange(1.0, n + 1)
    n_target = np.array((AWKWARD * n)[:n])
    derived = {key: float(k + 1) for k, key in enumerate(DERIVED_CONTRACT_KEYS)}
    derived["transit_time_s"] = math.inf                 # I = 0 gives an infinite transit time
    counts = {"xrays_per_unit_violation": 3.5, "beta2_half_bound": 2 / 3.5, "electrons_passed": 1e21,
              "amplification_factor": None}
    return RunResult(case=case, method="fv", times=times, electrons_in_target=n_target,
                     scattering_rate=2.0 * n_target, cumulative_scatterings=np.cumsum(times) * 1e3,
                     derived=derived, counts=counts, numerics={"cells": np.int64(800), "worst": np.float32(0.5)},
                     wall_time_s=1.25)


def leftovers(parent, name):
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(f".{name}."))


# ----------------------------------------------------------------------------- json_safe


def test_json_safe_gives_plain_json_types():
    value = {"a": np.float64(1.5), "b": [np.int64(3), (np.float32(0.25), math.nan)], 7: np.array([[1.0, np.inf]]),
             "c": {"d": -math.inf, "e": None, "f": "text", "g": True}}
    safe = results.json_safe(value)
    assert safe == {"a": 1.5, "b": [3, [0.25, None]], "7": [[1.0, None]],
                    "c": {"d": None, "e": None, "f": "text", "g": True}}
    assert type(safe["a"]) is float and type(safe["b"][0]) is int
    json.dumps(safe, allow_nan=False)


# ----------------------------------------------------------------------------- atomic_folder


def contents(folder):
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.name != MARKER}


def test_atomic_folder_appears_whole(tmp_path):
    target = tmp_path / "results" / "run"
    with results.atomic_folder(target) as tmp:
        (tmp / "a.txt").write_text("a")
        assert not target.exists()                     # nothing visible before the end
    assert sorted(p.name for p in target.iterdir()) == sorted(["a.txt", MARKER])
    assert leftovers(target.parent, "run") == []


def test_atomic_folder_replaces_our_older_folder_whole(tmp_path):
    target = tmp_path / "run"
    with results.atomic_folder(target) as tmp:
        (tmp / "old.txt").write_text("old")
    with results.atomic_folder(target) as tmp:
        (tmp / "new.txt").write_text("new")
    assert contents(target) == {"new.txt": b"new"}
    assert leftovers(tmp_path, "run") == [] and sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_a_folder_that_is_not_ours_is_never_deleted(tmp_path):
    """Refused without force; with force moved aside under a visible name, whole."""
    target = tmp_path / "run"
    target.mkdir()
    (target / "thesis.tex").write_text("years of work")
    with pytest.raises(UserError):
        with results.atomic_folder(target) as tmp:
            (tmp / "new.txt").write_text("new")
    assert contents(target) == {"thesis.tex": b"years of work"} and leftovers(tmp_path, "run") == []
    with results.atomic_folder(target, force=True) as tmp:
        (tmp / "new.txt").write_text("new")
    assert contents(target) == {"new.txt": b"new"}
    (aside,) = [p for p in tmp_path.iterdir() if p.name.startswith("run.previous-")]
    assert contents(aside) == {"thesis.tex": b"years of work"}


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()],
                         ids=["OSError", "KeyboardInterrupt"])
def test_a_failure_inside_leaves_the_older_folder_as_it_was(tmp_path, failure):
    target = tmp_path / "run"
    with results.atomic_folder(target) as tmp:
        (tmp / "old.txt").write_bytes(b"previous results")
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    with pytest.raises(type(failure)):
        with results.atomic_folder(target) as tmp:
            (tmp / "half.png").write_bytes(b"half a plot")
            raise failure
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before
    assert leftovers(tmp_path, "run") == []


def test_the_folder_is_readable_by_others_as_the_umask_allows(tmp_path):
    old = os.umask(0o027)
    try:
        with results.atomic_folder(tmp_path / "run"):
            pass
    finally:
        os.umask(old)
    assert (tmp_path / "run").stat().st_mode & 0o777 == 0o750


# ----------------------------------------------------------------------------- the folder's files


def test_timeseries_reads_back_bit_for_bit(tmp_path):
    result = hand_made_result()
    results.write_timeseries(tmp_path / "timeseries.csv", result)
    header, rows = read_timeseries(tmp_path)
    assert header == TIMESERIES_CONTRACT_COLUMNS
    for column, values in enumerate([result.times, result.electrons_in_target, result.scattering_rate,
                                     result.cumulative_scatterings]):
        assert rows[:, column].tobytes() == np.asarray(values, float).tobytes(), header[column]


def test_summary_holds_the_contract_and_the_numbers_given():
    result = hand_made_result()
    summary = results.summary_dict(result, started="2024-01-01T00:00:00+00:00")
    text = json.dumps(summary, allow_nan=False)          # raises on NaN or infinity
    summary = json.loads(text)
    assert summary["complete"] is True and summary["error"] is None
    assert (summary["case"], summary["method"]) == ("test", "fv")
    assert summary["new_electrons_in_target_final"] == AWKWARD[6]
    assert summary["scatterings_total"] == 28e3
    assert summary["xrays_per_unit_violation"] == 3.5 and summary["beta2_half_bound"] == 2 / 3.5
    assert set(DERIVED_CONTRACT_KEYS) <= set(summary["derived"])
    assert summary["derived"]["transit_time_s"] is None
    assert summary["counts"] == {"electrons_passed": 1e21, "amplification_factor": None}
    assert summary["numerics"] == {"cells": 800, "worst": 0.5}
    assert summary["provenance"]["wall_time_s"] == 1.25
    assert summary["provenance"]["started"] == "2024-01-01T00:00:00+00:00"


def test_an_incomplete_summary_says_why():
    summary = results.summary_dict(hand_made_result(), started="now", error="conservation lost at step 7")
    assert summary["complete"] is False and summary["error"] == "conservation lost at step 7"


def test_provenance_names_what_ran():
    import fipy
    import scipy

    prov = results.provenance(wall_time_s=0.5, started=results.now_iso())
    assert (prov["fipy"], prov["numpy"], prov["scipy"]) == (fipy.__version__, np.__version__, scipy.__version__)
    started = dt.datetime.fromisoformat(prov["started"])
    assert started.tzinfo is not None
    assert abs((dt.datetime.now(dt.timezone.utc) - started).total_seconds()) < 600
    if shutil.which("git") and (ROOT / ".git").exists():
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True)
        assert prov["git_commit"] == head.stdout.strip()


def test_write_results_lists_exactly_what_it_wrote(tmp_path):
    result = hand_made_result()
    summary = results.write_results(tmp_path / "out", result, started="now")
    out = tmp_path / "out"
    assert sorted(summary["files"]) == sorted(p.name for p in out.iterdir() if p.name != MARKER)
    assert {"case.resolved.yaml", "summary.json", "timeseries.csv", "electrons_in_target.png",
            "cumulative_scatterings.png"} <= set(summary["files"])       # the contract's (later ones add)
    assert read_summary(out) == json.loads(json.dumps(summary))
    for png in ("electrons_in_target.png", "cumulative_scatterings.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
