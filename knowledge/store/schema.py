"""The knowledge base's tables and their version."""

from __future__ import annotations

from typing import Any, Protocol

import sqlite_utils

from loaders.model import Disclosure

SCHEMA_VERSION = 10
# Versions a writer brings up to this one in place (UPGRADES); a reader asks for a load first.
UPGRADABLE = {8, 9}


class KnowledgeBaseError(RuntimeError):
    """The knowledge base is missing, unreadable or from another version."""


class Connection(Protocol):
    """What the store's functions read and write through: a `sqlite3.Connection`, or a
    PostgreSQL session that runs the same SQL (`postgres.Connection`). Rows answer by position
    and, where the connection's rows are named, by column name."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Any: ...

    def executemany(self, sql: str, parameters: Any, /) -> Any: ...

    def close(self) -> None: ...


def document_id(d: Disclosure) -> str:
    """`望都县乡村振兴局/2022/预算`; a unit's own disclosure of a body that also publishes a
    department's (苏州市自然资源和规划局 2026: 部门预算 and 单位预算) is `…/2026/预算·单位`, sorting after it."""
    return f"{d.department}/{d.year}/{d.kind}" + ("·单位" if d.scope == "单位" else "")


# The bodies' names as questions write them (knowledge/bodies.py), each with its body: an engine
# looks a question's words up here, and a place's bodies, instead of holding them all.
BODY_TABLES = """
CREATE TABLE body_forms (form TEXT, department TEXT, PRIMARY KEY (form, department)) WITHOUT ROWID;
CREATE TABLE body_places (place TEXT, department TEXT, PRIMARY KEY (place, department)) WITHOUT ROWID;
"""

# Identifiers nest (`doc/table/row`), so every table keyed by them is stored in that order
# (WITHOUT ROWID): a document's or a table's rows are one contiguous range of the primary key,
# found without any other index (see `prefix`).
SCHEMA = """
CREATE TABLE documents (
    id TEXT PRIMARY KEY, department TEXT, department_code TEXT, year INTEGER, kind TEXT, scope TEXT, unit TEXT,
    identity TEXT,  -- where body, year, kind and scope were read (one line each)
    loader TEXT,  -- the reading rules that read it (loaders.version.LOADER_RULES)
    source TEXT, source_name TEXT, source_sha256 TEXT, source_format TEXT,
    tables INTEGER, rows INTEGER, facts INTEGER, definitions INTEGER, indicators INTEGER, warnings INTEGER
);
CREATE INDEX idx_documents_department_year ON documents (department, year);
CREATE TABLE disclosure_tables (
    id TEXT PRIMARY KEY, document_id TEXT REFERENCES documents(id), position INTEGER, key TEXT, title TEXT,
    note TEXT, page INTEGER, label_columns TEXT, unit TEXT
) WITHOUT ROWID;
CREATE TABLE table_columns (
    id TEXT PRIMARY KEY, position INTEGER, key TEXT, label TEXT, number INTEGER, side TEXT
) WITHOUT ROWID;
CREATE TABLE table_rows (
    id TEXT PRIMARY KEY, number INTEGER, code TEXT, name TEXT, name_right TEXT, texts TEXT, page INTEGER, line INTEGER
) WITHOUT ROWID;
CREATE TABLE cells (
    row_id TEXT REFERENCES table_rows(id), column_key TEXT, value REAL, PRIMARY KEY (row_id, column_key)
) WITHOUT ROWID;
CREATE TABLE ambiguous_cells (
    id TEXT PRIMARY KEY, row_id TEXT REFERENCES table_rows(id), value REAL, candidates TEXT
) WITHOUT ROWID;
CREATE TABLE facts (
    id TEXT PRIMARY KEY, document_id TEXT REFERENCES documents(id), position INTEGER, section TEXT, key TEXT,
    value REAL, unit TEXT, text TEXT, reason TEXT, page INTEGER
) WITHOUT ROWID;
CREATE TABLE passages (
    id TEXT PRIMARY KEY, position INTEGER, section TEXT, text TEXT, page INTEGER
) WITHOUT ROWID;
CREATE TABLE definitions (
    id TEXT PRIMARY KEY, document_id TEXT REFERENCES documents(id), number INTEGER, term TEXT, text TEXT, page INTEGER
) WITHOUT ROWID;
CREATE TABLE indicators (
    id TEXT PRIMARY KEY, document_id TEXT REFERENCES documents(id), position INTEGER, project TEXT, goal TEXT,
    level1 TEXT, level2 TEXT, level3 TEXT, description TEXT, value_text TEXT, value REAL, unit TEXT, basis TEXT, page INTEGER
) WITHOUT ROWID;
CREATE TABLE load_warnings (
    id TEXT PRIMARY KEY, document_id TEXT REFERENCES documents(id), check_name TEXT, message TEXT, table_title TEXT,
    row_number INTEGER, expected REAL, found REAL
) WITHOUT ROWID;
CREATE TABLE document_data (document_id TEXT PRIMARY KEY REFERENCES documents(id), data BLOB, narrative BLOB);
CREATE TABLE derived (key TEXT PRIMARY KEY, data BLOB);
CREATE TABLE key_figures (
    measure TEXT, document_id TEXT REFERENCES documents(id), department TEXT, year INTEGER, figure REAL, data TEXT,
    chosen INTEGER,  -- the department's one document of its year (two kinds of one year: the id that sorts first)
    newest INTEGER,  -- of the department's newest year
    PRIMARY KEY (measure, document_id)
) WITHOUT ROWID;
CREATE INDEX idx_key_figures_document ON key_figures (document_id);
CREATE INDEX idx_key_figures_department ON key_figures (department);
-- a ranking reads these in figure order and stops after the rows it shows (they cover the query)
CREATE INDEX idx_key_figures_year ON key_figures (measure, chosen, year, figure, department, document_id);
CREATE INDEX idx_key_figures_newest ON key_figures (measure, chosen, newest, figure, department, document_id);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
-- every distinct name the vocabulary is built from (row names, column keys, fact keys, defined
-- terms, indicators, table titles, bodies), added by each document's write: a load derives the
-- vocabulary from these few thousand values, not from scanning every row of the base
CREATE TABLE vocabulary_sources (kind TEXT, value TEXT, PRIMARY KEY (kind, value)) WITHOUT ROWID;
-- for people browsing the base (Datasette): each row and cell with its document and table
CREATE VIEW rows_with_tables AS
    SELECT t.document_id, t.key AS table_key, t.title AS table_title, r.*
    FROM disclosure_tables t JOIN table_rows r ON r.id >= t.id || '/' AND r.id < t.id || '0';
CREATE VIEW cells_with_rows AS
    SELECT r.document_id, r.table_key, r.table_title, r.number, r.code, r.name, c.column_key, c.value
    FROM rows_with_tables r JOIN cells c ON c.row_id = r.id;
CREATE VIEW passages_with_documents AS
    SELECT d.id AS document_id, d.department, d.year, p.*
    FROM documents d JOIN passages p ON p.id >= d.id || '/' AND p.id < d.id || '0';
"""
SCHEMA += BODY_TABLES


def prefix(identifier: str) -> tuple[str, str]:
    """The key range of everything under an identifier: `id >= lo AND id < hi`."""
    return identifier + "/", identifier + "0"  # "0" sorts right after "/"


# What each kind of vocabulary source is, read off the base (a base written before the table,
# or one derived again whole); a document's write adds its own (write.py).
SOURCES_OF_BASE = {
    "row": "SELECT name FROM table_rows UNION SELECT name_right FROM table_rows",
    "column": "SELECT DISTINCT key FROM table_columns",
    "fact": "SELECT DISTINCT key FROM facts",
    "definition": "SELECT DISTINCT term FROM definitions",
    "indicator": "SELECT level3 FROM indicators UNION SELECT description FROM indicators",
    "table": "SELECT DISTINCT coalesce(title, '') || ? || key FROM disclosure_tables",  # ? = TABLE_SEPARATOR
    "department": "SELECT DISTINCT department FROM documents",
}
TABLE_SEPARATOR = "\x1f"  # between a table's printed title and its kind in a "table" source


def fill_sources(conn: Connection) -> None:
    """The vocabulary sources of everything the base holds, from its rows (once per base, and
    whenever everything is derived again)."""
    conn.execute("DELETE FROM vocabulary_sources")
    for kind, sql in SOURCES_OF_BASE.items():
        given = [TABLE_SEPARATOR] if "?" in sql else []
        conn.execute(f"WITH s(v) AS ({sql}) INSERT INTO vocabulary_sources (kind, value) SELECT ?, v FROM s WHERE v IS NOT NULL AND v != '' ON CONFLICT DO NOTHING", [*given, kind])


# What brings a base of each older version to the next (run inside the load's transaction).
UPGRADES = {
    8: ["CREATE TABLE vocabulary_sources (kind TEXT, value TEXT, PRIMARY KEY (kind, value)) WITHOUT ROWID"],
    9: [s for s in BODY_TABLES.split(";") if s.strip() and not s.strip().startswith("--")],
}


def upgrade(conn: Connection) -> None:
    """Bring a base of an UPGRADABLE version to this one: call inside the load's transaction, so
    that it is upgraded and loaded, or neither. (Its derived data is then derived whole: the
    upgrade leaves no `derived_by`, knowledge/build.py.)"""
    version = int(conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0])
    if version not in UPGRADES:
        return
    for v in range(version, SCHEMA_VERSION):
        for statement in UPGRADES[v]:
            conn.execute(statement)
    conn.execute("DELETE FROM derived WHERE key = 'derived_by'")  # derived whole, its sources filled first
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(SCHEMA_VERSION)])


def _create_schema(db: sqlite_utils.Database) -> None:
    if "documents" in db.table_names():
        return
    db.conn.executescript(SCHEMA)
    db.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
    # No full-text index: the engine reads documents whole and needs none, and a trigram index of
    # the narrative was 17 KB of every disclosure's 136 KB. Someone browsing a copy can add one:
    #   sqlite-utils enable-fts copy.db passages section text --tokenize trigram


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
    "document_data",
]
# What is derived of each document (knowledge/build.py): replaced by the derivation, not the write.
DERIVED_TABLES = ["key_figures"]
# The column of each that starts with the document's id (cells: through their row's id).
ID_COLUMN = {"cells": "row_id", "document_data": "document_id"}
