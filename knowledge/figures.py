"""Figures: the choice among the candidate figures — one figure with its citations, or a clarify
when readings disagree or only a part of what was asked is known."""

from __future__ import annotations

import re
from dataclasses import replace

from loaders.precision import agrees_as_stated, stated_decimals
from loaders.subjects import RUNNING_COSTS
from loaders.template import TableKind

from . import terms
from .answer import Answer, Citation
from .candidates import gather, measure_candidates
from .conventions import (
    BASIC_ONLY,
    WHOLE_ITEMS,
    Candidate,
    _short,
    _table_kind_of,
    _unit_fits,
)
from .documents import DocData
from .library import Library
from .numbers import fmt
from .parse import Query
from .vocabulary import canon


def figure(lib: Library, q: Query, doc: DocData) -> Answer:
    """One figure for `q` in `doc`: an indicator, or the cells and facts gathered and agreed on;
    a clarify when they disagree or only a part of what was asked is known."""
    special = terms.indicator(lib, q, doc)
    if special is None and q.unit_asked and q.unit_asked != "%":
        special = terms.indicator_by_unit(lib, q, doc)
    if special is not None:
        return special
    cands = gather(lib, q, doc)
    if not cands and RUNNING_COSTS in q.terms("fact"):
        near = running_costs_missing(lib, q, doc)
        if near is not None:
            return near
    if q.unit_asked:  # 多少场 is never answered in 万元, 百分之几 never in 万元
        cands = [c for c in cands if _unit_fits(c.unit, q.unit_asked)]
    partial = only_basic_part(lib, q, doc, cands)
    if partial is not None:
        return partial
    if not cands:
        found = terms.definition(lib, q, quiet=True) if q.intent == "definition" else None
        return found if found is not None else lib.nothing(q, doc)
    sure = [c for c in cands if c.value is not None]
    if not sure:
        return unsure_cell(lib, q, doc, cands[0])
    groups = agreeing(sure)
    if len(groups) > 1:
        return clarify_figures(lib, q, doc, groups)
    return stated(lib, q, doc, sorted(sure, key=lambda c: c.rank))


def running_costs_missing(lib: Library, q: Query, doc: DocData) -> Answer | None:
    """A tables-only file without 机关运行经费: say what is there (公用经费), do not equate them."""
    near = measure_candidates(lib, doc, "公用经费", None)
    if not near or near[0].value is None:
        return None
    return Answer(
        q.question,
        "clarify",
        f"{lib.prefix(doc)} 的文件没有列出机关运行经费。一般公共预算基本支出中的公用经费为 {fmt(near[0].figure)} 万元"
        f"（{near[0].citation.label()}）；机关运行经费是其中行政单位（含参公事业单位）的部分，下属事业单位的不算在内。"
        "要看公用经费吗？",
        options=[f"{doc.department}{doc.year}年公用经费是多少"],
        citations=[near[0].citation],
        intent=q.intent,
    )


def only_basic_part(lib: Library, q: Query, doc: DocData, cands: list[Candidate]) -> Answer | None:
    """An item printed whole elsewhere (会议费) found only in the 基本支出 table: only its
    基本支出 part is known here; say so, do not call it the whole."""
    partial = [c for c in cands if _table_kind_of(doc, c) in BASIC_ONLY]
    if not partial or len(partial) != len(cands) or TableKind.THREE_PUBLIC in doc.tables or "基本" in q.match_text:
        return None
    name = partial[0].citation.name or partial[0].label
    if canon(name) not in WHOLE_ITEMS:
        return None
    return Answer(
        q.question,
        "clarify",
        f"{lib.prefix(doc)} 没有读到“三公”经费、会议费、培训费表，只知道基本支出中的{name}：{fmt(partial[0].figure)} {partial[0].unit}"
        f"（{partial[0].citation.label()}）。要看基本支出中的这一项吗？",
        options=[f"{doc.department}{doc.year}年基本支出中的{name}是多少"],
        citations=[partial[0].citation],
        intent=q.intent,
    )


def unsure_cell(lib: Library, q: Query, doc: DocData, c: Candidate) -> Answer:
    return Answer(
        q.question,
        "not_found",
        f"{lib.prefix(doc)} {c.label}：原表这一格的栏目无法确定（文本丢失了空白单元格），"
        f"不给出数字以免出错。见{c.citation.label()}。",
        citations=[c.citation],
        intent="figure",
    )


def agreeing(sure: list[Candidate]) -> dict[float, list[Candidate]]:
    """Figures grouped by value, most trusted source first; the narrative's 19,302万元 is the
    table's 193,018,000 元 rounded to whole 万元: one figure."""
    groups: dict[float, list[Candidate]] = {}
    for c in sorted(sure, key=lambda c: c.rank):
        same = next(
            (v for v in groups if not c.from_table and stated_decimals(c.figure, c.citation.text) < 2 and agrees_as_stated(c.figure, c.citation.text, v)),
            None,
        )
        groups.setdefault(round(c.figure, 2) if same is None else same, []).append(c)
    return groups


def one_figure(cands: list[Candidate]) -> Candidate | None:
    """What a ranking takes from a document: the figure all its sources agree on, as a single
    answer states it (a narrative's rounded 万元 agreeing with its table), from the most trusted
    source; none when they disagree."""
    groups = agreeing([c for c in cands if c.value is not None])
    return next(iter(groups.values()))[0] if len(groups) == 1 else None


def stated(lib: Library, q: Query, doc: DocData, best: list[Candidate]) -> Answer:
    """The agreed figure, from its most trusted source, with up to two more that say the same."""
    main = best[0]
    cites = [main.citation]
    for c in best[1:]:
        if len(cites) < 3 and all(c.citation.label() != x.label() for x in cites):
            cites.append(c.citation)
    name = main.label
    text = f"{lib.prefix(doc)} {name} {fmt(main.figure, main.unit)} {main.unit}"
    if q.fuzzy:
        text += f"（按“{name}”理解）"
    doubts = doc.doubts_about(main.citation.table, main.citation.row) if main.from_table else []
    return Answer(
        q.question, "answered", text, value=main.value, unit=main.unit, citations=cites, intent="figure",
        source=source_line(main, cites), disagreements=doubts,
    )


def source_line(main: Candidate, cites: list[Citation]) -> str:
    """Where the figure is printed, and where else it is (a narrative's rounded 万元 said so)."""
    source = main.citation.label()
    if main.citation.row is None and main.citation.text:
        source += f"：“{_short(main.citation.text)}”"
    if len(cites) > 1:
        rounded = [c for c in cites[1:] if c.value is not None and main.value is not None and round(c.value, 2) != round(main.value, 2)]
        source += "；" + "；".join(
            c.label() + (f" 写作 {_as_stated(c.value)} 万元（取整）" if c in rounded and c.value is not None else "") for c in cites[1:]
        ) + (" 也是这个数" if len(cites) == 2 else " 都是这个数")  # said so a citizen reads it
    return source


def several_figures(lib: Library, q: Query) -> bool:
    """基本支出和项目支出分别是多少: two or more subjects and a word that joins them."""
    if len(q.matches) < 2 or "包括" in q.text:
        return False
    joined = [m for m in q.matches if m.score == 100]
    between = [q.match_text[a.end : b.start] for a, b in zip(joined, joined[1:], strict=False)]  # where the matches are
    return any(re.fullmatch(r"\s*(和|与|及|、|以及|跟)\s*", gap) for gap in between) or bool(
        re.search(r"分别|各(是|为)?多少", q.text)
    )

def figures(lib: Library, q: Query, doc: DocData) -> Answer:
    answers = [figure(lib, replace(q, matches=[m], intent="figure", code=None), doc) for m in q.matches]
    answered = [a for a in answers if a.status == "answered" and a.value is not None]
    if len(answered) != len(answers):
        return next((a for a in answers if a.status != "answered"), answers[0])
    text = "；".join(a.answer.rstrip("。") for a in answered) + "。"
    return Answer(q.question, "answered", text, citations=[c for a in answered for c in a.citations], intent="list")

def clarify_figures(lib: Library, q: Query, doc: DocData, groups: dict[float, list[Candidate]]) -> Answer:
    options, lines = [], []
    for value, cands in groups.items():
        c = cands[0]
        where = "情况说明" if c.citation.row is None and c.citation.table.startswith("情况说明") else c.citation.table
        options.append(
            f"{doc.department}{doc.year}年{where}的{c.label.split(' · ')[0]}"
            + (
                f"{c.citation.column}"
                if c.citation.column and c.citation.column != "合计" and c.citation.column not in c.label.split(" · ")[0]
                else ""
            )
        )
        lines.append(f"{c.citation.label()}：{fmt(value, c.unit)} {c.unit}")
    return Answer(
        q.question,
        "clarify",
        "这个问题有几种理解，数字不同：" + "；".join(lines) + "。请问指哪一个？",
        citations=[g[0].citation for g in groups.values()],
        options=options,
        intent="figure",
    )


def _as_stated(value: float) -> str:
    """A narrative's rounded figure as it printed it: 1361, not 1361.00."""
    return str(int(value)) if value == int(value) else fmt(value)
