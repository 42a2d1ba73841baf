"""The `local` trainer host: each session's trainer in a worker process on this machine.

A bounded pool (GAN_CLASSROOM_WORKERS, default one per core) of `python -m gan_core.host.worker`
processes, started on first use; a new session goes to the worker with the fewest sessions, and a
worker trains its running sessions in turn (gan_core.host.worker), so sessions beyond the pool share
the cores fairly. The web process only sends requests and receives pickled numpy frames: it never
trains. Workers are started with subprocess (fork + exec), never a bare fork of the multi-threaded web
server. A worker that dies (killed, out of memory) turns its sessions' status into "crashed" with a
message; Reset starts the session again on a live worker.
"""

from __future__ import annotations

import itertools
import os
import pickle
import socket
import subprocess
import sys
import threading
import time
import weakref
from multiprocessing.connection import Connection

from gan_core import Config

from .base import CRASHED, Handle, ServerFull

STATE_TTL = 0.1  # seconds a cached state answers running/status/step_count before asking again


class WorkerLost(RuntimeError):
    pass


class Worker:
    def __init__(self):
        ours, theirs = socket.socketpair()
        self.proc = subprocess.Popen([sys.executable, "-m", "gan_core.host.worker", str(theirs.fileno())],
                                     pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL)
        theirs.close()
        self.conn = Connection(ours.detach())
        self.lock = threading.Lock()
        self.sessions: set[int] = set()
        self.closing: list[int] = []  # sessions whose handle was dropped: closed before the next request
        self.dead = False

    def request(self, sid: int, op: str, args=(), kw=None):
        with self.lock:
            if self.dead:
                raise WorkerLost(self.exit_text())
            try:
                while self.closing:
                    self.conn.send_bytes(pickle.dumps((self.closing.pop(), "close", (), {})))
                    self.conn.recv_bytes()
                self.conn.send_bytes(pickle.dumps((sid, op, args, kw or {}), protocol=pickle.HIGHEST_PROTOCOL))
                ok, value = pickle.loads(self.conn.recv_bytes())
            except (EOFError, OSError) as exc:
                self.dead = True
                raise WorkerLost(self.exit_text()) from exc
        if not ok:
            raise (ValueError if value.startswith("ValueError") else RuntimeError)(value.split(": ", 1)[-1])
        return value

    def exit_text(self) -> str:
        try:
            code = self.proc.wait(timeout=1.0)
        except subprocess.TimeoutExpired:
            code = None
        return f"worker process {self.proc.pid} stopped (exit code {code})"

    def stop(self) -> None:
        self.dead = True
        self.conn.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Pool:
    def __init__(self, workers: int | None = None, max_sessions: int | None = None):
        self.size = workers or int(os.environ.get("GAN_CLASSROOM_WORKERS") or os.cpu_count() or 1)
        self.max_sessions = max_sessions or int(os.environ.get("GAN_CLASSROOM_MAX_SESSIONS") or 12 * self.size)
        self.workers: list[Worker] = []
        self._ids = itertools.count(1)
        self._lock = threading.RLock()  # RLock: a handle's finalizer may run inside assign()

    def assign(self, sid: int | None = None) -> tuple[int, Worker]:
        with self._lock:
            self.workers = [w for w in self.workers if not w.dead]
            if sum(len(w.sessions) for w in self.workers) >= self.max_sessions:
                raise ServerFull(self.max_sessions)
            if len(self.workers) < self.size:
                self.workers.append(Worker())
            worker = min(self.workers, key=lambda w: len(w.sessions))
            sid = sid or next(self._ids)
            worker.sessions.add(sid)
            return sid, worker

    def release(self, sid: int, worker: Worker) -> None:
        with self._lock:
            worker.sessions.discard(sid)

    def warm(self) -> None:
        """Start every worker now (the server's start-up), not when the first students arrive."""
        with self._lock:
            self.workers = [w for w in self.workers if not w.dead]
            self.workers += [Worker() for _ in range(self.size - len(self.workers))]

    def flush(self) -> None:
        """Close the trainers of dropped handles now (the liveness watch calls this every few seconds)."""
        for w in list(self.workers):
            if w.closing and not w.dead:
                try:
                    w.request(0, "ping")
                except WorkerLost:
                    pass

    def pids(self) -> list[int]:
        return [w.proc.pid for w in self.workers if not w.dead]

    def stop(self) -> None:
        with self._lock:
            for w in self.workers:
                w.stop()
            self.workers = []


_POOL: Pool | None = None
_POOL_LOCK = threading.Lock()


def pool() -> Pool:
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = Pool()
        return _POOL


def flush() -> None:
    """Close the dropped handles' trainers, if the pool exists (gan_core.ui.sessions' watch)."""
    if _POOL is not None:
        _POOL.flush()


class LocalTrainer(Handle):
    """A session handle whose trainer lives in a worker process of `pool`."""

    def __init__(self, config: Config, pool_: Pool | None = None):
        self._pool = pool_ or pool()
        self._config = config
        self._state = None
        self.sid, self.worker = self._pool.assign()
        self._slot = [self.sid, self.worker]
        self._finalizer = weakref.finalize(self, _forget, self._pool, self._slot)
        try:
            self._remember(self.worker.request(self.sid, "open", (config,)))
        except WorkerLost as exc:
            self._lost(exc)
        super().__init__()

    def _request(self, op: str, *args, **kw):
        if self.closed:
            raise RuntimeError("this session's trainer was closed")
        if self._state["status"] == CRASHED and not (op == "do" and args == ("reset",)) and op != "replace":
            return self._crashed_answer(op)
        try:
            return self.worker.request(self.sid, op, args, kw)
        except WorkerLost as exc:
            self._lost(exc)
            return self._crashed_answer(op)

    def _lost(self, exc: Exception) -> None:
        self._pool.release(self.sid, self.worker)
        self._state = {**(self._state or {}), "status": CRASHED, "running": False, "steps_per_s": 0.0,
                       "reason": f"the trainer's {exc}", "config": self._config, "step": (self._state or {}).get("step", 0)}
        self._state_t = time.monotonic()

    def _crashed_answer(self, op: str):
        if op == "poll":
            return {"seq": 0, "frames": [], "rows": {}, **self._state}
        if op == "state":
            return self._state
        raise RuntimeError(self._state["reason"])

    def _reopen(self, config: Config) -> None:
        self.sid, self.worker = self._pool.assign(self.sid)
        self._slot[:] = [self.sid, self.worker]
        self._remember(self.worker.request(self.sid, "open", (config,)))

    def _remember(self, state: dict) -> dict:
        self._state, self._state_t = state, time.monotonic()
        self._config = state["config"]
        return state

    # ---- the protocol ------------------------------------------------------------------------

    def start(self, until: int | None = None) -> None:
        self.stopped_because = None
        self._request("start", until)
        self._state_t = 0.0

    def pause(self) -> None:
        self._request("pause")
        self._state_t = 0.0

    def do(self, action: str) -> dict:
        if action == "reset" and self._state["status"] == CRASHED:
            self._reopen(self._config)
            return {}
        record = self._request("do", action)
        self._state_t = 0.0
        return record

    def update(self, **changes) -> dict:
        event = self._request("update", **changes)
        self._state_t = 0.0
        return event

    def replace(self, config: Config) -> None:
        if self._state["status"] == CRASHED:
            self._reopen(config)
        else:
            self._request("replace", config)
            self._state_t = 0.0

    def state(self) -> dict:
        if time.monotonic() - self._state_t > STATE_TTL and self._state["status"] != CRASHED and not self.closed:
            self._remember(self._request("state"))
        return self._state

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self._finalizer.detach()
        if self._state["status"] != CRASHED:
            try:
                self.worker.request(self.sid, "close")
            except WorkerLost:
                pass
            self._pool.release(self.sid, self.worker)


def _forget(pool_: Pool, slot: list) -> None:
    """A handle was garbage-collected without close() (its browser session was dropped): free its
    place now and its trainer at the worker's next request (never a request from inside the collector)."""
    sid, worker = slot
    pool_.release(sid, worker)
    worker.closing.append(sid)
