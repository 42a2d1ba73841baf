"""Presenter mode through AppTest: ?present=1&show=..., the pinned sidebar, the hidden settings kept, bad
pins named, the toggle, shortcuts on the buttons and the canvas's scale (Playground and Lab)."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from gan_core import frames
from gan_core.host.runner import Runner
from gan_core.presets import PRESETS
from gan_core.ui import presenter

ROOT = Path(__file__).resolve().parents[1]
KEYS = {"btn_train": "t", "btn_pause": "p", "btn_step": "s", "btn_d_step": "d", "btn_g_step": "g", "btn_reset": "0"}


def open_page(page="pages/playground.py", **query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception
    return at


def sidebar_keys(at) -> set[str]:
    """Keys of the sidebar's widgets, the language radio and the presenter toggle aside."""
    out, todo = set(), list(at.sidebar.children.values())
    while todo:
        node = todo.pop()
        todo += list(getattr(node, "children", {}).values())
        if getattr(node, "key", None):
            out.add(node.key)
    return out


def runner(at):
    return at.session_state["runner"]


def packet(at, key="live_view"):
    (el,) = [e for e in at.get("bidi_component") if e.proto.id.endswith(key)]
    return frames.decode(el.proto.bytes)


def test_a_present_link_pins_its_controls_and_keeps_every_other_setting():
    at = open_page(present="1", show="lr_d,lr_g", preset="ring-mode-collapse")
    cfg = {k for k in sidebar_keys(at) if k.startswith("cfg_")}
    assert cfg == {"cfg_lr_d", "cfg_lr_g"}
    assert "preset_name" not in sidebar_keys(at) and presenter.PIN_EDIT in sidebar_keys(at)
    wanted = PRESETS["ring-mode-collapse"].config()
    assert runner(at).config == wanted and not at.warning  # nothing pending: the hidden settings are complete
    assert {b.key: b.proto.shortcut for b in at.button if b.key in KEYS} == KEYS
    assert "key T" in at.button(key="btn_train").help and "key 0" in at.button(key="btn_reset").help
    assert any("`T` Train" in c.value for c in at.caption)
    assert packet(at)["text"]["scale"] == presenter.CANVAS_SCALE
    at.select_slider(key="cfg_lr_d").set_value(1e-4).run()
    at.button(key="btn_step").click().run()
    at.run()
    r = runner(at)
    assert r.trainer.step_count == 1 and wanted.diff(r.config) == {"lr_d": (wanted.lr_d, 1e-4)}
    query = dict(at.query_params)
    assert query["present"] == "1" and query["show"] == "lr_d,lr_g" and query["lr_d"] == "0.0001" and query["preset"] == "ring-mode-collapse"


def test_hidden_settings_survive_presenter_mode_and_come_back_after_it():
    at = open_page()
    at.select_slider(key="cfg_lr_g").set_value(2e-4).run()
    at.slider(key="cfg_g_width").set_value(32).run()  # pending: needs Reset
    assert at.session_state["cfg_g_width"] == 32 and not packet(at)["text"]["scale"] > 1
    at.session_state[presenter.ACTIVE] = True
    at.run()
    at.run()  # a second run: Streamlit forgets undrawn widgets at the end of the first
    assert not {k for k in sidebar_keys(at) if k.startswith("cfg_")}  # nothing pinned: no settings shown
    assert runner(at).config.lr_g == 2e-4
    assert any("g_width" in w.value for w in at.warning)  # still pending, Reset applies it
    at.button(key="btn_reset").click().run()
    assert runner(at).config.g_width == 32
    at.session_state[presenter.ACTIVE] = False
    at.run()
    assert at.slider(key="cfg_g_width").value == 32 and at.select_slider(key="cfg_lr_g").value == 2e-4
    assert at.button(key="btn_train").proto.shortcut == "" and "present" not in at.query_params


def test_a_visit_to_another_page_and_back_keeps_the_pinned_and_the_hidden_settings():
    at = open_page(present="1", show="lr_d")
    at.select_slider(key="cfg_lr_d").set_value(2e-4).run()
    at.session_state["cfg_beta1"] = 0.2  # a hidden setting, as the full sidebar had left it
    at.run()
    at.switch_page("pages/lab.py").run()
    at.switch_page("pages/playground.py").run()
    assert not at.exception
    assert at.select_slider(key="cfg_lr_d").value == 2e-4
    assert runner(at).config.lr_d == 2e-4 and runner(at).config.beta1 == 0.2


def test_unknown_pins_are_named_with_the_allowed_keys_and_can_be_dismissed():
    at = open_page(present="1", show="lr_d,nope,lr_x")
    (note,) = [w.value for w in at.warning]
    assert "`nope`, `lr_x`" in note and "`lr_g`" in note and "`preset`" in note
    assert {k for k in sidebar_keys(at) if k.startswith("cfg_")} == {"cfg_lr_d"}
    at.button(key="presenter_note_ok").click().run()
    assert not at.warning


def test_the_toggle_turns_it_on_the_address_carries_it_and_pins_can_be_picked():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()  # the home page, through app.py: the language picker and the toggle
    assert at.toggle(key=presenter.TOGGLE).value is False and "present" not in at.query_params
    at.toggle(key=presenter.TOGGLE).set_value(True).run()
    assert at.query_params["present"] == "1"
    at.switch_page("pages/playground.py").run()
    assert at.button(key="btn_train").proto.shortcut == "t"
    at.multiselect(key=presenter.PIN_EDIT).set_value(["preset", "loss"]).run()
    keys = sidebar_keys(at)
    assert {"preset_name", "cfg_loss"} <= keys and "cfg_lr_d" not in keys
    assert at.query_params["show"] == "preset,loss"


def test_the_lab_presents_too():
    at = open_page("pages/lab.py", present="1")
    assert at.button(key="lab_train").proto.shortcut == "t" and at.button(key="lab_reset").proto.shortcut == "0"
    assert packet(at, "lab_run_live")["text"]["scale"] == presenter.CANVAS_SCALE
    at.button(key="lab_apply_fix").click().run()  # the Fix stage's two runs: Shift+T / Shift+P, named in the sidebar
    assert not at.exception, at.exception
    assert at.button(key="lab_fix_train").proto.shortcut == "shift+t"
    assert at.button(key="lab_fix_pause").proto.shortcut == "shift+p"
    assert "`Shift+T` Continue both" in at.sidebar.caption[0].value
    for value in at.session_state.values():
        if isinstance(value, Runner):
            value.pause()


@pytest.mark.parametrize("text,pins,unknown", [
    ("lr_d, lr_g,lr_d", ["lr_d", "lr_g"], []), ("", [], []), ("preset,,x", ["preset"], ["x"]),
    ("custom_points", [], ["custom_points"]),
])
def test_parse(text, pins, unknown):
    assert presenter.parse(text) == (pins, unknown)
