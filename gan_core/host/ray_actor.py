"""The `ray` trainer host: each session's trainer a Ray actor on an existing Ray cluster.

`ray start --head` on one machine, `ray start --address=HEAD:6379` on the others, then the web servers
with GAN_CLASSROOM_TRAINERS=ray and RAY_ADDRESS=HEAD:6379 (Ray's own variable; without it ray.init()
starts a private instance on this machine). Every node needs gan-classroom installed (the actor imports
gan_core). An actor reserves GAN_CLASSROOM_RAY_CPUS of a CPU (default 0.25: four training sessions per
core share it, as the local pool's round-robin does); when the cluster has no room left, a new session
gets ServerFull instead of waiting for a place. Like the worker process, the actor trains its Engine on a
thread in slices and answers requests between steps (a waiting request interrupts the slice).
"""

from __future__ import annotations

import os
import threading
import time

from gan_core import Config

from .base import CRASHED, Handle, ServerFull
from .local import STATE_TTL

SLICE = 0.02


class TrainerActor:
    def __init__(self, config: Config):
        import torch

        from .engine import Engine

        torch.set_num_threads(1)
        self.engine = Engine(config)
        self.lock = threading.Lock()
        self.waiting = 0
        threading.Thread(target=self._loop, name="gan-trainer", daemon=True).start()

    def request(self, op: str, args=(), kw=None):
        self.waiting += 1
        with self.lock:
            self.waiting -= 1
            return self.engine.handle(op, args, kw)

    def _loop(self) -> None:
        while True:
            wait = 0.01 if not self.engine.running else self.engine.wait_hint()
            if wait > 0 or self.waiting:
                time.sleep(max(wait, 0.001))
                continue
            with self.lock:
                self.engine.work(time.monotonic() + SLICE, lambda: self.waiting > 0)


_ACTOR = None
_LOCK = threading.Lock()


def actor_class():
    """The remote class, made once per process (connects to the cluster on first use)."""
    global _ACTOR
    with _LOCK:
        if _ACTOR is None:
            from gan_core.sweep_ray import import_ray

            ray = import_ray()
            if not ray.is_initialized():
                ray.init(ignore_reinit_error=True, logging_level="warning")
            _ACTOR = ray.remote(max_concurrency=4)(TrainerActor)
        return _ACTOR


class RayTrainer(Handle):
    """A session handle whose trainer is a Ray actor."""

    def __init__(self, config: Config):
        cls = actor_class()  # imports ray (sweep_ray.import_ray: with the cluster's token) and connects
        import ray

        cpus = float(os.environ.get("GAN_CLASSROOM_RAY_CPUS") or 0.25)
        if ray.available_resources().get("CPU", 0.0) < cpus:
            raise ServerFull(int(ray.cluster_resources().get("CPU", 0.0) / cpus))
        self._config = config
        self.actor = cls.options(num_cpus=cpus).remote(config)
        self._state = {"step": 0, "status": "ok", "reason": None, "running": False, "steps_per_s": 0.0,
                       "config": config}
        self._state_t = 0.0
        super().__init__()

    def _request(self, op: str, *args, **kw):
        import ray

        if self._state["status"] == CRASHED:
            if op == "poll":
                return {"seq": 0, "frames": [], "rows": {}, **self._state}
            if op == "state":
                return self._state
            raise RuntimeError(self._state["reason"])
        try:
            return ray.get(self.actor.request.remote(op, args, kw))
        except ray.exceptions.RayTaskError as exc:  # the trainer's own error (a bad value): re-raised
            raise exc.as_instanceof_cause() from None
        except ray.exceptions.RayActorError as exc:
            self._state = {**self._state, "status": CRASHED, "running": False, "steps_per_s": 0.0,
                           "reason": f"the trainer's Ray actor stopped ({type(exc).__name__})"}
            return self._request(op, *args, **kw)

    def _touched(self, value):
        self._state_t = 0.0
        return value

    def start(self, until: int | None = None) -> None:
        self.stopped_because = None
        self._touched(self._request("start", until))

    def pause(self) -> None:
        self._touched(self._request("pause"))

    def do(self, action: str) -> dict:
        if action == "reset" and self._state["status"] == CRASHED:
            self.replace(self._config)
            return {}
        return self._touched(self._request("do", action))

    def update(self, **changes) -> dict:
        return self._touched(self._request("update", **changes))

    def replace(self, config: Config) -> None:
        if self._state["status"] == CRASHED:
            cpus = float(os.environ.get("GAN_CLASSROOM_RAY_CPUS") or 0.25)
            self.actor = actor_class().options(num_cpus=cpus).remote(config)
            self._state = {**self._state, "status": "ok", "reason": None, "step": 0}
        self._touched(self._request("replace", config))

    def _remember(self, state: dict) -> None:
        self._state, self._state_t, self._config = state, time.monotonic(), state["config"]

    def state(self) -> dict:
        if time.monotonic() - self._state_t > STATE_TTL and self._state["status"] != CRASHED and not self.closed:
            self._remember(self._request("state"))
        return self._state

    def close(self) -> None:
        if not self.closed:
            import ray

            self.closed = True
            ray.kill(self.actor)
