"""Teaching text in both languages: preset captions, the divergence reason, one Chinese term per idea, and
no English word left inside a Chinese sentence (a glossary term in parentheses after the Chinese is fine)."""

import json
import re
from pathlib import Path

import pytest

from gan_core.presets import PRESETS
from gan_core.ui import i18n

ASSETS = Path(__file__).resolve().parents[1] / "assets"
ZH_TEXT = [*(ASSETS / "zh").rglob("*.md"), *(ASSETS / "i18n" / "zh").glob("*.json")]


def zh_strings():
    for path in ZH_TEXT:
        if path.suffix == ".json":
            for key, value in json.loads(path.read_text(encoding="utf-8")).items():
                yield f"{path.name}:{key}", value
        else:
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                yield f"{path.relative_to(ASSETS)}:{n}", line


def test_every_preset_has_a_caption_in_both_languages_and_english_is_its_description():
    for name, preset in PRESETS.items():
        assert i18n.table("en")[f"preset.{name}"] == preset.description
        zh = i18n.table("zh").get(f"preset.{name}", "")
        assert zh and re.search(r"[\u4e00-\u9fff]", zh), name


def test_the_divergence_reason_is_translated(monkeypatch):
    monkeypatch.setattr(i18n, "lang", lambda: "zh")
    assert i18n.reason("diverged at step 212: d_loss became nan") == "在第 212 步发散：d_loss 变成了 nan"
    assert i18n.reason("something else") == "something else" and i18n.reason(None) == ""


def test_one_chinese_term_for_mode_collapse_and_one_name_for_the_compare_page():
    text = "\n".join(v for _, v in zh_strings())
    assert "模式崩溃" in text
    for other in ("模式崩塌", "模式坍塌", "模式坍缩", "模态崩溃"):
        assert other not in text
    compare = i18n.table("zh")["nav.compare"]
    assert i18n.table("zh")["cmp.title"] == compare
    assert "](compare)" not in text.replace(f"[{compare}](compare)", "")  # every link to it uses its name
    assert "**对比**" not in text


@pytest.mark.parametrize("word", ["critic", "notebook", "minimax"])
def test_no_english_word_left_inside_a_chinese_sentence(word):
    bad = []
    for where, value in zh_strings():
        if where.startswith("zh/teacher/glossary.md"):  # the glossary's English column
            continue
        for m in re.finditer(word, value, flags=re.IGNORECASE):
            before, after = value[max(0, m.start() - 1):m.start()], value[m.end():m.end() + 1]
            if not ((before in "（(" and after in "）)") or before in "`_.-" or after in "`_.-\""):
                bad.append(f"{where}: …{value[max(0, m.start() - 15):m.end() + 15]}…")
    assert not bad, "\n".join(bad)
