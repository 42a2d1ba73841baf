"""The Compare page's parts, and the Playground's "Save run" box (`save_run_ui(runner)`). Logic lives in
gan_core.store / tables / replay / gif and gan_core.figures.runs; here: widgets, messages, the selection.
Actions that change the runs folder are callbacks (they run before the page, so the lists are fresh)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from gan_core import replay
from gan_core import store as runstore
from gan_core import tables as tb
from gan_core.classroom import owners
from gan_core.config import FIELDS, field_spec
from gan_core.display import fmt_value
from gan_core.figures import runs as fc
from gan_core.store import Run, RunError, load_run, runs_root, save_diagnosed, validate_name

from .i18n import t
from .owner import me, teacher_key
from .panels import PLOT, labels

KEEP, SET, FLASH = "_cmp_keep", "_cmp_set", "_cmp_flash"  # selection kept across pages / to apply / messages


def flash(area: str, kind: str | None = None, text: str | None = None) -> None:
    """Store a message for the next run (kind given), or show and forget the stored one."""
    if kind:
        st.session_state[f"{FLASH}_{area}"] = (kind, text)
    elif f"{FLASH}_{area}" in st.session_state:
        kind, text = st.session_state.pop(f"{FLASH}_{area}")
        getattr(st, kind)(text)


def _select(names: list[str]) -> None:
    st.session_state[SET] = st.session_state[KEEP] = list(names)


def _table(rows: list[dict], key: str) -> None:
    """rows as a dataframe, column names and status / diagnosis values in the session's language."""
    def name(k):
        return next((t(p + k) for p in ("cmp.col_", "fig.cmp_", "fig.") if t(p + k) != p + k), k)
    words = {"status": lambda v: t(f"cmp.status_{v}"), "diagnosis": lambda v: t(f"diag.{v}") if v else ""}
    frame = pd.DataFrame([{k: words[k](v) if k in words else v for k, v in r.items()} for r in rows])
    st.dataframe(frame.rename(columns={k: name(k) for k in frame.columns}), hide_index=True, key=key,
                 width="stretch")


def _progress(total: int):
    """A progress bar and its callback progress(done, total) for the engine's loops."""
    bar = st.progress(0.0, text=t("cmp.progress", done=0, total=f"{total:,}"))
    return bar, lambda d, n: bar.progress(min(d / max(n, 1), 1.0), text=t("cmp.progress", done=f"{d:,}",
                                                                          total=f"{n:,}"))


def save_run_ui(runner, folder=None) -> None:
    """A name box and a Save button: writes the runner's trainer as a run folder (asks before replacing)."""
    folder = runs_root(folder)
    st.markdown(f"**{t('cmp.save_header')}**")
    steps = runner.step_count
    suggestion = runstore.suggest_name(runner.config, steps, folder)
    name = st.text_input(t("cmp.save_name"), key="save_name", placeholder=suggestion,
                         help=t("cmp.save_name_help")).strip() or suggestion
    try:
        exists = (folder / validate_name(name)).exists()
    except RunError:
        return st.error(t("cmp.bad_name"))
    overwrite = exists and st.checkbox(t("cmp.save_overwrite", name=name), key="save_overwrite")
    if exists and not overwrite:
        st.warning(t("cmp.save_exists", name=name))

    def save():
        if runner.step_count == 0:
            return flash("save", "error", t("cmp.save_nothing", train=t("btn.train"), step=t("btn.step")))
        name = st.session_state.get("save_name", "").strip() or runstore.suggest_name(runner.config, runner.step_count,
                                                                                  folder)
        try:
            if (folder / validate_name(name)).exists():
                owners.check(name, me(), teacher_key())  # overwriting another's run is changing it
            saved = runner.call(save_diagnosed, folder / validate_name(name),
                                overwrite=bool(st.session_state.get("save_overwrite")))
            owners.claim(name, me())
        except (RunError, OSError) as e:
            return flash("save", "error", f"{t('cmp.save_failed')} {e}")
        st.session_state.save_name, st.session_state.save_overwrite = "", False
        if KEEP in st.session_state:  # else the Compare page starts with the newest runs anyway
            _select([*st.session_state[KEEP], name])
        flash("save", "success", t("cmp.saved", name=name, steps=f"{saved:,}"))

    # While training, this sidebar is not redrawn (only the panels are): the step count read above may be
    # from before Train was pressed, so the button stays enabled and save() checks the live count itself.
    idle = steps == 0 and not runner.running
    st.button(t("cmp.save_button"), key="save_go", on_click=save, width="stretch", icon=":material/save:",
              disabled=idle or (exists and not overwrite))
    if idle:
        st.caption(t("cmp.save_nothing", train=t("btn.train"), step=t("btn.step")))
    flash("save")
    if "compare" in st.session_state.get("pages", {}):
        st.page_link(st.session_state.pages["compare"], label=t("cmp.open_compare"),
                     icon=":material/compare_arrows:")


def runs_table(entries: list[Run]) -> None:
    """The readable runs as a table; each unreadable folder on its own line with the reason."""
    rows = tb.listing_rows(entries)
    if rows:
        _table(rows, "cmp_table")
    broken = [e for e in entries if not e.ok]
    if broken:
        st.warning(t("cmp.unreadable", n=len(broken)) + "\n" +
                   "\n".join(f"- **{e.name}**: {e.error}" for e in broken), icon="⚠️")


def selection(entries: list[Run]) -> list[str]:
    """The multiselect of runs to compare. Starts with the two most recently saved runs; survives a visit
    to another page (Streamlit forgets the state of widgets not drawn)."""
    names = [e.name for e in entries if e.ok]
    if SET in st.session_state:
        st.session_state.cmp_runs = st.session_state.pop(SET)
    elif "cmp_runs" not in st.session_state:
        newest = sorted((e for e in entries if e.ok), key=lambda e: str(e.summary.get("saved_at", "")))[-2:]
        st.session_state.cmp_runs = st.session_state.get(KEEP, [e.name for e in newest])
    st.session_state.cmp_runs = [n for n in dict.fromkeys(st.session_state.cmp_runs) if n in names]
    chosen = st.multiselect(t("cmp.select"), names, key="cmp_runs", help=t("cmp.select_help"))
    st.session_state[KEEP] = list(chosen)
    return chosen


@st.cache_data(max_entries=64, show_spinner=False)
def _load(path: str, stamp: tuple) -> Run | str:
    try:
        return load_run(path, samples=False)  # the page draws curves and tables only
    except RunError as e:
        return runstore.reason(e, Path(path))


def load_runs(entries: list[Run], names: list[str]) -> dict[str, Run]:
    """The chosen runs with all their rows (cached until a file changes); unreadable ones are reported."""
    paths, runs = {e.name: e.path for e in entries}, {}
    for name in names:
        run = _load(str(paths[name]), runstore.stamp(paths[name]))
        if isinstance(run, str):
            st.error(t("cmp.load_failed", name=name, reason=run))
        else:
            runs[name] = run
    return runs


def charts(runs: dict[str, Run], opts: dict) -> None:
    """D loss | G loss, mean D(x) | mean D(G(z)), then one quality metric over time."""
    lab, hist = labels(fc), {n: r.history for n, r in runs.items()}
    events = {n: tb.valid_events(r.summary.get("events")) for n, r in runs.items()} if opts["events"] else {}
    for row in (("d_loss", "g_loss"), ("d_real", "d_fake")):
        for col, key in zip(st.columns(2), row, strict=True):
            col.plotly_chart(fc.overlay_figure(hist, key, smoothing=opts["smoothing"], log_y=opts["log_y"],
                                               show_raw=opts["show_raw"], events=events, labels=lab),
                             key=f"cmp_fig_{key}", **PLOT)
    keys = tb.metric_keys(runs)
    if not keys:
        return st.caption(t("cmp.no_metrics"))
    key = st.selectbox(t("cmp.metric"), keys, key="cmp_metric", format_func=lambda k: t(f"fig.{k}"))
    metrics = {n: r.summary.get("metrics_history") or [] for n, r in runs.items()}
    st.plotly_chart(fc.metric_figure(metrics, key, title=t("cmp.metric_title", metric=t(f"fig.{key}")), labels=lab),
                    key="cmp_fig_metric", **PLOT)


def tables(runs: dict[str, Run]) -> None:
    """Final numbers, the settings that differ, and the mid-run changes."""
    st.subheader(t("cmp.final_header"))
    st.caption(t("cmp.final_caption"))
    _table(tb.final_rows(runs), "cmp_final")
    st.subheader(t("cmp.diff_header"))
    diff = tb.config_diff(runs)
    if len(runs) < 2:
        st.caption(t("cmp.diff_one"))
    elif not diff:
        st.info(t("cmp.diff_none", step_d=t("btn.d_step"), step_g=t("btn.g_step")))
    else:
        st.caption(t("cmp.diff_caption"))
        _table([{**row, "setting": t(f"field.{row['setting']}")} for row in diff], "cmp_diff")
    events = tb.event_rows(runs)
    if events:
        st.subheader(t("cmp.events_header"))
        _table(events, "cmp_event_table")


def field_input(name: str, value, key: str):
    """One setting's widget with the engine's limits (keys apart from the Playground's sidebar)."""
    spec, label = field_spec(name), t(f"field.{name}")
    if "choices" in spec:
        return st.selectbox(label, spec["choices"], index=spec["choices"].index(value), key=key)
    kind = spec["type"] if isinstance(spec["type"], str) else spec["type"].__name__
    if kind == "bool":
        return st.checkbox(label, value=value, key=key)
    if kind == "int":
        return int(st.number_input(label, int(spec["lo"]), int(spec["hi"]), int(value), step=1, key=key))
    step = spec["lo"] if spec.get("log") else (0.01 if spec["hi"] <= 2 else 0.5)
    return st.number_input(label, float(spec["lo"]), float(spec["hi"]), float(value), step=float(step),
                           format="%g", key=key)


def fork_ui(entries: list[Run], folder: Path) -> None:
    """Pick a run and the settings to change; the fork trains here, is saved, and the comparison of the
    run and its fork opens."""
    ok = {e.name: e for e in entries if e.ok}
    if not ok:
        return st.caption(t("cmp.none_readable"))
    entry = ok[st.selectbox(t("cmp.fork_source"), list(ok), key="fork_source", on_change=_clear_fork)]
    try:
        base = tb.initial_config(entry)
    except RunError as e:
        return st.error(runstore.reason(e, entry.path))
    fields = st.multiselect(t("cmp.fork_fields"), [f for f in FIELDS if f != "custom_points"], key="fork_fields",
                            format_func=lambda f: t(f"field.{f}"), help=t("cmp.fork_fields_help"))
    changes, cols = {}, st.columns(3) if fields else []
    for i, name in enumerate(fields):
        with cols[i % 3]:
            changes[name] = field_input(name, getattr(base, name), f"fork_val_{name}")
    try:
        diff = base.diff(replay.fork_config(entry, changes))
    except ValueError as e:
        return st.error(f"{t('invalid_setting')}: {e}")
    new, steps = {k: b for k, (_a, b) in diff.items()}, entry.summary["steps"]
    if diff:
        st.markdown(t("cmp.fork_changes", changes=", ".join(f"`{k}` {fmt_value(a)} → {fmt_value(b)}"
                                                             for k, (a, b) in diff.items())))
        same = replay.same_initial_weights(base, base.replace(**new))
        (st.success if same else st.warning)(t("cmp.fork_same_init" if same else "cmp.fork_new_init"))
    st.caption(t("cmp.fork_how", steps=f"{steps:,}"))
    flash("fork")
    if too_long(steps):
        return
    if st.button(t("cmp.fork_go"), key="fork_go", type="primary", disabled=not diff or steps == 0):
        st.caption(t("cmp.cancel_hint"))
        _, progress = _progress(steps)
        name = replay.fork_and_save(entry, new, folder, [e.name for e in entries], progress=progress)
        _select([entry.name, name])
        for area in ("top", "fork"):
            flash(area, "success", t("cmp.fork_done", name=name, source=entry.name))
        st.rerun()


def too_long(steps: int) -> bool:
    """A replay longer than replay.MAX_STEPS is refused here, with the CLI command that can do it."""
    if steps > replay.MAX_STEPS:
        st.warning(t("cmp.too_long", steps=f"{steps:,}", limit=f"{replay.MAX_STEPS:,}"))
    return steps > replay.MAX_STEPS


def _clear_fork() -> None:  # another source run: its own settings as the widgets' starting values
    for key in [k for k in st.session_state if str(k).startswith("fork_val_")]:
        del st.session_state[key]


def gif_ui(entries: list[Run]) -> None:
    """Replay a run from its seed and make the GIF of its samples at fixed noise (see gan_core.gif)."""
    from gan_core.gif import run_gif

    ok = {e.name: e for e in entries if e.ok}
    if not ok:
        return st.caption(t("cmp.none_readable"))
    name = st.selectbox(t("cmp.gif_run"), list(ok), key="gif_run")
    steps = ok[name].summary["steps"]
    st.caption(t("cmp.gif_how", steps=f"{steps:,}"))
    if too_long(steps):
        return
    if st.button(t("cmp.gif_go"), key="gif_go", disabled=steps == 0):
        st.caption(t("cmp.cancel_hint"))
        _, progress = _progress(steps)
        try:
            data, info = run_gif(load_run(ok[name].path), progress=progress)
        except (RunError, ValueError) as e:
            return st.error(t("cmp.load_failed", name=name, reason=runstore.reason(e, ok[name].path)))
        st.session_state._cmp_gif = {"name": name, "data": data, "info": info}
    made = st.session_state.get("_cmp_gif")
    if made and made["name"] == name:
        info = made["info"]
        st.image(made["data"], caption=t("cmp.gif_caption", frames=info["frames"], every=info["every"]))
        if info["matches"] is not None:
            (st.caption if info["matches"] else st.warning)(t(f"cmp.gif_match_{info['matches']}".lower(),
                                                            step_d=t("btn.d_step"), step_g=t("btn.g_step")))
        st.download_button(t("cmp.gif_download"), made["data"], file_name=f"{name}.gif", mime="image/gif",
                           key="gif_download", on_click="ignore", icon=":material/download:")


def manage_ui(entries: list[Run], folder: Path) -> None:
    """Rename or delete one run folder (delete asks for a tick first): the owner's runs, or with the key."""
    whose = owners.owners()
    name = st.selectbox(t("cmp.manage_run"), [e.name for e in entries], key="manage_run",
                        format_func=lambda n: f"{n} · {whose[n]['display']}" if n in whose else n)
    st.text_input(t("owner.teacher_key"), type="password", key="teacher_key", help=t("owner.teacher_key_help"))
    if name is not None and not owners.may_change(name, me(), teacher_key()):
        return st.info(t("owner.not_yours", name=name, owner=whose[name]["display"]), icon=":material/lock:")
    left, right = st.columns(2)
    left.text_input(t("cmp.rename_to"), key="rename_to", help=t("cmp.rename_help"))
    left.button(t("cmp.rename_go"), key="rename_go", on_click=_rename, args=(folder,))
    confirm = right.checkbox(t("cmp.delete_confirm", name=name), key="delete_confirm")
    right.button(t("cmp.delete_go"), key="delete_go", on_click=_delete, args=(folder,), disabled=not confirm,
                 type="primary" if confirm else "secondary")
    flash("manage")


def _rename(folder: Path) -> None:
    old, new = st.session_state.manage_run, st.session_state.get("rename_to", "").strip()
    try:
        new = owners.rename(old, new, folder, me(), teacher_key()).name
    except (RunError, OSError) as e:
        return flash("manage", "error", t("cmp.rename_failed", reason=runstore.reason(e, folder)))
    _select([new if n == old else n for n in st.session_state.get(KEEP, [])])
    st.session_state.manage_run, st.session_state.rename_to = new, ""
    flash("manage", "success", t("cmp.renamed", old=old, new=new))


def _delete(folder: Path) -> None:
    name = st.session_state.manage_run
    try:
        owners.delete_run(name, folder, me(), teacher_key())
    except (RunError, OSError) as e:
        return flash("manage", "error", t("cmp.delete_failed", reason=runstore.reason(e, folder)))
    _select([n for n in st.session_state.get(KEEP, []) if n != name])
    st.session_state.delete_confirm = False
    st.session_state.pop("manage_run", None)
    flash("manage", "success", t("cmp.deleted", name=name))
