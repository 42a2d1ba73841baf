"""UI text: one table per language, assets/i18n/<lang>/*.json merged (a file per page keeps edits apart);
Markdown lessons in assets/<lang>/.

`t("status_line", step=12, rate=340)` looks the key up in the session's language and formats it.
A key missing in a language falls back to English (a test checks that none is missing).
"""

from __future__ import annotations

import functools
import json
import re

import streamlit as st

from gan_core.resources import ASSETS

LANGUAGES = {"en": "English", "zh": "简体中文"}


@functools.cache
def table(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for file in sorted((ASSETS / "i18n" / lang).glob("*.json")):
        merged.update(json.loads(file.read_text(encoding="utf-8")))
    return merged


def lang() -> str:
    value = st.session_state.get("lang", "en")
    return value if value in LANGUAGES else "en"


def t(key: str, **fmt) -> str:
    text = table(lang()).get(key) or table("en").get(key, key)
    return text.format(**fmt) if fmt else text


@functools.cache
def _markdown(lang_code: str, name: str) -> str:
    path = ASSETS / lang_code / f"{name}.md"
    if not path.is_file():
        path = ASSETS / "en" / f"{name}.md"
    return path.read_text(encoding="utf-8")


def md(name: str) -> str:
    """Teaching text from assets/<lang>/<name>.md (English if that language lacks it)."""
    return _markdown(lang(), name)


def sections(name: str, level: int = 2) -> dict[str, str]:
    """Split a Markdown file on '## Heading' lines: {"": preamble, "Heading": body, ...}."""
    marker, out, current = "#" * level + " ", {"": []}, ""
    for line in md(name).splitlines():
        if line.startswith(marker) and not line.startswith(marker + "#"):
            current = line[len(marker):].strip()
            out[current] = []
        else:
            out[current].append(line)
    return {k: "\n".join(v).strip() for k, v in out.items()}


REASON = re.compile(r"diverged at step (\d+): (\w+) became (\S+)")  # the Trainer's `reason` (gan_core.trainer)


def reason(text: str | None) -> str:
    """The Trainer's English divergence reason in the session's language (other text passes through)."""
    m = REASON.fullmatch(text or "")
    return t("diverged_reason", step=m[1], name=m[2], value=m[3]) if m else (text or "")


def language_picker() -> None:
    """Sidebar language switch; the choice also goes into the URL (?lang=zh) so a shared link keeps it."""
    if "lang" not in st.session_state:
        st.session_state.lang = st.query_params.get("lang", "en") if st.query_params.get("lang") in LANGUAGES else "en"
    st.sidebar.radio("Language / 语言", list(LANGUAGES), format_func=LANGUAGES.get, key="lang", horizontal=True)
    st.query_params["lang"] = st.session_state.lang
