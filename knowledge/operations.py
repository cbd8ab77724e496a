"""Arithmetic people ask for over the figures they name: per month or quarter, which of two is
more, their sum, their difference — computed from cited figures, every operand cited.

A question that names a subject narrower than any item (扶贫车间 where the document has 扶贫) is
not answered with the broader item's figure: the answer says what is there and asks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from loaders.template import TableKind

from . import compare, figures
from .answer import Answer, Citation
from .conventions import MONEY_UNITS
from .documents import DocData
from .library import Library
from .numbers import fmt
from .parse import Query
from .vocabulary import Match, Term

PERIODS = {"per_month": (12, "每月"), "per_quarter": (4, "每季度")}


def narrower_than_found(lib: Library, q: Query, doc: DocData) -> Answer:
    word = q.unexplained[0]
    found = next((m.surface for m in q.matches if word.startswith(q.match_text[m.start : m.end])), word[:2])
    return Answer(
        q.question,
        "clarify",
        f"{lib.prefix(doc)} 的文件里没有“{word}”这一项，只有范围更大的“{found}”，它的数字不能当作“{word}”的。要看“{found}”吗？",
        options=[f"{doc.department}{doc.year}年{found}是多少"],
        intent=q.intent,
    )

def execution(lib: Library, q: Query, doc: DocData) -> Answer:
    """预算执行率 of a 决算: the 决算数 over the 年初预算 of the subject (by default the
    一般公共预算财政拨款支出), both cited."""
    if doc.kind != "决算":
        return lib.help(q, f"{lib.prefix(doc)} 是预算，不是决算：还没有执行数，算不出执行率。")
    subject = q if q.matches else replace(q, subject_text="一般公共预算财政拨款支出", matches=table_words(lib, q, TableKind.GENERAL))
    both = both_stages(lib, subject, doc)
    if isinstance(both, Answer):
        return both
    actual, budget = both
    if not budget.value:
        return lib.help(q, f"{lib.prefix(doc)} 年初预算为 0，执行率无从计算。")
    rate = round(actual.value / budget.value * 100, 2)
    text = f"{lib.prefix(doc)} 决算数 {fmt(actual.value)} 万元，年初预算 {fmt(budget.value)} 万元，执行率 {rate:.2f}%"
    source = "；".join(x.source for x in (actual, budget) if x.source)
    return Answer(
        q.question, "answered", text, value=rate, unit="%", citations=actual.citations + budget.citations, intent="figure", source=source
    )

def which_year(lib: Library, q: Query) -> Answer:
    """2023年和2025年项目支出哪个多: the same figure in both years' documents, compared."""
    both = compare.change_between(lib, replace(q, intent="change", unit_asked=None, operation=None))
    if both.status != "answered" or len(both.citations) != 2:
        return both
    later, earlier = both.citations
    if later.value is None or earlier.value is None:
        return both
    pick_later = (later.value >= earlier.value) == (q.operation == "more")
    winner = later if pick_later else earlier
    text = f"{both.statement}；{winner.year}年{'多' if q.operation == 'more' else '少'}"
    return Answer(
        q.question, "answered", text, value=winner.value, unit=both.unit, citations=both.citations, intent="figure", source=both.source
    )

@dataclass
class Stated:
    """One stage's answer and its figure (an answered figure always has one)."""

    answer: Answer
    value: float

    @property
    def citations(self) -> list[Citation]:
        return self.answer.citations

    @property
    def source(self) -> str | None:
        return self.answer.source


def both_stages(lib: Library, q: Query, doc: DocData) -> tuple[Stated, Stated] | Answer:
    """The 决算数 and the 年初预算 of the subject of a question about a 决算, each answered and
    cited, or the answer that says which could not be found."""
    budget = figures.figure(lib, replace(q, stage="年初预算", operation=None, intent="figure", unit_asked=None), doc)
    actual = figures.figure(lib, replace(q, stage="决算数", operation=None, intent="figure", unit_asked=None), doc)
    if budget.value is None or actual.value is None or budget.status != "answered" or actual.status != "answered":
        return budget if budget.value is None else actual
    return Stated(actual, actual.value), Stated(budget, budget.value)

BOTH_STAGES = re.compile(r"(?:年初|全年)?预算(?:数)?\s*(?:和|与|及|、|跟)\s*(?:决算|实际)|(?:决算|实际)(?:数)?\s*(?:和|与|及|、|跟)\s*(?:年初|全年)?预算")


def asks_both_stages(lib: Library, q: Query, doc: DocData) -> bool:
    """公务接待费预算和决算分别多少: one subject of a 决算, at both stages."""
    return doc.kind == "决算" and bool(q.matches) and q.operation is None and bool(BOTH_STAGES.search(q.text))


def stages(lib: Library, q: Query, doc: DocData) -> Answer:
    """The 年初预算 and the 决算数 of one subject of a 决算, each cited."""
    both = both_stages(lib, q, doc)
    if isinstance(both, Answer):
        return both
    actual, budget = both
    text = f"{lib.prefix(doc)} {q.matches[0].surface}：年初预算 {fmt(budget.value)} 万元，决算数 {fmt(actual.value)} 万元"
    source = "；".join(x.source for x in (budget, actual) if x.source)
    return Answer(q.question, "answered", text, citations=budget.citations + actual.citations, intent="figure", source=source)


def stage_difference(lib: Library, q: Query, doc: DocData) -> Answer:
    """决算数 − 年初预算 of one subject of a 决算, both cited."""
    both = both_stages(lib, q, doc)
    if isinstance(both, Answer):
        return both
    actual, budget = both
    value = round(actual.value - budget.value, 2)
    word = "多" if value >= 0 else "少"
    said = f"决算比预算{word} {fmt(abs(value))} 万元" if value else "决算与预算相同"
    text = f"{lib.prefix(doc)} 决算数 {fmt(actual.value)} 万元，年初预算 {fmt(budget.value)} 万元，{said}"
    source = "；".join(x.source for x in (actual, budget) if x.source)
    return Answer(
        q.question, "answered", text, value=value, unit="万元", citations=actual.citations + budget.citations, intent="figure", source=source
    )

def table_words(lib: Library, q: Query, key: str) -> list[Match]:
    return [Match(key, 0, 0, [Term("table", key)], 100.0)]

def operation(lib: Library, q: Query, doc: DocData) -> Answer | None:
    """The answer to a question with an operation, or None when it has none this module does."""
    op = q.operation
    if op == "execution":
        return execution(lib, q, doc)
    if op in PERIODS:
        return per_period(lib, q, doc, op)
    if op not in ("more", "less", "sum", "difference") or len(q.years) > 1:
        return None
    subjects = [m for m in q.matches if m.end > m.start]
    if len(subjects) < 2:
        return one_subject(lib, q, doc, op, subjects)
    parts = [figures.figure(lib, replace(q, matches=[m], intent="figure", operation=None, code=None), doc) for m in subjects[:2]]
    unsure = next((a for a in parts if a.status != "answered" or a.value is None), None)
    if unsure is not None:
        return unsure
    (a, b), (ma, mb) = parts, subjects[:2]
    if a.unit != b.unit:
        return lib.help(q, f"{ma.surface}和{mb.surface}的单位不同（{a.unit}、{b.unit}），不能相加减。")
    value, said = two_figures(op, (ma.surface, a), (mb.surface, b))
    source = "；".join(x.source for x in parts if x.source)
    return Answer(
        q.question, "answered", f"{lib.prefix(doc)} {said}", value=value, unit=a.unit, citations=a.citations + b.citations,
        intent="figure", source=source,
    )


def per_period(lib: Library, q: Query, doc: DocData, op: str) -> Answer:
    """平均每月: the year's figure divided, said with the division."""
    base = figures.figure(lib, replace(q, operation=None, intent="figure"), doc)
    if base.status != "answered" or base.value is None or base.unit not in MONEY_UNITS:
        return base
    n, word = PERIODS[op]
    value = round(base.value / n, 2)
    text = f"{base.statement}，平均{word} {fmt(value)} {base.unit}（全年 {fmt(base.value)} ÷ {n}）"
    return Answer(q.question, "answered", text, value=value, unit=base.unit, citations=base.citations, intent="figure", source=base.source)


def one_subject(lib: Library, q: Query, doc: DocData, op: str, subjects: list[Match]) -> Answer | None:
    """An operation on two figures with fewer than two subjects: a 决算's 决算 against its 预算,
    else never one figure for a question about two."""
    if op == "difference" and doc.kind == "决算" and re.search(r"预算", q.text) and re.search(r"决算|实际", q.text):
        return stage_difference(lib, q, doc)  # 三公经费决算与预算相差多少
    if op in ("more", "less", "difference"):
        named = f"（只认出：{'、'.join(m.surface for m in subjects)}）" if subjects else ""
        return lib.help(q, f"{lib.prefix(doc)} 的数据里没有找到要比较的两项{named}。")
    return None


def two_figures(op: str, first: tuple[str, Answer], second: tuple[str, Answer]) -> tuple[float, str]:
    """Two figures of one unit compared, added or subtracted: the value and the sentence."""
    (na, a), (nb, b) = first, second
    assert a.value is not None and b.value is not None
    both = f"{na} {fmt(a.value)} {a.unit}，{nb} {fmt(b.value)} {b.unit}"
    if op in ("more", "less"):
        picked = (a.value >= b.value) == (op == "more")
        winner, value = (na, a.value) if picked else (nb, b.value)
        word = "多" if op == "more" else "少"
        tie = a.value == b.value
        return value, f"{both}，" + ("两者相同" if tie else f"{winner}{word}（相差 {fmt(abs(a.value - b.value))} {a.unit}）")
    if op == "sum":
        value = round(a.value + b.value, 2)
        return value, f"{both}，合计 {fmt(value)} {a.unit}"
    value = round(a.value - b.value, 2)
    return value, f"{both}，{na}比{nb}{'多' if value >= 0 else '少'} {fmt(abs(value))} {a.unit}"
