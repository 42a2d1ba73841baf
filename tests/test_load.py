"""The load test's readings (the browser part runs as `python -m gan_core.bench.load`, a benchmark)."""

import os

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
