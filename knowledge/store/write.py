"""Writing disclosures into the knowledge base: all or nothing, idempotent."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import sqlite_utils

from loaders.model import Disclosure

from .files import copy_for_writing, damaged, remove_stale_temps, swap_in, temp_path, writer_lock
from .schema import DOCUMENT_TABLES, KnowledgeBaseError, _create_schema, document_id


@dataclass
class WriteResult:
    document_id: str
    status: str  # added | replaced | unchanged
    replaced_source: str | None = None


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


def write(path: str | Path, disclosures: list[Disclosure]) -> list[WriteResult]:
    """Store the disclosures, replacing an earlier load of the same department, year and kind; a
    document whose source is unchanged is left as it is. All or nothing, whatever happens to the
    process: the new base is written beside the old one and swapped in (see files.py). When
    nothing changes the base is not touched; a failed first load leaves no file behind."""
    path = Path(path)
    with writer_lock(path):
        remove_stale_temps(path)
        tmp = temp_path(path)
        try:
            if path.exists():
                copy_for_writing(path, tmp)
            db = open_for_writing(tmp)
            try:
                with db.atomic():
                    results = [_write_one(db, d) for d in disclosures]
            except sqlite3.IntegrityError as e:
                raise KnowledgeBaseError(f"{path}：文件中有重复的表或条目，无法存入，知识库没有改动（{e}）") from e
            except sqlite3.OperationalError as e:  # disk full, I/O error
                raise KnowledgeBaseError(f"{path}：写入失败，知识库没有改动（{e}）") from e
            finally:
                db.close()
            if path.exists() and all(r.status == "unchanged" for r in results):
                return results
            swap_in(tmp, path)
            return results
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


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
