"""The ensemble computes, member for member, what a plain Trainer of the same config and seed computes."""

import numpy as np
import pytest

from gan_core import Trainer, from_flat
from gan_core.ensemble import Ensemble, group_key, unsupported

KEYS = ("d_loss", "g_loss", "d_real", "d_fake", "d_fake_after", "g_grad_norm", "d_grad_norm")


def small(**kw):
    return from_flat({"g_width": 16, "d_width": 16, "batch_size": 64, "metrics_every": 100_000, **kw})


def assert_member_matches(ens, m, trainer, rtol=1e-5, atol=1e-6):
    got, want = ens.histories[m].columns(), trainer.history.columns()
    np.testing.assert_array_equal(got["step"], want["step"])
    for k in KEYS:
        np.testing.assert_allclose(got[k], want[k], rtol=rtol, atol=atol, err_msg=f"member {m}: {k}")
    g, d = ens.weights(m)
    for mine, theirs in ((g, trainer.G.state_dict()), (d, trainer.D.state_dict())):
        assert mine.keys() == theirs.keys()
        for name in theirs:
            np.testing.assert_allclose(mine[name].numpy(), theirs[name].numpy(), rtol=rtol, atol=atol,
                                       err_msg=f"member {m}: {name}")
    assert ens.status[m] == trainer.status and ens.reason[m] == trainer.reason


# One group per case, members with mixed per-member settings (lr, betas, momentum, gammas, clip, seeds).
CASES = {
    "non-saturating adam r1": [dict(loss="non-saturating", r1_gamma=g, lr_d=lr, lr_g=lr / 2, beta1=b1, beta2=b2,
                                    seed=s) for g, lr, b1, b2, s in
                               [(0.1, 1e-3, 0.5, 0.9, 0), (1.0, 3e-3, 0.0, 0.999, 1), (0.5, 1e-4, 0.9, 0.99, 2)]],
    "minimax sgd momentum d_steps": [dict(loss="minimax", optimizer="sgd", d_steps=3, momentum=m, lr_d=lr, seed=s)
                                     for m, lr, s in [(0.0, 1e-2, 0), (0.9, 5e-3, 1)]],
    "lsgan smoothing": [dict(loss="lsgan", label_smoothing=0.1, lr_g=lr, seed=s) for lr, s in [(1e-3, 3), (2e-4, 4)]],
    "hinge rmsprop leaky": [dict(loss="hinge", optimizer="rmsprop", activation="leaky_relu", lr_d=lr, seed=s)
                            for lr, s in [(1e-3, 0), (1e-4, 1)]],
    "wgan clip": [dict(loss="wgan", clip=c, lr_d=5e-4, seed=s) for c, s in [(0.01, 0), (0.1, 1)]],
    "wgan-gp instance noise": [dict(loss="wgan-gp", gp_lambda=lam, instance_noise=sig, seed=s, d_steps=2)
                               for lam, sig, s in [(10.0, 0.1, 0), (1.0, 0.5, 1)]],
    "moons uniform noise tanh": [dict(dataset="moons", noise="uniform", activation="tanh", latent_dim=4, seed=s,
                                      g_optimizer="sgd", d_optimizer="adam") for s in (5, 6)],
}


@pytest.mark.parametrize("case", list(CASES))
def test_first_10_steps_match_a_plain_trainer(case):
    configs = [small(**kw) for kw in CASES[case]]
    ens = Ensemble(configs)
    ens.run(10)
    for m, config in enumerate(configs):
        trainer = Trainer(config)
        trainer.run(10)
        assert_member_matches(ens, m, trainer)


def test_a_diverging_member_is_frozen_and_the_others_go_on_unchanged():
    # lr 1.0 with SGD on the WGAN critic with clip 1 (the divergence preset's recipe): the second member's
    # D gradient norm becomes inf at step 11; lr 1e-3 and 1e-4 stay finite.
    base = dict(loss="wgan", clip=1.0, optimizer="sgd", momentum=0.9, activation="leaky_relu")
    configs = [small(**base, lr_d=1e-3, lr_g=1e-3, seed=0), small(**base, lr_d=1.0, lr_g=1.0, seed=1),
               small(**base, lr_d=1e-4, lr_g=1e-4, seed=2)]
    ens = Ensemble(configs)
    ens.run(60)
    trainers = [Trainer(c) for c in configs]
    for t in trainers:
        t.run(60)
    assert trainers[1].status == "diverged" and trainers[0].status == trainers[2].status == "ok"
    assert ens.status == ["ok", "diverged", "ok"] and ens.active == 2
    assert ens.reason[1] == trainers[1].reason  # the same step and the same first bad value
    for m in (0, 2):  # the others trained all 60 steps, equal to their own Trainer
        assert_member_matches(ens, m, trainers[m], rtol=1e-4, atol=1e-5)
    frozen = ens.trainer(1)
    assert frozen.step_count == trainers[1].step_count < 60 and frozen.status == "diverged"


def test_member_trainer_carries_weights_history_and_diagnosis_inputs():
    configs = [small(seed=s) for s in (0, 1)]
    ens = Ensemble(configs)
    ens.run(40)
    t = ens.trainer(1)
    plain = Trainer(configs[1])
    plain.run(40)
    assert t.step_count == 40 and len(t.history) == 40
    np.testing.assert_allclose(t.sample(100), plain.sample(100), rtol=1e-4, atol=1e-5)


def test_groups_and_unsupported_settings():
    assert group_key(small(lr_d=1e-4, seed=3)) == group_key(small(lr_d=1e-2, seed=9, beta1=0.0))
    assert group_key(small(d_width=32)) != group_key(small())
    assert group_key(small(r1_gamma=1.0)) != group_key(small())  # R1 on runs extra ops
    assert unsupported(small(scheme="simultaneous")) == "scheme=simultaneous"
    assert unsupported(small(d_dropout=0.2)) == "d_dropout>0"
    assert unsupported(small()) is None
    with pytest.raises(ValueError, match="cannot share"):
        Ensemble([small(), small(d_width=32)])
