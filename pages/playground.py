"""Playground: train a GAN live, step by step, with every control."""

import streamlit as st

from gan_core.ui import controls, live
from gan_core.ui.i18n import t
from gan_core.ui.saved_runs import save_run_ui

runner = live.session_runner()
st.title(t("playground.title"))
st.caption(t("playground.caption"))

controls.preset_picker(runner)
with st.sidebar:
    save_run_ui(runner)
wanted, pending = controls.config_sidebar(runner)

live.buttons(runner, pending, wanted)
live.speed_controls(runner)
live.live_panels(runner)
