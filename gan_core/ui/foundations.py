"""The Theory page's Foundations tab: D* and C(G) = -log 4 + 2 JSD (with a live check on the session's run),
disjoint supports, WGAN and the Lipschitz constraint, one-sided label smoothing, annealed instance noise.
Text in assets/<lang>/theory/foundations.md; the check is gan_core.optimal_d, run next to the trainer."""

from __future__ import annotations

import streamlit as st

from gan_core.figures.optimal_d import DEFAULT_LABELS, optimal_d_figure
from gan_core.optimal_d import optimal_d_check

from .i18n import sections, t
from .panels import PLOT
from .theory import no_run_notice

HEADINGS = {"Optimal D": "optimal", "Disjoint supports": "disjoint", "WGAN": "wgan", "Label smoothing": "smoothing",
            "Instance noise": "noise"}  # section of foundations.md -> its translated heading


def foundations_view(runner) -> None:
    text = sections("theory/foundations")
    st.markdown(text.get("", ""))
    for name, key in HEADINGS.items():
        st.subheader(t(f"theory.found.{key}"))
        st.markdown(text.get(name, ""))
        if key == "optimal":
            with st.container(border=True):
                live_check(runner)


def live_check(runner) -> dict | None:
    """D* from the known mixture and a KDE of G's samples against the run's trained D (runner.call)."""
    st.markdown(f"**{t('theory.dstar.title')}**")
    if runner is None:
        return no_run_notice()
    check = runner.call(optimal_d_check)
    if check is None:
        return st.info(t("theory.dstar.no_density"))
    if check["degenerate"]:
        return st.info(t("theory.dstar.degenerate", step=check["step"]))
    st.caption(t("theory.dstar.caption", n=check["n"], step=f"{check['step']:,}", loss=check["loss"], h=f"{check['h']:g}"))
    c = st.columns(4)
    c[0].metric(t("theory.dstar.c_of_g"), f"{check['v_star']:.3f}", border=True, help=t("theory.dstar.c_of_g_help"))
    c[1].metric(t("theory.dstar.jsd"), f"{check['jsd']:.3f}", border=True, help=t("theory.dstar.jsd_help"))
    c[2].metric(t("theory.dstar.v_trained"), "–" if check["v_trained"] is None else f"{check['v_trained']:.3f}",
                border=True, help=t("theory.dstar.v_trained_help"))
    c[3].metric(t("theory.dstar.means"), f"{check['d_real']:.2f} / {check['d_fake']:.2f}", border=True,
                delta=t("theory.dstar.means_star", real=f"{check['d_star_real']:.2f}", fake=f"{check['d_star_fake']:.2f}"),
                delta_color="off", help=t("theory.dstar.means_help"))
    if check["log_loss"]:
        st.markdown(t("theory.dstar.reading", v=f"{check['v_trained']:.3f}", c=f"{check['v_star']:.3f}",
                      jsd=f"{check['jsd']:.3f}"))
    else:
        st.info(t("theory.dstar.critic", loss=check["loss"]))
    if "curve" in check:
        labels = {k: t(f"theory.dstar.fig.{k}") for k in DEFAULT_LABELS}
        st.plotly_chart(optimal_d_figure(check["curve"], labels), key="fig_optimal_d", **PLOT)
    return check
