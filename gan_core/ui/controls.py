"""Sidebar controls built from the Config fields themselves, so every widget has the engine's limits.

Widget keys are `cfg_<field>`. Settings in config.MUTABLE apply to the running Trainer at once (and are
recorded as events on the charts); the others (architecture, data, seed) wait for Reset.
"""

from __future__ import annotations

import streamlit as st

from gan_core.classroom import points
from gan_core.config import FIELDS, GROUPS, MUTABLE, Config, field_spec, from_flat
from gan_core.host.runner import Runner
from gan_core.presets import PRESETS

from .i18n import t
from .liveview import DRAWN

LOG_GRID = [m * 10.0**e for e in range(-5, 1) for m in (1, 2, 5)]  # 1e-5 ... 5e-1, then 1
HIDDEN = {"custom_points"}  # edited as text when dataset = custom
INT_SLIDERS = {"g_depth", "g_width", "d_depth", "d_width", "latent_dim", "d_steps"}


def label(name: str) -> str:
    return t(f"field.{name}")


def load_into_widgets(config: Config) -> None:
    for name, value in config.to_flat().items():
        if name not in HIDDEN:
            st.session_state[f"cfg_{name}"] = value
    st.session_state.cfg_custom_text = "\n".join(f"{x:g}, {y:g}" for x, y in config.custom_points)


def apply_drawn(runner: Runner) -> None:
    """Points painted on the live view's map (liveview.DRAWN, sent by the browser: checked like any input)
    become the run's data: dataset custom, the other settings kept, a fresh run; a bad set says why."""
    flat = st.session_state.pop(DRAWN, None)
    if flat is None:
        return
    try:
        if not isinstance(flat, list) or len(flat) % 2:
            raise ValueError("expected a flat list of x, y coordinates")
        pts = [[float(flat[i]), float(flat[i + 1])] for i in range(0, len(flat), 2)]
        config = from_flat({**runner.config.to_flat(), "dataset": "custom", "custom_points": pts})
    except (TypeError, ValueError) as e:
        st.error(t("live.draw_bad", reason=e))
        return
    runner.replace(config)
    load_into_widgets(config)
    st.toast(t("live.draw_used", n=f"{len(pts):,}"), icon=":material/draw:")


def preset_picker(runner: Runner, shown: bool = True) -> None:
    """The preset selectbox and its Load button (hidden in presenter mode unless pinned: the choice is kept)."""
    if not shown:
        if "preset_name" in st.session_state:
            _keep("preset_name", None)
        return
    names = list(PRESETS)
    st.sidebar.selectbox(t("preset"), names, key="preset_name", format_func=lambda n: f"{n}",
                         help=t("preset_help"))
    preset = PRESETS[st.session_state.preset_name]
    st.sidebar.caption(t(f"preset.{preset.name}"))  # every preset's description, translated (a test checks)
    st.sidebar.button(t("load_preset"), on_click=_load_preset, args=(runner, preset.name), width="stretch")


def _load_preset(runner: Runner, name: str) -> None:
    config = PRESETS[name].config()
    runner.replace(config)
    load_into_widgets(config)


def config_sidebar(runner: Runner, only: list[str] | None = None) -> tuple[Config | None, dict]:
    """Draw the grouped widgets; apply mid-run changes. Returns (wanted config or None, pending changes).
    only: draw just these settings, in this order and ungrouped (presenter mode's pins); the others keep
    their values, so the wanted config is still complete."""
    current = runner.config
    if "cfg_dataset" not in st.session_state:
        load_into_widgets(current)
    values = _grouped_widgets() if only is None else _pinned_widgets(current, only)
    try:
        wanted = from_flat(values)
    except ValueError as e:
        st.sidebar.error(f"{t('invalid_setting')}: {e}")
        return None, {}
    changes = current.diff(wanted)
    live = {k: v[1] for k, v in changes.items() if k in MUTABLE}
    if live:
        runner.update(**live)
    pending = {k: v for k, v in changes.items() if k not in MUTABLE}
    return wanted, pending


def _grouped_widgets() -> dict:
    values = {}
    for group in GROUPS:
        with st.sidebar.expander(t(f"group.{group}"), expanded=group in ("data", "optimizers")):
            for name, f in FIELDS.items():
                if f.metadata["group"] == group and name not in HIDDEN:
                    values[name] = _widget(name)
            if group == "data" and st.session_state.cfg_dataset == "custom":
                upload_points()
                st.text_area(t("custom_points"), key="cfg_custom_text", help=t("custom_points_help"))
                values["custom_points"] = _parse_points(st.session_state.get("cfg_custom_text", ""))
    return values


def _pinned_widgets(current: Config, only: list[str]) -> dict:
    flat = current.to_flat()
    values = {name: _keep(f"cfg_{name}", flat[name]) for name in FIELDS if name not in HIDDEN and name not in only}
    with st.sidebar:
        for name in only:
            if name in FIELDS and name not in HIDDEN:
                st.session_state.setdefault(f"cfg_{name}", flat[name])  # forgotten on a page without it
                values[name] = _widget(name)
    text = _keep("cfg_custom_text", "\n".join(f"{x:g}, {y:g}" for x, y in current.custom_points))
    if values["dataset"] == "custom":
        values["custom_points"] = _parse_points(text)
    return values


def _keep(key: str, default):
    """A hidden widget's value survives the run (Streamlit forgets the state of a widget not drawn)."""
    st.session_state[key] = st.session_state.get(key, default)
    return st.session_state[key]


def _widget(name: str):
    spec, key = field_spec(name), f"cfg_{name}"
    kw = dict(key=key, help=t(f"help.{name}") if t(f"help.{name}") != f"help.{name}" else spec["help"])
    if "choices" in spec:
        return st.selectbox(label(name), spec["choices"], **kw)
    kind = spec["type"] if isinstance(spec["type"], str) else spec["type"].__name__
    if kind == "bool":
        return st.checkbox(label(name), **kw)
    if spec.get("log"):
        options = sorted({*(v for v in LOG_GRID if spec["lo"] <= v <= spec["hi"]), spec["hi"],
                          float(st.session_state[key])})
        return st.select_slider(label(name), options, format_func=lambda v: f"{v:g}", **kw)
    if kind == "int":
        if name in INT_SLIDERS:
            return st.slider(label(name), int(spec["lo"]), int(spec["hi"]), step=1, **kw)
        return st.number_input(label(name), int(spec["lo"]), int(spec["hi"]), step=1, **kw)
    step = 0.01 if spec["hi"] <= 2 else 0.5
    return st.slider(label(name), float(spec["lo"]), float(spec["hi"]), step=step, **kw)


def upload_points() -> None:
    """A CSV of 2-D points into the points box; a bad file changes nothing and says why."""
    st.file_uploader(t("points.upload"), type=["csv", "txt"], key="points_file", on_change=_read_upload,
                     help=t("points.upload_help", rows=f"{points.MAX_ROWS:,}"))
    if st.session_state.get("_points_msg"):
        kind, text = st.session_state._points_msg
        getattr(st, kind)(text)


def _read_upload() -> None:
    file = st.session_state.get("points_file")
    if file is None:
        return
    try:
        pts, rows = points.parse_csv(file.getvalue())
    except ValueError as e:
        reason = t(f"points.err.{e.key}", **e.params) if isinstance(e, points.PointsError) else str(e)
        st.session_state._points_msg = ("error", t("points.bad", name=file.name, reason=reason))
        return
    st.session_state.cfg_custom_text = "\n".join(f"{x:g}, {y:g}" for x, y in pts)
    note = t("points.thinned", kept=f"{len(pts):,}") if rows > len(pts) else ""
    st.session_state._points_msg = ("success", t("points.loaded", name=file.name, rows=f"{rows:,}") + note)


def _parse_points(text: str) -> list:
    points = []
    for line in text.replace(";", "\n").splitlines():
        parts = [p for p in line.replace(",", " ").split() if p]
        if len(parts) == 2:
            try:
                points.append([float(parts[0]), float(parts[1])])
            except ValueError:
                pass
    return points
