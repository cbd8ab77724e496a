"""Writing disclosures into the knowledge base: all or nothing, idempotent."""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from loaders.model import Disclosure
from loaders.version import LOADER_RULES

from ..documents import document_record, narrative_record
from . import postgres
from .read import assemble_document, pack
from .schema import (
    DOCUMENT_TABLES,
    ID_COLUMN,
    TABLE_SEPARATOR,
    Connection,
    KnowledgeBaseError,
    document_id,
    prefix,
)


@dataclass
class WriteResult:
    document_id: str
    status: str  # added | replaced | unchanged
    replaced_source: str | None = None


class Deriver(Protocol):
    """What a load derives from the documents it wrote, inside its transaction (knowledge/build.py)."""

    def stale(self, conn: Connection) -> bool: ...  # derived by other rules: derive again

    def prepare(self, conn: Connection, written: list[str]) -> object: ...  # before the derivation, unlocked

    def __call__(self, conn: Connection, written: list[str], prepared: object = None) -> None: ...


def write(kb: str | Path, disclosures: list[Disclosure], derive: Deriver) -> list[WriteResult]:
    """Store the disclosures, replacing an earlier load of the same department, year and kind; a
    document whose source is unchanged is left as it is.

    A file base: all or nothing, whatever happens to the process, at a cost in proportion to what
    the load adds (file_loads.py). A server base (`postgresql://…`): each document in
    its own transaction, then what they change is derived (see postgres.py)."""
    if postgres.is_server(kb):
        return _write_to_server(str(kb), disclosures, derive)
    from . import file_loads  # (it writes each document with write_document, below)

    return file_loads.write(Path(kb), disclosures, derive)


def _write_to_server(url: str, disclosures: list[Disclosure], derive: Deriver) -> list[WriteResult]:
    """Each document in its own transaction under its lock, queued for derivation in the same
    transaction; then every queued document derived (see postgres.py)."""
    import psycopg

    with postgres.connect(url, readonly=False) as conn:
        postgres.migrate(conn)
        results = []
        for d in disclosures:
            try:
                with conn.raw.transaction():
                    postgres.document_lock(conn, document_id(d))
                    result = write_document(conn, d)
                    if result.status != "unchanged":
                        postgres.queue_for_derivation(conn, result.document_id)
            except psycopg.errors.UniqueViolation as e:
                raise KnowledgeBaseError(f"{d.source}：文件中有重复的表或条目，无法存入，这份文件没有写入（{e}）") from e
            results.append(result)
        written = [r.document_id for r in results if r.status != "unchanged"]
        postgres.derive_queued(conn, derive, derive.prepare(conn, written))
    return results


def put_derived(conn: Connection, key: str, value: object) -> None:
    data = zlib.compress(json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8"), 6)
    conn.execute("INSERT INTO derived (key, data) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET data = excluded.data", [key, data])


def _insert(conn: Connection, table: str, rows: list[dict[str, Any]]) -> None:
    """Plain executemany: sqlite-utils' insert_all checks and converts every value in Python,
    which was half the time of a load."""
    if not rows:
        return
    columns = list(rows[0])
    values = [tuple(r[c] for c in columns) for r in rows]
    if isinstance(conn, postgres.Connection):
        conn.copy_rows(table, columns, values)
    else:
        sql = f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})'
        conn.executemany(sql, values)


def _delete(conn: Connection, doc: str) -> None:
    """A document's content (what is derived of it is the derivation's to replace)."""
    lo, hi = prefix(doc)
    for table in DOCUMENT_TABLES:
        column = ID_COLUMN.get(table, "id")
        if column == "document_id":
            conn.execute(f'DELETE FROM "{table}" WHERE document_id = ?', [doc])
        else:
            conn.execute(f'DELETE FROM "{table}" WHERE "{column}" >= ? AND "{column}" < ?', [lo, hi])
    conn.execute("DELETE FROM documents WHERE id = ?", [doc])


def sources_of(d: Disclosure) -> list[tuple[str, str]]:
    """The document's vocabulary sources (schema.SOURCES_OF_BASE reads the same off stored rows)."""
    found = {("row", n) for t in d.tables for r in t.rows for n in (r.name, r.name_right) if n}
    found |= {("column", c.key) for t in d.tables for c in t.columns if c.key}
    found |= {("fact", f.key) for f in d.facts if f.key}
    found |= {("definition", x.term) for x in d.definitions if x.term}
    found |= {("indicator", v) for x in d.indicators for v in (x.level3, x.description) if v}
    found |= {("table", f"{t.title or ''}{TABLE_SEPARATOR}{t.key}") for t in d.tables}
    found.add(("department", d.department))
    return sorted(found)  # one order for every writer: two workers adding the same new words never deadlock


def _add_sources(conn: Connection, d: Disclosure) -> None:
    conn.executemany("INSERT INTO vocabulary_sources (kind, value) VALUES (?, ?) ON CONFLICT DO NOTHING", sources_of(d))


def write_document(conn: Connection, d: Disclosure) -> WriteResult:
    doc = document_id(d)
    existing = conn.execute("SELECT source, source_sha256, loader FROM documents WHERE id = ?", [doc]).fetchone()
    if existing and existing[1] == d.source_sha256 and d.source_sha256 and existing[2] == LOADER_RULES:
        return WriteResult(doc, "unchanged")
    if existing:
        _delete(conn, doc)
    n_rows = sum(len(t.rows) for t in d.tables)
    _insert(
        conn,
        "documents",
        [
            {
                "id": doc,
                "department": d.department,
                "department_code": d.department_code,
                "year": d.year,
                "kind": d.kind,
                "scope": d.scope,
                "unit": d.unit,
                "identity": "\n".join(d.identity),
                "loader": LOADER_RULES,
                "source": d.source,
                "source_name": Path(d.source).name,
                "source_sha256": d.source_sha256,
                "source_format": d.source_format,
                "tables": len(d.tables),
                "rows": n_rows,
                "facts": len(d.facts),
                "definitions": len(d.definitions),
                "indicators": len(d.indicators),
                "warnings": len(d.warnings),
            }
        ],
    )
    tables, columns, rows, cells, ambiguous = [], [], [], [], []
    for pos, t in enumerate(d.tables, 1):
        tid = f"{doc}/{pos}"  # by position: the key is a column, ids stay short
        tables.append(
            {
                "id": tid,
                "document_id": doc,
                "position": pos,
                "key": t.key,
                "title": t.title,
                "note": t.note,
                "page": t.page,
                "label_columns": json.dumps(t.label_columns, ensure_ascii=False),
                "unit": t.unit,
            }
        )
        for cpos, c in enumerate(t.columns, 1):
            columns.append(
                {"id": f"{tid}/{c.key}", "position": cpos, "key": c.key, "label": c.label, "number": c.number, "side": c.side}
            )
        for r in t.rows:
            rid = f"{tid}/{r.number}"
            rows.append(
                {
                    "id": rid,
                    "number": r.number,
                    "code": r.code,
                    "name": r.name,
                    "name_right": r.name_right,
                    "texts": json.dumps(r.texts, ensure_ascii=False) if r.texts else None,
                    "page": r.page,
                    "line": r.line,
                }
            )
            cells += [{"row_id": rid, "column_key": key, "value": value} for key, value in r.values.items()]
            for k, a in enumerate(r.ambiguous, 1):
                ambiguous.append(
                    {"id": f"{rid}/{k}", "row_id": rid, "value": a.value, "candidates": json.dumps(a.candidates, ensure_ascii=False)}
                )
    _insert(conn, "disclosure_tables", tables)
    _insert(conn, "table_columns", columns)
    _insert(conn, "table_rows", rows)
    _insert(conn, "cells", cells)
    _insert(conn, "ambiguous_cells", ambiguous)
    _insert(
        conn,
        "facts",
        [
            {
                "id": f"{doc}/{f.key}",
                "document_id": doc,
                "position": i,
                "section": f.section,
                "key": f.key,
                "value": f.value,
                "unit": f.unit,
                "text": f.text,
                "reason": f.reason,
                "page": f.page,
            }
            for i, f in enumerate(d.facts, 1)
        ],
    )
    _insert(
        conn,
        "passages",
        [
            {"id": f"{doc}/{i}", "position": i, "section": p.section, "text": p.text, "page": p.page}
            for i, p in enumerate(d.passages, 1)
        ],
    )
    _insert(
        conn,
        "definitions",
        [
            {"id": f"{doc}/{x.number}", "document_id": doc, "number": x.number, "term": x.term, "text": x.text, "page": x.page}
            for x in d.definitions
        ],
    )
    _insert(
        conn,
        "indicators",
        [
            {
                "id": f"{doc}/{i}",
                "document_id": doc,
                "position": i,
                "project": x.project,
                "goal": x.goal,
                "level1": x.level1,
                "level2": x.level2,
                "level3": x.level3,
                "description": x.description,
                "value_text": x.value_text,
                "value": x.value,
                "unit": x.unit,
                "basis": x.basis,
                "page": x.page,
            }
            for i, x in enumerate(d.indicators, 1)
        ],
    )
    _insert(
        conn,
        "load_warnings",
        [
            {
                "id": f"{doc}/{i}",
                "document_id": doc,
                "check_name": w.check,
                "message": w.message,
                "table_title": w.table,
                "row_number": w.row,
                "expected": w.expected,
                "found": w.found,
            }
            for i, w in enumerate(d.warnings, 1)
        ],
    )
    _add_sources(conn, d)
    record = assemble_document(conn, doc)
    _insert(conn, "document_data", [{"document_id": doc, "data": zlib.compress(document_record(record), 6), "narrative": pack(narrative_record(record))}])
    return WriteResult(doc, "replaced" if existing else "added", replaced_source=existing[0] if existing else None)
