"""Bounded training history: the most recent records exactly, older ones thinned.

A 100k-step run keeps at most `recent + capacity` rows: every row of the last `recent` steps, and from
the older part every `stride`-th row, the stride doubling whenever the old part fills up. So a chart
never needs more than a few thousand points and memory stays flat however long a class lets it run.
"""

from __future__ import annotations

from collections import deque

import numpy as np

# One record per step (Trainer.step): L_D without its regulariser (d_loss) and the weighted regulariser
# D minimised with it (d_penalty: gamma/2 R1 + lambda GP, 0 when none is on); L_G; mean D(x) and D(G(z))
# as the charts show them (losses.d_shown: probabilities for the log losses, raw scores otherwise) in
# the last D update, on D's inputs (with instance noise when it is on); d_fake_after: mean D(G(z)) where
# G's gradient was taken: after the D update (alternating), the same D as d_fake (simultaneous).
RECORD_KEYS = (
    "step", "d_loss", "d_penalty", "g_loss", "d_real", "d_fake", "d_fake_after", "g_grad_norm", "d_grad_norm",
    "seconds",
)


class History:
    def __init__(self, keys=RECORD_KEYS, recent: int = 2000, capacity: int = 2000):
        self.keys = tuple(keys)
        self.recent: deque = deque()
        self.old: list = []
        self.stride = 1
        self._limit, self._capacity, self._dropped = recent, capacity, 0

    def append(self, record: dict) -> None:
        self.recent.append(tuple(record[k] for k in self.keys))
        if len(self.recent) > self._limit:
            row = self.recent.popleft()
            if self._dropped % self.stride == 0:
                self.old.append(row)
            self._dropped += 1
            if len(self.old) > self._capacity:  # thin the old part to half, keep every other row
                self.old = self.old[::2]
                self.stride *= 2

    def __len__(self) -> int:
        return len(self.old) + len(self.recent)

    def last(self) -> dict | None:
        return dict(zip(self.keys, self.recent[-1])) if self.recent else None

    def columns(self, since_step: float = -1) -> dict[str, np.ndarray]:
        """Column arrays (float64), optionally only rows with step > since_step."""
        rows = [r for r in self.old if r[0] > since_step] + [r for r in self.recent if r[0] > since_step]
        table = np.array(rows, dtype=np.float64).reshape(len(rows), len(self.keys))
        return {k: table[:, i] for i, k in enumerate(self.keys)}

    def tail(self, n: int) -> dict[str, np.ndarray]:
        rows = list(self.recent)[-n:]
        table = np.array(rows, dtype=np.float64).reshape(len(rows), len(self.keys))
        return {k: table[:, i] for i, k in enumerate(self.keys)}

    def clear(self) -> None:
        self.recent.clear()
        self.old, self.stride, self._dropped = [], 1, 0

    def state(self) -> dict:
        return {"keys": list(self.keys), "old": self.old, "recent": list(self.recent), "stride": self.stride,
                "dropped": self._dropped}

    def load(self, state: dict) -> None:
        self.keys = tuple(state["keys"])
        self.old = [tuple(r) for r in state["old"]]
        self.recent = deque(tuple(r) for r in state["recent"])
        self.stride, self._dropped = state["stride"], state["dropped"]
