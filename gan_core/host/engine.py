"""One session's trainer as a worker process or a Ray actor holds it: the session-handle protocol
(gan_core.host.runner's docstring) without threads, driven by the host's loop in slices of work.

The loop calls `work(deadline, interrupted)` for each running engine in turn; an engine steps until the
deadline, until `interrupted()` (a request is waiting: checked between steps, so a request waits at
most one step) or until it stops (paused, diverged, reached `until`). Between slices the host answers
requests with `handle(op, args, kw)`. Frames (views.live_frame) are recorded every FRAME_EVERY seconds
of training, and kept for about two seconds.
"""

from __future__ import annotations

import time
from collections import deque

from gan_core import Config, Trainer, schedule
from gan_core.views import live_frame

FRAME_EVERY = 0.05
FRAMES_KEPT = 40
OPS = frozenset({"start", "pause", "do", "update", "replace", "set_pace", "call", "poll", "state"})


class Engine:
    def __init__(self, config: Config):
        self.trainer = Trainer(config)
        self.running, self.until, self.pace = False, None, None
        self._budget, self._t_pace, self._last_frame = 0.0, 0.0, 0.0
        self._rate: deque = deque(maxlen=30)  # (time, step) samples for the steps/s figure
        self._frames: deque = deque(maxlen=FRAMES_KEPT)
        self._seq = 0
        self._capture()

    # ---- requests ----------------------------------------------------------------------------

    def handle(self, op: str, args=(), kw=None):
        if op not in OPS:
            raise ValueError(f"unknown request {op!r}")
        return getattr(self, op)(*args, **(kw or {}))

    def start(self, until: int | None = None) -> None:
        self.until = until
        tr = self.trainer
        if tr.status != "ok" or (until is not None and tr.step_count >= until):
            return
        if not self.running:
            self._rate.clear()
            self._t_pace = time.monotonic()
            self._budget = 0.0
        self.running = True

    def pause(self) -> None:
        if self.running:
            self.running = False
            self._capture()

    def do(self, action: str) -> dict:
        if action not in ("step", "d_step", "g_step", "reset"):
            raise ValueError(f"unknown action {action!r}: step, d_step, g_step or reset")
        self.running = False
        if action == "reset":
            self.trainer.reset()
            self._rate.clear()
            record = {}
        else:
            record = schedule.step(self.trainer, action)
        self._capture()
        return record

    def update(self, **changes) -> dict:
        return self.trainer.update(**changes)

    def replace(self, config: Config) -> None:
        self.running = False
        self.trainer = Trainer(config)
        self._rate.clear()
        self._capture()

    def set_pace(self, steps_per_s: float | None) -> None:
        self.pace = steps_per_s

    def call(self, fn, *args, **kw):
        return fn(self.trainer, *args, **kw)

    def poll(self, since_seq: int = -1, since_step: float = -1) -> dict:
        tr = self.trainer
        frames = [f for seq, f in self._frames if seq > since_seq]
        return {"seq": self._seq, "frames": frames, "rows": tr.history.columns(since_step), **self.state()}

    def state(self) -> dict:
        tr = self.trainer
        return {"step": tr.step_count, "status": tr.status, "reason": tr.reason, "running": self.running,
                "steps_per_s": self.steps_per_s(), "config": tr.config}

    def steps_per_s(self) -> float:
        if not self.running or len(self._rate) < 2:
            return 0.0
        (t0, s0), (t1, s1) = self._rate[0], self._rate[-1]
        return (s1 - s0) / (t1 - t0) if t1 > t0 else 0.0

    # ---- training ----------------------------------------------------------------------------

    def work(self, deadline: float, interrupted=lambda: False) -> None:
        """Train until `deadline` (time.monotonic()), a waiting request or a stop; frame on the way."""
        tr = self.trainer
        while self.running and time.monotonic() < deadline and not interrupted():
            if tr.status != "ok" or (self.until is not None and tr.step_count >= self.until):
                self.running = False
                break
            if self.pace is not None:
                now = time.monotonic()
                self._budget = min(self._budget + (now - self._t_pace) * self.pace, max(1.0, self.pace))
                self._t_pace = now
                if self._budget < 1:
                    break
                self._budget -= 1
            schedule.step(tr)
            if time.monotonic() - self._last_frame >= FRAME_EVERY:
                self._capture()
        if tr.status != "ok":
            self.running = False
        if not self.running and self._frames[-1][1]["step"] != tr.step_count:
            self._capture()
        self._rate.append((time.monotonic(), tr.step_count))

    def wait_hint(self) -> float:
        """Seconds until a paced engine may step again (0 when it can step now)."""
        if self.pace is None or not self.running:
            return 0.0
        return max(0.0, (1 - self._budget) / self.pace - (time.monotonic() - self._t_pace))

    def _capture(self) -> None:
        self._seq += 1
        self._frames.append((self._seq, live_frame(self.trainer)))
        self._last_frame = time.monotonic()
