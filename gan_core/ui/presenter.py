"""Presenter mode: the dashboard on a classroom projector.

`?present=1` in the address (or the sidebar's "Presenter mode" toggle) turns it on for the session:
larger text and buttons (CSS below), big markers, lines and fonts on the live canvas (liveview sends
canvas_scale() with its labels), keyboard shortcuts on Train / Pause / Step / Step D / Step G / Reset,
the pages listed in the top bar, and a Playground sidebar holding the speed and only the settings the
teacher pins: `?show=lr_d,lr_g` (flat config keys, as the CLI's --set, plus `preset` for the preset
picker). The hidden settings keep their values. At 1280x720 the buttons and the whole live view fit
above the fold (a browser test checks).
The address bar keeps `present` and `show` (share.sync adds params()), so a reload or a bookmark opens
the same view; the link students copy from "Share this setup" leaves them out.
"""

from __future__ import annotations

import streamlit as st

from gan_core.classroom.links import CONFIG_KEYS

from .i18n import t

PARAM, PINS_PARAM = "present", "show"
# Session state: whether it is on and the pins (plain keys: Streamlit forgets a widget's key on a page that does
# not draw it), the widgets that edit them, the unknown pins of the link.
ACTIVE, PINS, NOTE = "_presenter", "_presenter_pins", "_presenter_unknown"
TOGGLE, PIN_EDIT = "presenter", "presenter_pin_edit"
PINNABLE = ["preset", *CONFIG_KEYS]
# Streamlit's own shortcut keys: "R" and "C" are reserved (rerun, clear cache), so Reset is 0 (step zero).
# Plain keys never fire while the focus is in a text field (Streamlit's hotkey filter).
SHORTCUTS = {"train": "T", "pause": "P", "step": "S", "d_step": "D", "g_step": "G", "reset": "0",
             "both_train": "Shift+T", "both_pause": "Shift+P"}  # the Lab's Fix stage: both runs at once
LABEL_KEYS = {"both_train": "lab.continue", "both_pause": "lab.pause_both"}  # the rest: "btn." + action
CANVAS_SCALE = 1.5  # markers, line widths and fonts on the live canvas
CSS = """<style>
/* Streamlit sizes its text and spacing in rem: a larger root scales the whole page for the back row.
   The room it takes comes back from the margins, so the buttons and the live view fit a 1280x720 beamer. */
html { font-size: 21px !important; }
[data-testid="stMainBlockContainer"] { padding: 4rem 1.25rem 2rem; }
.stButton button { min-height: 2.6rem; padding: 0.25rem 0.5rem; }
.stButton button p { font-size: 1.1rem; font-weight: 600; }
[data-testid="stMarkdownContainer"] h4 { font-size: 1.7rem; }
</style>"""


def _on(value) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def _init() -> None:
    """The session's first run: the address decides (later runs keep the session's choice, also after a
    page switch, which drops the query)."""
    if ACTIVE in st.session_state:
        return
    st.session_state[ACTIVE] = _on(st.query_params.get(PARAM, ""))
    pins, unknown = parse(st.query_params.get(PINS_PARAM, ""))
    st.session_state[PINS] = pins
    if unknown:
        st.session_state[NOTE] = unknown


def parse(text: str) -> tuple[list[str], list[str]]:
    """`lr_d, lr_g,bogus` -> (["lr_d", "lr_g"], ["bogus"]): the pinnable keys in order, once each, and the rest."""
    pins, unknown = [], []
    for key in (k.strip() for k in str(text).split(",")):
        if key in PINNABLE and key not in pins:
            pins.append(key)
        elif key and key not in PINNABLE and key not in unknown:
            unknown.append(key)
    return pins, unknown


def active() -> bool:
    _init()
    return bool(st.session_state[ACTIVE])


def pinned() -> list[str] | None:
    """The sidebar's pinned controls in presenter mode; None outside it (every control is shown)."""
    return list(st.session_state[PINS]) if active() else None


def params() -> dict[str, str]:
    """The presenter's query parameters, for the address bar (empty outside presenter mode)."""
    if not active():
        return {}
    pins = st.session_state[PINS]
    return {PARAM: "1", **({PINS_PARAM: ",".join(pins)} if pins else {})}


def setup() -> None:
    """Every page (app.py): the toggle under the language picker, the address bar, the CSS."""
    _init()
    st.session_state[TOGGLE] = st.session_state[ACTIVE]
    st.sidebar.toggle(t("presenter.toggle"), key=TOGGLE, help=t("presenter.toggle_help"), on_change=_toggled)
    for key in (PARAM, PINS_PARAM):
        if key in st.query_params and key not in params():
            del st.query_params[key]
    for key, value in params().items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value
    if active():
        st.html(CSS)


def _toggled() -> None:
    st.session_state[ACTIVE] = st.session_state[TOGGLE]


def shortcut(action: str) -> str | None:
    """The key of a button's action in presenter mode (st.button's shortcut=), else None."""
    return SHORTCUTS.get(action) if active() else None


def button_keys(action: str, help_text: str | None = None) -> dict:
    """st.button's `help` and `shortcut` for an action: in presenter mode its key, also named in the help."""
    key = shortcut(action)
    if key is not None:
        named = t("presenter.key", shortcut=key)
        help_text = f"{help_text} ({named})" if help_text else named
    return dict(help=help_text, shortcut=key)


def canvas_scale() -> float:
    return CANVAS_SCALE if active() else 1.0


def caption(actions=("train", "pause", "step", "reset")) -> None:
    """The shortcuts, in the sidebar for the teacher (nothing outside presenter mode)."""
    if not active():
        return
    keys = " · ".join(f"`{SHORTCUTS[a]}` {t(LABEL_KEYS.get(a, 'btn.' + a))}" for a in actions)
    st.sidebar.caption(t("presenter.keys", keys=keys))


def notes() -> None:
    """Keys in ?show= that are not pinnable: named with the allowed ones, until dismissed."""
    unknown = st.session_state.get(NOTE)
    if not unknown:
        return
    st.warning(t("presenter.unknown", keys=", ".join(f"`{k}`" for k in unknown),
                 allowed=", ".join(f"`{k}`" for k in PINNABLE)), icon=":material/push_pin:")
    st.button(t("share.dismiss"), key="presenter_note_ok", on_click=st.session_state.pop, args=(NOTE, None))


def pin_editor() -> None:
    """The sidebar's "Pinned controls": which settings the projected sidebar shows (also ?show=)."""
    st.session_state[PIN_EDIT] = list(st.session_state[PINS])
    with st.sidebar.expander(t("presenter.pins"), icon=":material/push_pin:"):
        st.multiselect(t("presenter.pins_pick"), PINNABLE, key=PIN_EDIT, on_change=_pins_changed,
                       format_func=_pin_label, help=t("presenter.pins_help"))


def _pins_changed() -> None:
    st.session_state[PINS] = list(st.session_state[PIN_EDIT])
    st.session_state.pop(NOTE, None)


def _pin_label(key: str) -> str:
    return t("preset") if key == "preset" else t(f"field.{key}")
