"""What every remote session handle shares: the read-only properties of the protocol, answered from the
host's latest state (gan_core.host.runner's docstring lists the protocol), and the capacity error."""

from __future__ import annotations

import time

from gan_core.views import panel_view

CRASHED = "crashed"  # the status of a session whose worker process or actor died; Reset starts it again


class ServerFull(RuntimeError):
    """No room for another trainer: the page says "the server is full, try again in a minute"."""

    def __init__(self, limit: int):
        super().__init__(f"the server is full ({limit} trainers): try again in a minute")
        self.limit = limit


class Handle:
    """Subclasses implement the protocol's actions and state() -> {"step", "status", "reason", "running",
    "steps_per_s", "config"} (cached for a moment: the page reads these many times per rerun)."""

    def __init__(self):
        self.closed = False
        self.stopped_because: str | None = None  # "idle" when the liveness watch paused it
        self.last_touch = time.monotonic()
        self._views: dict[bool, dict] = {}  # the last panel views, shown (as crashed) if the host dies

    def touch(self) -> None:
        """A student did something in this session (a page rerun): not idle."""
        self.last_touch = time.monotonic()

    # The remote handles (worker process, Ray actor) forward these as they are; `_request(op, *args)` and
    # `_remember(state)` are theirs.
    def set_pace(self, steps_per_s: float | None) -> None:
        self._request("set_pace", steps_per_s)

    def call(self, fn, *args, **kw):
        return self._request("call", fn, *args, **kw)

    def poll(self, since_seq: int = -1, since_step: float = -1) -> dict:
        answer = self._request("poll", since_seq, since_step)
        self._remember({k: answer[k] for k in ("step", "status", "reason", "running", "steps_per_s", "config")})
        return answer

    def read(self, light: bool = False) -> dict:
        """What the panels draw (views.panel_view); after a crash, the last view with the crash's status."""
        try:
            if self.status != CRASHED:
                self._views[light] = self.call(panel_view, light)
                return self._views[light]
        except RuntimeError:
            if self.status != CRASHED:
                raise
        if light not in self._views:
            raise RuntimeError(self.reason)
        return {**self._views[light], "status": CRASHED, "reason": self.reason}

    @property
    def running(self) -> bool:
        return self.state()["running"]

    @property
    def config(self):
        return self.state()["config"]

    @property
    def status(self) -> str:
        return self.state()["status"]

    @property
    def reason(self) -> str | None:
        return self.state()["reason"]

    @property
    def step_count(self) -> int:
        return self.state()["step"]

    def steps_per_s(self) -> float:
        return self.state()["steps_per_s"]
