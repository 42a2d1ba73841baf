"""A Playground session without a browser, for the load test (`--client protocol`): it speaks Streamlit's
websocket protocol as the page does and pulls the live view's stream as live.js does, but draws nothing.

Why: measured by the load test's CPU line on the 2-core machine, 8 Chromium tabs took 150% of a core while
training (135% even with painting switched off), so 8 browsers beside the server measure the browsers. In
a class each student's browser runs on the student's machine; the server sees exactly this client's traffic:

- the websocket: the first run of the page, a rerun with the Train (or Pause) button's trigger, and the
  fragments' timer reruns at the intervals the server asks for (`auto_rerun`: each timer first fires one
  interval after it is registered, as in the browser), each with the widget states;
- HTTP: one GET of the stream's address at a time, the next PULL_S after the last began (live.js PULL_MS),
  with the seq of the newest frame and the step of the newest history row it has.

Its readings: the step and running flag of the newest packet, the times new frames arrived (the redraws),
and the exceptions the page showed.
"""

from __future__ import annotations

import http.client
import json
import struct
import threading
import time
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from gan_core import frames

PULL_S = 0.1


def packet_state(data: bytes) -> dict:
    """From a live packet's bytes (gan_core.frames' layout): step, running, the newest frame's seq, the newest
    history row's step, and the stream's address when a RESET packet names one. Reads the header and offsets
    only: a class of these clients must cost the machine little."""
    _, _, flags, n_frames, n_real, n_rows, n_cols, n_text, step, _ = frames.HEADER.unpack_from(data, 0)
    off = frames.HEADER.size + n_real * 8
    row_step = struct.unpack_from("<f", data, off + (n_rows - 1) * 4)[0] if n_rows and n_cols else None
    off += n_cols * n_rows * 4
    out = {"step": step, "running": bool(flags & frames.RUNNING), "row_step": row_step, "seq": None,
           "stream": None}
    if n_text:
        out["stream"] = json.loads(data[off:off + n_text].decode()).get("stream")
    off += n_text + (-n_text % 4)
    if n_frames:
        out["seq"] = struct.unpack_from("<I", data, off)[0] + n_frames - 1
    return out


class ProtocolSession:
    """One student's Playground tab, as the server sees it. The load test's browser Session's interface:
    train(), status() -> (step, training, time), close(), start_watch(), redraw_times() (when new frames
    came, ms) and page_exceptions()."""

    def __init__(self, url: str, errors: list, page: str = "playground"):
        from websockets.sync.client import connect

        self.url, self.page, self.errors = url.rstrip("/"), page, errors
        self.buttons: dict[str, str] = {}
        self.timers: dict[str, list[float]] = {}  # fragment id -> [interval s, when due], as the browser's timers
        self._timers_lock = threading.Lock()
        self.step, self.running, self.seq, self.row_step, self.stream = None, False, 0, -1.0, None
        self.redraws: list[float] = []
        self.exceptions = 0
        self._stop = threading.Event()
        self.cookie = self._open_page()
        ws_url = "ws" + self.url[4:] + "/_stcore/stream"
        # Entered as the context manager websockets asks for; close() leaves it (the receive thread outlives
        # a `with` block here).
        self.ws = connect(ws_url, subprotocols=["streamlit"], origin=self.url, max_size=None,
                          open_timeout=60, additional_headers={"Cookie": self.cookie} if self.cookie else None
                          ).__enter__()
        self._threads = [threading.Thread(target=fn, daemon=True) for fn in (self._receive, self._pump)]
        for th in self._threads:
            th.start()
        self._rerun()

    def _open_page(self) -> str:
        """GET the page as a browser does first, and keep its cookies (behind nginx, the replica affinity
        cookie: without it the stream's requests could reach another replica, which knows no such stream)."""
        parts = urlsplit(self.url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        try:
            conn.request("GET", f"/{self.page}")
            resp = conn.getresponse()
            resp.read()
            cookies = [c.split(";", 1)[0].strip() for c in resp.headers.get_all("Set-Cookie") or []]
        finally:
            conn.close()
        return "; ".join(c for c in cookies if "=" in c)

    # ---- what the page's frontend sends -----------------------------------------------------------

    def _rerun(self, trigger: str | None = None, fragment: str | None = None) -> None:
        msg = BackMsg()
        rs = msg.rerun_script
        rs.page_name = self.page
        if trigger:
            w = rs.widget_states.widgets.add()
            w.id, w.trigger_value = trigger, True
        if fragment:
            rs.fragment_id, rs.is_auto_rerun = fragment, True
        else:  # a full run: the page registers its timers again (a paused Playground registers none)
            with self._timers_lock:
                self.timers.clear()
        self.ws.send(msg.SerializeToString())

    def click(self, label: str, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while label not in self.buttons:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no {label!r} button within {timeout:.0f} s")
            time.sleep(0.05)
        self._rerun(trigger=self.buttons[label])

    def train(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        self.click("Train", timeout)
        while not self.running:
            if time.monotonic() > deadline:
                raise TimeoutError(f"Train did not start the run within {timeout:.0f} s")
            time.sleep(0.05)

    def status(self) -> tuple[int | None, bool, float]:
        return self.step, self.running, time.perf_counter()

    def start_watch(self) -> None:
        self.redraws = []

    def redraw_times(self) -> list[float]:
        return list(self.redraws)

    def page_exceptions(self) -> int:
        return self.exceptions

    def close(self) -> None:
        try:
            self.click("Pause", timeout=5)
            time.sleep(0.5)
        except (TimeoutError, OSError):
            pass
        self._stop.set()
        self.ws.__exit__(None, None, None)

    # ---- what the server sends, and the stream -------------------------------------------------------

    def _receive(self) -> None:
        try:
            while True:
                raw = self.ws.recv()
                msg = ForwardMsg()
                msg.ParseFromString(raw)
                kind = msg.WhichOneof("type")
                if kind == "auto_rerun":
                    with self._timers_lock:  # a timer starts when registered: first due one interval later
                        interval = msg.auto_rerun.interval
                        self.timers[msg.auto_rerun.fragment_id] = [interval, time.monotonic() + interval]
                elif kind == "stop_auto_rerun":
                    with self._timers_lock:
                        for fragment_id in msg.stop_auto_rerun.fragment_ids:
                            self.timers.pop(fragment_id, None)
                elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                    self._element(msg.delta.new_element)
        except Exception:  # the connection closed: close() or the server went away
            pass

    def _element(self, el) -> None:
        kind = el.WhichOneof("type")
        if kind == "button":
            self.buttons[el.button.label] = el.button.id
        elif kind == "alert" and el.alert.format == el.alert.ERROR:  # e.g. "the server is full"
            self.errors.append(f"error on the page: {el.alert.body[:150]}")
        elif kind == "exception":
            self.exceptions += 1
            self.errors.append(f"exception on the page: {el.exception.message[:150]}")
        elif kind == "bidi_component" and el.bidi_component.bytes:
            self._accept(el.bidi_component.bytes)

    def _accept(self, data: bytes) -> None:
        got = packet_state(data)
        self.step, self.running = got["step"], got["running"]
        if got["stream"]:
            self.stream = got["stream"]
        if got["seq"] is not None and got["seq"] > self.seq:
            self.seq = got["seq"]
            self.redraws.append(time.perf_counter() * 1000)
        if got["row_step"] is not None:
            self.row_step = max(self.row_step, got["row_step"])

    def _pump(self) -> None:
        parts = urlsplit(self.url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        while not self._stop.is_set():
            t0 = time.monotonic()
            with self._timers_lock:
                due = [fid for fid, (interval, at) in self.timers.items() if t0 >= at]
                for fid in due:
                    self.timers[fid][1] = t0 + self.timers[fid][0]
            for fid in due:
                self._rerun(fragment=fid)
            if self.stream and self.running:
                try:
                    conn.request("GET", f"{self.stream}?seq={self.seq}&step={self.row_step:g}",
                                 headers={"Cookie": self.cookie} if self.cookie else {})
                    resp = conn.getresponse()
                    body = resp.read()
                    if resp.status == 200:
                        self._accept(body)
                    elif resp.status == 404:
                        self.stream = None
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            self._stop.wait(max(0.01, PULL_S - (time.monotonic() - t0)))
