"""The knowledge base as a file: written beside itself and swapped in, checked, recovered.

Why a swap and not WAL: a load copies the base to a temporary file in the same folder, writes
there, flushes it to disk and renames it over the base (`os.replace`, atomic on POSIX). So

- a reader never waits and never sees half a load: it reads the old file until the rename and
  the new one after it; a connection opened before the rename keeps reading the old inode;
- a writer killed at any point (SIGKILL, SIGTERM, power cut) leaves the base exactly as it was,
  plus a temporary file the next writer removes; no hot journal is ever left on the base, so a
  read-only reader (the bot, on a read-only volume) never meets a base that needs recovery;
- the base stays one self-contained file (no -wal/-shm beside it) that can be copied, mounted
  read-only or opened in Datasette while the bot runs.
The price is a copy of the base per load (about 1 s per GB) — loads are batch jobs; questions are
not. Writers take an exclusive lock on `<base>.lock` so two loads never lose each other's work.

A base from before this scheme may still carry a hot `-journal` from a killed writer: a reader
with write access rolls it back on open; one without says what to run (`budgetbot check --kb`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

from .schema import SCHEMA_VERSION, UPGRADABLE, KnowledgeBaseError

try:  # POSIX; elsewhere writers are not serialised (one loader at a time is then the operator's rule)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

TEMP_MARK = ".budgetbot-tmp-"


def damaged(path: Path | str, error: BaseException) -> KnowledgeBaseError:
    """The one message for a base SQLite cannot read."""
    return KnowledgeBaseError(
        f"{path}：知识库文件已损坏或不是 budgetbot 的知识库（{error}）。"
        f"请运行 budgetbot check --kb {path} 查看；损坏的知识库需要删除后重新 load。"
    )


def temp_path(path: Path) -> Path:
    return path.with_name(f"{path.name}{TEMP_MARK}{os.getpid()}-{uuid.uuid4().hex[:8]}")


@contextlib.contextmanager
def writer_lock(path: Path) -> Iterator[None]:
    """Exclusive among writers of `path` (readers never take it); released when the process ends,
    however it ends."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if fcntl is None:  # pragma: no cover
        yield
        return
    with open(path.with_name(path.name + ".lock"), "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def remove_stale_temps(path: Path) -> list[Path]:
    """Temporary files of writers that died (call with the writer lock held)."""
    stale = list(path.parent.glob(f"{path.name}{TEMP_MARK}*"))
    for f in stale:
        with contextlib.suppress(OSError):
            f.unlink()
    return stale


def clear_stale_temps(path: Path) -> list[tuple[Path, int]] | None:
    """What killed loads left beside the base (name, bytes), removed — when no load is running
    (the writer lock is free); None when one is, and its temporary file is not stale."""
    if fcntl is None:  # pragma: no cover
        return None
    lock = path.with_name(path.name + ".lock")
    if not lock.exists():
        found = list(path.parent.glob(f"{path.name}{TEMP_MARK}*"))
        if not found:
            return []
    with open(lock, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None
        try:
            stale = [(f, f.stat().st_size) for f in path.parent.glob(f"{path.name}{TEMP_MARK}*")]
            remove_stale_temps(path)
            return stale
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def needs_recovery(path: Path) -> bool:
    """A hot journal or a write-ahead log beside the base: a writer of an older version died."""
    return any(path.with_name(path.name + suffix).exists() for suffix in ("-journal", "-wal"))


def recover(path: Path) -> None:
    """Roll back what a killed in-place writer left (SQLite does it on the first read by a
    connection that may write)."""
    if not needs_recovery(path):
        return
    if not os.access(path.parent, os.W_OK) or not os.access(path, os.W_OK):
        raise KnowledgeBaseError(
            f"{path}：上次写入被中断，知识库需要恢复，但当前用户没有写权限。请由有写权限的用户运行 budgetbot check --kb {path}"
        )
    try:
        conn = sqlite3.connect(path, timeout=30)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            conn.execute("PRAGMA journal_mode=DELETE").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as e:
        raise damaged(path, e) from e


def integrity(path: Path, quick: bool = False, upgradable: bool = False) -> list[str]:
    """What SQLite's integrity check and the schema version say of the base: [] when sound."""
    if not path.exists():
        return [f"{path}：没有这个文件"]
    problems: list[str] = []
    try:
        conn = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)
        try:
            rows = conn.execute("PRAGMA quick_check" if quick else "PRAGMA integrity_check").fetchall()
            found = [line.strip() for r in rows if r[0] != "ok" for line in str(r[0]).splitlines() if line.strip()]
            problems += [f"SQLite 完整性检查：{p}" for p in found[:5]]
            if len(found) > 5:
                problems.append(f"SQLite 完整性检查：另有 {len(found) - 5} 处问题")
            if not found:
                version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
                accepted = {str(SCHEMA_VERSION)} | ({str(v) for v in UPGRADABLE} if upgradable else set())
                if version is None or str(version[0]) not in accepted:
                    problems.append(
                        f"知识库版本是 {version[0] if version else '未知'}，本程序需要 {SCHEMA_VERSION}：请重新 load 原文件"
                    )
        finally:
            conn.close()
    except sqlite3.DatabaseError as e:
        problems.append(f"SQLite 无法读取：{e}")
    return problems


def copy_for_writing(path: Path, tmp: Path) -> None:
    """Start the new base from the current one, after checking the current one is sound."""
    recover(path)
    problems = integrity(path, quick=True, upgradable=True)  # a writer brings an older version up to date
    if problems:
        raise KnowledgeBaseError(
            f"{path}：这个知识库不能写入，没有写入任何内容（{problems[0]}）。"
            f"请删除它后重新 load 全部原文件（可先运行 budgetbot check --kb {path} 查看）"
        )
    shutil.copyfile(path, tmp)
    shutil.copymode(path, tmp)


def swap_in(tmp: Path, path: Path) -> None:
    """Make the written temporary file the base: flush it, rename it over, flush the folder."""
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)
    with contextlib.suppress(OSError):  # not every platform can open a directory
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
