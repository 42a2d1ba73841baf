"""Playground: train a GAN live, step by step, with every control."""

import streamlit as st

from gan_core.ui import controls, live, share, sharing
from gan_core.ui.i18n import t
from gan_core.ui.saved_runs import save_run_ui

runner = live.session_runner()
share.apply_link(runner)  # a shared link's setup, once per session
controls.apply_drawn(runner)  # points painted on the map: a run on them
st.title(t("playground.title"))
st.caption(t("playground.caption"))
share.notes()

controls.preset_picker(runner)
with st.sidebar:
    save_run_ui(runner)
wanted, pending = controls.config_sidebar(runner)
share.link_box(runner, wanted)

live.buttons(runner, pending, wanted)
live.speed_controls(runner)
sharing.share_toggle(runner, "playground")
live.live_panels(runner)
share.sync(runner, wanted)
