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
from dataclasses import asdict
from functools import cache
from typing import TYPE_CHECKING, Any

from loaders import subjects

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
    from . import candidates, figures  # the engine's reading of figures, below the library this module serves

    asked = [(m, parse(f"哪个部门{m}最多", engine.vocab, engine.newest_year)) for m in measures]
    out: list[tuple[Any, ...]] = []
    for doc_id in doc_ids if asked else []:
        doc = engine.doc(doc_id)
        for measure, q in asked:
            best = figures.one_figure(candidates.gather(engine, q, doc))
            if best is None:
                continue
            data = {"unit": best.unit, "label": best.label, "value": best.value, "citation": asdict(best.citation)}
            out.append((measure, doc_id, doc.department, doc.year, best.figure, json.dumps(data, ensure_ascii=False)))
    return out
