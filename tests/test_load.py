"""The load test's readings (the browser part runs as `python -m gan_core.bench.load`, a benchmark)."""

import os
import time

import pytest

from gan_core.bench.load import parse_status, report, tree_rss_mb


def test_status_line_and_memory_readings():
    assert parse_status("Step 1,234 · 240 steps/s · training") == (1234, True)
    assert parse_status("Step 7 · 0 steps/s · paused") == (7, False)
    assert parse_status(None) == (None, False)
    mine = tree_rss_mb(os.getpid())
    assert 20 < mine < 10_000  # this test process holds torch: tens of MB at least


def test_report_flags_missed_targets():
    r = {"sessions": 8, "single_steps_per_s": 240.0, "total": 96.0, "total_vs_single": 0.4,
         "steps_per_s": [12.0] * 8, "slowest_vs_fastest": 1.0, "redraw_p50_s": 0.2, "redraw_p95_s": 0.5,
         "stopped": 0, "page_exceptions": 0, "page_errors": [], "server_rss_mb": 900.0,
         "rss_per_session_mb": 20.0, "load_average": 2.0}
    text = report(r)
    assert "0.4 x single (target >= 0.8: MISSED)" in text and "slowest/fastest  1.0 (target >= 0.5: ok)" in text


def test_protocol_client_reads_packets_as_live_js_does():
    import numpy as np

    from gan_core import frames
    from gan_core.bench.wsclient import packet_state

    frame = {"kind": "points", "step": 41, "fake": np.zeros((3, 2)), "d_fake": np.zeros(3),
             "d_grid": np.full((4, 4), 0.5), "bounds": (-1, 1, -1, 1)}
    rows = {k: np.arange(5, dtype=float) + 37 for k in frames.ROW_KEYS}
    data = frames.encode([(7, frame), (8, frame)], rows, real=np.ones((2, 2)), text={"stream": "/_gan/live/abc"},
                         step=41, flags=frames.RESET | frames.RUNNING)
    assert packet_state(data) == {"step": 41, "running": True, "row_step": 41.0, "seq": 8,
                                  "stream": "/_gan/live/abc"}
    bare = packet_state(frames.encode([], None, step=3))
    assert bare == {"step": 3, "running": False, "row_step": None, "seq": None, "stream": None}


@pytest.mark.browser  # a real server (no browser): Streamlit's websocket and the live stream
def test_protocol_session_trains_and_pulls_frames(server):
    from gan_core.bench.wsclient import ProtocolSession

    errors: list[str] = []
    s = ProtocolSession(server, errors)
    try:
        s.train()
        s.start_watch()
        step0, running, t0 = s.status()
        time.sleep(4)
        step1, still, t1 = s.status()
        assert running and still and step1 > step0 + 20, (step0, step1)
        assert len(s.redraw_times()) >= 10  # pulled frames at ~10 per second
        s.click("Pause")
        deadline = time.monotonic() + 30
        while s.status()[1] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not s.status()[1] and s.page_exceptions() == 0 and errors == []
    finally:
        s.close()


def test_unreachable_server_is_one_clear_line_not_a_traceback(capsys):
    from gan_core.bench import load
    from gan_core.bench.harness import free_port

    url = f"http://127.0.0.1:{free_port()}"
    assert load.main(["--url", url, "--client", "protocol", "--sessions", "2", "--seconds", "1"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: {url}:") and "refused" in err and "Traceback" not in err
