"""Liveness comes from the browser session: late redraws never stop a run, a closed tab frees its trainer,
an idle session pauses with a reason. The Streamlit internals this relies on are checked loudly."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from gan_core.presets import PRESETS
from gan_core.ui import sessions

CFG = PRESETS["ring-stable"].config()


def test_the_private_streamlit_api_the_watch_uses_is_still_there():
    # If this fails, Streamlit changed its internals: update sessions.session_alive / session_id (one place).
    import dataclasses

    from streamlit import runtime
    from streamlit.runtime.runtime import Runtime
    from streamlit.runtime.scriptrunner import get_script_run_ctx
    from streamlit.runtime.scriptrunner_utils.script_run_context import ScriptRunContext

    assert callable(runtime.exists) and callable(runtime.get_instance) and callable(get_script_run_ctx)
    assert callable(Runtime.is_active_session)
    assert "session_id" in {f.name for f in dataclasses.fields(ScriptRunContext)}


@pytest.fixture
def local_handle():
    from gan_core.host.local import LocalTrainer, Pool

    pool = Pool(workers=1, max_sessions=2)
    handle = LocalTrainer(CFG, pool)
    yield handle
    handle.close()
    pool.stop()


def test_late_redraws_never_stop_a_run_and_idle_pauses_it(local_handle, monkeypatch):
    h, watch = local_handle, sessions.Watch()
    watch.add("tab-1", h)
    monkeypatch.setattr(sessions, "session_alive", lambda sid: True)
    h.start()
    time.sleep(3.0)  # no poll, no redraw: as if the tab's redraws were delayed
    watch.check(idle_s=60, gone_s=1)
    first = h.step_count
    assert h.running and first > 0 and h.stopped_because is None
    h.last_touch -= 61  # a minute without anyone using the tab
    watch.check(idle_s=60, gone_s=1)
    assert not h.running and h.stopped_because == "idle" and not h.closed
    h.start()  # Train resumes from where it stopped
    assert h.running and h.stopped_because is None and h.step_count >= first


def test_a_closed_tab_frees_its_trainer(local_handle, monkeypatch):
    h, watch = local_handle, sessions.Watch()
    watch.add("tab-1", h)
    h.start()
    monkeypatch.setattr(sessions, "session_alive", lambda sid: False)
    watch.check(idle_s=60, gone_s=0.5)
    assert not h.closed  # a blip of a reconnecting websocket is forgiven
    time.sleep(0.6)
    watch.check(idle_s=60, gone_s=0.5)
    assert h.closed and not h.worker.sessions
    assert h.worker.request(0, "ping") is None  # the worker lives on for other sessions


def test_a_dropped_handle_frees_its_place():
    import gc

    from gan_core.host.local import LocalTrainer, Pool

    pool = Pool(workers=1, max_sessions=1)
    try:
        h = LocalTrainer(CFG, pool)
        worker = h.worker
        del h
        gc.collect()
        assert not worker.sessions and worker.closing
        pool.flush()
        assert not worker.closing
        LocalTrainer(CFG, pool).close()  # the place is free again
    finally:
        pool.stop()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def busy(pid: int, seconds: float = 2.0) -> float:
    """The share of a core the process used over `seconds`."""
    c0 = cpu_seconds(pid)
    time.sleep(seconds)
    return (cpu_seconds(pid) - c0) / seconds


@pytest.mark.browser
def test_closing_the_tab_stops_its_worker_in_chromium(browser, tmp_path):
    import subprocess

    from gan_core.bench.harness import start_server

    proc, url = start_server({"GAN_CLASSROOM_TRAINERS": "local", "GAN_CLASSROOM_WORKERS": "1",
                              "GAN_CLASSROOM_GONE_SECONDS": "1", "GAN_CLASSROOM_RUNS": str(tmp_path)})
    try:
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        page.goto(url + "/playground")
        page.get_by_role("button", name="Train", exact=True).click(timeout=180_000)
        page.get_by_role("button", name="Pause", exact=True).wait_for(timeout=60_000)
        children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
        workers = [int(p) for p in children if "gan_core.host.worker" in Path(f"/proc/{p}/cmdline").read_text()]
        assert len(workers) == 1
        assert busy(workers[0]) > 0.1  # training (a share of a core: this machine is shared with others)
        context.close()
        deadline = time.monotonic() + 30
        while busy(workers[0]) > 0.03:  # an idle worker waits on its connection: ~0
            assert time.monotonic() < deadline, "the closed tab's trainer still trains after 30 s"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
