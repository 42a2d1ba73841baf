"""Runs belong to someone: a second session cannot rename, delete or overwrite the first's run, neither
through the store nor on the page; the teacher key can; the runs folder's path is never shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from gan_core import Trainer, from_flat
from gan_core.classroom import db, owners
from gan_core.classroom.owners import Owner
from gan_core.store import RunError, save_run

ROOT = Path(__file__).resolve().parents[1]
ANN, BOB = Owner(db.digest("ann-secret"), "Ann"), Owner(db.digest("bob-secret"), "Bob")


@pytest.fixture
def folder(tmp_runs):
    tr = Trainer(from_flat({"g_width": 8, "d_width": 8, "batch_size": 32}))
    tr.run(3)
    for name in ("ann run", "old cli run"):
        save_run(tr, tmp_runs / name)
    owners.claim("ann run", ANN)
    return tmp_runs


def test_only_the_owner_renames_or_deletes_at_store_level(folder, monkeypatch):
    with pytest.raises(RunError, match="belongs to Ann"):
        owners.rename("ann run", "mine now", folder, BOB)
    with pytest.raises(RunError, match="belongs to Ann"):
        owners.delete_run("ann run", folder, BOB)
    with pytest.raises(RunError, match="belongs to Ann"):
        owners.delete_run("ann run", folder, None, teacher_key="guess")
    assert (folder / "ann run").is_dir()
    owners.rename("ann run", "ann renamed", folder, ANN)
    assert owners.owner_of("ann renamed")["display"] == "Ann" and owners.owner_of("ann run") is None
    with pytest.raises(RunError):
        owners.rename("ann renamed", "../escape", folder, ANN)  # names validated as before
    monkeypatch.setenv(owners.TEACHER_ENV, "t-key")
    owners.delete_run("ann renamed", folder, BOB, teacher_key="t-key")
    assert not (folder / "ann renamed").exists() and owners.owner_of("ann renamed") is None
    owners.delete_run("old cli run", folder, BOB)  # no recorded owner: open, as before


def open_compare() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/compare.py").run()
    assert not at.exception, at.exception
    return at


def test_another_session_cannot_change_the_run_on_the_page(folder):
    at = open_compare()  # a fresh session: not Ann
    at.selectbox(key="manage_run").set_value("ann run").run()
    assert any("belongs to Ann" in i.value for i in at.info)
    assert not [b for b in at.button if b.key in ("rename_go", "delete_go")]
    at.text_input(key="teacher_key").set_value("wrong").run()
    assert not [b for b in at.button if b.key in ("rename_go", "delete_go")]
    at.selectbox(key="manage_run").set_value("old cli run").run()
    assert at.button(key="rename_go")  # an ownerless run stays open
    page = " ".join(str(e.value) for e in [*at.markdown, *at.caption, *at.info] if hasattr(e, "value"))
    assert str(folder) not in page and str(folder.resolve()) not in page


def test_the_teacher_key_of_the_class_opens_it(folder, monkeypatch):
    monkeypatch.setenv(owners.TEACHER_ENV, "server-key")
    at = open_compare()
    at.selectbox(key="manage_run").set_value("ann run").run()
    at.text_input(key="teacher_key").set_value("server-key").run()
    at.text_input(key="rename_to").set_value("checked by teacher").run()
    at.button(key="rename_go").click().run()
    assert (folder / "checked by teacher").is_dir() and not at.exception


def test_saving_records_the_owner_and_refuses_to_overwrite_anothers_run(folder):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("pages/playground.py").run()
    at.button(key="btn_step").click().run()
    at.text_input(key="save_name").set_value("ann run").run()
    at.checkbox(key="save_overwrite").check().run()
    at.button(key="save_go").click().run()
    assert any("belongs to Ann" in e.value for e in at.error)
    assert owners.owner_of("ann run")["owner"] == ANN.token
    at.text_input(key="save_name").set_value("my own").run()
    at.button(key="save_go").click().run()
    mine = owners.owner_of("my own")
    assert mine is not None and mine["owner"] not in (ANN.token, BOB.token)
