"""The class board's database side (gan_core.classroom.board), on SQLite and on PostgreSQL: class codes and
names checked, one tile per session and source brought up to date, filters, the teacher key's actions, and
two processes sharing one database at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from gan_core.classroom import board, db, owners
from gan_core.classroom.board import BoardError
from gan_core.gif import png_bytes
from gan_core.ui.i18n import table

ROOT = Path(__file__).resolve().parents[1]
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'classroom.db'}"
    return request.getfixturevalue("postgres_url")


def token() -> str:
    return db.digest(uuid.uuid4().hex)  # a session's secret, hashed as the dashboard stores it


def shared(code, tok, url, source="playground", step=10, diagnosis="healthy", png=PNG + b"x"):
    return board.share(code, tok, source, step=step, status="running", diagnosis=diagnosis,
                       settings={"dataset": "ring8", "lr_d": 0.0002}, png=png, url=url)


def error_key(fn, *args, **kw) -> str:
    with pytest.raises(BoardError) as e:
        fn(*args, **kw)
    return e.value.key


def test_codes_are_short_unambiguous_and_the_key_is_stored_hashed(url):
    code, key = board.create_class(url)
    assert len(code) == board.CODE_LENGTH and set(code) <= set(board.ALPHABET) and not set(code) & set("0O1I")
    assert len(key) >= 16
    with db.engine(url).connect() as c:
        stored = c.execute(select(db.classes.c.teacher_key).where(db.classes.c.code == code)).scalar()
    assert stored == db.digest(key) != key
    assert board.normalize_code(f" {code[:3].lower()}-{code[3:]} ") == code
    for bad in ("", "ABC12", "ABCDEFG", "ABC10O", "ABC 2!"):
        assert error_key(board.normalize_code, bad) == "bad_code"
    assert board.create_class(url)[0] != code


def test_join_checks_the_code_and_the_name(url):
    code, _ = board.create_class(url)
    tok = token()
    assert error_key(board.join, "nope", tok, "Ann", url=url) == "bad_code"
    assert error_key(board.join, "ZZZZZZ" if code != "ZZZZZZ" else "YYYYYY", tok, "Ann", url=url) == "no_class"
    for bad in ("", "   ", "x" * 33, "Ann\x00", "Ann\u202eevil", "a\tb\x07"):
        assert error_key(board.join, code, tok, bad, url=url) == "bad_name"
    assert board.join(code.lower(), tok, "  Ann   Lee  ", url=url) == (code, "Ann Lee")
    assert board.join(code, tok, "李雷" * 16, url=url) == (code, "李雷" * 16)  # 32 characters, not bytes
    assert board.member_count(code, url) == 1


def test_one_tile_per_session_and_source_kept_up_to_date(url):
    code, _ = board.create_class(url)
    ann, bob = token(), token()
    assert error_key(shared, code, ann, url) == "not_member"
    board.join(code, ann, "Ann", url=url)
    board.join(code, bob, "Bob", url=url)
    first = shared(code, ann, url, step=10)
    assert shared(code, ann, url, step=250, diagnosis="mode-collapse") == first  # the same tile, updated
    shared(code, ann, url, source="oscillation", step=40, diagnosis="oscillation")
    shared(code, bob, url, step=5, diagnosis="not-converged-yet", png=None)
    tiles = board.tiles(code, url=url)
    assert [(x.display, x.source, x.step) for x in tiles] == [("Bob", "playground", 5), ("Ann", "oscillation", 40),
                                                               ("Ann", "playground", 250)]  # newest first
    ann_tile = tiles[2]
    assert ann_tile.diagnosis == "mode-collapse" and ann_tile.status == "running" and ann_tile.image == PNG + b"x"
    assert ann_tile.settings == {"dataset": "ring8", "lr_d": 0.0002} and tiles[0].image is None
    assert [x.display for x in board.tiles(code, lesson="playground", url=url)] == ["Bob", "Ann"]
    assert [x.source for x in board.tiles(code, diagnosis="oscillation", url=url)] == ["oscillation"]
    assert board.tiles(code, lesson="oscillation", diagnosis="healthy", url=url) == []
    board.join(code, ann, "Ann L.", url=url)  # a new name shows on her tiles at once
    assert {x.display for x in board.tiles(code, url=url)} == {"Bob", "Ann L."}
    board.unshare(code, ann, "oscillation", url=url)
    assert len(board.tiles(code, url=url)) == 2
    other, _ = board.create_class(url)
    assert board.tiles(other, url=url) == []  # boards are per class
    assert error_key(shared, code, ann, url, png=b"x" * (board.MAX_IMAGE + 1)) == "too_big"


def test_only_the_class_teacher_key_hides_and_removes(url, monkeypatch):
    code, key = board.create_class(url)
    other_code, other_key = board.create_class(url)
    ann = token()
    board.join(code, ann, "Ann", url=url)
    tile = shared(code, ann, url)
    for wrong in (None, "", "guess", other_key):
        assert error_key(board.hide, code, wrong, tile, url=url) == "not_teacher"
        assert error_key(board.remove, code, wrong, tile, url=url) == "not_teacher"
    assert error_key(board.remove, other_code, other_key, tile, url=url) == "no_tile"  # not that class's tile
    board.hide(code, key, tile, url=url)
    assert board.tiles(code, url=url) == []  # the students' board
    assert [x.hidden for x in board.tiles(code, hidden=True, url=url)] == [True]
    shared(code, ann, url, step=99)  # sharing again keeps it hidden
    assert board.tiles(code, url=url) == [] and board.tiles(code, hidden=True, url=url)[0].step == 99
    board.hide(code, key, tile, hidden=False, url=url)
    assert [x.id for x in board.tiles(code, url=url)] == [tile]
    monkeypatch.setenv(owners.TEACHER_ENV, "server-key")  # the server's key acts on every class
    board.remove(code, "server-key", tile, url=url)
    assert board.tiles(code, hidden=True, url=url) == []
    assert board.share(code, ann, "playground", step=100, status="running", diagnosis="healthy", settings={},
                       png=None, create=False, url=url) is None  # an update does not bring a removed tile back
    assert board.tiles(code, hidden=True, url=url) == []
    assert error_key(board.remove, code, key, tile, url=url) == "no_tile"


def test_every_error_has_its_text_in_both_languages():
    for lang in ("en", "zh"):
        for key in board.ERRORS:
            assert table(lang).get(f"board.error.{key}"), (lang, key)


WRITER = """
import json, os, sys, time
from gan_core.classroom import board
code, me, other, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
board.join(code, me, me[:8])
deadline = time.time() + 90
for step in range(1, n + 1):
    board.share(code, me, "playground", step=step, status="running", diagnosis="healthy", settings={}, png=b"p")
seen = {}
while time.time() < deadline and seen.get(other[:8]) != n:
    seen = {t.display: t.step for t in board.tiles(code)}
    time.sleep(0.05)
print(json.dumps(seen))
"""


def test_two_processes_share_one_database(url, tmp_path):
    """Two server processes of one class: each writes its tile 40 times while the other does the same,
    and each then sees both tiles at their last step (SQLite: WAL and a busy timeout; PostgreSQL)."""
    code, _ = board.create_class(url)
    a, b, n = token(), token(), 40
    env = {**os.environ, db.DB_ENV: url, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, code, me, other, str(n)], env=env, cwd=tmp_path,
                              stdout=subprocess.PIPE, text=True) for me, other in ((a, b), (b, a))]
    seen = [json.loads(p.communicate(timeout=120)[0]) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert seen == [{a[:8]: n, b[:8]: n}] * 2
    assert {x.display: x.step for x in board.tiles(code, url=url)} == {a[:8]: n, b[:8]: n}


def test_tile_picture_is_a_small_png_for_points_and_digits():
    rng = np.random.default_rng(0)
    fake = rng.normal(size=(500, 2))
    fake[:3, 0] = [np.nan, np.inf, 1e30]  # a diverging run still draws
    points = png_bytes(fake, real=rng.normal(size=(500, 2)), size=200)
    digits = png_bytes(rng.uniform(-1, 1, size=(64, 64)), kind="image", size=200)
    import io

    from PIL import Image
    for data in (points, digits):
        assert data.startswith(PNG) and len(data) < 60_000
        assert Image.open(io.BytesIO(data)).size == (200, 200)
    pixels = np.asarray(Image.open(io.BytesIO(points)).convert("RGB")).reshape(-1, 3)
    assert ((pixels == [0xd6, 0x27, 0x28]).all(1)).sum() > 500  # red fakes on it
