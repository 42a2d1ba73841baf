"""Compare runs: saved runs overlaid by step, what differs between them, forks, and exports for slides."""

import streamlit as st

from gan_core.figures.runs import comparison_png
from gan_core.store import runs_root, scan_runs
from gan_core.tables import curves_csv, valid_events
from gan_core.ui import examples
from gan_core.ui import saved_runs as ui
from gan_core.ui.i18n import t

folder = runs_root()
st.title(t("cmp.title"))
st.caption(t("cmp.caption", playground=t("nav.playground")))
ui.flash("top")

entries = scan_runs(folder)
if not entries and examples.ensure(folder):  # never empty: the example runs on first use
    entries = scan_runs(folder)
if not entries:
    st.info(t("cmp.empty", playground=t("nav.playground")))
    if "playground" in st.session_state.get("pages", {}):
        st.page_link(st.session_state.pages["playground"], icon=":material/sports_esports:",
                     label=t("cmp.go_playground", playground=t("nav.playground")))
    st.stop()

st.subheader(t("cmp.runs_header"))
ui.runs_table(entries)
examples.note(entries)
runs = ui.load_runs(entries, ui.selection(entries))

if runs:
    smoothing = st.slider(t("cmp.smoothing"), 0.0, 0.99, 0.9, 0.01, key="cmp_smoothing", help=t("cmp.smoothing_help"))
    c = st.columns(3)
    opts = {"smoothing": smoothing,
            "log_y": c[0].toggle(t("cmp.log"), key="cmp_log", help=t("cmp.log_help")),
            "show_raw": c[1].toggle(t("cmp.raw"), value=True, key="cmp_raw", help=t("cmp.raw_help")),
            "events": c[2].toggle(t("cmp.events"), value=True, key="cmp_events", help=t("cmp.events_help"))}
    ui.charts(runs, opts)
    ui.tables(runs)

    st.subheader(t("cmp.export_header"))
    hist = {name: run.history for name, run in runs.items()}
    c1, c2, _ = st.columns([1, 1, 2])
    c1.download_button(t("cmp.csv"), lambda: curves_csv(hist, smoothing=opts["smoothing"]),
                       file_name="gan-compare.csv", mime="text/csv", key="cmp_csv", on_click="ignore",
                       icon=":material/table_view:", help=t("cmp.csv_help"))
    events = {name: valid_events(run.summary.get("events")) for name, run in runs.items()}
    c2.download_button(t("cmp.png"), lambda: comparison_png(hist, events, opts["smoothing"], opts["log_y"]),
                       file_name="gan-compare.png", mime="image/png", key="cmp_png", on_click="ignore",
                       icon=":material/image:", help=t("cmp.png_help"))
else:
    st.info(t("cmp.pick"))

st.divider()
with st.expander(t("cmp.fork_header"), icon=":material/call_split:"):
    st.markdown(t("cmp.fork_intro"))
    ui.fork_ui(entries, folder)
with st.expander(t("cmp.gif_header"), icon=":material/movie:"):
    ui.gif_ui(entries)
with st.expander(t("cmp.manage_header"), icon=":material/edit:"):
    ui.manage_ui(entries, folder)
