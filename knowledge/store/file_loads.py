"""Loads into a knowledge base file: all or nothing, at a cost in proportion to what they add.

Two ways, one guarantee — a load killed at any point leaves the old base or the new one, readers
never see half a load, and between loads the base is one self-contained file:

- **In place** (a base of this version derived by these rules, a load of up to
  IN_PLACE_MAX_DOCUMENTS): one SQLite
  transaction in the base itself, with a rollback journal (not WAL: readers on a read-only volume
  cannot open a WAL base, design-notes.md). Readers go on reading the committed base while the
  load writes (`cache_spill` off keeps every changed page in the writer's memory until the
  commit), and wait at most the commit's few milliseconds. A writer killed mid-commit leaves a hot
  journal that the next writer, `budgetbot check --kb`, or any reader that may write beside the
  base rolls back (files.recover). Adding one disclosure to a base of 100,000 costs the
  disclosure, not the 9 GB a copy of the base would.
- **Swapped** (a first load, a larger one, or one that upgrades the base or derives it whole
  after a change of the rules): the base is copied beside itself, written with no
  journal and no syncs, flushed and renamed over the base (files.py). A load that writes a good
  part of the base anyway pays the copy once, not a journal page per page.

Before writing into a base its soundness is checked (`PRAGMA quick_check`) when it is at most
QUICK_CHECK_MAX_BYTES; a larger base is checked by `budgetbot check --kb`, not by every load
(the check reads the whole file: 9 GB is a minute)."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import sqlite_utils

from loaders.model import Disclosure

from .files import copy_for_writing, damaged, integrity, recover, remove_stale_temps, swap_in, temp_path, writer_lock
from .schema import SCHEMA_VERSION, KnowledgeBaseError, _create_schema, upgrade
from .write import Deriver, WriteResult, write_document

IN_PLACE_MAX_DOCUMENTS = 1000  # ~150 MB of changed pages held in memory until the commit
QUICK_CHECK_MAX_BYTES = 512 * 2**20  # ~5,000 disclosures: the check reads the file once (~0.5 s)
IN_PLACE_CACHE_KIB = 256 * 1024  # the writer's page cache while it writes in place


def write(path: Path, disclosures: list[Disclosure], derive: Deriver) -> list[WriteResult]:
    with writer_lock(path):
        remove_stale_temps(path)
        if len(disclosures) <= IN_PLACE_MAX_DOCUMENTS and _current(path, derive):
            return _write_in_place(path, disclosures, derive)
        return _write_by_swap(path, disclosures, derive)


def _current(path: Path, derive: Deriver) -> bool:
    """Whether the base is there, of this schema and derived by these rules: a load into it
    changes what it adds. One that is to be upgraded or derived whole rewrites much of the base
    (all its key figures): copied and swapped, it does not hold every changed page in memory."""
    if not path.exists():
        return False
    try:
        conn = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)
        try:
            version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            return version is not None and str(version[0]) == str(SCHEMA_VERSION) and not derive.stale(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False  # the swap's check says what is wrong


def open_for_writing(path: str | Path) -> sqlite_utils.Database:
    """A connection to a base being built (a temporary file nobody reads yet): no journal and
    no syncs while writing, since a failure throws the whole file away."""
    path = Path(path)
    try:
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA journal_mode=MEMORY")
        conn.execute("PRAGMA synchronous=OFF")
        db = sqlite_utils.Database(conn)
        _create_schema(db)
    except sqlite3.DatabaseError as e:
        raise damaged(path, e) from e
    return db


def _load(db: sqlite_utils.Database, path: Path, disclosures: list[Disclosure], derive: Deriver) -> tuple[list[WriteResult], bool]:
    """The documents written and what they change derived, in one transaction; whether the base changed."""
    try:
        with db.atomic():
            upgrade(db.conn)
            results = [write_document(db.conn, d) for d in disclosures]
            changed = any(r.status != "unchanged" for r in results)
            stale = derive.stale(db.conn)  # loaded by another version: recompute what it derived
            if changed or stale:
                derive(db.conn, [r.document_id for r in results if r.status != "unchanged"])
    except sqlite3.IntegrityError as e:
        raise KnowledgeBaseError(f"{path}：文件中有重复的表或条目，无法存入，知识库没有改动（{e}）") from e
    except sqlite3.OperationalError as e:  # disk full, I/O error, a reader that never let go
        raise KnowledgeBaseError(f"{path}：写入失败，知识库没有改动（{e}）") from e
    return results, changed or stale


def _write_in_place(path: Path, disclosures: list[Disclosure], derive: Deriver) -> list[WriteResult]:
    recover(path)
    if path.stat().st_size <= QUICK_CHECK_MAX_BYTES:
        problems = integrity(path, quick=True, upgradable=True)
        if problems:
            raise KnowledgeBaseError(
                f"{path}：这个知识库不能写入，没有写入任何内容（{problems[0]}）。"
                f"请删除它后重新 load 全部原文件（可先运行 budgetbot check --kb {path} 查看）"
            )
    try:
        conn = sqlite3.connect(path, timeout=30)  # waits for readers to finish a read at the commit
        conn.execute("PRAGMA journal_mode=DELETE")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute(f"PRAGMA cache_size=-{IN_PLACE_CACHE_KIB}")
        conn.execute("PRAGMA cache_spill=OFF")  # nothing reaches the file before the commit: readers are never held
        db = sqlite_utils.Database(conn)
    except sqlite3.DatabaseError as e:
        raise damaged(path, e) from e
    try:
        return _load(db, path, disclosures, derive)[0]
    finally:
        db.close()


def _write_by_swap(path: Path, disclosures: list[Disclosure], derive: Deriver) -> list[WriteResult]:
    tmp = temp_path(path)
    try:
        if path.exists():
            copy_for_writing(path, tmp)
        db = open_for_writing(tmp)
        try:
            results, changed = _load(db, path, disclosures, derive)
        finally:
            db.close()
        if path.exists() and not changed:
            return results
        swap_in(tmp, path)
        return results
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
