"""The `thread` backend (tests): the Runner on a thread of the web process, with the remote handles'
lifecycle (close, touch, stopped_because) and no stopping by itself when redraws are late."""

from __future__ import annotations

import math
import time

from gan_core.host.runner import Runner


class ThreadTrainer(Runner):
    def __init__(self, config):
        super().__init__(config, idle_stop=math.inf)
        self.closed = False
        self.stopped_because: str | None = None
        self.last_touch = time.monotonic()

    def touch(self) -> None:
        self.last_touch = time.monotonic()

    def start(self, until: int | None = None) -> None:
        self.stopped_because = None
        super().start(until)

    def close(self) -> None:
        self.pause()
        self.closed = True
