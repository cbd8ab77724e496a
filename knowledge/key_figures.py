"""Key figures: each document's answer to the questions asked across departments, computed when
it is loaded, so "哪个部门项目支出最多" at 10,000 disclosures is one indexed SQL query, not 5,000
documents read.

For each measure in MEASURES the engine parses "哪个部门{measure}最多" and takes, in every
document, exactly what a ranking takes (`_gather`: the candidates with a value, when they agree);
the figure, its label, unit and citation are stored in `key_figures` with the measure's
*signature* — the parts of a parsed question that `_gather` reads. A question asked across
departments whose signature is one of these is answered from the table (compare.py); any other
falls back to reading the documents. When a load changes the vocabulary so that a measure's
signature changes, that measure is computed again for every document; otherwise only for the
documents the load wrote."""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import asdict, dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from loaders import subjects

from . import store
from .parse import Query, parse

if TYPE_CHECKING:
    from .engine import Engine

# What the stored key figures and vocabulary snapshot were derived by: the data the rules read (the
# subject catalogue, the places) by content, and the modules that read figures and words by their
# syntax tree — a changed rule invalidates them, an edited comment does not. RULES_VERSION is for
# a change the digest cannot see (a library's behaviour the rules rely on).
RULES_VERSION = 1
RULE_DATA = (("loaders.data", "subjects.toml"), ("knowledge.data", "places.txt"))
RULE_MODULES = ("body_names", "candidates", "conventions", "figures", "key_figures", "lexicon", "numbers", "parse", "places", "sound", "terms", "vocabulary")


@cache
def rules() -> str:
    """Which reading rules derived what a load stores beside the documents."""
    import ast
    import hashlib
    from importlib.resources import files

    digest = hashlib.sha256(str(RULES_VERSION).encode())
    for package, name in RULE_DATA:
        digest.update(files(package).joinpath(name).read_bytes())
    for module in RULE_MODULES:
        source = files("knowledge").joinpath(f"{module}.py").read_text(encoding="utf-8")
        digest.update(ast.dump(ast.parse(source)).encode())
    return digest.hexdigest()[:16]



MEASURES = subjects.ranked()  # as a question names each (哪个部门…最多)


def signature(q: Query) -> str:
    """What `_gather` reads of a question: its matched subjects and qualifiers, never the body,
    place, year or the words around the subject."""
    return json.dumps(
        {
            "matches": [(m.surface, round(m.score, 2), [(t.kind, t.canonical) for t in m.terms]) for m in q.matches],
            "code": q.code,
            "stage": q.stage,
            "narrative_only": q.narrative_only,
            "count": q.count,
            "fiscal_scope": q.fiscal_scope,
            "unit_asked": q.unit_asked,
            "spending": bool(re.search(r"支出|花", q.match_text)),
            "procurement": bool(re.search(r"采购|买", q.match_text)),
            "basic": "基本" in q.match_text,
            "subject": q.subject_text if q.stage else None,
        },
        ensure_ascii=False,
        sort_keys=True,
    )


def measure_signatures(engine: Engine) -> dict[str, str]:
    """Each measure's signature under the current vocabulary and rules."""
    return {m: rules() + signature(parse(f"哪个部门{m}最多", engine.vocab, engine.newest_year)) for m in MEASURES}


def usable(stored: dict[str, str] | None) -> dict[str, str]:
    """signature → measure, for the key figures a base holds that these rules computed."""
    key = rules()
    return {sig[len(key) :]: m for m, sig in (stored or {}).items() if sig.startswith(key)}


def rows_for(engine: Engine, measures: list[str], doc_ids: list[str]) -> list[tuple[Any, ...]]:
    """The key-figure rows of these documents for these measures (what a ranking would take);
    each document is read once."""
    from . import candidates  # the engine's reading of figures, below the library this module serves

    asked = [(m, parse(f"哪个部门{m}最多", engine.vocab, engine.newest_year)) for m in measures]
    out: list[tuple[Any, ...]] = []
    for doc_id in doc_ids if asked else []:
        doc = engine.doc(doc_id)
        for measure, q in asked:
            cands = [c for c in candidates.gather(engine, q, doc) if c.value is not None]
            if len({round(c.figure, 2) for c in cands}) != 1:
                continue
            best = sorted(cands, key=lambda c: c.rank)[0]
            data = {"unit": best.unit, "label": best.label, "value": best.value, "citation": asdict(best.citation)}
            out.append((measure, doc_id, doc.department, doc.year, best.figure, json.dumps(data, ensure_ascii=False)))
    return out


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
            n = conn.execute("SELECT count(*) FROM key_figures WHERE measure = ? AND chosen = 1 AND year = ?", [measure, year]).fetchone()[0]
            by_year[str(year)] = n
            if not n:
                del by_year[str(year)]  # as `counts` has no entry for a year without figures
        by_year["newest"] = conn.execute("SELECT count(*) FROM key_figures WHERE measure = ? AND chosen = 1 AND newest = 1", [measure]).fetchone()[0]
        if not by_year["newest"]:
            del by_year["newest"]
        if not by_year:
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
    load's transaction, on the base being built). A measure whose signature is the one `prepared`
    was computed under takes its rows from there (same signature, same figures: what keeps every
    other document's key figures too); the rest are computed here."""
    from .engine import Engine

    factory = getattr(conn, "row_factory", None)
    if isinstance(conn, sqlite3.Connection):
        conn.row_factory = sqlite3.Row
    try:
        engine = Engine(conn)
        current = measure_signatures(engine)
        before: dict[str, str] = store.derived(conn, "key_measures") or {}
        everything = [d["id"] for d in engine.documents]
        touched = {engine.by_id[i]["department"] for i in written if i in engine.by_id}
        changed = [m for m, sig in current.items() if before.get(m) != sig]  # computed again for every document
        if changed:
            conn.executemany("DELETE FROM key_figures WHERE measure = ?", [(m,) for m in changed])
            touched = set(engine.by_department)
        conn.executemany("DELETE FROM key_figures WHERE document_id = ?", [(d,) for d in written])  # written again
        insert = "INSERT INTO key_figures (measure, document_id, department, year, figure, data) VALUES (?, ?, ?, ?, ?, ?)"
        conn.executemany(insert, rows_for(engine, changed, everything))
        kept = [m for m in current if m not in changed]
        held = {m for m in kept if prepared is not None and prepared.signatures.get(m) == current[m]}
        done = prepared.documents & set(written) if prepared is not None else set()
        conn.executemany(insert, [r for r in prepared.rows if r[0] in held and r[1] in done] if prepared else [])
        conn.executemany(insert, rows_for(engine, [m for m in kept if m not in held], written))
        conn.executemany(insert, rows_for(engine, [m for m in kept if m in held], [d for d in written if d not in done]))
        conn.executemany(  # which row stands for its department, now that documents came and went
            "UPDATE key_figures SET "
            "chosen = CASE WHEN document_id = (SELECT min(id) FROM documents d WHERE d.department = key_figures.department AND d.year = key_figures.year) THEN 1 ELSE 0 END, "
            "newest = CASE WHEN year = (SELECT max(year) FROM documents d WHERE d.department = key_figures.department) THEN 1 ELSE 0 END "
            "WHERE department = ?",
            [(d,) for d in sorted(touched)],
        )
        store.put_derived(conn, "key_measures", current)
        stored = store.derived(conn, "key_counts")
        if changed or stored is None:
            store.put_derived(conn, "key_counts", counts(conn))
        else:
            years = {d["year"] for dept in touched for d in engine.by_department.get(dept, [])}
            store.put_derived(conn, "key_counts", recount(conn, stored, years))
    finally:
        if isinstance(conn, sqlite3.Connection):
            conn.row_factory = factory  # type: ignore[assignment]
