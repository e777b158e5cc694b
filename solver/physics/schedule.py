"""The current through the target as a function of time: piecewise constant.

Every schedule of a case (constant switched on at t_on, on/off square wave, table) is turned
into one representation: edges 0 = e_0 < e_1 < ... and the current I_k [A] on [e_k, e_{k+1}).
The drift velocity follows the current, v(t) = I(t)/(n e A), and in a uniform line the drift
displacement is X(t) = Q(t)/(n e A) with Q(t) = integral_0^t I dt' [C].
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["CurrentSchedule", "schedule_from_spec"]


@dataclass(frozen=True)
class CurrentSchedule:
    """Piecewise-constant current: ``edges`` [s] (starting at 0) and ``currents`` [A].

    ``currents[k]`` holds on [edges[k], edges[k+1]) and the last one holds forever.
    ``period`` [s], when set, repeats the pattern after ``edges`` within each period starting
    at ``periodic_from`` (the square wave).
    """

    edges: tuple
    currents: tuple
    period: float | None = None
    periodic_from: float = 0.0

    def pieces(self, duration: float):
        """Edges and currents covering [0, duration]: (edges[0..m], currents[0..m-1]).

        The returned edges end with ``duration``; consecutive equal currents are merged.
        """
        if self.period is None:
            e = list(self.edges) + [math.inf]
            cur = list(self.currents)
        else:
            head_e, head_c = [0.0], [0.0]
            if self.periodic_from == 0.0:
                head_e, head_c = [], []
            e, cur = head_e, head_c
            start = self.periodic_from
            while start < duration:
                for k, (a, i) in enumerate(zip(self.edges, self.currents)):
                    e.append(start + a)
                    cur.append(i)
                start += self.period
            e.append(math.inf)
        out_e, out_c = [], []
        for k, i in enumerate(cur):
            a = e[k]
            if a >= duration:
                break
            if out_c and out_c[-1] == i:
                continue
            out_e.append(a)
            out_c.append(i)
        out_e.append(duration)
        return np.asarray(out_e, float), np.asarray(out_c, float)

    def breakpoints(self, duration: float) -> np.ndarray:
        """Times in (0, duration) where the current changes [s]."""
        e, _ = self.pieces(duration)
        return e[1:-1]

    def current(self, t, duration: float | None = None) -> np.ndarray:
        """I(t) [A] at the times ``t`` (array)."""
        t = np.asarray(t, float)
        e, c = self.pieces(float(np.max(t)) * (1 + 1e-12) + 1e-300 if duration is None else duration)
        k = np.clip(np.searchsorted(e, t, side="right") - 1, 0, len(c) - 1)
        return c[k]

    def charge(self, t, duration: float | None = None) -> np.ndarray:
        """Q(t) = integral_0^t I dt' [C] at the times ``t``, exact for the pieces."""
        t = np.asarray(t, float)
        horizon = float(np.max(t)) * (1 + 1e-12) + 1e-300 if duration is None else duration
        e, c = self.pieces(horizon)
        q_edges = np.concatenate([[0.0], np.cumsum(c * np.diff(e))])
        k = np.clip(np.searchsorted(e, t, side="right") - 1, 0, len(c) - 1)
        return q_edges[k] + c[k] * (t - e[k])

    @property
    def nominal(self) -> float:
        """The largest current of the schedule [A] (used for transit times)."""
        return float(max(self.currents))


def schedule_from_spec(spec) -> CurrentSchedule:
    """Build the schedule from a validated case's ``transport.current`` (SI fields)."""
    kind = spec.schedule
    if kind == "constant" or (kind == "square" and spec.duty >= 1.0):
        value = spec.value if kind == "constant" else spec.high
        if spec.t_on > 0:
            return CurrentSchedule(edges=(0.0, spec.t_on), currents=(0.0, value))
        return CurrentSchedule(edges=(0.0,), currents=(value,))
    if kind == "square":
        on = spec.duty * spec.period
        return CurrentSchedule(edges=(0.0, on), currents=(spec.high, spec.low),
                               period=spec.period, periodic_from=spec.t_on)
    if kind == "table":
        return CurrentSchedule(edges=tuple(spec.times), currents=tuple(spec.values))
    raise ValueError(f"unknown current schedule {kind!r}")
