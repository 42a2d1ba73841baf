"""Runs belong to someone: the session (or class member) that saved a run owns it; only the owner or the
teacher key renames or deletes it. Runs with no recorded owner (saved by the CLI on the server) stay open to
everyone, as before; example runs belong to "examples" and only the teacher key changes them.

The teacher key is the class's (gan_core.classroom.board) or the server's $GAN_CLASSROOM_TEACHER_KEY.
"""

from __future__ import annotations

import hmac
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, select, update

from gan_core import store
from gan_core.store import RunError, runs_root, validate_name

from . import db

TEACHER_ENV = "GAN_CLASSROOM_TEACHER_KEY"
EXAMPLES = "examples"


@dataclass(frozen=True)
class Owner:
    token: str  # the hash of the session's secret (db.digest)
    display: str  # what others see: the display name, or "this session" style text
    class_code: str | None = None


def owner_of(run: str, url: str | None = None) -> dict | None:
    with db.engine(url).connect() as c:
        row = c.execute(select(db.run_owners).where(db.run_owners.c.run == run)).mappings().first()
    return dict(row) if row else None


def owners(url: str | None = None) -> dict[str, dict]:
    with db.engine(url).connect() as c:
        return {r["run"]: dict(r) for r in c.execute(select(db.run_owners)).mappings()}


def claim(run: str, owner: Owner, url: str | None = None) -> None:
    """Record `owner` as the owner of a run just saved (replacing any record of an older run so named)."""
    with db.engine(url).begin() as c:
        c.execute(delete(db.run_owners).where(db.run_owners.c.run == run))
        c.execute(db.run_owners.insert().values(run=run, owner=owner.token, display=owner.display,
                                                class_code=owner.class_code))


def is_teacher(key: str | None, class_code: str | None = None, url: str | None = None) -> bool:
    """The server's teacher key, or the teacher key of `class_code`."""
    if not key:
        return False
    server = os.environ.get(TEACHER_ENV)
    if server and hmac.compare_digest(server, key):
        return True
    if class_code:
        with db.engine(url).connect() as c:
            stored = c.execute(select(db.classes.c.teacher_key).where(db.classes.c.code == class_code)).scalar()
        return stored is not None and hmac.compare_digest(stored, db.digest(key))
    return False


def may_change(run: str, owner: Owner | None, teacher_key: str | None = None, url: str | None = None) -> bool:
    record = owner_of(run, url)
    if record is None:
        return True
    if owner is not None and record["owner"] == owner.token:
        return True
    return is_teacher(teacher_key, record["class_code"], url)


def check(run: str, owner: Owner | None, teacher_key: str | None = None, url: str | None = None) -> None:
    if not may_change(run, owner, teacher_key, url):
        record = owner_of(run, url)
        raise RunError(f"{run!r} belongs to {record['display']}: only they or the teacher key can change it")


def rename(old: str, new: str, folder: Path | None, owner: Owner | None, teacher_key: str | None = None,
           url: str | None = None) -> Path:
    check(old, owner, teacher_key, url)
    new = validate_name(new)
    if owner_of(new, url) is not None and not (runs_root(folder) / new).exists():
        with db.engine(url).begin() as c:  # a stale record of a run deleted by hand
            c.execute(delete(db.run_owners).where(db.run_owners.c.run == new))
    path = store.rename_run(old, new, folder)
    with db.engine(url).begin() as c:
        c.execute(update(db.run_owners).where(db.run_owners.c.run == old).values(run=path.name))
    return path


def delete_run(name: str, folder: Path | None, owner: Owner | None, teacher_key: str | None = None,
               url: str | None = None) -> None:
    check(name, owner, teacher_key, url)
    store.delete_run(name, folder)
    with db.engine(url).begin() as c:
        c.execute(delete(db.run_owners).where(db.run_owners.c.run == name))
