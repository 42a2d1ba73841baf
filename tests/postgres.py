"""A throwaway PostgreSQL server for the tests: Debian's `postgresql` package (initdb + pg_ctl), a cluster in
a temporary folder on a free loopback port, its unix socket there too, stopped and deleted afterwards. As
root the server runs as the `postgres` user (runuser): PostgreSQL refuses to run as root.

Where the binaries or the driver are missing the tests are skipped, saying why, except under CI (CI=true),
where .ci/run installs both and a skip would hide a failure: there they fail.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest


def _missing(why: str):
    if os.environ.get("CI"):
        pytest.fail(f"{why} (CI installs it: .ci/run)")
    pytest.skip(why)


def _bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(args: list[str], user: str | None) -> None:
    cmd = ["runuser", "-u", user, "--", *args] if user else args
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if done.returncode:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


@pytest.fixture(scope="session")
def postgres_url():
    """postgresql+psycopg://postgres@127.0.0.1:PORT/postgres of a fresh, trusted (no password) cluster."""
    binaries = _bin()
    if binaries is None:
        _missing("PostgreSQL is not installed: apt-get install postgresql")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _missing("the PostgreSQL driver is not installed: pip install -e '.[postgres]'")
    user = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            _missing("running as root, and there is no `postgres` user to run PostgreSQL as")
        user = "postgres"
    home = Path(tempfile.mkdtemp(prefix="gan-pg-"))  # not under pytest's root-only tmp folders
    if user:
        shutil.chown(home, user)
    data, port = home / "data", _free_port()
    _run([str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"],
         user)
    options = f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off"
    _run([str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(home / "log"), "-w", "-t", "60",
          "start"], user)
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        _run([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], user)
        shutil.rmtree(home, ignore_errors=True)
