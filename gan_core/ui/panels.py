"""The Playground's panels: the live view (canvas, fed frames: liveview) and, below it, the summary charts
(plotly, from one consistent view of the trainer).

Reused by the Instability Lab (same panels for a lesson's run) so nothing is drawn twice in two ways;
`prefix` is prepended to every widget key there, so two runners' panels can share one page.
"""

from __future__ import annotations

import math

import streamlit as st

from gan_core.config import CRITIC_LOSSES
from gan_core.diagnosis import Evidence
from gan_core.figures import samples as fs
from gan_core.figures import training as ft
from gan_core.host.runner import Runner

from . import liveview, sessions
from .i18n import md, reason, t

# No `config=`: with one, Streamlit's frontend re-creates the plot on every update and hides it until
# drawn, so on a busy CPU live charts stayed blank (seen in headless Chromium; without it they update in place).
PLOT = dict(theme=None)
# Streamlit's frontend also hides a plot whose figure has no layout width until it has measured its column
# and drawn again; under a steady stream of updates on a busy CPU that second draw kept losing the race and
# the live charts stayed blank. A placeholder width keeps them visible; the frontend fits the column when it
# has measured it. (At 640 a chart sometimes stayed wider than its column, its legend cut off; 400 never is.)
PLACEHOLDER_WIDTH = 400
SUMMARY_DELAY = 1.0  # seconds after a page's first paint before its summary charts (and plotly) come


def chart(fig, key: str, where=None) -> None:
    """st.plotly_chart for a chart that is redrawn while training (see PLACEHOLDER_WIDTH)."""
    if fig.layout.width is None:
        fig.update_layout(width=PLACEHOLDER_WIDTH)
    (where or st).plotly_chart(fig, key=key, **PLOT)


def labels(module) -> dict:
    """The figure module's labels in the session's language (keys fig.<name> in assets/i18n)."""
    return {k: t(f"fig.{k}") for k in module.DEFAULT_LABELS}


def read(runner: Runner, light: bool = False) -> dict:
    """One consistent view of the session's run, copied next to its trainer (snapshot.panel_view)."""
    return runner.read(light)


def read_summary(runner: Runner, key: str) -> dict:
    """What the summary charts draw; while paused, the copy read at this step (no new work for the trainer)."""
    cache = st.session_state.setdefault("_summary_views", {})
    kept = cache.get(key)
    if runner.running or kept is None or kept[0] is not runner or kept[1]["step"] != runner.step_count:
        cache[key] = kept = (runner, read(runner, light=True))
    return kept[1]


def status(view: dict, runner: Runner, slow_mode: bool) -> None:
    """`Step N · R steps/s · state` (the tests read it; with the stream the live view draws it, updated as
    frames arrive); view: the live view's poll (liveview.poll)."""
    if not liveview.status_in_view():
        line = t("status_line", step=f"{view['step']:,}", rate=f"{view['steps_per_s']:,.0f}")
        state = t("state.running") if view["running"] else t("state.paused")
        st.markdown(f"#### {line} · {state}")
    if view["status"] != "ok" and not sessions.crashed(view):
        st.error(t("diverged", reason=reason(view["reason"])), icon=":material/error:")
        st.info(t("diverged_help"))
    if slow_mode and view["last"]:
        st.info(narrate(view["last"], view["config"].scheme == "simultaneous"))


def narrate(r: dict, simultaneous: bool = False) -> str:
    """Slow mode: what the last step did, in words, with its numbers (simultaneous: G's D(G(z)) is D's)."""
    def f(key):
        v = r.get(key)
        return "–" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.3f}"
    return t("narration_simultaneous" if simultaneous else "narration", step=r["step"], d_loss=f("d_loss"), d_real=f("d_real"), d_fake=f("d_fake"),
             g_loss=f("g_loss"), d_fake_after=f("d_fake_after"))


def poll(runner: Runner, key: str) -> dict:
    """What is new for the live view `key` (liveview.poll), plus "last": the run's latest history record
    (kept per view, for the status and slow mode's narration)."""
    polled = liveview.poll(runner, key)
    rows, kept = polled["rows"], st.session_state.setdefault("_live_last", {})
    if len(rows.get("step", ())):
        kept[key] = {k: float(v[-1]) for k, v in rows.items()} | {"step": int(rows["step"][-1])}
    elif polled["full"] or polled["step"] == 0:
        kept.pop(key, None)
    polled["last"] = kept.get(key) if polled["step"] else None
    return polled


def main(runner: Runner, view: dict, key: str, prefix: str = "", x_range=None, status: bool = False,
         drawing: bool = False) -> None:
    """The live view (samples over D's map | losses and mean D outputs), drawn in the browser from frames;
    above it the toggles for its optional layers. status: the view shows the status line (see status);
    drawing: a toggle to paint your own data on the map (the Playground)."""
    points = runner.config.dataset != "digits"
    cols = st.columns(4 if drawing else 3)
    arrows = points and cols[0].toggle(t("show_arrows"), key=prefix + "show_arrows", help=t("show_arrows_help"))
    grid = points and cols[1].toggle(t("show_manifold"), key=prefix + "show_manifold", help=t("show_manifold_help"))
    log_y = cols[2].toggle(t("log_loss"), key=prefix + "log_loss")
    draw = drawing and cols[3].toggle(t("live.draw"), key=prefix + "draw_points", help=t("live.draw_help"))
    liveview.show(runner, key, view, log_y=log_y, arrows=arrows, manifold=grid, x_range=x_range, status=status,
                  draw=bool(draw))


def summary_every(page: str, running: bool, every: float) -> float | None:
    """run_every of a page's summary fragment. plotly's 4.7 MB chunk stays off the page's first paint: the
    first run of a page in a session draws no chart (summary_ready says so) and its timer brings them a
    moment later. (That timer then runs until the next click; read_summary keeps its redraws cheap. An
    st.rerun() from the timer's run to stop it lost the sidebar's widget values: Streamlit issue 11266.)"""
    if not st.session_state.get(f"_summary_shown_{page}"):
        return every if running else SUMMARY_DELAY
    return every if running else None


def summary_ready(page: str) -> bool:
    """False (with a note) on the summary fragment's first run of this page in the session."""
    shown = f"_summary_shown_{page}"
    if st.session_state.get(shown):
        return True
    st.session_state[shown] = True
    st.caption(t("live.summary_soon"))
    return False


def summary(view: dict, prefix: str = "") -> None:
    """D's verdicts now | over time; gradient norms, quality metrics and the diagnosis (plotly; the means
    over time are in the live view)."""
    lt, snap, cfg = labels(ft), view["snap"], view["config"]
    critic = cfg.loss in CRITIC_LOSSES  # raw scores: a critic's offset is free, 0.5 means nothing
    if cfg.instance_noise > 0:
        st.caption(t("noisy_d", sigma=f"{cfg.instance_noise:g}"))
    left, right = st.columns(2)
    chart(ft.d_hist_figure(snap["d_real"], snap["d_fake"], labels=lt, critic=critic), prefix + "fig_hist", left)
    if len(view["dist"]["step"]):
        chart(ft.d_strip_figure(view["dist"], labels=lt, critic=critic), prefix + "fig_strip", right)
    chart(ft.grad_norm_figure(view["history"], labels=lt, events=view["events"]), prefix + "fig_grad")
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
