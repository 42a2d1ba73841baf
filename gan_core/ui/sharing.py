"""A student's side of the class board: "Join a class" in the sidebar of every page (a link's ?class=CODE
fills the code in), and "Share with class" beside a run (the Playground's, a Lab lesson's).

While a run is shared, its tile is brought up to date from the page's summary fragment, which already
reads the run's diagnosis and samples every few seconds while it trains (panels.read_summary): sharing
adds one small picture and one database write to that run, at most every SHARE_EVERY seconds, and none
to the live view. A paused run's tile follows each step, reset or change. The database is the classroom's
(gan_core.classroom.board); a failed write is skipped, never shown as a crash.
"""

from __future__ import annotations

import logging
import time

import sqlalchemy as sa
import streamlit as st

from gan_core.classroom import board
from gan_core.gif import png_bytes

from .i18n import t
from .owner import me

SHARE_EVERY = 4.0  # seconds between a training run's tile updates
TILE_PX = 480  # the tile's picture, square; the board shows it smaller, the full-size view as it is
SHARED = "_shared_sources"  # session state: the sources shared ({source: last (time, step, state, tile id)})
REMOVED = "_share_removed"  # session state: the source whose tile the teacher removed (said under its toggle)
log = logging.getLogger(__name__)


def error_text(e: board.BoardError) -> str:
    return t(f"board.error.{e.key}", **e.params)


# ---- joining -------------------------------------------------------------------------------------

def join_box(expanded: bool = True) -> None:
    """The sidebar's "Join a class": code and display name; once joined, who and where, and Leave. A link
    with ?class=CODE fills the code in and opens the box (`expanded`: where the page wants it)."""
    asked = st.query_params.get("class")
    if asked and "join_code" not in st.session_state:
        st.session_state.join_code = asked
        st.session_state._class_link = True  # the Playground's address soon drops ?class: remember it
    code = st.session_state.get("class_code")
    label = t("board.joined", code=code, name=st.session_state.get("display_name")) if code else t("board.join")
    opened = expanded and st.session_state.get("_class_link", False) and not code
    with st.sidebar.expander(label, icon=":material/groups:", expanded=opened):
        if code:
            st.caption(t("board.joined_help"))
            st.button(t("board.leave"), key="leave_class", on_click=_leave)
        with st.form("join_form", border=False):
            st.text_input(t("board.code"), key="join_code", max_chars=12, placeholder="ABC234")
            st.text_input(t("board.name"), key="join_name", max_chars=board.MAX_NAME, help=t("board.name_help"))
            st.form_submit_button(t("board.join_button" if not code else "board.rejoin_button"), on_click=_join,
                                  type="primary")
        if error := st.session_state.get("_join_error"):
            st.error(error)


def _join() -> None:
    st.session_state.pop("_join_error", None)
    try:
        code, name = board.join(st.session_state.get("join_code", ""), me().token,
                                st.session_state.get("join_name", ""))
    except board.BoardError as e:
        st.session_state._join_error = error_text(e)
        return
    if code != st.session_state.get("class_code"):
        st.session_state[SHARED] = {}  # a new class: nothing of this session is on its board yet
    st.session_state.class_code, st.session_state.display_name = code, name
    st.session_state.join_code = code


def _leave() -> None:
    code = st.session_state.pop("class_code", None)
    for source in st.session_state.get(SHARED, {}):
        _quietly(board.unshare, code, me().token, source)
    st.session_state[SHARED] = {}
    st.session_state.pop("display_name", None)


# ---- sharing -------------------------------------------------------------------------------------

def share_toggle(runner, source: str) -> None:
    """ "Share with class" for the run of `source` ("playground" or a lesson's name)."""
    shared = st.session_state.setdefault(SHARED, {})
    key = f"share_{source}"
    st.session_state[key] = source in shared  # the widget follows the session (a lesson switch, a Leave)
    code = st.session_state.get("class_code")
    st.toggle(t("board.share"), key=key, on_change=_toggled, args=(runner, source, key), disabled=not code,
              help=t("board.share_help") if code else t("board.share_join_first"))
    if code and source in shared:
        st.caption(t("board.sharing", code=code, name=st.session_state.get("display_name")))
    elif st.session_state.get(REMOVED) == source:
        st.info(t("board.removed"), icon=":material/groups:")


def _toggled(runner, source: str, key: str) -> None:
    shared, code = st.session_state[SHARED], st.session_state.get("class_code")
    st.session_state.pop(REMOVED, None)
    if st.session_state[key] and code:
        shared[source] = None
        refresh(runner, source, runner.read(light=True))
    elif source in shared:
        shared.pop(source)
        _quietly(board.unshare, code, me().token, source)


def refresh(runner, source: str, view: dict) -> None:
    """Bring the tile of `source` up to date from `view` (a light panel view: panels.read_summary), if it
    is shared and something changed: at most every SHARE_EVERY seconds while training."""
    shared, code = st.session_state.get(SHARED, {}), st.session_state.get("class_code")
    if source not in shared or not code:
        return
    state = "diverged" if view["status"] != "ok" else ("running" if runner.running else "paused")
    last, now = shared[source], time.monotonic()
    if last and ((last[1], last[2]) == (view["step"], state) or (state == "running" and now - last[0] < SHARE_EVERY)):
        return
    made = last[3] if last else None  # the tile's id once a share made it: later shares only update it
    shared[source] = (now, view["step"], state, made)
    snap = view["snap"]
    png = png_bytes(snap["fake"], snap["kind"], real=snap["real"] if snap["kind"] == "points" else None,
                    size=TILE_PX)
    try:
        tile = board.share(code, me().token, source, step=view["step"], status=state,
                           diagnosis=view["diagnosis"].label, settings=board.key_settings(view["config"].to_flat()),
                           png=png, create=made is None)
        shared[source] = (now, view["step"], state, tile)
        if tile is None:  # the teacher took it off the board: stop sharing until the student switches it on
            shared.pop(source, None)
            st.session_state[REMOVED] = source
            st.rerun()  # the whole page: the toggle goes off and says why
    except board.BoardError as e:  # e.g. the class is gone from this database
        shared.pop(source, None)
        st.warning(error_text(e), icon=":material/groups:")
    except sa.exc.SQLAlchemyError:
        log.warning("class board: a share was skipped", exc_info=True)  # the next one tries again


def _quietly(fn, *args) -> None:
    try:
        fn(*args)
    except (board.BoardError, sa.exc.SQLAlchemyError):
        log.warning("class board: %s failed", fn.__name__, exc_info=True)
