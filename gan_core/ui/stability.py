"""Stability map page pieces: the lesson maps shipped in assets/maps, a sweep on a background thread that
the page polls (a fragment, once a second while it runs), the map figure and "open this run in the
Playground" (session state: the Playground's runner and widgets get the run's config)."""

from __future__ import annotations

import json

import streamlit as st

from gan_core.config import LOSSES, OPTIMIZERS
from gan_core.diagnosis import LABELS
from gan_core.figures.stability import map_figure, value_text
from gan_core.presets import PRESETS, get_preset
from gan_core.sweep import SweepJob, parse_grid

from . import controls, live
from .i18n import ASSETS, t

MAPS = ASSETS / "maps"
LR = "1e-4, 3e-4, 1e-3, 3e-3, 1e-2"  # log-spaced: a learning rate matters by its order of magnitude
DEFAULT_VALUES = {"lr_d": LR, "lr_g": LR, "beta1": "0, 0.5, 0.9", "beta2": "0.9, 0.99, 0.999",
                  "momentum": "0, 0.5, 0.9", "r1_gamma": "0, 0.1, 1, 10", "gp_lambda": "0.1, 1, 10",
                  "clip": "0.001, 0.01, 0.1", "instance_noise": "0, 0.1, 0.5", "label_smoothing": "0, 0.1, 0.3",
                  "d_steps": "1, 2, 5", "g_width": "16, 32, 64, 128", "d_width": "16, 32, 64, 128",
                  "g_depth": "1, 2, 3", "d_depth": "1, 2, 3", "batch_size": "64, 256, 1024",
                  "latent_dim": "1, 2, 8", "loss": ", ".join(LOSSES), "optimizer": ", ".join(OPTIMIZERS)}
AXES = tuple(DEFAULT_VALUES)
SWEEP_PRESETS = [n for n, p in PRESETS.items() if p.settings.get("dataset", "ring8") != "digits"]
MAX_MEMBER_STEPS = 400_000  # a page sweep stays within a few minutes on a small machine


@st.cache_data(show_spinner=False)
def lesson_maps() -> dict[str, dict]:
    """name -> map document, for every readable assets/maps/*.json (a broken file is left out, not fatal)."""
    maps = {}
    for path in sorted(MAPS.glob("*.json")):
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            if doc["preset"] in PRESETS and doc["axes"] and isinstance(doc["cells"], list):
                maps[path.stem] = doc
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return maps


def text_or(key: str, fallback: str) -> str:
    """The translated text, or `fallback` for a map file without its own texts."""
    text = t(key)
    return fallback if text == key else text


def show_map(doc: dict, key: str) -> None:
    names = {label: t(f"diag.{label}") for label in LABELS}
    texts = {"x": t("stab.axis"), "y": t("stab.axis"), "hover": t("stab.hover")}
    st.plotly_chart(map_figure(doc, names, texts), key=f"stab_fig_{key}", config={"displayModeBar": False})
    st.caption(t("stab.legend", seeds=len(doc["seeds"]), steps=doc["steps"]))


def sweep_form() -> None:
    """The grid the user asks for; Start runs it on a background thread kept in session state."""
    job: SweepJob | None = st.session_state.get("stab_job")
    running = job is not None and job.running
    c = st.columns(2)
    preset = c[0].selectbox(t("stab.preset"), SWEEP_PRESETS, key="stab_preset", disabled=running)
    c[1].caption(PRESETS[preset].description)
    axes = []
    for i, col in enumerate(st.columns(2)):
        default = ("lr_d", "lr_g")[i]
        k = col.selectbox(t("stab.axis_n", n=i + 1), AXES, index=AXES.index(default), key=f"stab_axis{i}",
                          disabled=running)
        values = col.text_input(t("stab.values"), DEFAULT_VALUES[k], key=f"stab_values{i}_{k}", disabled=running,
                                help=t("stab.values_help"))
        axes.append(f"{k}={values.replace(' ', '')}")
    c = st.columns(3)
    seeds = c[0].number_input(t("stab.seeds"), 1, 5, 2, key="stab_seeds", disabled=running)
    steps = c[1].number_input(t("stab.steps"), 100, 5000, 1000, step=100, key="stab_steps", disabled=running,
                              help=t("stab.steps_help"))
    base = get_preset(preset).config()
    try:
        grid = parse_grid(axes, base)
    except ValueError as e:
        st.error(t("stab.bad_grid", error=e))
        return
    runs = len(grid[0][1]) * len(grid[1][1]) * seeds
    if runs * steps > MAX_MEMBER_STEPS:
        st.warning(t("stab.too_big", runs=runs, steps=steps, limit=f"{MAX_MEMBER_STEPS:,}"))
        return
    c[2].write("")
    if running:
        c[2].button(t("stab.stop"), key="stab_stop", on_click=job.stop, width="stretch")
    elif c[2].button(t("stab.start", runs=runs), key="stab_start", type="primary", width="stretch"):
        st.session_state.stab_job = SweepJob(preset, base, grid, list(range(seeds)), int(steps))
        st.rerun()  # redraw the form disabled and start polling


def live_map() -> None:
    """The running (or last) sweep of this session: a fragment redrawn every second while the sweep runs."""
    job: SweepJob | None = st.session_state.get("stab_job")
    running = job is not None and job.running
    st.session_state.stab_was_running = running
    st.fragment(run_every=1.0 if running else None)(_live_map)()


def _live_map() -> None:
    job: SweepJob | None = st.session_state.get("stab_job")
    if job is not None and not job.running and st.session_state.get("stab_was_running"):
        st.session_state.stab_was_running = False
        st.rerun()  # the whole page once more: polling stops and the form is enabled again
    if job is None:
        st.info(t("stab.no_job"))
        return
    if job.running:
        st.progress(min(job.done / max(job.total, 1), 1.0), text=t("stab.progress", done=len(job.document["rows"]),
                                                                   total=job.total // job.steps))
    if job.error:
        st.error(t("stab.failed", error=job.error))
    show_map(job.document, "job")
    if job.document["rows"]:
        open_in_playground(job.document, "job")


def open_in_playground(doc: dict, key: str) -> None:
    """Pick a finished cell and a seed; the button loads that exact config into the Playground."""
    cells = {tuple(c["cell"]): c for c in doc["cells"]}
    if not cells:
        return
    axes = doc["axes"]

    def cell_label(cell):
        c = cells[cell]
        where = ", ".join(f"{a['key']}={value_text(a['values'][i])}" for a, i in zip(axes, cell))
        return t("stab.cell", where=where, label=t(f"diag.{c['majority']}"), healthy=f"{c['healthy']:.0%}")

    c = st.columns([3, 1, 1])
    cell = c[0].selectbox(t("stab.pick_cell"), list(cells), format_func=cell_label, key=f"stab_cell_{key}")
    seed = c[1].selectbox(t("stab.seed"), cells[cell]["seeds"], key=f"stab_seed_{key}")
    c[2].write("")
    if c[2].button(t("stab.open"), key=f"stab_open_{key}", icon=":material/sports_esports:", width="stretch"):
        settings = {a["key"]: a["values"][i] for a, i in zip(axes, cell)}
        config = get_preset(doc["preset"]).config(**doc.get("set", {}), **settings, seed=seed)
        runner = live.session_runner()
        runner.replace(config)
        controls.load_into_widgets(config)
        st.session_state.preset_name = doc["preset"]
        if "playground" in st.session_state.get("pages", {}):
            st.switch_page(st.session_state.pages["playground"])
        st.success(t("stab.opened"))
