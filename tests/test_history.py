import numpy as np

from gan_core.history import History


def rec(step):
    return {"step": step, "d_loss": float(step), "d_penalty": 0.0, "g_loss": 0.0, "d_real": 0.5, "d_fake": 0.5, "d_fake_after": 0.5,
            "g_grad_norm": 1.0, "d_grad_norm": 1.0, "seconds": 0.0}


def test_recent_rows_exact_and_old_rows_thinned():
    h = History(recent=100, capacity=50)
    for s in range(1, 10_001):
        h.append(rec(s))
    cols = h.columns()
    assert len(h) <= 150
    np.testing.assert_array_equal(cols["step"][-100:], np.arange(9901, 10_001))  # recent part exact
    assert cols["step"][0] == 1  # the very first step survives thinning
    assert np.all(np.diff(cols["step"]) > 0)  # still ordered by step
    assert h.last()["step"] == 10_000


def test_100k_steps_stay_a_few_thousand_rows():
    h = History()
    for s in range(1, 100_001):
        h.append(rec(s))
    assert len(h) <= 4000


def test_columns_since_and_tail_and_state_round_trip():
    h = History(recent=10, capacity=10)
    for s in range(1, 31):
        h.append(rec(s))
    assert list(h.columns(since_step=28)["step"]) == [29, 30]
    assert list(h.tail(3)["step"]) == [28, 29, 30]
    g = History()
    g.load(h.state())
    np.testing.assert_array_equal(g.columns()["step"], h.columns()["step"])
    h.clear()
    assert len(h) == 0 and h.columns()["step"].shape == (0,)
