"""The trainer hosts' contract: every backend (thread, local worker process, Ray actor) behaves as the
in-process Trainer would, through the session-handle protocol (gan_core.host.runner's docstring)."""

from __future__ import annotations

import os
import signal
import time

import numpy as np
import pytest

from gan_core import Trainer
from gan_core.host import CRASHED, ServerFull, is_handle
from gan_core.presets import PRESETS
from gan_core.views import network_weights

CFG = PRESETS["ring-stable"].config()
BACKENDS = ["thread", "local", pytest.param("ray", marks=pytest.mark.ray)]


@pytest.fixture(scope="module")
def local_pool():
    from gan_core.host.local import Pool

    pool = Pool(workers=1, max_sessions=4)
    yield pool
    pool.stop()


@pytest.fixture(scope="module")
def ray_cluster():
    pytest.importorskip("ray", reason="pip install 'gan-classroom[cluster]' (Ray) for the ray backend")
    from tests.ray_local import local_ray

    with local_ray():
        yield


@pytest.fixture(params=BACKENDS)
def make(request):
    opened = []

    def make_handle(config=CFG):
        if request.param == "thread":
            from gan_core.host.thread import ThreadTrainer

            handle = ThreadTrainer(config)
        elif request.param == "local":
            from gan_core.host.local import LocalTrainer

            handle = LocalTrainer(config, request.getfixturevalue("local_pool"))
        else:
            request.getfixturevalue("ray_cluster")
            from gan_core.host.ray_actor import RayTrainer

            handle = RayTrainer(config)
        opened.append(handle)
        return handle

    make_handle.kind = request.param
    yield make_handle
    for handle in opened:
        handle.close()


def wait_stopped(handle, timeout=60.0):
    deadline = time.monotonic() + timeout
    while handle.poll()["running"]:
        assert time.monotonic() < deadline, "training did not stop by itself"
        time.sleep(0.05)


def reference(steps: int) -> dict:
    tr = Trainer(CFG)
    tr.run(steps)
    return tr.history.columns()


def test_train_until_matches_in_process_trainer(make):
    h = make()
    assert is_handle(h) and h.step_count == 0 and h.status == "ok" and not h.running
    h.start(until=25)
    wait_stopped(h)
    answer = h.poll()
    assert answer["step"] == h.step_count == 25  # exactly: start(until) is a hard stop
    ref = reference(25)
    for key in ("step", "d_loss", "g_loss", "d_real", "d_fake"):
        np.testing.assert_array_equal(np.asarray(answer["rows"][key]), np.asarray(ref[key]), err_msg=key)


def test_step_actions_reset_and_call(make):
    h, tr = make(), Trainer(CFG)
    w = h.call(network_weights)
    for net, model in (("G", tr.G), ("D", tr.D)):
        for k, v in model.state_dict().items():
            assert np.array_equal(w[net][k].numpy(), v.numpy()), (net, k)
    for action in ("step", "d_step", "g_step", "step"):
        record = h.do(action)
        assert record == pytest.approx({**getattr(tr, action)(), "seconds": record["seconds"]}, nan_ok=True)
    assert h.step_count == 4
    with pytest.raises(ValueError):
        h.do("jump")
    h.do("reset")
    assert h.step_count == 0 and len(h.poll()["rows"]["step"]) == 0
    assert h.do("step")["d_loss"] == Trainer(CFG).step()["d_loss"]  # the same random stream again


def test_update_replace_and_pace(make):
    h = make()
    event = h.update(lr_g=0.0005)
    assert event["changes"] == {"lr_g": [CFG.lr_g, 0.0005]} and h.config.lr_g == 0.0005
    with pytest.raises(ValueError):
        h.update(hidden=7)  # an architecture change needs a new trainer
    other = PRESETS["ring-stable"].config(seed=CFG.seed + 1)
    h.replace(other)
    assert h.config.seed == CFG.seed + 1 and h.step_count == 0
    h.do("step")  # past the first step's one-off costs
    h.set_pace(10)
    h.start()
    time.sleep(1.5)
    h.pause()
    assert not h.running and 3 <= h.step_count <= 1 + 10 * 1.5 + 10  # paced at 10 steps/s (bursts up to 10)


def test_poll_frames_since_a_seq(make):
    h = make()
    first = h.poll()
    assert len(first["frames"]) >= 1 and first["frames"][-1]["step"] == 0
    assert h.poll(first["seq"])["frames"] == []
    h.start(until=60)
    wait_stopped(h)
    later = h.poll(first["seq"])
    steps = [f["step"] for f in later["frames"]]
    assert later["seq"] > first["seq"] and steps and steps == sorted(steps) and steps[-1] == 60
    frame = later["frames"][-1]
    assert frame["fake"].dtype == np.float32 and frame["d_grid"].shape == (48, 48)
    assert h.poll(later["seq"])["frames"] == []
    assert list(h.poll(since_step=50)["rows"]["step"]) == list(range(51, 61))


@pytest.mark.parametrize("make", ["local", pytest.param("ray", marks=pytest.mark.ray)], indirect=True)
def test_a_killed_worker_is_reported_and_reset_starts_again(make):
    h = make()
    h.start()
    time.sleep(0.5)
    if make.kind == "local":
        os.kill(h.worker.proc.pid, signal.SIGKILL)
    else:
        import ray

        ray.kill(h.actor)
    time.sleep(0.5)
    answer = h.poll()
    assert answer["status"] == h.status == CRASHED and not answer["running"]
    assert "stopped" in h.reason
    h.do("reset")
    assert h.status == "ok" and h.step_count == 0
    h.start(until=5)
    wait_stopped(h)
    assert h.step_count == 5


def test_sessions_share_one_worker_fairly(local_pool):
    from gan_core.host.local import LocalTrainer

    handles = [LocalTrainer(CFG, local_pool) for _ in range(3)]
    try:
        assert len({id(h.worker) for h in handles}) == 1  # the pool has one worker
        for h in handles:
            h.start()
        time.sleep(3.0)
        for h in handles:
            h.pause()
        steps = [h.step_count for h in handles]
        assert min(steps) > 0 and min(steps) >= 0.6 * max(steps), steps
        with pytest.raises(ServerFull):
            for _ in range(2):
                handles.append(LocalTrainer(CFG, local_pool))
    finally:
        for h in handles:
            h.close()
