"""The class board page's helpers: open a class's board (or start a new class), filter it, and watch every
shared run as a tile that refreshes itself; a tile opens full-size.

Who may do what: anyone with the code sees the board (read-only); the class's teacher key (given when the
class was started, or typed in) also shows the tiles hidden from students and the Hide / Remove buttons.
The key is checked by gan_core.classroom.board on every action, not only here.
"""

from __future__ import annotations

import re
import time

import sqlalchemy as sa
import streamlit as st

from gan_core.classroom.board import (
    BoardError,
    create_class,
    exists,
    hide,
    member_count,
    normalize_code,
    remove,
    tiles,
)
from gan_core.classroom.owners import is_teacher

from . import lab
from .i18n import lang, md, t
from .owner import teacher_key
from .sharing import error_text

REFRESH = 2.5  # seconds between the board's redraws
COLUMNS = 4  # tiles per row
CREATED = "_board_created"  # session state: {code: teacher key} of the classes this session started
OPEN, ERROR, SHOWN = "_board_open", "_board_error", "_board_shown"
SOURCES = [None, "playground", *lab.LESSONS]
DIAGNOSES = [None, "healthy", "not-converged-yet", "mode-collapse", "failed-to-learn", "vanishing-gradients",
             "oscillation", "divergence"]
BADGE = {"healthy": ("green", ":material/check_circle:"), "not-converged-yet": ("gray", ":material/hourglass_top:"),
         "divergence": ("red", ":material/error:")}  # other labels: orange, a warning sign


def _md(text: str) -> str:
    """A student's text as literal Markdown (a display name is not markup)."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!<>|~$:])", r"\\\1", text)


def source_label(source: str | None) -> str:
    if source is None:
        return t("board.all_sources")
    if source in lab.LESSONS:
        return t("board.lesson", name=lab.title(source))
    return t("nav.playground") if source == "playground" else source


def state_label(state: str) -> str:
    return t({"running": "state.running", "paused": "state.paused"}.get(state, "board.state.diverged"))


# ---- which class -------------------------------------------------------------------------------------

def class_picker() -> tuple[str | None, str | None]:
    """The code to show (typed, from ?class=, the class this session joined or started) and the teacher
    key when it is the class's: (code or None, key or None)."""
    if "board_code" not in st.session_state:
        # A widget's value goes when its page is left: start again from the link, the last board shown here
        # or the class this session joined.
        st.session_state.board_code = (st.query_params.get("class") or st.session_state.get(SHOWN)
                                       or st.session_state.get("class_code") or "")
    created = st.session_state.setdefault(CREATED, {})
    left, right = st.columns([3, 2])
    left.text_input(t("board.code"), key="board_code", max_chars=12, placeholder="ABC234", help=t("board.code_help"))
    right.text_input(t("owner.teacher_key"), key="board_key", type="password", help=t("board.key_help"))
    st.button(t("board.create"), key="board_create", on_click=_create, icon=":material/add:",
              help=t("board.create_help"))
    if not st.session_state.board_code.strip():
        st.info(t("board.start_hint"), icon=":material/groups:")
        return None, None
    try:
        code = normalize_code(st.session_state.board_code)
        if not exists(code):
            raise BoardError("no_class", code=code)
    except BoardError as e:
        st.error(error_text(e), icon=":material/error:")
        return None, None
    st.query_params["class"] = code
    st.session_state[SHOWN] = code
    if code in created:
        created_box(code, created[code])
    key = st.session_state.get("board_key") or created.get(code) or teacher_key()  # typed here or on Compare
    if is_teacher(key, code):
        st.caption(t("board.teacher_view"))
        return code, key
    if st.session_state.get("board_key"):
        st.warning(t("board.error.not_teacher", code=code), icon=":material/key_off:")
    st.caption(t("board.read_only"))
    return code, None


def _create() -> None:
    code, key = create_class()
    st.session_state[CREATED][code] = key
    st.session_state.board_code, st.session_state.board_key = code, key
    st.session_state._class_teacher_key = key  # also the teacher key of the class's saved runs (ui.owner)


def join_link(code: str) -> str:
    base = (st.context.url or "").split("?")[0].rstrip("/")
    base = base.removesuffix("/board")
    return f"{base}/playground?class={code}&lang={lang()}"


def created_box(code: str, key: str) -> None:
    """What the teacher hands out (the code, the link) and keeps (the key)."""
    with st.container(border=True):
        st.markdown(t("board.created", code=code))
        left, right = st.columns([3, 2])
        with left:
            st.caption(t("board.link_help"))
            st.code(join_link(code), language=None, wrap_lines=True)
        with right:
            st.caption(t("board.key_shown_once"))
            st.code(key, language=None)


# ---- the board -------------------------------------------------------------------------------------

def filters() -> tuple[str | None, str | None]:
    """Lesson and diagnosis. Keys per language: a selectbox keeps its value as the option's text, which a
    language switch would leave behind (shown in the old language, matching no option)."""
    left, right = st.columns(2)
    source = left.selectbox(t("board.filter_source"), SOURCES, format_func=source_label, key=f"board_source_{lang()}")
    label = right.selectbox(t("board.filter_diagnosis"), DIAGNOSES, key=f"board_diagnosis_{lang()}",
                            format_func=lambda d: t("board.all_diagnoses") if d is None else t(f"diag.{d}"))
    return source, label


def live_board(code: str, key: str | None, source: str | None, label: str | None) -> None:
    """The tiles, redrawn every REFRESH seconds (a fragment: the rest of the page stays put)."""

    @st.fragment(run_every=REFRESH)
    def board_tiles():
        if error := st.session_state.pop(ERROR, None):
            st.error(error, icon=":material/error:")
        try:
            shown, members = tiles(code, source, label, hidden=key is not None), member_count(code)
        except sa.exc.SQLAlchemyError:
            st.warning(t("board.db_busy"), icon=":material/sync_problem:")
            return
        st.caption(t("board.count", n=len(shown), members=members, time=time.strftime("%H:%M:%S")))
        if not shown:
            st.info(t("board.empty"), icon=":material/hourglass_empty:")
        for row in range(0, len(shown), COLUMNS):
            for col, tile in zip(st.columns(COLUMNS), shown[row:row + COLUMNS]):
                with col.container(border=True, key=f"board_tile_{tile.id}"):  # class st-key-board_tile_ID
                    draw_tile(tile, code, key)

    board_tiles()


def badge(label: str) -> str:
    color, icon = BADGE.get(label, ("orange", ":material/warning:"))
    return f":{color}-badge[{icon} {t('diag.' + label)}]"


def settings_line(settings: dict) -> str:
    """ring8 · non-saturating · lr_d 0.0002 · ... (one optimizer name when D's and G's agree; the seed is in
    the full-size view)."""
    shown = dict(settings)
    if shown.get("d_optimizer") == shown.get("g_optimizer"):
        shown = {("optimizer" if k == "d_optimizer" else k): v for k, v in shown.items() if k != "g_optimizer"}
    parts = []
    for k, v in shown.items():
        text = f"{v:g}" if isinstance(v, float) else str(v)
        if k != "seed":
            parts.append(text if k in ("dataset", "loss", "optimizer") else f"{k} {text}")
    return " · ".join(parts)


def ago(updated: float) -> str:
    seconds = max(0, int(time.time() - updated))
    return t("board.ago_s", n=seconds) if seconds < 90 else t("board.ago_min", n=seconds // 60)


def draw_tile(tile, code: str, key: str | None) -> None:
    if tile.image:
        st.image(tile.image, width="stretch")
    st.markdown(f"**{_md(tile.display)}** · {badge(tile.diagnosis)}")
    st.caption(f"{source_label(tile.source)} · {t('board.step', step=f'{tile.step:,}')} · "
               f"{state_label(tile.status)} · {ago(tile.updated)}")
    st.caption(settings_line(tile.settings))
    if tile.hidden:
        st.caption(t("board.hidden_note"))
    if st.button(t("board.open"), key=f"board_open_{tile.id}", icon=":material/open_in_full:", width="stretch"):
        st.session_state[OPEN] = tile.id
        st.rerun()  # the whole page: the dialog lives outside the redrawn fragment
    if key:  # a row of their own: three buttons do not fit a quarter of the page
        cols = st.columns(2)
        cols[0].button(t("board.show" if tile.hidden else "board.hide"), key=f"board_hide_{tile.id}",
                       on_click=_act, args=(hide, code, key, tile.id, not tile.hidden), width="stretch")
        cols[1].button(t("board.remove"), key=f"board_remove_{tile.id}", on_click=_act,
                       args=(remove, code, key, tile.id), width="stretch")


def _act(fn, code, key, *args) -> None:
    try:
        fn(code, key, *args)
    except BoardError as e:
        st.session_state[ERROR] = error_text(e)


def open_tile(code: str, key: str | None) -> None:
    """The tile the student or teacher opened, full-size, in a dialog (until the next click on the page)."""
    wanted = st.session_state.pop(OPEN, None)
    found = [x for x in tiles(code, hidden=key is not None) if x.id == wanted] if wanted is not None else []
    if found:
        st.dialog(_md(found[0].display), width="large")(full_tile)(found[0])


def full_tile(tile) -> None:
    left, right = st.columns([3, 2])
    if tile.image:
        left.image(tile.image, width="content")  # as drawn (sharing.TILE_PX), not blown up
    with right:
        st.markdown(f"### {badge(tile.diagnosis)}")
        st.markdown(f"{source_label(tile.source)} · {t('board.step', step=f'{tile.step:,}')} · "
                    f"{state_label(tile.status)}")
        st.caption(ago(tile.updated))
        st.table({t("board.setting"): list(tile.settings), t("board.value"): [str(v) for v in tile.settings.values()]})
    if tile.diagnosis in DIAGNOSES:  # a known label names a lesson file
        with st.expander(t("diagnosis_more")):
            st.markdown(md(f"diagnosis/{tile.diagnosis}"))
