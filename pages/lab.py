"""Instability Lab: one lesson per failure mode, plus the stable recipe, as Predict -> Run -> Explain -> Fix."""

import streamlit as st

from gan_core.presets import PRESETS
from gan_core.ui import lab, presenter, sharing
from gan_core.ui.i18n import t

st.title(t("lab.title"))
st.caption(t("lab.caption"))
presenter.caption(("train", "pause", "step", "reset", "both_train", "both_pause"))  # the keys, in presenter mode
lesson = lab.lesson_picker()
text = lab.text(lesson)
preset = lab.preset_of(lesson)
st.header(lab.title(lesson))

st.subheader(t("lab.stage.predict"))
checked = lab.predict(lesson)

st.subheader(t("lab.stage.run"))
runner = lab.run_runner(lesson)
if runner is not None:
    limit = preset.steps
    st.markdown(t("lab.runs_preset", name=preset.name, steps=f"{limit:,}", seed=runner.config.seed))
    st.info(t("lab.after_check") if checked else t("lab.predict_first"),
            icon=":material/visibility:" if checked else ":material/lightbulb:")
    cols = st.columns(4)
    cols[0].button(t("btn.train"), key="lab_train", type="primary", on_click=lab.train, args=(runner,),
                   kwargs={"limit": limit}, disabled=runner.running or not lab.can_train(runner, limit),
                   width="stretch", **presenter.button_keys("train"))
    cols[1].button(t("btn.pause"), key="lab_pause", on_click=runner.pause, disabled=not runner.running,
                   width="stretch", **presenter.button_keys("pause"))
    cols[2].button(t("btn.step"), key="lab_step", on_click=runner.do, args=("step",),
                   disabled=not lab.can_train(runner, limit), width="stretch",
                   **presenter.button_keys("step", t("btn.step_help")))
    cols[3].button(t("btn.reset"), key="lab_reset", on_click=runner.do, args=("reset",), width="stretch",
                   **presenter.button_keys("reset", t("lab.reset_help")))
    sharing.share_toggle(runner, lesson)
    if checked:
        with st.container(border=True):
            st.markdown(f"**{t('lab.look_for')}**\n\n{text.get('Look for', '')}")
    else:
        with st.expander(t("lab.look_for_later")):
            st.markdown(text.get("Look for", ""))
    lab.run_panels(runner, limit, lesson)

st.subheader(t("lab.stage.explain"))
st.markdown(text.get("Explain", ""))

st.subheader(t("lab.stage.fix"))
st.markdown(text.get("Fix", ""))
variant = lab.variant_name(lesson)
if preset is None or variant is None or variant not in PRESETS:
    st.warning(t("lab.no_fix", name=variant or "–"))
else:
    recipe = lesson == lab.RECIPE
    titles = (t("lab.col.recipe" if recipe else "lab.col.original", name=preset.name),
              t("lab.col.broken" if recipe else "lab.col.fixed", name=variant))
    pair = lab.pair(lesson)
    if pair is not None and pair[1].config.diff(PRESETS[variant].config()).keys() - {"seed"}:
        pair = None  # the stable recipe's broken run was switched: start again with the new one
    cols = st.columns(3)
    cols[0].button(t("lab.compare_broken" if recipe else "lab.apply_fix"), key="lab_apply_fix", type="primary",
                   on_click=lab.apply_fix, args=(lesson, variant), help=t("lab.apply_fix_help"), width="stretch")
    if pair is not None:
        running = any(r.running for r in pair)
        cols[1].button(t("lab.continue"), key="lab_fix_train", on_click=lab.train, args=pair,
                       kwargs={"limit": preset.steps}, width="stretch",
                       disabled=running or not any(lab.can_train(r, preset.steps) for r in pair),
                       **presenter.button_keys("both_train"))
        cols[2].button(t("lab.pause_both"), key="lab_fix_pause", on_click=lab.pause_all, disabled=not running,
                       width="stretch", **presenter.button_keys("both_pause"))
        lab.diff_table(*pair, titles)
        lab.start_note(st.session_state[f"lab_{lesson}_same"], pair[0].config.seed)
        lab.pair_panels(pair, titles, preset.steps)
    else:
        st.caption(t("lab.fix_hint"))
