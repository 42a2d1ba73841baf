"""Each browser session's trainers: opened on the trainer host (gan_core.host), kept in st.session_state,
and watched by one thread of the web server for liveness, which comes from the session itself:

- a session whose websocket is gone (tab closed, browser quit) for GONE_SECONDS has its trainers closed
  (the watch looks every WATCH_EVERY s: freed within about 15 s);
- a trainer that has trained for IDLE_MINUTES without anyone using its tab (no page rerun: a click, a
  slider) pauses, and the page says why and that Train resumes it;
- nothing else stops a run: late or missing redraws (a busy server, a hidden tab) do not.
A full host (capacity reached) gives the "server is full, try again in a minute" message.
"""

from __future__ import annotations

import os
import threading
import time
import weakref

import streamlit as st

from gan_core.host import CRASHED, ServerFull, open_trainer

from .i18n import t

IDLE_MINUTES = float(os.environ.get("GAN_CLASSROOM_IDLE_MINUTES") or 20)
GONE_SECONDS = float(os.environ.get("GAN_CLASSROOM_GONE_SECONDS") or 10)
WATCH_EVERY = 5.0


def session_alive(session_id: str) -> bool:
    """Whether this browser session's websocket is connected. PRIVATE Streamlit API (1.67), kept in this
    one place: the runtime singleton's is_active_session(); tests/test_sessions.py fails loudly if it
    disappears."""
    from streamlit import runtime

    return not runtime.exists() or runtime.get_instance().is_active_session(session_id)  # AppTest: none


def session_id() -> str | None:
    """The current browser session's id (PRIVATE Streamlit API, see session_alive)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else None


def open_handle(config):
    """A new trainer for this session, watched; None (with the "server is full" message) at capacity."""
    try:
        handle = open_trainer(config)
    except ServerFull:
        st.error(t("host.full"), icon=":material/group:")
        return None
    WATCH.add(session_id(), handle)
    return handle


def trainer(key: str, config):
    """st.session_state[key], opened on first use (and again if the watch closed it); stops the page with
    the "server is full" message at capacity. A page run is a sign of life: the idle clock restarts."""
    handle = st.session_state.get(key)
    if handle is None or handle.closed:
        handle = open_handle(config() if callable(config) else config)
        if handle is None:
            st.stop()
        st.session_state[key] = handle
    handle.touch()
    return handle


def notice(handle) -> None:
    """Why a run stopped when nobody pressed Pause: idle, or its host died."""
    if handle.stopped_because == "idle" and not handle.running:
        st.info(t("host.idle_paused", minutes=f"{IDLE_MINUTES:g}"), icon=":material/bedtime:")


def crashed(view: dict) -> bool:
    """Shows the crash message if the view's trainer host died (Reset starts again)."""
    if view["status"] != CRASHED:
        return False
    st.error(t("host.crashed", reason=view["reason"] or ""), icon=":material/error:")
    return True


class Watch:
    """The web server's one liveness thread (started with the first trainer)."""

    def __init__(self):
        self.handles: list[tuple[str | None, weakref.ref]] = []
        self.gone_since: dict[str, float] = {}
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def add(self, sid: str | None, handle) -> None:
        with self.lock:
            self.handles.append((sid, weakref.ref(handle)))
            if self.thread is None:
                self.thread = threading.Thread(target=self._loop, name="gan-liveness", daemon=True)
                self.thread.start()

    def check(self, idle_s: float | None = None, gone_s: float | None = None) -> None:
        idle_s = IDLE_MINUTES * 60 if idle_s is None else idle_s
        gone_s = GONE_SECONDS if gone_s is None else gone_s
        now, keep = time.monotonic(), []
        with self.lock:
            entries = list(self.handles)
        for sid, ref in entries:
            handle = ref()
            if handle is None or handle.closed:
                continue
            if sid is not None and not session_alive(sid):
                if now - self.gone_since.setdefault(sid, now) >= gone_s:
                    handle.close()
                    continue  # (a reconnecting tab gets a fresh trainer: sessions.trainer)
            else:
                self.gone_since.pop(sid, None)
            if now - handle.last_touch > idle_s and handle.running:
                handle.pause()
                handle.stopped_because = "idle"
            keep.append((sid, ref))
        with self.lock:
            self.handles = keep + self.handles[len(entries):]
        from gan_core.host import local

        local.flush()

    def _loop(self) -> None:
        while True:
            time.sleep(WATCH_EVERY)
            try:
                self.check()
            except Exception as exc:  # the watch must outlive one bad handle
                print(f"gan-liveness: {type(exc).__name__}: {exc}", flush=True)


WATCH = Watch()
