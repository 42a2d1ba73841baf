"""A per-session background trainer: trains on one core while the page redraws on the other.

No Streamlit calls here (the worker thread must make none). One Runner lives in each browser session's
st.session_state; nothing trainable is ever shared between sessions. The thread stops by itself when
paused, when the run diverges, or when no page has asked for a redraw for `idle_stop` seconds (the tab
was closed or the session ended), so an abandoned session never keeps a core busy.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import deque

from gan_core import Config, Trainer

CHUNK_SECONDS = 0.02  # the worker holds the lock at most this long at a time


class Runner:
    def __init__(self, config: Config, idle_stop: float = 15.0):
        self.trainer = Trainer(config)
        self.lock = threading.RLock()
        self._page_waiting = threading.Event()  # a redraw wants the lock: the worker steps aside
        self.running = False
        self.steps_per_tick: int | None = None  # None: train freely; N: N steps per redraw tick
        self._tokens = 0
        self._thread: threading.Thread | None = None
        self._heartbeat = time.monotonic()
        self._idle_stop = idle_stop
        self._rate = deque(maxlen=30)  # (time, step) samples for the steps/s figure

    # ---- control (called from the page's callbacks) ------------------------------------------

    def start(self) -> None:
        if self.trainer.status != "ok":
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

    def tick(self) -> None:
        """A redraw happened: keep the worker alive and, in steps-per-redraw mode, allow N more steps."""
        self._heartbeat = time.monotonic()
        if self.steps_per_tick is not None:
            self._tokens = self.steps_per_tick  # set, not add: a slow browser never builds a backlog
        self._rate.append((time.monotonic(), self.trainer.step_count))  # an int read needs no lock

    def do(self, action: str) -> dict:
        """One synchronous action on the trainer: step, d_step, g_step or reset (pauses first)."""
        self.pause()
        with self.lock:
            if action == "reset":
                self.trainer.reset()
                self._rate.clear()
                return {}
            return getattr(self.trainer, action)()

    def replace(self, config: Config) -> None:
        """A new Trainer (architecture or data changed): same seed => the same initial weights as any
        other run of this config."""
        self.pause()
        with self.lock:
            self.trainer = Trainer(config)
            self._rate.clear()

    @contextlib.contextmanager
    def view(self):
        """Hold the lock for a redraw. Python's locks are not fair: without the flag the worker, releasing
        and re-taking the lock in a tight loop, kept a waiting redraw out for up to 0.6 s."""
        self._page_waiting.set()
        try:
            with self.lock:
                self._page_waiting.clear()
                yield self.trainer
        finally:
            self._page_waiting.clear()

    # ---- reading -----------------------------------------------------------------------------

    def steps_per_s(self) -> float:
        if not self.running or len(self._rate) < 2:
            return 0.0
        (t0, s0), (t1, s1) = self._rate[0], self._rate[-1]
        return (s1 - s0) / (t1 - t0) if t1 > t0 else 0.0

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # ---- the worker --------------------------------------------------------------------------

    def _loop(self) -> None:
        while self.running:
            if time.monotonic() - self._heartbeat > self._idle_stop:
                self.running = False  # nobody is watching: stop rather than burn a shared core
                break
            if self._page_waiting.is_set() or (self.steps_per_tick is not None and self._tokens <= 0):
                time.sleep(0.002)
                continue
            with self.lock:
                t_end = time.monotonic() + CHUNK_SECONDS
                while time.monotonic() < t_end and self.trainer.status == "ok":
                    if self.steps_per_tick is not None:
                        if self._tokens <= 0:
                            break
                        self._tokens -= 1
                    self.trainer.step()
                if self.trainer.status != "ok":
                    self.running = False
