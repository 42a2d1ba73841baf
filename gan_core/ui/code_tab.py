"""The Theory page's Code tab: the whole training loop as the benchmark runs it (gan_core.loop.bare_loop,
its source read with inspect, not a copy), one line of output from running it, and what is wrong in the
course notes' TensorFlow skeleton (assets/<lang>/theory/code.md)."""

from __future__ import annotations

import inspect
import time

import streamlit as st

from gan_core.config import Config
from gan_core.loop import bare_loop

from .i18n import sections, t

RUN_STEPS = 200


def loop_source() -> str:
    return inspect.getsource(bare_loop)


def run_once(steps: int = RUN_STEPS) -> dict:
    """Build the loop on the default config (seed 0) and run it: what the 'Run it' button prints."""
    run = bare_loop(Config())
    t0 = time.perf_counter()
    run(steps)
    seconds = time.perf_counter() - t0
    return {"steps": steps, "seconds": seconds, "rate": steps / seconds}


def code_view() -> None:
    text = sections("theory/code")
    st.markdown(text.get("", ""))
    left, right = st.columns([3, 2])
    with left:
        st.markdown(text.get("The loop", ""))
        st.code(loop_source(), language="python", line_numbers=True)
        st.button(t("theory.code.run"), key="code_run", on_click=_run, help=t("theory.code.run_help"))
        out = st.session_state.get("code_output")
        if out is not None:
            st.code(t("theory.code.output", **{k: f"{v:,.2f}" if k != "steps" else v for k, v in out.items()}),
                    language="text")
    with right:
        st.markdown(text.get("The course notes' TensorFlow skeleton", ""))


def _run() -> None:
    st.session_state.code_output = run_once()
