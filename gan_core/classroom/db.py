"""The classroom's database: who owns which saved run, the classes, their members and the runs they share.

SQLite (one file beside the runs folder, WAL mode, so several server processes read and write it at once)
unless GAN_CLASSROOM_DB names any SQLAlchemy URL (postgresql+psycopg://... for a class server on several
machines). Secrets are never stored: a session's token and a class's teacher key are kept as SHA-256.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

import sqlalchemy as sa

from gan_core.store import runs_root

DB_ENV = "GAN_CLASSROOM_DB"
meta = sa.MetaData()

run_owners = sa.Table(
    "run_owners", meta,
    sa.Column("run", sa.String(64), primary_key=True),  # the run folder's name
    sa.Column("owner", sa.String(64), nullable=False),  # a token's hash, or "examples"
    sa.Column("display", sa.String(64), nullable=False),
    sa.Column("class_code", sa.String(8)),
)
classes = sa.Table(
    "classes", meta,
    sa.Column("code", sa.String(8), primary_key=True),
    sa.Column("teacher_key", sa.String(64), nullable=False),  # hash
    sa.Column("created", sa.Float, nullable=False),
)
members = sa.Table(
    "members", meta,
    sa.Column("token", sa.String(64), primary_key=True),  # hash of the session's secret
    sa.Column("class_code", sa.String(8), nullable=False),
    sa.Column("display", sa.String(64), nullable=False),
)
shared = sa.Table(
    "shared", meta,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("class_code", sa.String(8), nullable=False, index=True),
    sa.Column("token", sa.String(64), nullable=False),
    sa.Column("source", sa.String(32), nullable=False),  # "playground" or the lesson's name
    sa.Column("display", sa.String(64), nullable=False),
    sa.Column("step", sa.Integer, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("diagnosis", sa.String(32), nullable=False),
    sa.Column("settings", sa.Text, nullable=False),  # JSON: the key settings
    sa.Column("image", sa.LargeBinary),  # PNG of the current samples
    sa.Column("updated", sa.Float, nullable=False),
    sa.Column("hidden", sa.Boolean, nullable=False, default=False),
    sa.UniqueConstraint("class_code", "token", "source"),  # one tile per class, session and source
)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def default_url() -> str:
    """$GAN_CLASSROOM_DB, else sqlite:///<runs folder's parent>/classroom.db."""
    if os.environ.get(DB_ENV):
        return os.environ[DB_ENV]
    root = runs_root().resolve()
    return f"sqlite:///{root.parent / 'classroom.db'}"


@functools.cache
def engine(url: str | None = None) -> sa.Engine:
    """One engine per URL and process; the tables are created on first use."""
    url = url or default_url()
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    eng = sa.create_engine(url, pool_pre_ping=True)
    if eng.dialect.name == "sqlite":
        @sa.event.listens_for(eng, "connect")
        def _pragmas(conn, _record):
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")  # readers never block the writer: several servers, one file
            cur.execute("PRAGMA busy_timeout=5000")
            cur.close()
    meta.create_all(eng)
    return eng
