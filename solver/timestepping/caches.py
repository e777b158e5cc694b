"""What the steppers keep between steps: operators per current, factorisations per step size.

Caching lives here, beside the steppers (which hold these objects), not inside assembly or the
factorisations themselves.
"""

from __future__ import annotations

from collections import OrderedDict

__all__ = ["OperatorCache", "FactorisationCache"]


class OperatorCache:
    """K, f of  V dc/dt = K c + f  per distinct current, assembled once by ``assemble(current)``,
    and anything built from them (flux forms, bands) per current and kind (:meth:`derived`)."""

    def __init__(self, assemble):
        self._assemble = assemble
        self._items = {}

    def __call__(self, current: float) -> tuple:
        """(K, f) at ``current`` [A]."""
        return self.derived("operator", current, lambda: self._assemble(float(current)))

    def derived(self, kind: str, current: float, build):
        """The object of ``kind`` at ``current`` [A], built by ``build()`` on first use."""
        key = (kind, float(current))
        if key not in self._items:
            self._items[key] = build()
        return self._items[key]


class FactorisationCache:
    """Least-recently-used cache of up to ``size`` factorisations; ``on_evict(value)`` is told
    of each dropped one; ``built`` counts the factorisations made."""

    def __init__(self, size: int, on_evict=None):
        self.size = size
        self.built = 0
        self._on_evict = on_evict
        self._items = OrderedDict()

    def get(self, key, build):
        """The factorisation cached under ``key``, built by ``build()`` on a miss."""
        if key in self._items:
            self._items.move_to_end(key)
            return self._items[key]
        if len(self._items) >= self.size:          # drop the least recently used first
            dropped = self._items.popitem(last=False)[1]
            if self._on_evict is not None:
                self._on_evict(dropped)
        value = self._items[key] = build()
        self.built += 1
        return value
