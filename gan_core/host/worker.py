"""A worker process of the local trainer pool: `python -m gan_core.host.worker FD` (started by
gan_core.host.local, never by hand). It holds the Engines of several sessions and trains the running
ones in turn, SLICE seconds each (round-robin: every session of the worker gets the same share of its
core, none starves), answering requests between steps. torch uses one thread: the pool has one worker
per core. The worker exits when its connection closes (the web server stopped or crashed).

Plain pickle on the connection (multiprocessing's own pickler would pass torch tensors as shared
file descriptors, which needs a process started by multiprocessing). Requests: (session id, op, args, kw); replies: (True, value) or (False, message).
Ops: "open" (config), "close", "ping", and the Engine's (engine.OPS).
"""

from __future__ import annotations

import pickle
import sys
import time
import traceback
from multiprocessing.connection import Connection

SLICE = 0.02  # seconds of training per session per turn


def serve(conn: Connection) -> None:
    from .engine import Engine

    engines: dict[int, Engine] = {}
    turn = 0
    while True:
        running = [e for e in engines.values() if e.running]
        if not running:
            conn.poll(None)
        else:
            wait = min(e.wait_hint() for e in running)
            if wait > 0:
                conn.poll(min(wait, 0.05))
        while conn.poll(0):
            sid, op, args, kw = pickle.loads(conn.recv_bytes())
            try:
                if op == "open":
                    engines[sid] = Engine(*args)
                    reply = (True, engines[sid].state())
                elif op == "ping":
                    reply = (True, None)
                elif op == "close":
                    engines.pop(sid, None)
                    reply = (True, None)
                elif sid not in engines:
                    reply = (False, f"no trainer {sid} in this worker")
                else:
                    reply = (True, engines[sid].handle(op, args, kw))
            except Exception as exc:  # the caller re-raises it; the worker and its other sessions go on
                reply = (False, f"{type(exc).__name__}: {exc}")
                if not isinstance(exc, ValueError):
                    traceback.print_exc()
            conn.send_bytes(pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL))
        running = [e for e in engines.values() if e.running]
        if running:
            turn = (turn + 1) % len(running)
            for e in running[turn:] + running[:turn]:
                e.work(time.monotonic() + SLICE, conn.poll)
                if conn.poll(0):
                    break


def main(argv: list[str]) -> int:
    import torch

    torch.set_num_threads(1)
    conn = Connection(int(argv[0]))
    try:
        serve(conn)
    except (EOFError, OSError):
        pass  # the web server went away
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
