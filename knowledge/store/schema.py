"""The knowledge base's tables and their version."""

from __future__ import annotations

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
