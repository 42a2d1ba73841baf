"""A per-session trainer on a background thread: the in-process session handle (tests and the fallback).

No Streamlit calls here (the worker thread must make none). One handle lives in each browser session's
st.session_state; nothing trainable is ever shared between sessions.

The session-handle protocol (every trainer host speaks it; the page never touches the Trainer itself):
    start(until=None)   train in the background, stopping exactly at step `until` if given
    pause()             stop training (returns once the worker has stopped)
    do(action)          one synchronous action: "step", "d_step", "g_step" or "reset"; returns the record
    update(**changes)   mid-run setting changes (config.MUTABLE); returns the event
    replace(config)     a new Trainer (architecture or data changed)
    set_pace(rate)      at most `rate` steps per second (None: as fast as the machine allows)
    call(fn, *a, **kw)  fn(trainer, *a, **kw) next to the trainer, between steps; fn must be a module-level
                        function (a worker process or Ray actor receives it by reference)
    poll(since_seq)     the frames recorded since `since_seq`, new history rows, and the run's state
    running, config, status, reason, step_count, steps_per_s()
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import deque

from gan_core import Config, Trainer, schedule
from gan_core.views import live_frame, panel_view

CHUNK_SECONDS = 0.02  # the worker holds the lock at most this long at a time
FRAME_EVERY = 0.05  # seconds between the live view's frames while training
FRAMES_KEPT = 40  # about 2 s of frames: a slow browser skips, it never builds a backlog


class Runner:
    def __init__(self, config: Config, idle_stop: float = 15.0):
        self.trainer = Trainer(config)
        self.lock = threading.RLock()
        self._page_waiting = threading.Event()  # a redraw wants the lock: the worker steps aside
        self.running = False
        self.until: int | None = None
        self._pace: float | None = None
        self._thread: threading.Thread | None = None
        self._heartbeat = time.monotonic()
        self._idle_stop = idle_stop
        self._rate = deque(maxlen=30)  # (time, step) samples for the steps/s figure
        self._frames: deque = deque(maxlen=FRAMES_KEPT)  # (seq, frame dict)
        self._seq = 0
        self._capture()

    # ---- control (called from the page's callbacks) ------------------------------------------

    def start(self, until: int | None = None) -> None:
        self.until = until
        if self.trainer.status != "ok" or (until is not None and self.trainer.step_count >= until):
            return
        self.running = True
        self._heartbeat = time.monotonic()
        self._rate.clear()
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._loop, name="gan-trainer", daemon=True)
            self._thread.start()

    def pause(self) -> None:
        self.running = False
        if self._thread is not None:
            self._thread.join(timeout=2.0)

    def do(self, action: str) -> dict:
        """One synchronous action on the trainer: step, d_step, g_step or reset (pauses first)."""
        if action not in ("step", "d_step", "g_step", "reset"):
            raise ValueError(f"unknown action {action!r}: step, d_step, g_step or reset")
        self.pause()
        with self.lock:
            if action == "reset":
                self.trainer.reset()
                self._rate.clear()
                record = {}
            else:
                record = schedule.step(self.trainer, action)
            self._capture()
            return record

    def update(self, **changes) -> dict:
        with self.lock:
            return self.trainer.update(**changes)

    def replace(self, config: Config) -> None:
        """A new Trainer (architecture or data changed): same seed => the same initial weights as any
        other run of this config."""
        self.pause()
        with self.lock:
            self.trainer = Trainer(config)
            self._rate.clear()
            self._capture()

    def set_pace(self, steps_per_s: float | None) -> None:
        self._pace = steps_per_s

    def call(self, fn, *args, **kw):
        with self.view() as trainer:
            return fn(trainer, *args, **kw)

    # ---- reading -----------------------------------------------------------------------------

    def poll(self, since_seq: int = -1, since_step: float = -1) -> dict:
        """{"seq", "frames": [frame dicts after since_seq, oldest first], "rows": history columns with
        step > since_step, "step", "status", "reason", "running", "steps_per_s"}. Also the heartbeat."""
        self._heartbeat = time.monotonic()
        with self.view() as tr:
            if not self.running and (not self._frames or self._frames[-1][1]["step"] != tr.step_count):
                self._capture()  # paused after a step the worker did not frame
            frames = [f for seq, f in self._frames if seq > since_seq]
            return {"seq": self._seq, "frames": frames, "rows": tr.history.columns(since_step),
                    "step": tr.step_count, "status": tr.status, "reason": tr.reason, "running": self.running,
                    "steps_per_s": self.steps_per_s()}

    def read(self, light: bool = False) -> dict:
        """What the panels draw (views.panel_view), copied next to the trainer."""
        return self.call(panel_view, light)

    @property
    def config(self) -> Config:
        return self.trainer.config

    @property
    def status(self) -> str:
        return self.trainer.status

    @property
    def reason(self) -> str | None:
        return self.trainer.reason

    @property
    def step_count(self) -> int:
        return self.trainer.step_count

    def steps_per_s(self) -> float:
        if not self.running or len(self._rate) < 2:
            return 0.0
        (t0, s0), (t1, s1) = self._rate[0], self._rate[-1]
        return (s1 - s0) / (t1 - t0) if t1 > t0 else 0.0

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @contextlib.contextmanager
    def view(self):
        """Hold the lock for a read. Python's locks are not fair: without the flag the worker, releasing
        and re-taking the lock in a tight loop, kept a waiting reader out for up to 0.6 s."""
        self._page_waiting.set()
        try:
            with self.lock:
                self._page_waiting.clear()
                yield self.trainer
        finally:
            self._page_waiting.clear()

    # ---- the worker --------------------------------------------------------------------------

    def _capture(self) -> None:
        self._seq += 1
        self._frames.append((self._seq, live_frame(self.trainer)))

    def _loop(self) -> None:
        last_frame = t_pace = time.monotonic()
        budget = 0.0  # steps allowed by the pace so far
        while self.running:
            now = time.monotonic()
            if now - self._heartbeat > self._idle_stop:
                self.running = False  # nobody is watching: stop rather than burn a shared core
                break
            if self._pace is not None:
                budget = min(budget + (now - t_pace) * self._pace, max(1.0, self._pace))
                t_pace = now
            if self._page_waiting.is_set() or (self._pace is not None and budget < 1):
                time.sleep(0.002)
                continue
            with self.lock:
                tr, t_end = self.trainer, time.monotonic() + CHUNK_SECONDS
                while time.monotonic() < t_end and tr.status == "ok" and self.running:
                    if self.until is not None and tr.step_count >= self.until:
                        self.running = False
                        break
                    if self._pace is not None:
                        if budget < 1:
                            break
                        budget -= 1
                    schedule.step(tr)
                if time.monotonic() - last_frame >= FRAME_EVERY or not self.running or tr.status != "ok":
                    self._capture()
                    last_frame = time.monotonic()
                self._rate.append((time.monotonic(), tr.step_count))
                if tr.status != "ok":
                    self.running = False
