"""Bounded training history: the most recent records exactly, older ones thinned.

A 100k-step run keeps at most `recent + capacity` rows: every row of the last `recent` steps, and from
the older part every `stride`-th row, the stride doubling whenever the old part fills up. So a chart
never needs more than a few thousand points and memory stays flat however long a class lets it run.
"""

from __future__ import annotations

import math
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


def ema(values, alpha: float, steps=None) -> np.ndarray:
    """NaN-aware exponential moving average: s_t = alpha * s_{t-1} + (1 - alpha) * x_t.

    alpha is the weight of the past, as TensorBoard's "smoothing" slider (0 = no smoothing, 0.99 = heavy).
    Non-finite values are skipped: the average carries on unchanged and stays NaN before the first finite
    value. With `steps`, the decay is alpha ** (gap in steps), so rows of a thinned history (older steps
    kept every k-th) weigh as much as the steps they stand for.
    """
    v = np.asarray(values, dtype=np.float64)
    out = np.full(len(v), np.nan)
    if not 0.0 <= alpha < 1.0:
        alpha = min(max(alpha, 0.0), 0.999)
    decay = np.full(len(v), alpha)
    if steps is not None and len(v) > 1:
        gaps = np.maximum(np.diff(np.asarray(steps, dtype=np.float64), prepend=steps[0]), 1.0)
        decay = alpha ** gaps
    s = math.nan
    for i, (x, a) in enumerate(zip(v.tolist(), decay.tolist(), strict=True)):
        if math.isfinite(x):
            s = x if math.isnan(s) else a * s + (1.0 - a) * x
        out[i] = s
    return out
