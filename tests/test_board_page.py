"""The class board on the page (AppTest): a teacher starts a class, a student joins with the link's code,
shares the Playground's run and a Lab lesson's, and the teacher's board shows the tiles; students see the
board read-only; the teacher key hides and removes; bad codes, names and keys are named, in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from gan_core.classroom import board, db
from gan_core.host.runner import Runner
from gan_core.ui.i18n import table

ROOT = Path(__file__).resolve().parents[1]
EN, ZH = table("en"), table("zh")


@pytest.fixture(autouse=True)
def database(tmp_path, monkeypatch, tmp_runs):
    monkeypatch.setenv("GAN_CLASSROOM_DB", f"sqlite:///{tmp_path / 'classroom.db'}")


def rerun(at: AppTest, lang: str = "en") -> AppTest:
    """at.run() in `lang`: after switch_page, AppTest loses app.py's sidebar widgets (the language radio, the
    join box) from its tree and their values on the next run (in a browser they stay)."""
    at.session_state["lang"] = lang
    return at.run()


def home(**query) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def session(page: str, **query) -> AppTest:
    at = home(**query)
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def stop(at: AppTest) -> None:
    for value in at.session_state.values():
        if isinstance(value, Runner):
            value.pause()


def teacher_starts_a_class(lang="en") -> tuple[AppTest, str]:
    at = session("pages/board.py", lang=lang)
    at.button(key="board_create").click()
    rerun(at, lang)
    assert not at.exception, at.exception
    return at, at.text_input(key="board_code").value


def join(at: AppTest, name: str, code: str | None = None) -> AppTest:
    """The sidebar's join form (on the home page: see rerun)."""
    if code is not None:
        at.text_input(key="join_code").input(code)
    at.text_input(key="join_name").input(name)
    next(b for b in at.button if b.label in (EN["board.join_button"], ZH["board.join_button"])).click().run()
    assert not at.exception, at.exception
    return at


def join_as(code: str, name: str, page: str) -> AppTest:
    """A student who opened the class link, joined, then went to `page`."""
    at = join(home(**{"class": code}), name)
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_teacher_starts_a_class_and_gets_code_link_and_key(lang):
    tr = ZH if lang == "zh" else EN
    at = session("pages/board.py", lang=lang)
    assert at.title[0].value == tr["board.title"]
    assert at.info[0].value == tr["board.start_hint"]
    at.button(key="board_create").click()
    rerun(at, lang)
    code = at.text_input(key="board_code").value
    assert len(code) == 6 and board.exists(code)
    link, key = (c.value for c in at.code)
    assert link.endswith(f"/playground?class={code}&lang={lang}")
    assert board.tiles(code) == [] and board.is_teacher(key, code)
    assert tr["board.teacher_view"] in captions(at) and tr["board.empty"] == at.info[0].value
    assert code in at.markdown[0].value
    at.switch_page("pages/playground.py").run()
    at.switch_page("pages/board.py")
    rerun(at, lang)  # back on the board: the same class, still the teacher's view
    assert at.text_input(key="board_code").value == code and tr["board.teacher_view"] in captions(at)
    stop(at)


def test_student_joins_shares_and_the_teacher_board_shows_the_tile():
    teacher, code = teacher_starts_a_class()
    assert session("pages/playground.py").toggle(key="share_playground").disabled  # not in a class yet
    at = home(**{"class": code.lower()})
    assert at.text_input(key="join_code").value == code.lower()  # the link filled it in
    assert at.expander[0].label == EN["board.join"]  # and opened the box
    student = join(at, "Ann")
    student.switch_page("pages/playground.py").run()
    assert student.session_state["class_code"] == code
    student.toggle(key="share_playground").set_value(True).run()
    assert EN["board.sharing"].format(code=code, name="Ann") in captions(student)
    (tile,) = board.tiles(code)
    assert (tile.display, tile.source, tile.step, tile.status) == ("Ann", "playground", 0, "paused")
    assert tile.image.startswith(b"\x89PNG") and tile.settings["dataset"] == "ring8"
    for _ in range(3):
        student.button(key="btn_step").click().run()
    assert board.tiles(code)[0].step == 3  # a paused run's tile follows each step
    teacher.run()
    text = "\n".join(m.value for m in teacher.markdown)
    assert "**Ann**" in text and EN["diag.not-converged-yet"] in text
    assert "step 3" in captions(teacher) and "1 student(s) joined" in captions(teacher)
    assert teacher.button(key=f"board_hide_{tile.id}") and teacher.button(key=f"board_remove_{tile.id}")
    teacher.button(key=f"board_open_{tile.id}").click().run()  # full-size, in a dialog
    (dialog,) = teacher.get("dialog")
    assert dialog.proto.dialog.title == "Ann" and teacher.table[0].value.set_index("Setting").loc["dataset", "Value"] == "ring8"

    reader = session("pages/board.py", **{"class": code})  # another student: read-only
    assert EN["board.read_only"] in captions(reader)
    assert "**Ann**" in "\n".join(m.value for m in reader.markdown)
    assert not [b for b in reader.button if b.key and b.key.startswith(("board_hide", "board_remove"))]
    reader.text_input(key="board_key").input("a guess").run()
    assert reader.warning[0].value == EN["board.error.not_teacher"].format(code=code)

    teacher.button(key=f"board_hide_{tile.id}").click().run()
    assert EN["board.hidden_note"] in captions(teacher)
    reader.run()
    assert "**Ann**" not in "\n".join(m.value for m in reader.markdown)
    teacher.button(key=f"board_remove_{tile.id}").click().run()
    assert board.tiles(code, hidden=True) == []
    student.button(key="btn_step").click().run()  # the next update does not put it back: sharing stops, and says why
    assert board.tiles(code, hidden=True) == [] and not student.toggle(key="share_playground").value
    assert EN["board.removed"] in [i.value for i in student.info]
    assert all(tr["board.share"] in tr["board.removed"] for tr in (EN, ZH))  # it names the toggle as labelled
    student.toggle(key="share_playground").set_value(True).run()  # only the student sharing again does
    assert [t.step for t in board.tiles(code)] == [4]
    assert EN["board.removed"] not in [i.value for i in student.info]

    student.toggle(key="share_playground").set_value(False).run()
    assert board.tiles(code, hidden=True) == []
    student.button(key="btn_step").click().run()
    assert board.tiles(code, hidden=True) == []  # not shared: nothing goes up
    stop(student)


def test_a_lab_lesson_shares_its_own_tile_and_the_board_filters():
    _, code = teacher_starts_a_class()
    student = join_as(code, "Bo", "pages/lab.py")
    student.selectbox(key="lesson").set_value("oscillation").run()
    student.button(key="lab_step").click().run()
    student.toggle(key="share_oscillation").set_value(True).run()
    student.switch_page("pages/playground.py").run()
    student.toggle(key="share_playground").set_value(True).run()
    assert sorted((x.source, x.step) for x in board.tiles(code)) == [("oscillation", 1), ("playground", 0)]
    viewer = session("pages/board.py", **{"class": code})
    viewer.selectbox(key="board_source_en").set_value("oscillation").run()
    assert "Lab: " in captions(viewer) and "Playground ·" not in captions(viewer)
    viewer.selectbox(key="board_source_en").set_value(None).run()
    viewer.selectbox(key="board_diagnosis_en").set_value("healthy").run()
    assert viewer.info[-1].value == EN["board.empty"]
    stop(student)


def test_bad_code_and_name_are_explained_and_sharing_works_in_chinese():
    _, code = teacher_starts_a_class()
    at = home(lang="zh")
    join(at, "Ann", "ABC10O")
    assert at.error[0].value == ZH["board.error.bad_code"].format(code="ABC10O", length=6)
    join(at, "Ann", "ZZZZZZ" if code != "ZZZZZZ" else "YYYYYY")
    assert "没有班级" in at.error[0].value
    join(at, " ", code)
    assert at.error[0].value == ZH["board.error.bad_name"].format(max=32)
    join(at, "安", code)
    assert not at.error and at.session_state["display_name"] == "安"
    assert at.expander[0].label == ZH["board.joined"].format(code=code, name="安")
    at.switch_page("pages/playground.py").run()
    at.toggle(key="share_playground").set_value(True)
    rerun(at, "zh")
    assert ZH["board.sharing"].format(code=code, name="安") in captions(at)
    assert len(board.tiles(code)) == 1
    stop(at)


def test_leaving_takes_the_sessions_tiles_down():
    _, code = teacher_starts_a_class()
    at = join(home(**{"class": code}), "Ann")
    token = db.digest(at.session_state["_owner_secret"])  # as ui.owner.me() hashes it
    board.share(code, token, "playground", step=7, status="paused", diagnosis="healthy", settings={}, png=None)
    at.session_state["_shared_sources"] = {"playground": None}  # what Share with class records
    at.button(key="leave_class").click().run()
    assert board.tiles(code) == [] and "class_code" not in at.session_state
    assert at.expander[0].label == EN["board.join"]
    at.switch_page("pages/playground.py").run()
    assert at.toggle(key="share_playground").disabled and not at.toggle(key="share_playground").value


def test_a_bad_code_on_the_board_is_named():
    viewer = session("pages/board.py", lang="zh", **{"class": "nope"})
    assert viewer.error[0].value == ZH["board.error.bad_code"].format(code="nope", length=6)
