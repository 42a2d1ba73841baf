"""The live view's frame stream: while a run trains, the canvas pulls packets (gan_core.frames) straight
from the web server, GET /_gan/live/<token>?seq=S&step=T, about ten times a second, without a Streamlit
rerun. A rerun re-renders the page in the browser (React, styles, layout: about 100 ms of its main thread
on a 2-core machine), and five of them a second were what held the view at ~9 frames/s with a whole core
busy. Streamlit's own runs still send the RESET packet (labels, real points, the whole history), which
carries the stream's address, and the status line once a second.

server.py (beside app.py) mounts ROUTE on Streamlit's server with st.App. Where it is not mounted
(AppTest, `streamlit run app.py`), enabled() is False and the page sends packets from its fragment timer.
A token is a random secret known only to its session's browser; it maps to the session's handle by weak
reference, so a closed session's address answers 404 (and the canvas stops pulling).
"""

from __future__ import annotations

import secrets
import threading
import weakref

from gan_core import frames

PATH = "/_gan/live/{token}"
MAX_FRAMES = 8  # at most ~0.4 s of frames in one answer (one every 50 ms): a late browser skips ahead
_handles: dict[str, weakref.ref] = {}
_lock = threading.Lock()
_mounted = False


def enabled() -> bool:
    return _mounted


def address(handle, state: dict) -> str:
    """The stream's path for `handle`; state: the view's session-state dict (the token is kept there,
    a new one for a new handle)."""
    kept = state.get("stream")
    if kept is None or kept[1]() is not handle:
        token = secrets.token_urlsafe(16)
        with _lock:
            _handles[token] = weakref.ref(handle, lambda _ref, t=token: _handles.pop(t, None))
        kept = state["stream"] = (token, weakref.ref(handle))
    return PATH.format(token=kept[0])


def packet(token: str, since_seq: int, since_step: float) -> bytes | None:
    """The packet for the stream `token` (None: no such live session)."""
    with _lock:
        ref = _handles.get(token)
    handle = ref() if ref is not None else None
    if handle is None or handle.closed:
        return None
    return frames.live_packet(handle.poll(since_seq, since_step), MAX_FRAMES)


def route():
    """The starlette Route for server.py (marks the stream as available to the pages)."""
    global _mounted
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import Response
    from starlette.routing import Route

    async def live(request):
        try:
            seq, step = int(request.query_params.get("seq", -1)), float(request.query_params.get("step", -1))
        except ValueError:
            return Response("seq and step must be numbers", status_code=400)
        try:
            body = await run_in_threadpool(packet, request.path_params["token"], seq, step)
        except RuntimeError as exc:  # the trainer's host died: the page's next run says so
            return Response(str(exc), status_code=503)
        if body is None:
            return Response(status_code=404)
        return Response(body, media_type="application/octet-stream", headers={"Cache-Control": "no-store"})

    _mounted = True
    return Route(PATH, live, methods=["GET"])
