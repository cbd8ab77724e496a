"""Reading the knowledge base: read-only connections and the typed read API (the engine's only SQL)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ..documents import DocData, RowData, TableData
from .files import damaged, recover
from .schema import DOCUMENT_TABLES, SCHEMA_VERSION, KnowledgeBaseError


def open_readonly(path: str | Path) -> sqlite3.Connection:
    """A read-only connection (the bot and the engine never write). Loads swap a whole new file
    in (files.py), so a reader is never locked out and never sees half a load."""
    path = Path(path)
    if not path.exists():
        raise KnowledgeBaseError(f"{path}：这里没有知识库（请先运行 budgetbot load --kb {path} 文件）")
    if path.is_dir():
        raise KnowledgeBaseError(f"{path}：这是一个文件夹，不是知识库文件")
    recover(path)
    try:
        conn = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True, check_same_thread=False, timeout=30)
        conn.row_factory = sqlite3.Row
        version = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.DatabaseError as e:
        raise damaged(path, e) from e
    if version is None or int(version["value"]) != SCHEMA_VERSION:
        raise KnowledgeBaseError(
            f"{path}：知识库版本是 {version and version['value']}，本程序需要 {SCHEMA_VERSION}：请用 budgetbot load 重新载入原文件"
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


def load_document(conn: sqlite3.Connection, doc_id: str) -> DocData:
    """One document as the engine reads it: its tables with typed rows, facts, definitions,
    indicators and passages."""
    c = conn
    d = c.execute("SELECT * FROM documents WHERE id = ?", [doc_id]).fetchone()
    tables: dict[str, TableData] = {}
    columns: dict[str, list[dict]] = {}
    for col in c.execute(
        "SELECT c.* FROM table_columns c JOIN disclosure_tables t ON t.id = c.table_id WHERE t.document_id = ? "
        "ORDER BY c.table_id, c.position",
        [doc_id],
    ):
        columns.setdefault(col["table_id"], []).append(dict(col))
    cells: dict[str, dict[str, float]] = {}
    for cell in c.execute("SELECT row_id, column_key, value FROM cells WHERE document_id = ?", [doc_id]):
        cells.setdefault(cell["row_id"], {})[cell["column_key"]] = cell["value"]
    unsure: dict[str, set[str]] = {}
    for a in c.execute("SELECT row_id, candidates FROM ambiguous_cells WHERE document_id = ?", [doc_id]):
        unsure.setdefault(a["row_id"], set()).update(json.loads(a["candidates"]))
    rows: dict[str, list[RowData]] = {}
    titles = {}
    for t in c.execute("SELECT * FROM disclosure_tables WHERE document_id = ? ORDER BY position", [doc_id]):
        titles[t["id"]] = t
    for r in c.execute("SELECT * FROM table_rows WHERE document_id = ? ORDER BY table_id, number", [doc_id]):
        t = titles[r["table_id"]]
        rows.setdefault(r["table_id"], []).append(
            RowData(
                table=t["key"],
                title=t["title"],
                number=r["number"],
                code=r["code"],
                name=r["name"] or "",
                name_right=r["name_right"],
                values=cells.get(r["id"], {}),
                unsure=unsure.get(r["id"], set()),
                texts=json.loads(r["texts"]) if r["texts"] else {},
                page=r["page"],
            )
        )
    for tid, t in titles.items():
        tables[t["key"]] = TableData(
            key=t["key"],
            title=t["title"],
            columns=columns.get(tid, []),
            rows=rows.get(tid, []),
            note=t["note"],
            page=t["page"],
            unit=t["unit"] or "万元",
        )
    facts = {f["key"]: f for f in c.execute("SELECT * FROM facts WHERE document_id = ?", [doc_id])}
    return DocData(
        id=doc_id,
        department=d["department"],
        year=d["year"],
        kind=d["kind"],
        unit=d["unit"],
        tables=tables,
        facts=facts,
        definitions=c.execute("SELECT * FROM definitions WHERE document_id = ? ORDER BY number", [doc_id]).fetchall(),
        indicators=c.execute("SELECT * FROM indicators WHERE document_id = ? ORDER BY position", [doc_id]).fetchall(),
        passages=c.execute("SELECT * FROM passages WHERE document_id = ? ORDER BY position", [doc_id]).fetchall(),
    )


@dataclass
class VocabularySources:
    """What the vocabulary is built from, as the knowledge base holds it."""

    row_names: list[str]
    column_keys: list[str]
    fact_keys: list[str]
    definition_terms: list[str]
    indicator_texts: list[str]
    tables: list[tuple[str, str]]  # (printed title, kind)
    departments: list[str]


def vocabulary_sources(conn: sqlite3.Connection) -> VocabularySources:
    def column(sql: str) -> list[str]:
        return [r[0] for r in conn.execute(sql) if r[0]]

    return VocabularySources(
        row_names=column("SELECT DISTINCT name FROM table_rows UNION SELECT DISTINCT name_right FROM table_rows"),
        column_keys=column("SELECT DISTINCT key FROM table_columns"),
        fact_keys=column("SELECT DISTINCT key FROM facts"),
        definition_terms=column("SELECT DISTINCT term FROM definitions"),
        indicator_texts=column("SELECT DISTINCT level3 FROM indicators UNION SELECT DISTINCT description FROM indicators"),
        tables=[(r[0], r[1]) for r in conn.execute("SELECT DISTINCT title, key FROM disclosure_tables")],
        departments=column("SELECT DISTINCT department FROM documents"),
    )
