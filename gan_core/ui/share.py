"""Links that reproduce a setup, in the Playground: a link's settings are applied once per session when it
opens; afterwards the address bar follows the sidebar, so the URL is always a link to what is on screen;
"Share this setup" shows it to copy. Encoding and validation: gan_core.classroom.links."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from gan_core.classroom import links
from gan_core.host.runner import Runner

from . import controls, presenter
from .i18n import lang, t

APPLIED, NOTES = "_link_applied", "_link_notes"


def apply_link(runner: Runner) -> None:
    """The first run of the Playground in a session: the link's setup replaces the default one."""
    if st.session_state.get(APPLIED):
        return
    st.session_state[APPLIED] = True
    decoded = links.decode(st.query_params.to_dict(), runner.config)
    if not decoded.found:
        return
    st.session_state[NOTES] = decoded.notes
    if decoded.config != runner.config:
        runner.replace(decoded.config)
    controls.load_into_widgets(decoded.config)
    if decoded.preset:
        st.session_state.preset_name = decoded.preset
    for key, value in decoded.panels.items():
        st.session_state[key] = value


def notes() -> None:
    """What the link asked for that was not allowed, until the student dismisses it."""
    if st.session_state.get(NOTES):
        st.warning(t("share.ignored", n=len(st.session_state[NOTES])) + "\n" +
                   "\n".join(f"- `{note}`" for note in st.session_state[NOTES]), icon=":material/link_off:")
        st.button(t("share.dismiss"), key="link_notes_ok", on_click=st.session_state.pop, args=(NOTES, None))


def query(config) -> dict[str, str]:
    """The link's parameters for `config` and this session's preset, language and panels (ValueError when
    the points are too many for a link)."""
    panels = {k: st.session_state.get(k) for k in links.PANELS}
    return links.encode(config, st.session_state.get("preset_name"), lang(), panels)


def sync(runner: Runner, wanted) -> None:
    """The address bar follows the sidebar (the wanted config, or the run's when the sidebar is invalid),
    and keeps presenter mode's parameters."""
    try:
        wanted_query = query(wanted or runner.config) | presenter.params()
    except ValueError:
        return  # too many points for a link: the link box says so
    if wanted_query != st.query_params.to_dict():
        st.query_params.from_dict(wanted_query)


def link_box(runner: Runner, wanted) -> None:
    """The sidebar's "Share this setup": the link to copy (st.code has a copy button)."""
    with st.sidebar.expander(t("share.header"), icon=":material/link:"):
        try:
            params = query(wanted or runner.config)
        except ValueError as e:
            return st.warning(f"{t('share.too_big')} {e}")
        st.caption(t("share.help"))
        st.code(f"{st.context.url or '/playground'}?{urlencode(params)}", language=None, wrap_lines=True)
