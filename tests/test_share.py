"""Links that reproduce a setup: every setting round-trips through the URL query, bad values are named."""

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from gan_core import Trainer
from gan_core.classroom import links
from gan_core.config import Config, field_spec, from_flat
from gan_core.presets import PRESETS

ROOT = Path(__file__).resolve().parents[1]


def every_setting_changed() -> Config:
    """A config in which every flat key differs from its default (so a lost key would show)."""
    values = {}
    for name in links.CONFIG_KEYS:
        spec, default = field_spec(name), field_spec(name)["default"]
        if "choices" in spec:
            values[name] = next(c for c in spec["choices"] if c not in (default, "custom", "digits"))
        elif isinstance(default, bool):
            values[name] = not default
        elif isinstance(default, int):
            values[name] = default + 1 if default < spec["hi"] else default - 1
        else:
            values[name] = spec["lo"] + (spec["hi"] - spec["lo"]) / 3  # an inexact float: repr must keep it
    config = from_flat(values)
    assert set(config.diff(Config())) >= set(links.CONFIG_KEYS)
    return config


def test_every_setting_round_trips_exactly():
    config = every_setting_changed()
    query = links.encode(config, "ring-stable", "zh", {"show_arrows": True, "log_loss": False, "speed": 20})
    assert all(isinstance(v, str) for v in query.values())
    out = links.decode(query, Config())
    assert out.notes == []
    assert out.config == config and out.preset == "ring-stable"
    assert out.panels == {"show_arrows": True, "log_loss": False, "speed": 20}


def test_points_travel_compactly_and_round_to_a_hundredth():
    pts = np.random.default_rng(0).uniform(-3, 3, size=(500, 2)).round(2)
    config = Config(dataset="custom", custom_points=tuple(map(tuple, pts)))
    query = links.encode(config)
    assert len(query["points"]) < 3000
    assert links.decode(query, Config()).config == config
    with pytest.raises(ValueError, match="too many for a link"):
        links.encode_points(np.zeros((links.MAX_LINK_POINTS + 1, 2)))


@pytest.mark.parametrize("key,value,says", [
    ("lr_d", "5", "lr_d=5.0 is not allowed; expected a value in [1e-05, 1]"),
    ("batch_size", "abc", "expected a number"),
    ("batch_size", "4", "[8, 2048]"),
    ("g_depth", "1.5", "a whole number"),
    ("dataset", "mnist", "one of ring8"),
    ("dataset", "custom", "at least 2 points"),
    ("g_batch_norm", "maybe", "true or false"),
    ("lr_g", "nan", "lr_g=nan is not allowed"),
    ("preset", "nope", "preset='nope' is not allowed"),
    ("points", "!!not-base64", "points="),
    ("points", "eJxLTEoGAAJNASc", "points="),  # valid zlib, 3 bytes: not whole points
    ("speed", "7", "speed='7' is not allowed"),
    ("show_arrows", "2", "show_arrows='2'"),
    ("colour", "red", "colour='red': unknown setting"),
])
def test_a_bad_value_is_left_out_with_a_note_naming_it(key, value, says):
    out = links.decode({key: value, "seed": "3"}, Config())
    assert any(says in note for note in out.notes), out.notes
    assert out.config.seed == 3  # the good values still apply


def test_a_zip_bomb_of_points_is_refused():
    import base64
    import zlib
    bomb = base64.urlsafe_b64encode(zlib.compress(b"\0" * 10_000_000)).decode()
    assert "points=" in links.decode({"points": bomb}, Config()).notes[0]


@pytest.fixture
def playground():
    def open_with(query: dict) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        at.query_params.update(query)
        at.run()  # the app's first run reads the language from the link
        at.switch_page("pages/playground.py").run()
        assert not at.exception
        return at
    return open_with


def test_a_link_opens_the_playground_with_its_setup_and_the_same_numbers(playground):
    config = PRESETS["ring-mode-collapse"].config().replace(lr_d=3e-3, seed=7, batch_size=64, metrics_every=10)
    query = links.encode(config, "ring-mode-collapse", "en", {"show_arrows": True, "speed": 100})
    at = playground(query)
    runner = at.session_state["runner"]
    assert runner.config == config
    assert at.session_state["cfg_lr_d"] == 3e-3 and at.session_state["cfg_seed"] == 7
    assert at.session_state["preset_name"] == "ring-mode-collapse" and at.session_state["speed"] == 100
    assert at.session_state["show_arrows"] is True
    assert not at.warning  # nothing was left out
    for _ in range(3):
        at.button(key="btn_step").click().run()
    reference = Trainer(config)
    for _ in range(3):
        reference.step()
    got, want = runner.poll()["rows"], reference.history.columns()
    for key in ("d_loss", "g_loss", "d_real", "d_fake"):
        np.testing.assert_array_equal(got[key], want[key])
    # the address bar holds the link to what is on screen, and its box shows it
    assert links.decode(dict(at.query_params), Config()).config == config
    assert any("lr_d=0.003" in c.value for c in at.code)


def test_every_setting_round_trips_through_the_page(playground):
    config = every_setting_changed()
    at = playground(links.encode(config, lang="zh"))
    assert at.session_state["runner"].config == config
    assert at.query_params["lang"] == "zh" and at.title[0].value == "训练场"
    assert links.decode(dict(at.query_params), Config()).config == config


def test_a_bad_link_value_shows_a_note_and_keeps_the_rest(playground):
    at = playground({"lr_d": "5", "seed": "3"})
    assert at.session_state["runner"].config.seed == 3
    assert at.session_state["runner"].config.lr_d == Config().lr_d
    assert any("lr_d=5.0" in w.value and "[1e-05, 1]" in w.value for w in at.warning)
    at.button(key="link_notes_ok").click().run()
    assert not any("lr_d=5.0" in w.value for w in at.warning)

