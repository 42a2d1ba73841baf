"""Theory: the Dirac-GAN explorer, the generator losses, the maths with live numbers, the foundations (D*, JSD,
WGAN, smoothing, noise), the training loop as code, pitfalls and the FAQ."""

import streamlit as st

from gan_core.ui import theory
from gan_core.ui.code_tab import code_view
from gan_core.ui.foundations import foundations_view
from gan_core.ui.i18n import md, sections, t

st.title(t("theory.title"))
st.caption(t("theory.caption"))
runner = st.session_state.get("runner")  # None until the Playground has a run
batch = theory.live_batch(runner)

tab_dirac, tab_losses, tab_maths, tab_found, tab_code, tab_pitfalls, tab_faq = st.tabs(
    [t("theory.tab.dirac"), t("theory.tab.losses"), t("theory.tab.maths"), t("theory.tab.foundations"),
     t("theory.tab.code"), t("theory.tab.pitfalls"), t("theory.tab.faq")])

with tab_dirac:
    st.markdown(md("theory/dirac"))
    settings = theory.dirac_controls()
    theory.dirac_view(settings)

with tab_losses:
    st.markdown(md("theory/losses"))
    theory.loss_explainer(batch)

with tab_maths:
    theory.maths_view(batch)

with tab_found:
    foundations_view(runner)

with tab_code:
    code_view()

with tab_pitfalls:
    st.markdown(md("theory/pitfalls"))

with tab_faq:
    st.markdown(sections("faq")[""])
    theory.faq()
