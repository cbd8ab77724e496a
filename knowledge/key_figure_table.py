"""The key_figures table kept up to date by each load (the reading rules that fill it are
key_figures.py's): which documents' figures to compute again, which to take from what a load
worker prepared, which row stands for each department, and the counts a ranking shows."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import store
from .key_figures import MEASURES, measure_signatures, rows_for

if TYPE_CHECKING:
    from .engine import Engine

INSERT = "INSERT INTO key_figures (measure, document_id, department, year, figure, data) VALUES (?, ?, ?, ?, ?, ?)"
# which row stands for its department, now that documents came and went
CHOOSE = (
    "UPDATE key_figures SET "
    "chosen = CASE WHEN document_id = (SELECT min(id) FROM documents d WHERE d.department = key_figures.department AND d.year = key_figures.year) THEN 1 ELSE 0 END, "
    "newest = CASE WHEN year = (SELECT max(year) FROM documents d WHERE d.department = key_figures.department) THEN 1 ELSE 0 END "
    "WHERE department = ?"
)


def counts(conn: store.Connection) -> dict[str, dict[str, int]]:
    """How many departments a ranking of each measure lists, by year and for "newest" (what
    `store.ranking` would count, stored so a ranking does not count 50,000 entries)."""
    out: dict[str, dict[str, int]] = {}
    for measure, year, n in conn.execute("SELECT measure, year, count(*) FROM key_figures WHERE chosen = 1 GROUP BY measure, year"):
        out.setdefault(measure, {})[str(year)] = n
    for measure, n in conn.execute("SELECT measure, count(*) FROM key_figures WHERE chosen = 1 AND newest = 1 GROUP BY measure"):
        out.setdefault(measure, {})["newest"] = n
    return out


def recount(conn: store.Connection, stored: dict[str, dict[str, int]], years: set[int]) -> dict[str, dict[str, int]]:
    """`counts` after a load that touched departments of these years only: those years and
    "newest" counted again, each by the ranking index (a few thousandths of a second each), the
    other years as stored."""
    out = {m: dict(c) for m, c in stored.items()}
    for measure in MEASURES:
        by_year = out.setdefault(measure, {})
        for year in sorted(years):
            by_year[str(year)] = conn.execute("SELECT count(*) FROM key_figures WHERE measure = ? AND chosen = 1 AND year = ?", [measure, year]).fetchone()[0]
        by_year["newest"] = conn.execute("SELECT count(*) FROM key_figures WHERE measure = ? AND chosen = 1 AND newest = 1", [measure]).fetchone()[0]
        out[measure] = {k: n for k, n in by_year.items() if n}  # as `counts` has no entry for a count of none
        if not out[measure]:
            del out[measure]
    return out


@dataclass
class Prepared:
    """Key figures of written documents computed before the derivation (by a load worker, in
    parallel with the others), under these measure signatures; used where they still hold."""

    signatures: dict[str, str]
    rows: list[tuple[Any, ...]]
    documents: set[str]


def prepare(conn: store.Connection, written: list[str]) -> Prepared | None:
    """The written documents' key figures under the vocabulary the base has now (None when it has
    none yet: the derivation computes them)."""
    from .engine import Engine

    if not written or store.derived(conn, "vocabulary") is None:
        return None
    engine = Engine(conn)
    signatures = measure_signatures(engine)
    return Prepared(signatures, rows_for(engine, list(signatures), written), set(written))


def rebuild(conn: store.Connection, written: list[str], prepared: Prepared | None = None) -> None:
    """Bring `key_figures` up to date after a load that wrote the documents `written` (inside the
    load's transaction, on the base being built)."""
    from .engine import Engine

    factory = getattr(conn, "row_factory", None)
    if isinstance(conn, sqlite3.Connection):
        conn.row_factory = sqlite3.Row
    try:
        engine = Engine(conn)
        current = measure_signatures(engine)
        before: dict[str, str] = store.derived(conn, "key_measures") or {}
        changed = [m for m, sig in current.items() if before.get(m) != sig]  # computed again for every document
        touched = _write_rows(conn, engine, current, changed, written, prepared)
        conn.executemany(CHOOSE, [(d,) for d in sorted(touched)])
        store.put_derived(conn, "key_measures", current)
        stored = store.derived(conn, "key_counts")
        if changed or stored is None:
            store.put_derived(conn, "key_counts", counts(conn))
        else:
            years = {d["year"] for d in engine.of_departments(touched)}
            store.put_derived(conn, "key_counts", recount(conn, stored, years))
    finally:
        if isinstance(conn, sqlite3.Connection):
            conn.row_factory = factory  # type: ignore[assignment]


def _write_rows(
    conn: store.Connection, engine: Engine, current: dict[str, str], changed: list[str], written: list[str], prepared: Prepared | None
) -> set[str]:
    """The key-figure rows the load changes, written; the departments whose chosen rows may move.
    A measure whose signature changed is computed for every document; the others for the written
    documents — taken from `prepared` where it was computed under the same signature (same
    signature, same figures: what keeps every other document's key figures too)."""
    touched = {department for department, _, _ in store.document_order(conn, written).values()}
    conn.executemany("DELETE FROM key_figures WHERE document_id = ?", [(d,) for d in written])  # written again
    if changed:  # every document's
        conn.executemany("DELETE FROM key_figures WHERE measure = ?", [(m,) for m in changed])
        every = list(engine.catalog.every())
        touched = {d["department"] for d in every}
        conn.executemany(INSERT, rows_for(engine, changed, [d["id"] for d in every]))
    kept = [m for m in current if m not in changed]
    held = {m for m in kept if prepared is not None and prepared.signatures.get(m) == current[m]}
    done = prepared.documents & set(written) if prepared is not None else set()
    conn.executemany(INSERT, [r for r in prepared.rows if r[0] in held and r[1] in done] if prepared else [])
    conn.executemany(INSERT, rows_for(engine, [m for m in kept if m not in held], written))
    conn.executemany(INSERT, rows_for(engine, [m for m in kept if m in held], [d for d in written if d not in done]))
    return touched
