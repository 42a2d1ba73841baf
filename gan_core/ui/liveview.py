"""The live view on the page: a Custom Component v2 (gan_core/ui/static/live.js, plain JS drawing on canvas)
fed binary packets (gan_core.frames) from the session handle's poll(), never figure JSON.

Each call sends what the browser lacks: on a full script run (a new page, a button, a language) everything,
flagged RESET (the curves' history, the real points, the labels, the latest frame, the stream's address).
While training, the canvas pulls the frames and rows itself from the server's stream (gan_core.ui.stream),
and a fragment's timer run sends only the state (step, rate, running). Where the stream is not mounted
(AppTest, `streamlit run app.py`), a timer run sends the frames and history rows of the last few packets
(the browser keeps rows by step and frames by number, so a packet the page skipped under load loses
nothing). Only the handle's protocol is used: poll() and call() (real points, events, frame options), so
the same code drives a thread, a worker or a Ray actor.
"""

from __future__ import annotations

import math
import time
from collections import deque
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from gan_core import frames
from gan_core.config import CRITIC_LOSSES
from gan_core.display import event_text
from gan_core.evaluate import real_reference
from gan_core.views import FRAME_POINTS, live_frame, set_live_options

from . import presenter, stream
from .i18n import t

STATIC = Path(__file__).resolve().parent / "static"
DRAWN = "_drawn_points"  # session-state key of the points painted on the map, a flat [x0, y0, x1, y1, ...]
STATE_EVERY = 1.0  # seconds between timer runs while the stream carries the frames
QUIET_EVERY = 10.0  # the same when the view also shows the status line
NO_FRAMES = 2**31 - 1  # a poll's since_seq that asks for no frames (the stream brings them)
MAX_FRAMES = 8  # frames per packet: the new ones and those of the packet before (~0.4 s at one per 50 ms)
OVERLAP = 3  # packets whose frames and rows are sent again
# A timer run this soon after a full run sends the full packet again, once. Streamlit merges two deltas for
# one element while both wait in its send queue, so a timer run right behind a full run could replace the
# RESET packet (stream address, labels, real points, history) with its state-only one: seen through nginx
# with Ray, where a Train click during a slow first run was followed at once by the fragment's timer run,
# and that session's canvas never learnt its stream.
RESEND_S = 3.0
LABELS = {  # live.js's text key -> i18n key
    "real": "live.real", "generated": "live.generated", "step": "fig.step", "d_colorbar": "fig.d_colorbar",
    "losses": "fig.loss_title", "means": "fig.means_title", "d_loss": "fig.d_loss", "g_loss": "fig.g_loss",
    "d_real": "fig.d_real", "d_fake": "live.d_fake", "ema": "live.ema", "cant_tell": "fig.cant_tell",
    "no_steps": "live.no_steps", "nan_points": "live.nan_points", "no_grid": "live.no_grid",
    "log_positive": "live.log_positive", "no_finite": "live.no_finite", "reset_zoom": "live.reset_zoom", "waiting": "live.waiting",
    "sample": "live.sample", "draw_use": "live.draw_use", "draw_clear": "live.draw_clear", "draw_hint": "live.draw_hint",
}

CRITIC_LABELS = {"d_colorbar": "fig.d_colorbar_critic", "means": "fig.means_y_critic"}  # raw scores

_component = st.components.v2.component(
    "gan_classroom_live", html="", css=(STATIC / "live.css").read_text(encoding="utf-8"),
    js=(STATIC / "live.js").read_text(encoding="utf-8"), isolate_styles=False)


def every(fast: float, status: bool = False) -> float:
    """Seconds between a live view's timer runs while training: `fast` when the runs carry the frames;
    with the stream, STATE_EVERY (the runs refresh the status and progress), or QUIET_EVERY when the view
    shows the status line itself (`status`: the runs are then a safety net; a run that stops by itself
    makes the view ask for a rerun at once)."""
    if not stream.enabled():
        return fast
    return QUIET_EVERY if status else STATE_EVERY


def status_in_view() -> bool:
    """Whether a view mounted with status=True draws the page's status line (only with the stream)."""
    return stream.enabled()


def full_run() -> bool:
    """True in a full script run, False in a fragment's own run."""
    ctx = get_script_run_ctx()
    return not (ctx is not None and ctx.fragment_ids_this_run)


def poll(runner, key: str) -> dict:
    """The handle's poll() for this view: what is new since its last packet (everything on a full run;
    with the stream, a timer run asks for the state and the newest rows only)."""
    state = st.session_state.setdefault(f"_live_{key}", {"seqs": deque(maxlen=OVERLAP), "steps": deque(maxlen=OVERLAP)})
    now = time.monotonic()
    if full_run():
        full, state["full_at"] = True, now
    else:  # the first timer run after a full run decides once whether to send it again (RESEND_S)
        full = now - state.pop("full_at", -math.inf) < RESEND_S
    if full:
        state["seqs"], state["steps"] = deque(maxlen=OVERLAP), deque(maxlen=OVERLAP)
    elif stream.enabled():
        polled = runner.poll(NO_FRAMES, state.get("tail", -1))
        if len(polled["rows"].get("step", ())):
            state["tail"] = float(polled["rows"]["step"][-1])
        polled["full"] = False
        return polled
    since_seq = state["seqs"][0] if state["seqs"] else -1
    since_step = state["steps"][0] if state["steps"] else -1
    polled = runner.poll(since_seq, since_step)
    polled["full"] = full
    return polled


def show(runner, key: str, polled: dict, *, log_y: bool = False, arrows: bool = False, manifold: bool = False,
         x_range: tuple[int, int] | None = None, status: bool = False, draw: bool = False) -> None:
    """Mount the live view (key=`key`) with the packet for `polled` (from poll above); with `status` and
    the stream, the view also shows the `Step N · R steps/s · state` line (status_in_view); with `draw`,
    dragging on the map paints points, and "Train on N drawn points" puts them in
    st.session_state[DRAWN] and reruns the page (controls.apply_drawn starts the run)."""
    state = st.session_state[f"_live_{key}"]
    got = polled["frames"]
    seqs = list(range(polled["seq"] - len(got) + 1, polled["seq"] + 1))
    wanted = (arrows, manifold)
    points = (got[-1]["kind"] if got else "points") == "points"
    stale = points and got and (("arrows" in got[-1]) != arrows or ("manifold" in got[-1]) != manifold)
    full = polled["full"]
    if points and (state.get("options") != wanted or stale or state.get("draw") != draw):
        state["draw"] = draw
        runner.call(set_live_options, arrows=arrows, manifold=manifold)  # also after a replace (a new trainer)
        state["options"] = wanted
        got, seqs, full = [runner.call(live_frame)], [polled["seq"]], True  # shown now, even when paused
    flags = frames.LOG_Y if log_y else 0
    if not full and stream.enabled():  # the canvas pulls frames and rows from the stream: the state only
        _mount(frames.live_packet({**polled, "frames": [], "rows": {}}, 0, flags), key)
        return
    pairs = list(zip(seqs, got))[-1:] if full else list(zip(seqs, got))[-MAX_FRAMES:]
    flags |= (frames.RUNNING if polled["running"] else 0) | (frames.DIVERGED if polled["status"] != "ok" else 0)
    extra = {}
    if full:
        rows = polled["rows"] if polled.get("rows") is not None else {}
        if state["steps"]:  # an options change in a fragment run: the whole history again
            rows = runner.poll(polled["seq"], -1)["rows"]
        kind = pairs[-1][1]["kind"] if pairs else "points"
        critic = runner.config.loss in CRITIC_LOSSES
        labels = {k: t(CRITIC_LABELS.get(k, v) if critic else v) for k, v in LABELS.items()}
        if status and status_in_view():
            labels |= {"status_line": t("status_line", step="{step}", rate="{rate}"),
                       "running": t("state.running"), "paused": t("state.paused")}
        extra = {"real": runner.call(real_reference, FRAME_POINTS) if kind == "points" else None,
                 "text": {"labels": labels, "critic": critic,
                          "events": [[e["step"], event_text(e)] for e in runner.call(frames.events_of)],
                          "x_range": list(x_range) if x_range else None, "draw": draw,
                          "scale": presenter.canvas_scale(),  # presenter mode: bigger markers and fonts
                          "stream": stream.address(runner, state) if stream.enabled() else None}}
        state["tail"] = float(rows["step"][-1]) if len(rows.get("step", ())) else -1
        flags |= frames.RESET
    else:
        rows = polled["rows"]
    packet = frames.encode(pairs, rows, step=polled["step"], steps_per_s=polled["steps_per_s"], flags=flags,
                           **extra)
    state["seqs"].append(polled["seq"])
    step_col = rows.get("step") if rows else None
    state["steps"].append(float(step_col[-1]) if step_col is not None and len(step_col) else
                          (state["steps"][-1] if state["steps"] else -1))
    _mount(packet, key)


def _mount(packet: bytes, key: str) -> None:
    result = _component(data=packet, key=key, on_stopped_change=_stopped, on_drawn_change=_stopped)
    if result.drawn:
        st.session_state[DRAWN] = result.drawn  # the page checks them (controls.apply_drawn)
        st.rerun()


def _stopped() -> None:
    """The view saw its run stop by itself: Streamlit reruns the view's fragment, which sees the run
    stopped and reruns the page (its buttons)."""
