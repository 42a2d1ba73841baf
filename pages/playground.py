"""Playground: train a GAN live, step by step, with every control."""

import streamlit as st

from gan_core.ui import controls, live, presenter, share, sharing
from gan_core.ui.i18n import t
from gan_core.ui.saved_runs import save_run_ui

runner = live.session_runner()
share.apply_link(runner)  # a shared link's setup, once per session
controls.apply_drawn(runner)  # points painted on the map: a run on them
pins = presenter.pinned()  # presenter mode: the sidebar shows only these settings (None: all of them)
if pins is None:  # on a projector the room goes to the live view (the top bar names the page)
    st.title(t("playground.title"))
    st.caption(t("playground.caption"))
presenter.caption()  # the keyboard shortcuts, in presenter mode
share.notes()
presenter.notes()

controls.preset_picker(runner, shown=pins is None or "preset" in pins)
if pins is None:
    with st.sidebar:
        save_run_ui(runner)
wanted, pending = controls.config_sidebar(runner, only=pins)
if pins is None:
    share.link_box(runner, wanted)
else:
    presenter.pin_editor()

live.buttons(runner, pending, wanted)
live.speed_controls(runner)
sharing.share_toggle(runner, "playground")
live.live_panels(runner)
share.sync(runner, wanted)
