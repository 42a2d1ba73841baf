"""The Compare page's first visit: the example runs are made (progress bar) when the runs folder is empty."""

from __future__ import annotations

import streamlit as st

from gan_core.classroom import examples, owners

from .i18n import t


def ensure(folder) -> bool:
    """Make the examples if the folder is empty; True if it did."""
    if not examples.wanted(folder):
        return False
    bar = st.progress(0.0, text=t("examples.making", done=0, total="…"))
    made = examples.make_examples(folder, progress=lambda d, n: bar.progress(
        min(d / n, 1.0), text=t("examples.making", done=f"{d:,}", total=f"{n:,}")))
    bar.empty()
    return bool(made)


def note(entries) -> None:
    """Say which runs are examples (made by the engine, owned by no student)."""
    whose = owners.owners()
    names = [e.name for e in entries if examples.is_example(whose.get(e.name))]
    if names:
        st.caption(t("examples.note", names=", ".join(names), steps=f"{examples.EXAMPLES_STEPS:,}"))
