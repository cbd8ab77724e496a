"""Which rule answers a question: the engine's routes, in the order they are tried.

A question is parsed into a `Query`; `settle_years` reads a change question's two years once;
the question routes (about no document or several) are tried in order; then `resolve` settles the
one document and the stage asked; then the document routes. Each route is a name, a predicate
and a handler, plain functions over the `Library` (the documents, the vocabulary, the loader of
documents) and the query: the first whose predicate holds and whose handler gives an answer wins,
and the answer records the route's name, so that a wrong answer can be traced to its rule.
A handler that finds nothing returns None and the next route is tried."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from . import compare, describe, figures, listing, operations, terms
from .answer import Answer
from .conventions import INCLUDES
from .documents import DocData
from .library import Library
from .parse import Query

RANKING = ("top", "bottom")
ONE_FIGURE = ("figure", "share", "change", *RANKING)


@dataclass(frozen=True)
class Route:
    name: str
    when: Callable[[Library, Query], bool]
    answer: Callable[[Library, Query], Answer | None]


@dataclass(frozen=True)
class DocumentRoute:
    name: str
    when: Callable[[Library, Query, DocData], bool]
    answer: Callable[[Library, Query, DocData], Answer | None]


# ------------------------------------------------------------------------------ before any document


def guess_body(lib: Library, q: Query) -> Answer:
    guesses = q.department_guesses
    asked = f"您是指{guesses[0]}吗？" if len(guesses) == 1 else f"您是指{'还是'.join(guesses)}？"
    assert q.unknown_department is not None
    return Answer(
        q.question,
        "clarify",
        f"没有找到“{q.unknown_department}”。{asked}",
        options=[lib.strip(q.question).replace(q.unknown_department, g, 1) for g in guesses],
        intent=q.intent,
    )


def is_definition(lib: Library, q: Query) -> bool:
    return q.intent == "definition" and bool(q.terms("definition")) and not q.code and not q.describe


def asks_what_a_term_covers(lib: Library, q: Query) -> bool:
    """其他资金包括哪些: what the term covers, by its 名词解释."""
    return bool(q.terms("definition")) and not q.departments and bool(INCLUDES.search(q.text)) and not q.code


def several_bodies_named(lib: Library, q: Query) -> bool:
    """教育局和卫健局的项目支出."""
    return len(q.departments) > 1 and q.department_mentions > 1 and q.intent in ("figure", *RANKING)


def two_loaded_years(lib: Library, q: Query) -> bool:
    return len(q.years) == 2 and compare.loaded_years(lib, q) >= set(q.years)


QUESTION_ROUTES: tuple[Route, ...] = (
    Route("empty question", lambda lib, q: not q.text.strip(), lambda lib, q: lib.help(q, "请输入一个关于部门预算的问题。")),
    Route("body guessed", lambda lib, q: bool(q.unknown_department and q.department_guesses), guess_body),
    Route(
        "body not loaded",
        lambda lib, q: bool(q.unknown_department),
        lambda lib, q: lib.not_loaded(q, f"没有{q.unknown_department}的数据。"),
    ),
    Route(
        "definition",
        is_definition,
        lambda lib, q: terms.definition(lib, q) or lib.help(q, "没有找到这个名词的解释。"),
    ),
    Route("what a term covers", asks_what_a_term_covers, lambda lib, q: terms.definition(lib, q, quiet=True)),
    Route(
        "place not loaded",
        lambda lib, q: q.all_departments and bool(q.unloaded_place),
        lambda lib, q: lib.not_loaded(q, f"载入的部门里没有{q.unloaded_place}的（名称里没有这个地名）。"),
    ),
    Route(
        "bodies of a place",  # 曲阳县有哪些部门的预算
        lambda lib, q: q.all_departments and not q.matches and not q.code and q.intent in ("figure", "list"),
        listing.list_departments,
    ),
    Route(
        "across bodies",
        lambda lib, q: q.all_departments and q.intent in ("figure", "list", *RANKING),
        compare.across_departments,
    ),
    Route(
        "bodies named",
        several_bodies_named,
        lambda lib, q: compare.across_departments(lib, q, q.departments),
    ),
    Route(
        "which year more",  # 2023年和2025年项目支出哪个多
        lambda lib, q: q.operation in ("more", "less") and two_loaded_years(lib, q),
        operations.which_year,
    ),
    Route("change between years", lambda lib, q: q.intent == "change" and two_loaded_years(lib, q), compare.change_between),
)


def settle_years(lib: Library, q: Query) -> None:
    """The two years a change question compares: 比2024年 with only 2025 loaded is its narrative's
    比上年 (the 2025 document); a change asked of one year or none, the two latest loaded years
    that compare (or, when none do, the narrative's 比上年 of the year asked)."""
    if q.intent != "change":
        return
    if len(q.years) == 2 and not two_loaded_years(lib, q) and max(q.years) - min(q.years) == 1:
        q.year, q.years = max(q.years), [max(q.years)]
    elif len(q.years) <= 1:
        latest = compare.latest_with_previous(lib, q) if q.year is None else compare.with_previous(lib, q, q.year)
        if latest is not None:
            q.year, q.years = latest, [latest, latest - 1]


# ---------------------------------------------------------------------------------- the document


def resolve(lib: Library, q: Query) -> DocData | Answer:
    """The one document a question is about (or the question back), and the figure of it asked:
    a 决算's 年初预算 when the question says 预算 of it."""
    docs, problem = lib.documents_for(q)
    if problem is not None:
        return problem
    doc = docs[0]
    if q.stage == "决算数" and doc.kind == "预算":  # 实际支出 / 决算 of a budget: it has none
        return lib.help(q, f"载入的{doc.department}{doc.year}年是预算，不是决算，没有实际支出（决算）数。")
    if doc.kind == "决算" and q.stage is None and q.says_budget:
        q.stage = "年初预算"  # 2024年预算项目支出 in a 决算: the year's budget, not what was spent
    return doc


DOCUMENT_ROUTES: tuple[DocumentRoute, ...] = (
    DocumentRoute("describe", lambda lib, q, doc: bool(q.describe), describe.describe),
    DocumentRoute(
        "narrower than found",  # 扶贫车间: never the figure of 扶贫
        lambda lib, q, doc: bool(q.unexplained) and q.intent in ONE_FIGURE and not q.code,
        operations.narrower_than_found,
    ),
    DocumentRoute("both stages", operations.asks_both_stages, operations.stages),  # 预算和决算分别多少
    DocumentRoute("operation", lambda lib, q, doc: True, operations.operation),
    DocumentRoute("share", lambda lib, q, doc: q.intent == "share", compare.share),
    DocumentRoute("change", lambda lib, q, doc: q.intent == "change", compare.change),
    DocumentRoute("ranking", lambda lib, q, doc: q.intent in RANKING, listing.top),
    DocumentRoute(
        "several figures",
        lambda lib, q, doc: q.intent in ("list", "figure") and figures.several_figures(lib, q),
        figures.figures,
    ),
    DocumentRoute("list", lambda lib, q, doc: q.intent == "list", listing.list_items),
    DocumentRoute(
        "definition asked as such",
        lambda lib, q, doc: q.intent == "definition" and not q.code,
        lambda lib, q, doc: terms.definition(lib, q, quiet=True),
    ),
    DocumentRoute("figure", lambda lib, q, doc: True, figures.figure),
)


def route(lib: Library, q: Query) -> Answer:
    settle_years(lib, q)
    for r in QUESTION_ROUTES:
        if r.when(lib, q):
            found = r.answer(lib, q)
            if found is not None:
                return found.traced(r.name, q)
    resolved = resolve(lib, q)
    if isinstance(resolved, Answer):
        return resolved.traced("document not chosen", q)
    for d in DOCUMENT_ROUTES:
        if d.when(lib, q, resolved):
            found = d.answer(lib, q, resolved)
            if found is not None:
                return found.traced(d.name, q)
    raise AssertionError("the figure route answers every question")  # pragma: no cover
