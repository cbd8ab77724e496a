"""A real PostgreSQL server for the tests: a throwaway cluster (initdb, pg_ctl) on a Unix socket
in a temporary folder, with fsync off — or the server `$BUDGETBOT_TEST_PG` names (a URL whose
user may create databases). Each test that wants a base gets a database of its own.

Where no server binaries are found the PostgreSQL tests are skipped — unless
`$BUDGETBOT_REQUIRE_PG` is set (.ci/run sets it, after installing Debian's postgresql), when
they fail instead: CI never passes by skipping them."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REQUIRED = bool(os.environ.get("BUDGETBOT_REQUIRE_PG"))


def binaries() -> Path | None:
    """The folder holding initdb and pg_ctl (Debian keeps them out of PATH), newest version first."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).parent
    folders = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda f: int(f.split("/")[-2]), reverse=True)
    return next((Path(f) for f in folders if Path(f, "pg_ctl").exists()), None)


def _as_owner(command: list[str], owner: str | None) -> list[str]:
    """initdb and postgres refuse to run as root: run them as `postgres` then."""
    return ["runuser", "-u", owner, "--", *command] if owner else command


@contextlib.contextmanager
def throwaway_cluster() -> Iterator[str]:
    """A new cluster for this test run; the URL of its maintenance database. Stopped and removed
    when the run ends."""
    bin_dir = binaries()
    if bin_dir is None:
        (pytest.fail if REQUIRED else pytest.skip)("no PostgreSQL server binaries (apt-get install postgresql)")
    owner = "postgres" if os.geteuid() == 0 else None
    home = Path(tempfile.mkdtemp(prefix="budgetbot-pg-"))
    data, socket_dir = home / "data", home
    if owner:
        shutil.chown(home, owner)
    port = 20000 + os.getpid() % 20000
    subprocess.run(
        _as_owner([str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"], owner),
        check=True,
        capture_output=True,
        env={**os.environ, "LC_ALL": "C.UTF-8"},
    )
    options = f"-k {socket_dir} -p {port} -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    subprocess.run(
        _as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(home / "log"), "-w", "start"], owner),
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql://postgres@/postgres?host={socket_dir}&port={port}"
    finally:
        subprocess.run(_as_owner([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], owner), capture_output=True)
        shutil.rmtree(home, ignore_errors=True)


def with_database(url: str, name: str) -> str:
    """The same server's URL for another database."""
    return urlsplit(url)._replace(path="/" + name).geturl()


def new_database(server: str, prefix: str = "t") -> str:
    """A fresh empty database on the server; its URL."""
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"'.encode())
    return with_database(server, name)


def drop_database(server: str, url: str) -> None:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'.encode())
