"""Reading the knowledge base: read-only connections and the typed read API (the engine's only SQL)."""

from __future__ import annotations

import json
import sqlite3
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from ..documents import DocData, RowData, TableData, from_record
from . import postgres
from .files import damaged, recover
from .schema import (
    DERIVED_TABLES,
    DOCUMENT_TABLES,
    SCHEMA_VERSION,
    TABLE_SEPARATOR,
    UPGRADABLE,
    Connection,
    KnowledgeBaseError,
    prefix,
)


def open_readonly(kb: str | Path) -> Connection:
    """A read-only connection (the bot and the engine never write). Loads swap a whole new file
    in (files.py), so a reader is never locked out and never sees half a load; on a server base
    (`postgresql://…`) each document is written in one transaction (postgres.py)."""
    if postgres.is_server(kb):
        return postgres.open_readonly(str(kb))
    path = Path(kb)
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
    if version is not None and int(version["value"]) in UPGRADABLE:
        raise KnowledgeBaseError(
            f"{path}：知识库版本是 {version['value']}，本程序需要 {SCHEMA_VERSION}：载入任意一个文件（budgetbot load --kb {path} 文件）会把它升级，已载入的内容都保留"
        )
    if version is None or int(version["value"]) != SCHEMA_VERSION:
        raise KnowledgeBaseError(
            f"{path}：知识库版本是 {version and version['value']}，本程序需要 {SCHEMA_VERSION}：请用 budgetbot load 重新载入原文件"
        )
    return conn


def list_documents(conn: Connection, limit: int | None = None) -> list[Any]:
    """The loaded documents with everything recorded of them (source, counts), in document order."""
    sql = "SELECT * FROM documents ORDER BY department, year, id"
    if limit is not None and limit >= 0:
        rows: list[Any] = conn.execute(sql + " LIMIT ?", [limit]).fetchall()
        return rows
    rows = conn.execute(sql).fetchall()
    return rows


def kind_counts(conn: Connection) -> list[list[Any]]:
    """How many documents of each year, kind and scope the base holds (what a ranking compares)."""
    sql = "SELECT year, kind, coalesce(scope, '部门'), count(*) FROM documents GROUP BY year, kind, coalesce(scope, '部门') ORDER BY 1, 2, 3"
    return [list(r) for r in conn.execute(sql)]


_N_ROWS = "(SELECT count(*) FROM table_rows r WHERE r.id >= t.id || '/' AND r.id < t.id || '0') AS n_rows"


def list_tables(conn: Connection, document: str | None = None) -> list[Any]:
    sql = f"SELECT t.*, {_N_ROWS} FROM disclosure_tables t"
    if document:
        found: list[Any] = conn.execute(sql + " WHERE id >= ? AND id < ? ORDER BY position", prefix(document)).fetchall()
        return found
    every: list[Any] = conn.execute(sql + " ORDER BY document_id, position").fetchall()
    return every


def read_table(conn: Connection, table_id: str) -> dict[str, Any]:
    """A stored table as columns and rows (values by column key, ambiguous values listed)."""
    t = conn.execute("SELECT * FROM disclosure_tables WHERE id = ?", [table_id]).fetchone()
    if t is None:
        raise KeyError(table_id)
    under = prefix(table_id)
    columns = conn.execute("SELECT * FROM table_columns WHERE id >= ? AND id < ? ORDER BY position", under).fetchall()
    rows = conn.execute("SELECT * FROM table_rows WHERE id >= ? AND id < ? ORDER BY number", under).fetchall()
    cells: dict[str, dict[str, float]] = {}
    for c in conn.execute("SELECT row_id, column_key, value FROM cells WHERE row_id >= ? AND row_id < ? ORDER BY row_id, column_key", under):
        cells.setdefault(c["row_id"], {})[c["column_key"]] = c["value"]
    amb: dict[str, list[Any]] = {}
    for a in conn.execute("SELECT row_id, value, candidates FROM ambiguous_cells WHERE id >= ? AND id < ? ORDER BY id", under):
        amb.setdefault(a["row_id"], []).append((a["value"], json.loads(a["candidates"])))
    return {
        "table": dict(t),
        "columns": [dict(c) for c in columns],
        "rows": [dict(r) | {"values": cells.get(r["id"], {}), "ambiguous": amb.get(r["id"], [])} for r in rows],
    }


def counts(conn: Connection) -> dict[str, int]:
    return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in ["documents", *DOCUMENT_TABLES, *DERIVED_TABLES]}


def pending(conn: Connection) -> int:
    """Documents written but not yet derived (only a server base, between a worker's writes and
    its derivation, or after a worker was killed between them, has any)."""
    return postgres.pending(conn) if isinstance(conn, postgres.Connection) else 0


def load_document(conn: Connection, doc_id: str) -> DocData:
    """One document as the engine reads it, from the records written with it at load time: one
    point lookup, however large the base; the narrative is decoded when first used."""
    row = conn.execute("SELECT data, narrative FROM document_data WHERE document_id = ?", [doc_id]).fetchone()
    if row is None:
        raise KeyError(doc_id)
    narrative = row[1]
    return from_record(zlib.decompress(row[0]), lambda: _unpack(narrative))  # the narrative when first used


def derived(conn: Connection, key: str) -> Any:
    """A structure computed at load time (the vocabulary), or None in a base without it."""
    row = conn.execute("SELECT data FROM derived WHERE key = ?", [key]).fetchone()
    return msgspec.json.decode(zlib.decompress(row[0])) if row else None


def first_definers(conn: Connection, among: list[str] | None = None) -> dict[str, str]:
    """Each defined term (as the vocabulary writes it) → the first document that defines it, in
    document order (department, year, id): the one a definition asked of no body is taken from.
    `among`: of these documents only."""
    from ..vocabulary import canon

    rows: list[Any] = []
    if among is None:
        sql = "SELECT d.id, x.term FROM documents d JOIN definitions x ON x.document_id = d.id ORDER BY d.department, d.year, d.id, x.number"
        rows = conn.execute(sql).fetchall()
    else:  # each document's by its key range (definitions has no index on document_id), in document order
        position = document_order(conn, among)
        for doc in sorted(position, key=position.__getitem__):
            sql = "SELECT ?, term FROM definitions WHERE id >= ? AND id < ? ORDER BY number"
            rows += conn.execute(sql, [doc, *prefix(doc)]).fetchall()
    first: dict[str, str] = {}
    for doc, term in rows:
        first.setdefault(canon(term), doc)
    return first


def kind_bodies(conn: Connection) -> list[list[Any]]:
    """How many bodies have a document of each kind and scope (what a ranking of each body's
    newest document compares)."""
    sql = "SELECT kind, coalesce(scope, '部门'), count(DISTINCT department) FROM documents GROUP BY kind, coalesce(scope, '部门') ORDER BY 1, 2"
    return [list(r) for r in conn.execute(sql)]


def document_order(conn: Connection, ids: list[str]) -> dict[str, tuple[str, int, str]]:
    """Where each document comes in document order: (department, year, id)."""
    out: dict[str, tuple[str, int, str]] = {}
    for at in range(0, len(ids), 500):
        chunk = ids[at : at + 500]
        for doc, department, year in conn.execute(f"SELECT id, department, year FROM documents WHERE id IN ({','.join('?' * len(chunk))})", chunk):
            out[doc] = (department, year, doc)
    return out


def read_by_current_rules(conn: Connection) -> dict[str, str]:
    """File content hash → the document it was read into, for documents these reading rules read
    (a load skips such files instead of reading them again)."""
    from loaders.version import LOADER_RULES

    sql = "SELECT source_sha256, id FROM documents WHERE loader = ? AND source_sha256 != ''"
    return {sha: doc for sha, doc in conn.execute(sql, [LOADER_RULES])}


def ranking(
    conn: Connection,
    measure: str,
    *,
    year: int | None,
    departments: list[str] | None,
    descending: bool,
    limit: int,
    counted: int | None = None,
    kind: str | None = None,
    scope: str | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """The key figures of one measure in each department's document of `year` (else its newest),
    of these `departments` only when given (a place's bodies): the first `limit` by figure (ties
    in department order) and how many there are (`counted`, when the load counted them). With
    `kind` and `scope`, only documents of that kind (预算/决算) and scope (部门/单位): like with like."""
    where = "k.measure = ? AND k.chosen = 1"  # flags kept by key_figure_table.rebuild at load time
    params: list[Any] = [measure]
    if kind is not None:  # one document per body, year, kind and scope: no need of `chosen`
        where = "k.measure = ? AND k.document_id IN (SELECT id FROM documents WHERE kind = ? AND scope = ?)"
        params = [measure, kind, scope or "部门"]
        counted = None
    if year is not None:
        where += " AND k.year = ?"
        params.append(year)
    else:  # each department's newest document, whether or not it has this figure
        where += " AND k.newest = 1"
    order = f"ORDER BY k.figure {'DESC' if descending else 'ASC'}, k.department, k.document_id LIMIT ?"
    if departments is not None:  # a place's bodies, by the department index; counted in the same pass
        if not departments:
            return [], 0
        rows_of: list[tuple[Any, ...]] = []
        for at in range(0, len(departments), 500):
            chunk = departments[at : at + 500]
            # by the department index: SQLite's planner would scan the measure's 50,000 entries instead
            hint = "" if isinstance(conn, postgres.Connection) else "INDEXED BY idx_key_figures_department "
            sql = (
                f"SELECT k.document_id, k.figure, k.department FROM key_figures k {hint}"
                f"WHERE {where} AND k.department IN ({','.join('?' * len(chunk))})"
            )
            rows_of += conn.execute(sql, [*params, *chunk]).fetchall()
        rows_of.sort(key=lambda r: (-r[1] if descending else r[1], r[2], r[0]))
        top, total = [r[0] for r in rows_of[:limit]], len(rows_of)
    else:  # the index gives them in order: stop at `limit`
        if counted is None:
            counted = conn.execute(f"SELECT count(*) FROM key_figures k WHERE {where}", params).fetchone()[0]
        total = counted
        top = [r[0] for r in conn.execute(f"SELECT k.document_id FROM key_figures k WHERE {where} {order}", [*params, limit])]
    if not top:  # (an empty IN () is SQLite's, not SQL's)
        return [], total
    found = {
        r[2]: r
        for r in conn.execute(
            f"SELECT department, year, document_id, figure, data FROM key_figures WHERE measure = ? AND document_id IN ({','.join('?' * len(top))})",
            [measure, *top],
        )
    }
    rows = [found[d] for d in top]
    return [{"department": r[0], "year": r[1], "document": r[2], "figure": r[3], **json.loads(r[4])} for r in rows], total


def pack(value: object) -> bytes:
    return zlib.compress(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 6)


def _unpack(data: bytes) -> Any:
    return json.loads(zlib.decompress(data))


DOUBTING_CHECKS = ("row", "column", "cross", "narrative")  # not "structure" (how the file was read)


def _doubts(c: Connection, doc_id: str) -> dict[str, list[list[Any]]]:
    out: dict[str, list[list[Any]]] = {}
    sql = "SELECT check_name, message, table_title, row_number FROM load_warnings WHERE id >= ? AND id < ?"
    for check, message, table, row in c.execute(sql, prefix(doc_id)):
        if check in DOUBTING_CHECKS and table:
            out.setdefault(table, []).append([row, message])
    return out


def _named(conn: Connection) -> Connection:
    """A cursor whose rows are read by column name (a server session's always are)."""
    if isinstance(conn, postgres.Connection):
        return conn
    c = conn.cursor()  # type: ignore[attr-defined]
    c.row_factory = sqlite3.Row
    return c  # type: ignore[no-any-return]


def assemble_document(conn: Connection, doc_id: str) -> DocData:
    """One document from its tables, rows, cells and narrative (at load time, to write its record)."""
    c = _named(conn)
    under = prefix(doc_id)
    d = c.execute("SELECT * FROM documents WHERE id = ?", [doc_id]).fetchone()
    cells: dict[str, dict[str, float]] = {}
    for cell in c.execute("SELECT row_id, column_key, value FROM cells WHERE row_id >= ? AND row_id < ? ORDER BY row_id, column_key", under):
        cells.setdefault(cell["row_id"], {})[cell["column_key"]] = cell["value"]
    unsure: dict[str, set[str]] = {}
    for a in c.execute("SELECT row_id, candidates FROM ambiguous_cells WHERE id >= ? AND id < ? ORDER BY id", under):
        unsure.setdefault(a["row_id"], set()).update(json.loads(a["candidates"]))
    tables = {}
    for t in c.execute("SELECT * FROM disclosure_tables WHERE id >= ? AND id < ? ORDER BY position", under).fetchall():
        inside = prefix(t["id"])
        rows = [
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
            for r in c.execute("SELECT * FROM table_rows WHERE id >= ? AND id < ? ORDER BY number", inside)
        ]
        columns = [dict(col) for col in c.execute("SELECT * FROM table_columns WHERE id >= ? AND id < ? ORDER BY position", inside)]
        tables[t["key"]] = TableData(
            key=t["key"], title=t["title"], columns=columns, rows=rows, note=t["note"], page=t["page"], unit=t["unit"] or "万元"
        )

    def all_of(table: str, order: str) -> list[dict[str, Any]]:
        return [dict(x) for x in c.execute(f'SELECT * FROM "{table}" WHERE id >= ? AND id < ? ORDER BY {order}', under)]

    return DocData(
        id=doc_id,
        department=d["department"],
        year=d["year"],
        kind=d["kind"],
        unit=d["unit"],
        tables=tables,
        facts={f["key"]: f for f in all_of("facts", "position")},
        doubts=_doubts(c, doc_id),
        narrative={
            "definitions": all_of("definitions", "number"),
            "indicators": all_of("indicators", "position"),
            "passages": all_of("passages", "position"),
        },
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


def vocabulary_sources(conn: Connection) -> VocabularySources:
    """From the sources each document's write added (schema.py: `vocabulary_sources`), in one
    order on every store: the vocabulary lists a surface's terms in the order it met them."""
    of: dict[str, list[str]] = {}
    for kind, value in conn.execute("SELECT kind, value FROM vocabulary_sources ORDER BY kind, value"):
        of.setdefault(kind, []).append(value)
    return VocabularySources(
        row_names=of.get("row", []),
        column_keys=of.get("column", []),
        fact_keys=of.get("fact", []),
        definition_terms=of.get("definition", []),
        indicator_texts=of.get("indicator", []),
        tables=[(title, key) for title, _, key in (v.partition(TABLE_SEPARATOR) for v in of.get("table", []))],
        departments=of.get("department", []),
    )


def sources_count(conn: Connection) -> dict[str, int]:
    """How many vocabulary sources the base has, names of bodies apart from the other names: a
    load that adds none leaves the vocabulary as it was, one that adds only bodies adds their forms."""
    sql = "SELECT kind = 'department', count(*) FROM vocabulary_sources GROUP BY kind = 'department'"
    found = {bool(is_body): int(n) for is_body, n in conn.execute(sql)}
    return {"terms": found.get(False, 0), "bodies": found.get(True, 0)}
