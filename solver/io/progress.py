"""Progress of long runs: a tqdm bar on a terminal, nothing in CI or logs (the run's log
records milestones instead, ``solver.runner``)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

__all__ = ["progress_bar"]


def progress_bar(desc: str, unit: str = "step"):
    """(callable(done, total) or None, close): a tqdm bar on a terminal, nothing in CI or logs.

    Test hook (for interruption tests that must not race the clock): with the environment
    variable VIP_TRANSPORT_TEST_PAUSE_AFTER_STEP=k the run, after step k, writes the file named by
    VIP_TRANSPORT_TEST_PAUSE_FILE and waits there until a signal stops it.
    """
    bar = None
    if sys.stderr.isatty() and not os.environ.get("CI"):
        from tqdm import tqdm

        bar = tqdm(total=None, desc=desc, unit=unit, leave=False)
    pause_at = int(os.environ.get("VIP_TRANSPORT_TEST_PAUSE_AFTER_STEP", "0") or 0)
    if bar is None and not pause_at:
        return None, lambda: None

    def update(done, total):
        if bar is not None:
            if bar.total != total:
                bar.total = total
            bar.n = done
            bar.refresh() if done == total or done % 50 == 0 else None
        if done == pause_at:
            Path(os.environ["VIP_TRANSPORT_TEST_PAUSE_FILE"]).write_text(f"{os.getpid()}\n")
            while True:             # until a signal ends the run
                time.sleep(0.05)

    return update, (bar.close if bar is not None else (lambda: None))
