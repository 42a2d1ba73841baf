import copy
import itertools
import math

import numpy as np
import pytest
import torch

from gan_core import Config, Trainer, from_flat
from gan_core.config import DATASETS, LOSSES, OPTIMIZERS
from gan_core.history import RECORD_KEYS
from gan_core.models import sample_noise
from tests.hand import check_first_step


def small(**kw):
    return from_flat({"g_width": 16, "d_width": 16, "batch_size": 64, "metrics_every": 100_000, **kw})


def test_step_record_is_plain_floats():
    t = Trainer(small())
    rec = t.step()
    assert set(rec) == set(RECORD_KEYS)
    assert all(isinstance(v, (int, float)) for v in rec.values())
    assert rec["step"] == 1 and 0 < rec["d_real"] < 1 and 0 < rec["d_fake"] < 1
    assert all(math.isfinite(rec[k]) for k in RECORD_KEYS)


def test_same_seed_same_numbers_and_reset_restores_initial_weights():
    a, b = Trainer(small(seed=3)), Trainer(small(seed=3))
    a.run(30), b.run(30)
    np.testing.assert_array_equal(a.history.columns()["d_loss"], b.history.columns()["d_loss"])
    first = a.history.columns()["g_loss"][:5].copy()
    a.reset()
    assert a.step_count == 0 and len(a.history) == 0
    a.run(5)
    np.testing.assert_array_equal(a.history.columns()["g_loss"], first)
    c = Trainer(small(seed=4))
    c.run(30)
    assert not np.array_equal(c.history.columns()["d_loss"], b.history.columns()["d_loss"])


def test_trainer_leaves_global_rng_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    Trainer(small()).run(3)
    torch.testing.assert_close(torch.rand(3), expected)


def test_d_step_changes_only_d_and_g_step_only_g():
    t = Trainer(small())
    g0 = [p.clone() for p in t.G.parameters()]
    d0 = [p.clone() for p in t.D.parameters()]
    rec = t.d_step()
    assert all(torch.equal(a, b) for a, b in zip(g0, t.G.parameters()))
    assert not all(torch.equal(a, b) for a, b in zip(d0, t.D.parameters()))
    assert math.isnan(rec["g_loss"]) and t.status == "ok"
    d1 = [p.clone() for p in t.D.parameters()]
    t.g_step()
    assert all(torch.equal(a, b) for a, b in zip(d1, t.D.parameters()))
    assert not all(torch.equal(a, b) for a, b in zip(g0, t.G.parameters()))
    assert t.step_count == 2


def test_d_steps_and_simultaneous_scheme():
    t = Trainer(small(d_steps=3))
    t.step()
    assert t.opt_d.state[next(iter(t.D.parameters()))]["step"] == 3
    assert t.opt_g.state[next(iter(t.G.parameters()))]["step"] == 1
    s = Trainer(small(scheme="simultaneous", d_steps=3))
    s.step()  # 2 D updates alone, then D and G together (their values: tests/test_trainer_values.py)
    assert s.opt_d.state[next(iter(s.D.parameters()))]["step"] == 3
    assert s.opt_g.state[next(iter(s.G.parameters()))]["step"] == 1


def test_update_mid_run_records_events_and_changes_optimizer():
    t = Trainer(small())
    t.run(5)
    event = t.update(lr_d=1e-4, d_steps=2)
    assert event == {"step": 5, "changes": {"lr_d": [1e-3, 1e-4], "d_steps": [1, 2]}}
    assert t.opt_d.param_groups[0]["lr"] == 1e-4
    t.update(optimizer="sgd", loss="hinge")
    assert isinstance(t.opt_g, torch.optim.SGD) and isinstance(t.opt_d, torch.optim.SGD)
    t.run(5)
    assert [e["step"] for e in t.events] == [5, 5] and t.status == "ok"
    with pytest.raises(ValueError, match="g_width.*needs a reset"):
        t.update(g_width=32)
    with pytest.raises(ValueError, match="lr_g"):
        t.update(lr_g=3.0)
    assert t.update(lr_g=t.config.lr_g) == {}


def test_divergence_stops_without_exception():
    t = Trainer(small(loss="wgan", clip=1.0, optimizer="sgd", lr_g=1.0, lr_d=1.0, d_width=64, g_width=64, batch_size=256))
    t.run(3000)
    assert t.status == "diverged"
    assert t.reason.startswith(f"diverged at step {t.step_count}")
    n = t.step_count
    t.step(), t.d_step(), t.g_step(), t.run(10)
    assert t.step_count == n  # a diverged run does not move
    t.snapshot()  # and can still be looked at
    t.reset()
    assert t.status == "ok" and t.step_count == 0


def test_state_dict_round_trip_continues_identically():
    a = Trainer(small(seed=1))
    a.run(20)
    b = Trainer(small(seed=1))
    b.load_state_dict(a.state_dict())
    a.run(10), b.run(10)
    np.testing.assert_array_equal(a.history.columns()["d_loss"], b.history.columns()["d_loss"])


def test_dist_history_is_fractions():
    t = Trainer(small())
    t.run(40)
    cols = t.dist_history.columns()
    assert list(cols["step"]) == [1, 10, 20, 30, 40]  # the step of the record whose batch it counts
    real = np.stack([cols[f"r{i}"] for i in range(20)], axis=1)
    np.testing.assert_allclose(real.sum(axis=1), 1.0, atol=1e-6)


def test_step_numbers_match_an_independent_computation():
    """The one-read bookkeeping (_numbers) against plain .item() calls on the same update, recomputed by hand."""
    t = Trainer(small())
    t.run(3)
    before = copy.deepcopy((t.G.state_dict(), t.D.state_dict(), t.gen.get_state()))
    rec = t.d_step()
    D = copy.deepcopy(t.D)
    D.load_state_dict(before[1])
    gen = torch.Generator()
    gen.set_state(before[2])
    G = copy.deepcopy(t.G)
    G.load_state_dict(before[0])
    x_real = t.data.sample(t.config.batch_size, gen)
    with torch.no_grad():
        x_fake = G(sample_noise(t.config, t.config.batch_size, gen))
    real, fake = D(x_real), D(x_fake)
    loss = torch.nn.functional.softplus(-real).mean() + torch.nn.functional.softplus(fake).mean()
    loss.backward()
    norm = torch.nn.utils.clip_grad_norm_(list(D.parameters()), float("inf")).item()
    assert rec["d_loss"] == pytest.approx(loss.item(), rel=1e-6)
    assert rec["d_real"] == pytest.approx(torch.sigmoid(real).mean().item(), rel=1e-6)
    assert rec["d_fake"] == pytest.approx(torch.sigmoid(fake).mean().item(), rel=1e-6)
    assert rec["d_grad_norm"] == pytest.approx(norm, rel=1e-5)


COMBOS = list(itertools.product(DATASETS, LOSSES, OPTIMIZERS))


@pytest.mark.parametrize("dataset, loss, optimizer", COMBOS)
def test_every_dataset_loss_optimizer_matches_hand_formulas_and_trains_200_steps_without_nan(dataset, loss, optimizer):
    pts = ((0.0, 0.0), (1.0, 1.0), (-1.0, 0.5)) if dataset == "custom" else ()
    lr = {"sgd": 1e-2, "adam": 2e-4, "rmsprop": 2e-4}[optimizer]
    config = Config(dataset=dataset, loss=loss, g_optimizer=optimizer, d_optimizer=optimizer, lr_g=lr, lr_d=lr,
                    custom_points=pts, g_width=8, d_width=8, g_depth=1, d_depth=1, batch_size=16,
                    metrics_every=100_000)
    t = Trainer(config)
    check_first_step(t)  # the loss switch is honoured: step 1's numbers against the hand formulas
    t.run(199)
    assert t.status == "ok", t.reason
    cols = t.history.columns()
    assert np.isfinite(cols["d_loss"]).all() and np.isfinite(cols["g_loss"]).all()
    assert np.isfinite(t.sample(100)).all()


def test_dropout_runs_stay_reproducible_when_interleaved():
    cfg = dict(g_dropout=0.2, d_dropout=0.2, seed=5)
    alone = Trainer(small(**cfg))
    alone.run(20)
    a, b = Trainer(small(**cfg)), Trainer(small(**cfg))
    for _ in range(20):  # two sessions taking turns in one process
        a.step(), b.step()
    np.testing.assert_array_equal(a.history.columns()["d_loss"], alone.history.columns()["d_loss"])
    np.testing.assert_array_equal(b.history.columns()["d_loss"], alone.history.columns()["d_loss"])


def test_g_update_leaves_d_gradients_alone_and_reports_g_norm():
    t = Trainer(small())
    t.run(2)
    t.d_step()
    d_grads = [p.grad.clone() for p in t.D.parameters()]
    rec = t.g_step()
    for before, p in zip(d_grads, t.D.parameters()):
        assert torch.equal(before, p.grad)  # G's backward computes no D gradients
    g_norm = torch.nn.utils.get_total_norm([p.grad for p in t.G.parameters()]).item()
    assert rec["g_grad_norm"] == pytest.approx(g_norm, rel=1e-5)


def test_sample_beyond_the_evaluation_noise_gives_n_rows():
    """sample(n) once returned at most 2,500 rows silently; now n rows, the first 2,500 at eval_z, all fixed."""
    t = Trainer(small())
    big = t.sample(6000)
    assert big.shape == (6000, 2)
    np.testing.assert_array_equal(big[:2500], t.sample())
    np.testing.assert_array_equal(big, t.sample(6000))  # fixed noise: the same rows again
    assert len(np.unique(big[2500:], axis=0)) == 3500  # fresh noise, not eval_z repeated
    with pytest.raises(ValueError, match="n >= 0"):
        t.sample(-1)
