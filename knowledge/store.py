"""The SQLite knowledge base: schema, atomic writes, read-only access.

One file, written with sqlite-utils and browsable in Datasette as it is:

    documents          one disclosure: department, year, kind (预算/决算), unit, source and hash
    disclosure_tables  its tables (key, printed title, 注 note, page)
    table_columns      each table's value columns (key, flattened header label, 栏次, side)
    table_rows         rows: 序号, 科目编码, 科目名称 (FTS over names and codes)
    cells              one certain value per (row, column); an empty cell has no record
    ambiguous_cells    values whose column the arithmetic could not fix, with the candidates
    facts              figures stated in the narrative, with their sentence and reason
    passages           narrative paragraphs by section (FTS)
    definitions        名词解释 terms (FTS)
    indicators         绩效目标 indicators
    load_warnings      what the load-time checks found

Identifiers are readable and deterministic (`望都县乡村振兴局/2022/预算/支出总表/10`), so loading
the same file twice gives the same rows. Every load runs in one transaction: a failure leaves
the knowledge base as it was.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from loaders.model import Disclosure

SCHEMA_VERSION = 2


class KnowledgeBaseError(RuntimeError):
    """The knowledge base is missing, unreadable or from another version."""


def document_id(d: Disclosure) -> str:
    return f"{d.department}/{d.year}/{d.kind}"


def _create_schema(db: sqlite_utils.Database) -> None:
    if "documents" in db.table_names():
        return
    db.table("documents").create(
        {
            "id": str,
            "department": str,
            "department_code": str,
            "year": int,
            "kind": str,
            "unit": str,
            "source": str,
            "source_name": str,
            "source_sha256": str,
            "source_format": str,
            "tables": int,
            "rows": int,
            "facts": int,
            "definitions": int,
            "indicators": int,
            "warnings": int,
        },
        pk="id",
    )
    db.table("disclosure_tables").create(
        {
            "id": str,
            "document_id": str,
            "position": int,
            "key": str,
            "title": str,
            "note": str,
            "page": int,
            "label_columns": str,
            "unit": str,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
    )
    db.table("table_columns").create(
        {"id": str, "table_id": str, "position": int, "key": str, "label": str, "number": int, "side": str},
        pk="id",
        foreign_keys=[("table_id", "disclosure_tables", "id")],
    )
    db.table("table_rows").create(
        {
            "id": str,
            "table_id": str,
            "document_id": str,
            "number": int,
            "code": str,
            "name": str,
            "name_right": str,
            "texts": str,
            "page": int,
            "line": int,
        },
        pk="id",
        foreign_keys=[("table_id", "disclosure_tables", "id"), ("document_id", "documents", "id")],
    )
    db.table("cells").create(
        {"row_id": str, "column_key": str, "table_id": str, "document_id": str, "value": float},
        pk=("row_id", "column_key"),
        foreign_keys=[
            ("row_id", "table_rows", "id"),
            ("table_id", "disclosure_tables", "id"),
            ("document_id", "documents", "id"),
        ],
    )
    db.table("ambiguous_cells").create(
        {"id": str, "row_id": str, "document_id": str, "value": float, "candidates": str},
        pk="id",
        foreign_keys=[("row_id", "table_rows", "id"), ("document_id", "documents", "id")],
    )
    db.table("facts").create(
        {
            "id": str,
            "document_id": str,
            "section": str,
            "key": str,
            "value": float,
            "unit": str,
            "text": str,
            "reason": str,
            "page": int,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
    )
    db.table("passages").create(
        {"id": str, "document_id": str, "position": int, "section": str, "text": str, "page": int},
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
    )
    db.table("definitions").create(
        {"id": str, "document_id": str, "number": int, "term": str, "text": str, "page": int},
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
    )
    db.table("indicators").create(
        {
            "id": str,
            "document_id": str,
            "position": int,
            "project": str,
            "goal": str,
            "level1": str,
            "level2": str,
            "level3": str,
            "description": str,
            "value_text": str,
            "value": float,
            "unit": str,
            "basis": str,
            "page": int,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
    )
    db.table("load_warnings").create(
        {
            "id": str,
            "document_id": str,
            "check_name": str,
            "message": str,
            "table_title": str,
            "row_number": int,
            "expected": float,
            "found": float,
        },
        pk="id",
        foreign_keys=[("document_id", "documents", "id")],
    )
    db.table("meta").create({"key": str, "value": str}, pk="key")
    db.table("meta").insert({"key": "schema_version", "value": str(SCHEMA_VERSION)})
    for table, cols in [
        ("documents", ["department", "year"]),
        ("disclosure_tables", ["document_id", "key"]),
        ("table_columns", ["table_id"]),
        ("table_rows", ["table_id"]),
        ("table_rows", ["document_id", "code"]),
        ("table_rows", ["name"]),
        ("cells", ["document_id", "column_key"]),
        ("cells", ["table_id"]),
        ("ambiguous_cells", ["row_id"]),
        ("facts", ["document_id", "key"]),
        ("passages", ["document_id"]),
        ("definitions", ["document_id", "term"]),
        ("indicators", ["document_id"]),
        ("load_warnings", ["document_id"]),
    ]:
        db.table(table).create_index(cols)
    db.table("table_rows").enable_fts(["name", "name_right", "code"], create_triggers=True, tokenize="trigram")
    db.table("passages").enable_fts(["section", "text"], create_triggers=True, tokenize="trigram")
    db.table("definitions").enable_fts(["term", "text"], create_triggers=True, tokenize="trigram")


# The tables holding one document's content, children before parents (for deletes).
DOCUMENT_TABLES = [
    "cells",
    "ambiguous_cells",
    "table_rows",
    "table_columns",
    "disclosure_tables",
    "facts",
    "passages",
    "definitions",
    "indicators",
    "load_warnings",
]


@dataclass
class WriteResult:
    document_id: str
    status: str  # added | replaced | unchanged
    replaced_source: str | None = None


def open_for_writing(path: str | Path) -> sqlite_utils.Database:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        db = sqlite_utils.Database(path)
        _create_schema(db)
    except sqlite3.DatabaseError as e:
        raise KnowledgeBaseError(f"{path}: not a budgetbot knowledge base ({e})") from e
    return db


def write(path: str | Path, disclosures: list[Disclosure]) -> list[WriteResult]:
    """Store the disclosures in one transaction, replacing an earlier load of the same
    department, year and kind; a document whose source is unchanged is left as it is."""
    db = open_for_writing(path)
    results: list[WriteResult] = []
    try:
        with db.atomic():
            for d in disclosures:
                results.append(_write_one(db, d))
    finally:
        db.close()
    return results


def _write_one(db: sqlite_utils.Database, d: Disclosure) -> WriteResult:
    doc = document_id(d)
    existing = next(db["documents"].rows_where("id = ?", [doc]), None)
    if existing and existing["source_sha256"] == d.source_sha256 and d.source_sha256:
        return WriteResult(doc, "unchanged")
    if existing:
        for table in DOCUMENT_TABLES:
            if table in ("table_columns",):
                db.execute(
                    "DELETE FROM table_columns WHERE table_id IN (SELECT id FROM disclosure_tables WHERE document_id = ?)",
                    [doc],
                )
            else:
                db.execute(f"DELETE FROM [{table}] WHERE document_id = ?", [doc])
        db.execute("DELETE FROM documents WHERE id = ?", [doc])
    n_rows = sum(len(t.rows) for t in d.tables)
    db.table("documents").insert(
        {
            "id": doc,
            "department": d.department,
            "department_code": d.department_code,
            "year": d.year,
            "kind": d.kind,
            "unit": d.unit,
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
    )
    tables, columns, rows, cells, ambiguous = [], [], [], [], []
    for pos, t in enumerate(d.tables, 1):
        tid = f"{doc}/{t.key}"
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
                {
                    "id": f"{tid}/{c.key}",
                    "table_id": tid,
                    "position": cpos,
                    "key": c.key,
                    "label": c.label,
                    "number": c.number,
                    "side": c.side,
                }
            )
        for r in t.rows:
            rid = f"{tid}/{r.number}"
            rows.append(
                {
                    "id": rid,
                    "table_id": tid,
                    "document_id": doc,
                    "number": r.number,
                    "code": r.code,
                    "name": r.name,
                    "name_right": r.name_right,
                    "texts": json.dumps(r.texts, ensure_ascii=False) if r.texts else None,
                    "page": r.page,
                    "line": r.line,
                }
            )
            for key, value in r.values.items():
                cells.append({"row_id": rid, "column_key": key, "table_id": tid, "document_id": doc, "value": value})
            for k, a in enumerate(r.ambiguous, 1):
                ambiguous.append(
                    {
                        "id": f"{rid}/{k}",
                        "row_id": rid,
                        "document_id": doc,
                        "value": a.value,
                        "candidates": json.dumps(a.candidates, ensure_ascii=False),
                    }
                )
    db.table("disclosure_tables").insert_all(tables)
    db.table("table_columns").insert_all(columns)
    db.table("table_rows").insert_all(rows)
    db.table("cells").insert_all(cells)
    db.table("ambiguous_cells").insert_all(ambiguous)
    db.table("facts").insert_all(
        {
            "id": f"{doc}/{f.key}",
            "document_id": doc,
            "section": f.section,
            "key": f.key,
            "value": f.value,
            "unit": f.unit,
            "text": f.text,
            "reason": f.reason,
            "page": f.page,
        }
        for f in d.facts
    )
    db.table("passages").insert_all(
        {"id": f"{doc}/{i}", "document_id": doc, "position": i, "section": p.section, "text": p.text, "page": p.page}
        for i, p in enumerate(d.passages, 1)
    )
    db.table("definitions").insert_all(
        {"id": f"{doc}/{x.number}", "document_id": doc, "number": x.number, "term": x.term, "text": x.text, "page": x.page}
        for x in d.definitions
    )
    db.table("indicators").insert_all(
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
    )
    db.table("load_warnings").insert_all(
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
    )
    return WriteResult(doc, "replaced" if existing else "added", replaced_source=existing["source"] if existing else None)


def open_readonly(path: str | Path) -> sqlite3.Connection:
    """A read-only connection (the bot and the engine never write)."""
    path = Path(path)
    if not path.exists():
        raise KnowledgeBaseError(f"{path}: no knowledge base here (run 'budgetbot load' first)")
    try:
        conn = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.DatabaseError as e:
        raise KnowledgeBaseError(f"{path}: not a budgetbot knowledge base ({e})") from e
    if version is None or int(version["value"]) != SCHEMA_VERSION:
        raise KnowledgeBaseError(
            f"{path}: knowledge base schema {version and version['value']} is not {SCHEMA_VERSION}; reload it"
        )
    return conn


def list_documents(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute("SELECT * FROM documents ORDER BY department, year").fetchall()


def list_tables(conn: sqlite3.Connection, document: str | None = None) -> list[sqlite3.Row]:
    sql = "SELECT t.*, (SELECT count(*) FROM table_rows r WHERE r.table_id = t.id) AS n_rows FROM disclosure_tables t"
    if document:
        return conn.execute(sql + " WHERE document_id = ? ORDER BY position", [document]).fetchall()
    return conn.execute(sql + " ORDER BY document_id, position").fetchall()


def read_table(conn: sqlite3.Connection, table_id: str) -> dict:
    """A stored table as columns and rows (values by column key, ambiguous values listed)."""
    t = conn.execute("SELECT * FROM disclosure_tables WHERE id = ?", [table_id]).fetchone()
    if t is None:
        raise KeyError(table_id)
    columns = conn.execute("SELECT * FROM table_columns WHERE table_id = ? ORDER BY position", [table_id]).fetchall()
    rows = conn.execute("SELECT * FROM table_rows WHERE table_id = ? ORDER BY number", [table_id]).fetchall()
    cells: dict[str, dict[str, float]] = {}
    for c in conn.execute("SELECT row_id, column_key, value FROM cells WHERE table_id = ?", [table_id]):
        cells.setdefault(c["row_id"], {})[c["column_key"]] = c["value"]
    amb: dict[str, list] = {}
    for a in conn.execute(
        "SELECT a.row_id, a.value, a.candidates FROM ambiguous_cells a JOIN table_rows r ON r.id = a.row_id "
        "WHERE r.table_id = ? ORDER BY a.id",
        [table_id],
    ):
        amb.setdefault(a["row_id"], []).append((a["value"], json.loads(a["candidates"])))
    return {
        "table": dict(t),
        "columns": [dict(c) for c in columns],
        "rows": [dict(r) | {"values": cells.get(r["id"], {}), "ambiguous": amb.get(r["id"], [])} for r in rows],
    }


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {t: conn.execute(f"SELECT count(*) FROM [{t}]").fetchone()[0] for t in ["documents", *DOCUMENT_TABLES]}
