"""The class board without Streamlit: a teacher creates a class (a short code and a teacher key), students
join it with the code and a display name and share their runs; the board lists every shared run as a tile.

Everything lives in the classroom database (gan_core.classroom.db: SQLite in WAL mode by default, any
SQLAlchemy URL with GAN_CLASSROOM_DB), so several server processes, on one machine or several, see the
same board. Secrets are stored as hashes only. Each function takes `url` (None: the default database).
A refused request raises BoardError, which carries an i18n key ("board.error.<key>") and its numbers, so
the dashboard says it in the session's language; str() of it is the English text.
"""

from __future__ import annotations

import json
import secrets
import time
import unicodedata
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import delete, select, update

from . import db
from .owners import is_teacher

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, no 1/I: read aloud or from a projector
CODE_LENGTH = 6  # 32**6: about a billion codes
MAX_NAME = 32
# The settings a tile shows (the flat config keys, as the CLI's --set spells them).
KEY_SETTINGS = ("dataset", "loss", "lr_d", "lr_g", "d_optimizer", "g_optimizer", "d_steps", "batch_size", "seed")
MAX_IMAGE = 512 * 1024  # bytes of PNG a tile may carry (a 240-px picture is ~10 KB)

ERRORS = {  # key -> English text; the dashboard's own table has "board.error.<key>" in each language
    "bad_code": "{code!r} is not a class code: {length} letters and digits (no 0, O, 1 or I)",
    "no_class": "there is no class {code}: check the code with your teacher",
    "bad_name": "a display name has 1 to {max} characters, letters, digits, spaces and punctuation",
    "not_member": "join class {code} before sharing with it",
    "not_teacher": "only the teacher key of class {code} can do that",
    "no_tile": "that run is no longer on the board",
    "too_big": "the picture is too big for the board ({size:,} bytes; at most {limit:,})",
}


class BoardError(ValueError):
    def __init__(self, key: str, **params):
        super().__init__(ERRORS[key].format(**params))
        self.key, self.params = key, params


@dataclass(frozen=True)
class Tile:
    """One shared run as the board shows it."""
    id: int
    display: str  # the student's display name
    source: str  # "playground" or the Lab lesson's name
    step: int
    status: str  # "ok" or "diverged"
    diagnosis: str  # the diagnosis label (gan_core.diagnosis)
    settings: dict
    image: bytes | None  # PNG of the current samples
    updated: float  # time.time() of the last share
    hidden: bool


# ---- classes and members -------------------------------------------------------------------------

def normalize_code(text: str) -> str:
    """A class code as typed ("abc-123 ") in its stored form ("ABC123"), or BoardError("bad_code")."""
    code = "".join(str(text or "").split()).replace("-", "").upper()
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        raise BoardError("bad_code", code=str(text or "").strip()[:20], length=CODE_LENGTH)
    return code


def clean_name(text: str) -> str:
    """A display name, trimmed and with runs of spaces made one; 1..MAX_NAME characters, no control or
    format characters (they could hide text or reorder it on the board)."""
    name = " ".join(str(text or "").split())
    if not 1 <= len(name) <= MAX_NAME or any(unicodedata.category(c)[0] == "C" for c in name):
        raise BoardError("bad_name", max=MAX_NAME)
    return name


def create_class(url: str | None = None) -> tuple[str, str]:
    """A new class: (its code, its teacher key). The key is shown once; only its hash is stored."""
    key = secrets.token_urlsafe(12)
    for _ in range(20):
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        try:
            with db.engine(url).begin() as c:
                c.execute(db.classes.insert().values(code=code, teacher_key=db.digest(key), created=time.time()))
            return code, key
        except sa.exc.IntegrityError:
            continue  # that code is taken: draw again
    raise RuntimeError("no free class code after 20 draws")


def exists(code: str, url: str | None = None) -> bool:
    with db.engine(url).connect() as c:
        return c.execute(select(db.classes.c.code).where(db.classes.c.code == code)).first() is not None


def join(code: str, token: str, display: str, url: str | None = None) -> tuple[str, str]:
    """Session `token` (a hash, db.digest) joins class `code` as `display`: returns the clean (code, name).
    A session is in one class at a time; joining again changes its class or its name (on its tiles too)."""
    code, display = normalize_code(code), clean_name(display)
    if not exists(code, url):
        raise BoardError("no_class", code=code)
    with db.engine(url).begin() as c:
        c.execute(delete(db.members).where(db.members.c.token == token))
        c.execute(db.members.insert().values(token=token, class_code=code, display=display))
        c.execute(update(db.shared).where(db.shared.c.token == token, db.shared.c.class_code == code)
                  .values(display=display))
    return code, display


def member_count(code: str, url: str | None = None) -> int:
    with db.engine(url).connect() as c:
        return c.execute(select(sa.func.count()).select_from(db.members)
                         .where(db.members.c.class_code == code)).scalar_one()


# ---- sharing -------------------------------------------------------------------------------------

def key_settings(flat: dict) -> dict:
    """The settings a tile shows, from Config.to_flat()."""
    return {k: flat[k] for k in KEY_SETTINGS if k in flat}


def share(code: str, token: str, source: str, *, step: int, status: str, diagnosis: str, settings: dict,
          png: bytes | None, create: bool = True, url: str | None = None) -> int | None:
    """Put this session's run from `source` on the board, or bring its tile up to date (one tile per
    class, session and source); returns the tile's id. Only a member of the class shares with it, under
    the name it joined with. A tile the teacher hid stays hidden. With create=False (the updates while a
    shared run trains) a tile that is not there is not made: the teacher removed it; returns None."""
    if png is not None and len(png) > MAX_IMAGE:
        raise BoardError("too_big", size=len(png), limit=MAX_IMAGE)
    values = dict(step=int(step), status=str(status)[:16], diagnosis=str(diagnosis)[:32],
                  settings=json.dumps(settings), image=png, updated=time.time())
    where = (db.shared.c.class_code == code, db.shared.c.token == token, db.shared.c.source == source[:32])
    for _ in range(2):  # a second try only if another process inserted the same tile in between
        with db.engine(url).begin() as c:
            display = c.execute(select(db.members.c.display).where(db.members.c.token == token,
                                                                   db.members.c.class_code == code)).scalar()
            if display is None:
                raise BoardError("not_member", code=code)
            found = c.execute(select(db.shared.c.id).where(*where)).scalar()
            if found is not None:
                c.execute(update(db.shared).where(db.shared.c.id == found).values(display=display, **values))
                return found
        if not create:
            return None
        try:
            with db.engine(url).begin() as c:
                return c.execute(db.shared.insert().values(class_code=code, token=token, source=source[:32],
                                                           display=display, hidden=False, **values)
                                 ).inserted_primary_key[0]
        except sa.exc.IntegrityError:
            continue
    raise RuntimeError("could not share the run")


def unshare(code: str, token: str, source: str, url: str | None = None) -> None:
    """Take this session's tile from `source` off the board."""
    with db.engine(url).begin() as c:
        c.execute(delete(db.shared).where(db.shared.c.class_code == code, db.shared.c.token == token,
                                          db.shared.c.source == source))


def tiles(code: str, lesson: str | None = None, diagnosis: str | None = None, hidden: bool = False,
          url: str | None = None) -> list[Tile]:
    """The board of class `code`, the most recently updated first; `lesson` ("playground" or a lesson's
    name) and `diagnosis` (a label) filter it; hidden tiles only with hidden=True (the teacher's view)."""
    s = db.shared.c
    query = select(db.shared).where(s.class_code == code).order_by(s.updated.desc(), s.id.desc())
    if lesson:
        query = query.where(s.source == lesson)
    if diagnosis:
        query = query.where(s.diagnosis == diagnosis)
    if not hidden:
        query = query.where(s.hidden == sa.false())
    with db.engine(url).connect() as c:
        rows = c.execute(query).mappings().all()
    return [Tile(id=r["id"], display=r["display"], source=r["source"], step=r["step"], status=r["status"],
                 diagnosis=r["diagnosis"], settings=json.loads(r["settings"]), image=r["image"],
                 updated=r["updated"], hidden=bool(r["hidden"])) for r in rows]


# ---- the teacher's actions -----------------------------------------------------------------------

def _teacher(code: str, key: str | None, tile_id: int, url: str | None):
    if not is_teacher(key, code, url):
        raise BoardError("not_teacher", code=code)
    return (db.shared.c.id == tile_id) & (db.shared.c.class_code == code)


def hide(code: str, key: str | None, tile_id: int, hidden: bool = True, url: str | None = None) -> None:
    """Hide a tile from the students' board (or show it again); the teacher still sees it, marked."""
    where = _teacher(code, key, tile_id, url)
    with db.engine(url).begin() as c:
        if c.execute(update(db.shared).where(where).values(hidden=hidden)).rowcount == 0:
            raise BoardError("no_tile")


def remove(code: str, key: str | None, tile_id: int, url: str | None = None) -> None:
    """Take a tile off the board: the student's page stops sharing it and says so; only the student
    switching Share on again puts it back (hiding keeps it off for good)."""
    where = _teacher(code, key, tile_id, url)
    with db.engine(url).begin() as c:
        if c.execute(delete(db.shared).where(where)).rowcount == 0:
            raise BoardError("no_tile")
