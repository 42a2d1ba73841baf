"""The live view's stream (gan_core.ui.stream): a token per session's handle, packets of what is new, 404
once the session is gone, and the route mounted by server.py on a real server."""

import gc
import time
import urllib.error
import urllib.request

import pytest

from gan_core import frames
from gan_core.bench.harness import start_server
from gan_core.host.thread import ThreadTrainer
from gan_core.presets import PRESETS
from gan_core.ui import stream


def test_a_token_streams_what_is_new_then_nothing_once_the_handle_is_gone():
    runner = ThreadTrainer(PRESETS["ring-stable"].config())
    state = {}
    path = stream.address(runner, state)
    token = path.rsplit("/", 1)[1]
    assert path == stream.address(runner, state) and len(token) >= 20  # same handle, same secret
    runner.do("step")
    runner.do("step")
    first = frames.decode(stream.packet(token, -1, -1))
    assert first["step"] == 2 and list(first["rows"]["step"]) == [1.0, 2.0] and first["frames"]
    last_seq = first["frames"][-1]["seq"]
    runner.do("step")
    again = frames.decode(stream.packet(token, last_seq, 2))
    assert list(again["rows"]["step"]) == [3.0]  # only the new row
    assert all(f["seq"] > last_seq for f in again["frames"]) and again["frames"][-1]["step"] == 3
    assert not again["flags"] & (frames.RESET | frames.RUNNING)

    other = ThreadTrainer(PRESETS["ring-stable"].config())
    assert stream.address(other, state) != path  # a new handle (Reset with new settings): a new secret
    del runner
    gc.collect()
    assert stream.packet(token, -1, -1) is None
    assert stream.packet("not-a-token", -1, -1) is None


def test_server_py_mounts_the_route():
    proc, url = start_server()
    try:
        for query, code in (("?seq=1&step=2", 404), ("?seq=x", 400)):
            with pytest.raises(urllib.error.HTTPError) as err:
                urllib.request.urlopen(f"{url}/_gan/live/unknown{query}", timeout=10)
            assert err.value.code == code
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_a_timer_run_right_behind_a_full_run_sends_the_full_packet_again_once(monkeypatch):
    """Streamlit merges two deltas for one element that wait in its send queue together: a timer run right
    behind a full run must not leave the browser with only a state packet (no stream address, labels or
    history). The first timer run within RESEND_S of a full run sends everything again; later ones do not."""
    from gan_core.ui import liveview

    clock, run_is_full, polls = [100.0], [True], []

    class Runner:
        def poll(self, since_seq, since_step):
            polls.append((since_seq, since_step))
            return {"seq": 0, "frames": [], "rows": {}, "step": 0}

    monkeypatch.setattr(liveview.st, "session_state", {})
    monkeypatch.setattr(liveview, "full_run", lambda: run_is_full[0])
    monkeypatch.setattr(liveview.stream, "enabled", lambda: True)
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])

    def run(full: bool, at: float) -> bool:
        run_is_full[0], clock[0] = full, at
        return liveview.poll(Runner(), "v")["full"]

    assert run(True, 100.0)  # a click
    assert run(False, 100.5)  # the fragment's timer at once: everything again
    assert not run(False, 100.6) and polls[-1][0] == liveview.NO_FRAMES  # then the state only
    assert run(True, 200.0)
    assert not run(False, 200.0 + liveview.RESEND_S + 1)  # the usual timer run, seconds later: state only
    assert not run(False, 300.0)
