"""This browser session as an owner of saved runs: a random secret kept in the session (its hash is what the
database stores), shown as the display name the student gave when joining a class."""

from __future__ import annotations

import secrets

import streamlit as st

from gan_core.classroom import db
from gan_core.classroom.owners import Owner

from .i18n import t


def me() -> Owner:
    if "_owner_secret" not in st.session_state:
        st.session_state._owner_secret = secrets.token_hex(16)
    name = st.session_state.get("display_name") or t("owner.anonymous")
    return Owner(db.digest(st.session_state._owner_secret), name, st.session_state.get("class_code"))


def teacher_key() -> str | None:
    """The key typed in (Compare runs), else the key of the class this session started (the board)."""
    return st.session_state.get("teacher_key") or st.session_state.get("_class_teacher_key") or None
