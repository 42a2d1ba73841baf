"""The Playground's live part: the session's Runner, the control buttons and the redrawn panels.

Pattern (Streamlit docs, "start and stop a streaming fragment"): the Runner lives in st.session_state
(per browser session, never in a shared cache); panels are fragments with run_every set only while
training; buttons are callbacks outside the fragments, so a click reruns the page and restarts or stops
the timers. Training itself happens on the Runner's worker thread, so redraws don't stall it; the page
only reads the frames it recorded (panels.poll) and sends them to the browser's canvas.
"""

from __future__ import annotations

import streamlit as st

from gan_core.host.runner import Runner
from gan_core.presets import PRESETS

from . import liveview, panels, presenter, sessions, sharing
from .i18n import t

# Seconds between packets of frames without the stream / between redraws of the plotly summary charts while
# training (re-creating them costs the browser ~0.4 s of its main thread, profiled: every 2 s that was a
# fifth of a core, and the live view dropped frames; a click or Pause redraws them at once).
FAST, SLOW = 0.2, 5.0
SLOW_MODE_INTERVAL = 1.2
SPEEDS = [1, 5, 20, 100, "max"]


def session_runner(default_preset: str = "ring-stable") -> Runner:
    """The session's trainer on the trainer host (sessions.trainer: a worker process by default)."""
    return sessions.trainer("runner", PRESETS[default_preset].config)


def buttons(runner: Runner, pending: dict, wanted) -> None:
    """Train / Pause / Step / Step D / Step G / Reset (in presenter mode with keyboard shortcuts)."""
    sessions.notice(runner)
    cols = st.columns(6)
    running = runner.running
    cols[0].button(t("btn.train"), key="btn_train", on_click=_train, args=(runner,), type="primary",
                   disabled=running or runner.status != "ok" or bool(pending), width="stretch",
                   **presenter.button_keys("train"))
    cols[1].button(t("btn.pause"), key="btn_pause", on_click=runner.pause, disabled=not running, width="stretch",
                   **presenter.button_keys("pause"))
    for col, action in zip(cols[2:5], ("step", "d_step", "g_step")):
        col.button(t(f"btn.{action}"), key=f"btn_{action}", on_click=_act, args=(runner, action),
                   disabled=runner.status != "ok" or bool(pending), width="stretch",
                   **presenter.button_keys(action, t(f"btn.{action}_help")))
    cols[5].button(t("btn.reset"), key="btn_reset", on_click=_reset, args=(runner, pending, wanted),
                   width="stretch", type="primary" if pending else "secondary",
                   **presenter.button_keys("reset", t("btn.reset_help")))
    if pending:
        changed = ", ".join(f"{k} {_fmt(a)} → {_fmt(b)}" for k, (a, b) in pending.items())
        st.warning(t("needs_reset", changes=changed))


def _fmt(v):
    return f"{v:g}" if isinstance(v, float) else str(v)


def _train(runner: Runner) -> None:
    _apply_speed(runner)
    runner.start()


def _act(runner: Runner, action: str) -> None:
    runner.do(action)


def _reset(runner: Runner, pending: dict, wanted) -> None:
    if pending and wanted is not None:
        runner.replace(wanted)
    else:
        runner.do("reset")


def speed_controls(runner: Runner) -> None:
    """Steps per redraw and slow mode (in presenter mode in the sidebar: the room above the fold goes to the
    live view)."""
    c1, c2 = (st.sidebar, st.sidebar) if presenter.active() else st.columns([3, 2])
    c1.select_slider(t("speed"), SPEEDS, value="max", key="speed", help=t("speed_help"),
                     format_func=lambda v: t("speed_max") if v == "max" else str(v), on_change=_apply_speed,
                     args=(runner,))
    c2.toggle(t("slow_mode"), key="slow_mode", help=t("slow_mode_help"), on_change=_apply_speed, args=(runner,))
    _apply_speed(runner)


def _apply_speed(runner: Runner) -> None:
    """The speed slider counts steps per redraw (FAST seconds); slow mode is one step per slow redraw."""
    speed = st.session_state.get("speed", "max")
    if st.session_state.get("slow_mode"):
        runner.set_pace(1 / SLOW_MODE_INTERVAL)
    else:
        runner.set_pace(None if speed == "max" else int(speed) / FAST)


def live_panels(runner: Runner) -> None:
    """Everything that moves while training. The canvas pulls frames from the stream (or, without it, the
    live view's fragment sends them every FAST seconds) and plays them at ~20 frames/s, with the status
    line (liveview.every: with the stream the fragment only runs as a safety net, and when the run stops by
    itself); the summary charts below are redrawn every SLOW seconds."""
    slow_mode = st.session_state.get("slow_mode", False)
    fast_every = (SLOW_MODE_INTERVAL if slow_mode else liveview.every(FAST, status=True)) if runner.running else None
    slow_every = panels.summary_every("playground", runner.running, SLOW)

    @st.fragment(run_every=fast_every)
    def main_panels():
        if fast_every and not runner.running:
            st.rerun()  # the worker stopped by itself (diverged or idle): stop the timers too
        view = panels.poll(runner, "live_view")
        panels.status(view, runner, slow_mode)
        panels.main(runner, view, "live_view", status=True, drawing=True)

    @st.fragment(run_every=slow_every)
    def summary_panels():
        if panels.summary_ready("playground"):
            view = panels.read_summary(runner, "playground")
            panels.summary(view)
            sharing.refresh(runner, "playground", view)  # the class board's tile, if shared

    main_panels()
    summary_panels()
