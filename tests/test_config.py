import dataclasses

import pytest

from gan_core.config import ALIASES, FIELDS, Config, field_spec, from_flat


def test_defaults_are_valid_and_round_trip_through_flat_pairs():
    c = Config()
    assert from_flat(c.to_flat()) == c
    assert from_flat({k: str(v) for k, v in c.to_flat().items() if k != "custom_points"}) == c


@pytest.mark.parametrize("key, value, words", [
    ("lr_d", 5.0, ["lr_d", "5", "[1e-05, 1]"]),
    ("g_depth", 7, ["g_depth", "7", "[0, 6]"]),
    ("d_steps", 0, ["d_steps", "0"]),
    ("loss", "gan", ["loss", "gan", "non-saturating"]),
    ("latent_dim", 1.5, ["latent_dim", "whole number"]),
    ("lr_g", float("nan"), ["lr_g", "nan"]),
    ("g_batch_norm", "maybe", ["g_batch_norm", "true or false"]),
])
def test_bad_values_name_field_value_and_allowed_range(key, value, words):
    with pytest.raises(ValueError) as e:
        from_flat({key: value})
    for w in words:
        assert w in str(e.value)


def test_config_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Config().lr_d = 0.1


def test_cli_keys_and_aliases():
    keys = "dataset loss optimizer lr_g lr_d batch_size d_steps latent_dim g_depth g_width d_depth d_width " \
           "activation r1_gamma seed"
    for k in keys.split():
        assert k in FIELDS or k in ALIASES
    c = from_flat({"optimizer": "rmsprop", "activation": "tanh", "lr_d": "1e-4", "g_batch_norm": "true"})
    assert (c.g_optimizer, c.d_optimizer, c.g_activation, c.d_activation) == ("rmsprop",) * 2 + ("tanh",) * 2
    assert c.lr_d == 1e-4 and c.g_batch_norm is True
    with pytest.raises(ValueError, match="unknown setting 'nope'"):
        from_flat({"nope": 1})


def test_custom_points_validation():
    c = from_flat({"dataset": "custom", "custom_points": "[[0, 0], [1, 1], [2, 0]]"})
    assert c.custom_points == ((0.0, 0.0), (1.0, 1.0), (2.0, 0.0))
    with pytest.raises(ValueError, match="at least 2 points"):
        Config(dataset="custom")
    with pytest.raises(ValueError, match="custom_points"):
        Config(dataset="custom", custom_points=((0, "x"), (1, 1)))


def test_field_spec_gives_widget_limits():
    spec = field_spec("lr_d")
    assert spec["lo"] == 1e-5 and spec["hi"] == 1.0 and spec["log"] and spec["group"] == "optimizers"
    assert field_spec("loss")["choices"][0] == "minimax"
    assert {f.metadata["group"] for f in FIELDS.values()} <= {"data", "generator", "discriminator", "loss",
                                                             "optimizers", "training"}


def test_diff_lists_changed_fields():
    assert Config().diff(Config(lr_d=1e-4, d_steps=2)) == {"lr_d": (1e-3, 1e-4), "d_steps": (1, 2)}
