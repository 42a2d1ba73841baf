"""Teacher's guide: the page in both languages, its plan filled with measured seconds, the stored verify table,
exercises with answers, quizzes with feedback on every option, the glossary and the printable file."""

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from gan_core.presets import PRESETS
from gan_core.ui import lab, teacher
from gan_core.ui.i18n import table

ROOT = Path(__file__).resolve().parents[1]
EN, ZH = table("en"), table("zh")


def open_teacher(lang="en") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("pages/teacher.py").run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_page_in_both_languages(lang):
    at = open_teacher(lang)
    tr = ZH if lang == "zh" else EN
    assert at.title[0].value == tr["teacher.title"]
    assert [tab.label for tab in at.tabs] == [tr[f"teacher.tab.{k}"] for k in ("plan", "verify", "exercises", "quiz",
                                                                               "glossary")]
    text = "\n".join(m.value for m in at.markdown)
    assert "{seconds:" not in text and "{answer:" not in text  # every placeholder filled
    assert "模式崩溃" in text if lang == "zh" else "mode collapse" in text
    quiz = [r for r in at.radio if r.key and r.key.startswith("teacher_quiz_")]
    assert len(quiz) == len(teacher.quiz_items()) >= len(lab.LESSONS) + 3
    assert len([e for e in at.expander if e.label == tr["teacher.show_answer"]]) >= 4
    assert at.get("download_button")


def test_quiz_gives_feedback_on_every_option():
    at = open_teacher()
    items = teacher.quiz_items()
    assert all(len(q["feedback"]) == len(q["options"]) and all(q["feedback"]) for q in items)
    first = items[0]
    wrong = next(k for k in range(len(first["options"])) if k != first["answer"])
    at.radio(key="teacher_quiz_0").set_value(wrong).run()
    assert at.error[0].value.startswith(EN["teacher.quiz_wrong"]) and first["feedback"][wrong] in at.error[0].value
    at.radio(key="teacher_quiz_0").set_value(first["answer"]).run()
    assert first["feedback"][first["answer"]] in at.success[0].value


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_lesson_question_has_feedback_per_option(lang):
    for lesson in lab.LESSONS:
        body = (ROOT / "assets" / lang / "lessons" / f"{lesson}.md").read_text(encoding="utf-8")
        body = body.split("## Predict", 1)[1].split("\n## ", 1)[0]
        _, options, _ = lab.parse_predict(body)
        feedback = lab.parse_feedback(body)
        assert len(feedback) == len(options) and all(feedback), (lang, lesson)


def test_stored_verify_table_covers_every_lesson_preset_and_fix():
    rows = teacher.load_rows()
    names = {r["preset"] for r in rows}
    wanted = {n for p in lab.LESSONS.values() for n in (p, PRESETS[p].fix) if n}
    assert wanted <= names and 0 in {r["seed"] for r in rows}
    assert all(n in teacher.VERIFY_COMMAND for n in wanted)
    assert set(teacher.seconds(rows)) == names


def test_fill_and_a_broken_table_file(tmp_path):
    rows = [{"preset": "ring-stable", "seed": s, "passed": True, "seconds": x} for s, x in enumerate([30, 10, 20])]
    assert teacher.fill("{seconds:ring-stable} s, {seconds:nope} s", rows) == "20 s, ? s"
    bad = tmp_path / "lessons.json"
    for content in ("{not json", json.dumps({"a": 1}), json.dumps([1, 2]), json.dumps([{"preset": "x"}])):
        bad.write_text(content)
        assert teacher.load_rows(bad) == []
    assert "presets --verify" in teacher.verify_markdown([])


def test_printable_markdown_has_every_part():
    doc = teacher.printable(teacher.load_rows())
    for part in ("45-minute", "Exercises", "Quiz", "Glossary", "| mode collapse | 模式崩溃 |", "ring-stable"):
        assert part in doc, part
    assert "{seconds:" not in doc and "**Answer**" in doc
