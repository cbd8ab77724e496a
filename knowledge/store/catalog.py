"""What is loaded, read by key: the documents' index entries (a body's, one document's), the
bodies a question's words name (`body_forms`) and the bodies of a place (`body_places`). An engine
reads these when a question needs them instead of holding every document's entry and every
body's forms (at 100,000 disclosures: 0.4 s and ~150 MB at every start, and a load that rewrote
them all). The body tables are written by the derivation (knowledge/build.py), per body added."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from .schema import Connection

INDEX_FIELDS = ("id", "department", "year", "kind", "scope")
ENTRY = f"SELECT {', '.join(INDEX_FIELDS)} FROM documents"
ORDER = " ORDER BY department, year, id"  # document order
CHUNK = 500  # values bound to one IN (…)


def _entry(row: Any) -> dict[str, Any]:
    return dict(zip(INDEX_FIELDS, row, strict=True))


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for at in range(0, len(values), CHUNK):
        yield values[at : at + CHUNK]


def _in(conn: Connection, column: str, values: list[str]) -> tuple[str, list[Any]]:
    """`column` is one of the values: `IN (?, …)` on SQLite; on PostgreSQL `= ANY(?)` with one
    array, a query text that does not change with the number of values (parsed once, planned
    once: a question's few hundred substrings were looked up in 0.9 ms with IN, 0.4 ms so)."""
    from . import postgres

    if isinstance(conn, postgres.Connection):
        return f"{column} = ANY(?)", [values]
    return f"{column} IN ({','.join('?' * len(values))})", list(values)


def entries_of(conn: Connection, bodies: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """Each body's documents' entries, in document order (bodies with none are left out)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for chunk in _chunks(sorted(set(bodies))):
        where, given = _in(conn, "department", chunk)
        for row in conn.execute(f"{ENTRY} WHERE {where}{ORDER}", given):
            found.setdefault(row[1], []).append(_entry(row))
    return found


def entry(conn: Connection, doc_id: str) -> dict[str, Any] | None:
    row = conn.execute(f"{ENTRY} WHERE id = ?", [doc_id]).fetchone()
    return _entry(row) if row else None


def every_entry(conn: Connection) -> Iterator[dict[str, Any]]:
    """Every document's entry in document order: for what reads every document anyway (a
    ranking of a figure no load computed)."""
    for row in conn.execute(ENTRY + ORDER).fetchall():
        yield _entry(row)


def of_prefix(conn: Connection, name: str) -> list[dict[str, Any]]:
    """The entries of a body and of its names with a bracket after (无锡市教育局, 无锡市教育局（本级）)."""
    rows = conn.execute(f"{ENTRY} WHERE department >= ? AND department < ?{ORDER}", [name, name + "\U0010ffff"]).fetchall()
    return [_entry(r) for r in rows]


def first_bodies(conn: Connection, limit: int, year: int | None = None) -> list[str]:
    """The first bodies in name order (that have a document of `year`, when given)."""
    where, given = (" WHERE year = ?", [year]) if year is not None else ("", [])
    rows = conn.execute(f"SELECT DISTINCT department FROM documents{where} ORDER BY department LIMIT ?", [*given, limit]).fetchall()
    return [r[0] for r in rows]


def count_bodies(conn: Connection, year: int) -> int:
    return int(conn.execute("SELECT count(DISTINCT department) FROM documents WHERE year = ?", [year]).fetchone()[0])


def summary(conn: Connection) -> dict[str, Any]:
    """How many documents and bodies are loaded and the newest year (what the load stores as
    `catalog`, read directly from a base that has none)."""
    documents, bodies, newest = conn.execute("SELECT count(*), count(DISTINCT department), max(year) FROM documents").fetchone()
    return {"documents": int(documents), "bodies": int(bodies), "newest_year": newest}


# ------------------------------------------------------------------------------ bodies' names


def forms_counted(conn: Connection, forms: Iterable[str]) -> dict[str, int]:
    """Of these forms, those that name loaded bodies → how many."""
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(set(forms))):
        where, given = _in(conn, "form", chunk)
        for form, n in conn.execute(f"SELECT form, count(*) FROM body_forms WHERE {where} GROUP BY form", given):
            found[form] = int(n)
    return found


def bodies_named(conn: Connection, forms: Iterable[str]) -> dict[str, list[str]]:
    """Of these forms (as questions write them), those that name loaded bodies → the bodies, in
    name order."""
    found: dict[str, list[str]] = {}
    for chunk in _chunks(sorted(set(forms))):
        where, given = _in(conn, "form", chunk)
        for form, department in conn.execute(f"SELECT form, department FROM body_forms WHERE {where} ORDER BY form, department", given):
            found.setdefault(form, []).append(department)
    return found


def bodies_of_place(conn: Connection, place: str) -> list[str]:
    rows = conn.execute("SELECT department FROM body_places WHERE place = ? ORDER BY department", [place]).fetchall()
    return [r[0] for r in rows]


def bodies_holding(conn: Connection, place: str) -> list[str]:
    """The loaded bodies whose name holds a place (a place a load has just come to know)."""
    rows = conn.execute("SELECT value FROM vocabulary_sources WHERE kind = 'department' AND value LIKE ? ORDER BY value", [f"%{place}%"])
    return [r[0] for r in rows]


def write_bodies(conn: Connection, forms: dict[str, list[str]], places: dict[str, list[str]], *, whole: bool) -> None:
    """Store forms → bodies and places → bodies: the whole index (`whole`: what was there is
    replaced, by COPY on a server), or pairs to add."""
    from . import postgres

    pairs = {
        "body_forms": ("form", [(f, d) for f in sorted(forms) for d in forms[f]]),
        "body_places": ("place", [(p, d) for p in sorted(places) for d in places[p]]),
    }
    for table, (key, rows) in pairs.items():
        if whole:
            conn.execute(f"DELETE FROM {table}")
        if whole and isinstance(conn, postgres.Connection):
            conn.copy_rows(table, [key, "department"], rows)
        else:
            conn.executemany(f"INSERT INTO {table} ({key}, department) VALUES (?, ?) ON CONFLICT DO NOTHING", rows)
