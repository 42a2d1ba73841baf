"""The Playground's panels: read one consistent view of the trainer, then draw it with the figure builders.

Reused by the Instability Lab (same panels for a lesson's run) so nothing is drawn twice in two ways;
`prefix` is prepended to every widget key there, so two runners' panels can share one page.
"""

from __future__ import annotations

import math
import time

import streamlit as st

from gan_core.diagnosis import Evidence
from gan_core.figures import samples as fs
from gan_core.figures import training as ft

from . import sessions
from .i18n import md, t
from .runner import Runner

# No `config=`: with one, Streamlit's frontend re-creates the plot on every update and hides it until
# drawn, so on a busy CPU live charts stayed blank (seen in headless Chromium; without it they update in place).
PLOT = dict(theme=None)
# Streamlit's frontend also hides a plot whose figure has no layout width until it has measured its column
# and drawn again; under a steady stream of updates on a busy CPU that second draw kept losing the race and
# the live charts stayed blank. A placeholder width keeps them visible; the frontend fits the column when it
# has measured it. (At 640 a chart sometimes stayed wider than its column, its legend cut off; 400 never is.)
PLACEHOLDER_WIDTH = 400


def chart(fig, key: str, where=None) -> None:
    """st.plotly_chart for a chart that is redrawn while training (see PLACEHOLDER_WIDTH)."""
    if fig.layout.width is None:
        fig.update_layout(width=PLACEHOLDER_WIDTH)
    (where or st).plotly_chart(fig, key=key, **PLOT)


# Points drawn in the live samples chart, of the snapshot's 500 + 500: each SVG marker costs the browser
# time on every redraw. In headless Chromium on 2 cores, with the other charts held still, that chart was
# redrawn 2.0 times a second with 1000 markers and 3.2 with 350. The real data never changes, so fewer of them lose nothing; the
# D(x) / D(G(z)) histograms still use all 500 + 500 values.
LIVE_REAL, LIVE_FAKE = 150, 350
LOSS_EVERY = 1.0  # while training, the loss chart is rebuilt at most once a second (see throttled)


def throttled(cache: dict, key: str, build, every: float, inputs=()):
    """The figure `build()` made at most every `every` seconds; in between the same figure again. Sent again
    unchanged, a chart is not redrawn by the browser, which leaves its time to the samples chart. A change in
    `inputs` (a toggle, the language) rebuilds at once; every=0 (not training) always rebuilds. `cache` is
    per session (st.session_state)."""
    now, last = time.monotonic(), cache.get(key)
    if every <= 0 or last is None or now - last[0] >= every or last[1] != inputs:
        cache[key] = last = (now, inputs, build())
    return last[2]


def labels(module) -> dict:
    """The figure module's labels in the session's language (keys fig.<name> in assets/i18n)."""
    return {k: t(f"fig.{k}") for k in module.DEFAULT_LABELS}


def read(runner: Runner, light: bool = False) -> dict:
    """One consistent view of the session's run, copied next to its trainer (snapshot.panel_view)."""
    return runner.read(light)


def status(view: dict, runner: Runner, slow_mode: bool) -> None:
    rate = runner.steps_per_s()
    line = t("status_line", step=f"{view['step']:,}", rate=f"{rate:,.0f}")
    state = t("state.running") if runner.running else t("state.paused")
    st.markdown(f"#### {line} · {state}")
    if view["status"] != "ok" and not sessions.crashed(view):
        st.error(t("diverged", reason=view["reason"] or ""), icon=":material/error:")
        st.info(t("diverged_help"))
    if slow_mode and view["last"]:
        st.info(narrate(view["last"]))


def narrate(r: dict) -> str:
    """Slow mode: what the last step did, in words, with its numbers."""
    def f(key):
        v = r.get(key)
        return "–" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.3f}"
    return t("narration", step=r["step"], d_loss=f("d_loss"), d_real=f("d_real"), d_fake=f("d_fake"),
             g_loss=f("g_loss"), d_fake_after=f("d_fake_after"))


def main(view: dict, prefix: str = "", running: bool = False) -> None:
    """Samples | losses: what is redrawn most often. (The browser's drawing is the bottleneck on a small
    machine: the samples chart alone takes ~100-300 ms in headless Chromium, so while training the loss chart
    is redrawn once a second and the other charts are in `summary`, redrawn every two seconds.)"""
    lt, ls = labels(ft), labels(fs)
    history, events, snap = view["history"], view["events"], view["snap"]
    left, right = st.columns(2)
    with left:
        if view["kind"] == "image":
            chart(fs.digits_figure(snap["fake"][:64], labels=ls, step=view["step"]), prefix + "fig_samples")
        else:
            c1, c2 = st.columns(2)
            arrows = c1.toggle(t("show_arrows"), key=prefix + "show_arrows", help=t("show_arrows_help"))
            grid = c2.toggle(t("show_manifold"), key=prefix + "show_manifold", help=t("show_manifold_help"))
            chart(fs.points_figure(snap, show_arrows=arrows, show_manifold=grid, labels=ls, max_real=LIVE_REAL,
                                   max_fake=LIVE_FAKE), prefix + "fig_samples")
    with right:
        log_y = st.toggle(t("log_loss"), key=prefix + "log_loss")
        fig = throttled(st.session_state.setdefault("_throttled", {}), prefix + "fig_loss",
                        lambda: ft.loss_figure(history, events, log_y=log_y, labels=lt),
                        LOSS_EVERY if running else 0, inputs=(log_y, len(events), tuple(lt.values())))
        chart(fig, prefix + "fig_loss")


def summary(view: dict, prefix: str = "") -> None:
    """D(x) vs D(G(z)): means over time | the current distributions | D's verdicts over time; gradient
    norms, quality metrics and the diagnosis."""
    lt, history, snap = labels(ft), view["history"], view["snap"]
    left, right = st.columns(2)
    chart(ft.d_means_figure(history, view["events"], labels=lt), prefix + "fig_means", left)
    chart(ft.d_hist_figure(snap["d_real"], snap["d_fake"], labels=lt), prefix + "fig_hist", right)
    left, right = st.columns(2)
    if len(view["dist"]["step"]):
        chart(ft.d_strip_figure(view["dist"], labels=lt), prefix + "fig_strip", left)
    chart(ft.grad_norm_figure(view["history"], labels=lt, events=view["events"]), prefix + "fig_grad", right)
    metrics_block(view, prefix)
    diagnosis_block(view["diagnosis"], prefix)


def metrics_block(view: dict, prefix: str = "") -> None:
    st.subheader(t("metrics_header"))
    latest = view["metrics"][-1] if view["metrics"] else None
    if latest is None:
        st.caption(t("metrics_pending", every=view["config"].metrics_every))
        return
    st.caption(t("metrics_at", step=latest["step"]))
    if view["kind"] == "image":
        shown = [("digits_score", "{:.2f}"), ("digits_score_real", "{:.2f}"), ("classes_covered", "{}/10"),
                 ("frechet", "{:.1f}")]
    else:
        shown = [("js_grid", "{:.3f}"), ("energy_distance", "{:.3f}")]
        if "modes_total" in latest:
            shown = [("modes_covered", "{}/" + str(latest["modes_total"])), ("hq_fraction", "{:.0%}")] + shown
    for col, (key, fmt) in zip(st.columns(len(shown)), shown):
        value = latest.get(key)
        ok = value is not None and not (isinstance(value, float) and math.isnan(value))
        col.metric(t(f"fig.{key}"), fmt.format(value) if ok else "–", help=t(f"metric_help.{key}"))
    keys = [k for k, _ in shown if k != "modes_covered"] if view["kind"] == "image" else \
        [k for k in ("hq_fraction", "js_grid", "energy_distance") if k in latest]
    if len(view["metrics"]) > 1:
        chart(ft.metrics_figure(view["metrics"], keys, labels=labels(ft)), prefix + "fig_metrics")
    if latest.get("mode_counts"):
        chart(fs.mode_bar_figure(latest["mode_counts"], labels=labels(fs)), prefix + "fig_modes")


def evidence_text(line) -> str:
    """An evidence line in the session's language (diagnosis.Evidence keeps its key and numbers)."""
    return t(f"evidence.{line.key}", **line.params) if isinstance(line, Evidence) else str(line)


def diagnosis_block(diagnosis, prefix: str = "") -> None:
    st.subheader(t("diagnosis_header"))
    icon = {"healthy": ":material/check_circle:", "not-converged-yet": ":material/hourglass_top:",
            "divergence": ":material/error:"}.get(diagnosis.label, ":material/warning:")
    st.markdown(f"### {icon} {t('diag.' + diagnosis.label)}")
    for line in diagnosis.evidence:
        st.markdown(f"- {evidence_text(line)}")
    with st.expander(t("diagnosis_more"), expanded=diagnosis.label not in ("healthy", "not-converged-yet")):
        st.markdown(md(f"diagnosis/{diagnosis.label}"))
