"""solver.io.checkpoint: what a checkpoint saves comes back bit for bit, a failed write leaves the
previous checkpoint whole, and a run resumed from one equals the run that was never stopped.

Runs are stopped at a known step (``run_case(stop_after=k)``), never raced against the clock;
the save interval is 0 (every output) or infinite (never by itself).  Damaged checkpoints and
edited cases are refused: tests/test_reliability.py.
"""

import math

import numpy as np
import pytest

from conftest import make_case
from vip_transport.solver.errors import UserError
from vip_transport.solver.io.checkpoint import Checkpointer, checkpoint_folder, load_checkpoint
from vip_transport.solver.run import run_case
from vip_transport.solver.run.bookkeeping import Records
from vip_transport.solver.timestepping.base import StepState


CASE = make_case("vip2", method="fv", fv={"cells_per_target": 50})


def state_and_records(seed=0, cells=50, snapshots=2):
    rng = np.random.default_rng(seed)
    state = StepState(t=12.345678901234567, c=rng.random(cells) * 8.4e28, next_step=1234,
                      integrals={"n_target_dt": 1 / 3, "inflow": 2.5e20, "outflow": 1e-300,
                                 "worst_balance": 3e-14, "min_density": -0.0},
                      counters={"parts": 1, "factorisations": 7})
    records = Records(index=[0, 1, 2], n_target=list(rng.random(3) * 1e21), n_target_dt=list(rng.random(3)),
                      snapshots=[(k, rng.random(cells)) for k in range(snapshots)])
    return state, records


def assert_same(loaded, saved):
    case, s2, r2, _ = loaded
    s1, r1 = saved
    assert case == CASE
    assert (s1.t, s1.next_step, s1.integrals, s1.counters) == (s2.t, s2.next_step, s2.integrals, s2.counters)
    assert s1.c.tobytes() == s2.c.tobytes()
    assert (r1.index, r1.n_target, r1.n_target_dt) == (r2.index, r2.n_target, r2.n_target_dt)
    assert [k for k, _ in r1.snapshots] == [k for k, _ in r2.snapshots]
    assert all(x.tobytes() == y.tobytes() for (_, x), (_, y) in zip(r1.snapshots, r2.snapshots))


def test_the_checkpoint_folder_sits_beside_the_results_folder(tmp_path):
    assert checkpoint_folder(tmp_path / "results" / "vip2") == tmp_path / "results" / ".vip2.checkpoint"


@pytest.mark.parametrize("snapshots", [0, 2])
def test_a_checkpoint_comes_back_bit_for_bit(tmp_path, snapshots):
    saved = state_and_records(snapshots=snapshots)
    Checkpointer(tmp_path / "work", CASE).save(*saved)
    assert_same(load_checkpoint(tmp_path / "work"), saved)
    assert sorted(p.name for p in (tmp_path / "work").iterdir()) == ["case.resolved.yaml", "state.npz"]


def test_the_interval_decides_when_a_call_saves(tmp_path):
    every = Checkpointer(tmp_path / "every", CASE, interval_s=0.0)
    never = Checkpointer(tmp_path / "never", CASE, interval_s=math.inf)
    for seed in range(3):
        saved = state_and_records(seed)
        every(*saved)
        never(*saved)
    assert every.saved == 3 and never.saved == 0
    assert_same(load_checkpoint(tmp_path / "every"), saved)          # the last one
    assert not (tmp_path / "never").exists()                          # made at the first save only


def test_no_checkpoint_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="nothing to resume"):
        load_checkpoint(tmp_path / "never-made")


def test_a_failed_write_leaves_the_previous_checkpoint_whole(tmp_path, monkeypatch):
    saver = Checkpointer(tmp_path / "work", CASE)
    first = state_and_records(seed=1)
    saver.save(*first)

    def disk_full(path, **arrays):
        with open(path, "wb") as fh:
            fh.write(b"PK\x03\x04 half a zip")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", disk_full)
    with pytest.raises(OSError):
        saver.save(*state_and_records(seed=2))
    monkeypatch.undo()
    assert_same(load_checkpoint(tmp_path / "work"), first)


@pytest.fixture(scope="module")
def line_case():
    """VIP-2 in 1D over 1000 s, 30 outputs, a small mesh; with a current switched on at 20 s."""
    return make_case("vip2", method="fv", time={"duration": "1000 s", "outputs": 30},
                     transport={"current": {"schedule": "constant", "value": "100 A", "t_on": "20 s"},
                                "diffusivity_scale": 0.01},
                     fv={"cells_per_target": 100, "time_steps": 400})


@pytest.fixture(scope="module")
def whole_run(line_case):
    return run_case(line_case)


@pytest.mark.parametrize("stop_after", [160, 1250, 1300])
def test_a_resumed_run_is_the_run_never_stopped(tmp_path, line_case, whole_run, stop_after):
    """Stopped after ``stop_after`` steps (of 1379: just after the first output, before and
    after the current is switched on at 20 s), resumed from the last checkpoint: N(t) and S(t)
    equal the whole run's to 1e-12, and so do the conservation figures."""
    saver = Checkpointer(tmp_path / "work", line_case, interval_s=0.0)
    with pytest.raises(KeyboardInterrupt):
        run_case(line_case, checkpoint=saver, stop_after=stop_after)
    case, state, records, _ = load_checkpoint(tmp_path / "work")
    assert case == line_case
    assert 0 < len(records.index) < len(whole_run.times) and state.next_step <= stop_after
    resumed = run_case(line_case, resume=(state, records))
    np.testing.assert_allclose(resumed.electrons_in_target, whole_run.electrons_in_target, rtol=1e-12, atol=0)
    np.testing.assert_allclose(resumed.cumulative_scatterings, whole_run.cumulative_scatterings, rtol=1e-12, atol=0)
    for key in ("final_content", "inflow", "outflow"):
        assert resumed.numerics["conservation"][key] == pytest.approx(
            whole_run.numerics["conservation"][key], rel=1e-12), key
