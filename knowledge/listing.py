"""Lists and rankings: the children of a row, 三公 items, 哪一项最多, the bodies that are loaded."""

from __future__ import annotations

import re

from loaders import subjects
from loaders.template import TableKind

from . import candidates
from .answer import Answer
from .conventions import (
    CODE_LEVEL,
    MAX_OPTIONS,
    _rank,
    _stage_column,
    main_column,
)
from .documents import DocData, RowData, TableData
from .library import Library
from .numbers import fmt
from .parse import Query
from .vocabulary import canon


def children(lib: Library, t: TableData, parent: RowData | None) -> list[RowData]:
    """The rows one level below `parent` by 科目 code; below the table (or its 合计 row): its
    shortest codes, or every row but the totals when it has no codes."""
    if parent is None or (not parent.code and canon(parent.name) in ("合计", "总计")):
        coded = [r for r in t.rows if r.code]
        if not coded:
            return [r for r in t.rows if r is not parent and canon(r.name) not in ("合计", "总计")]
        return _one_level(coded)
    if not parent.code:
        return []
    code = parent.code
    return _one_level([r for r in t.rows if r.code and r.code.startswith(code) and len(r.code) > len(code)])


def _one_level(coded: list[RowData]) -> list[RowData]:
    """The rows of the shortest code among `coded`."""
    if not coded:
        return []
    step = min(len(r.code or "") for r in coded)
    return [r for r in coded if len(r.code or "") == step]


def leaves_of(lib: Library, t: TableData) -> list[RowData]:
    coded = [(r, r.code) for r in t.rows if r.code]
    return [r for r, code in coded if not any(o is not r and other.startswith(code) for o, other in coded)]

def rows_in_scope(lib: Library, q: Query, doc: DocData) -> tuple[TableData, list[RowData], str] | None:
    """The rows a list/top question ranges over, and the column it ranks by; 哪一类 / 哪一款
    ranges over the 类 (3-digit) or 款 (5-digit) codes of the table instead of its leaves."""
    found = scope_rows(lib, q, doc)
    level = CODE_LEVEL.search(q.text)
    if found is None or level is None:
        return found
    t, _, column = found
    width = 3 if level.group(1) == "类" else 5
    rows = [r for r in t.rows if r.code and len(r.code) == width and r.values.get(column)]
    return (t, rows, column) if rows else None

def scope_rows(lib: Library, q: Query, doc: DocData) -> tuple[TableData, list[RowData], str] | None:
    """A row named (or a code): its children; a 基本支出 measure: the 基本支出 table's leaves; else
    the leaves of the 支出总表 (or the 一般公共预算 table) that have a figure."""
    return _named_children(lib, q, doc) or _basic_leaves(lib, q, doc) or _spending_leaves(lib, q, doc)


def _named_children(lib: Library, q: Query, doc: DocData) -> tuple[TableData, list[RowData], str] | None:
    rows = [n for n in q.terms("row") if n not in q.terms("measure")]
    measure = next(iter(q.terms("measure")), None)
    tables = q.terms("table")
    for key in sorted(doc.tables, key=_rank):
        t = doc.tables[key]
        if tables and key not in tables:
            continue
        for r in t.rows:
            if not (rows and canon(r.name) in rows or (q.code and r.code == q.code)):
                continue
            kids = children(lib, t, r)
            if kids:
                column = measure if measure in t.column_keys() else (candidates.default_column(lib, t, r, canon(r.name), False) or "合计")
                return t, kids, column
    return None


def _basic_leaves(lib: Library, q: Query, doc: DocData) -> tuple[TableData, list[RowData], str] | None:
    measure = next(iter(q.terms("measure")), None)
    if measure not in ("基本支出", "人员经费", "公用经费") or TableKind.BASIC not in doc.tables:
        return None
    t = doc.tables[TableKind.BASIC]
    leaves = leaves_of(lib, t)
    if measure != "基本支出":
        leaves = [r for r in leaves if r.values.get(measure)]
    if measure != "基本支出":
        return t, leaves, measure  # no leaf prints it: nothing to list (not the 支出总表's)
    column = main_column(t.column_keys())  # 合计, or the table's one column (预算)
    return t, leaves if column else [], column or "合计"


def _spending_leaves(lib: Library, q: Query, doc: DocData) -> tuple[TableData, list[RowData], str] | None:
    measure = next(iter(q.terms("measure")), None)
    tables = q.terms("table")
    for key in tables or (TableKind.SPENDING, TableKind.GENERAL):  # the table named (经济分类: 基本支出表), or by function
        found = doc.tables.get(key)
        if found is not None:
            column = measure if measure and measure in found.column_keys() else main_column(found.column_keys())
            if column is None:
                return None
            leaves = [r for r in leaves_of(lib, found) if r.values.get(column)]
            return found, leaves, column
    return None


# Words a list or ranking question says without naming a subject (钱都花在哪些地方, 主要用于哪些方面,
# 哪个科目花钱最多): taken out of what is left before it is called unread.
LIST_FILLER = re.compile(
    r"都|地方|方面|主要|哪儿|哪里|用在|用于|具体|分别|各项|明细|情况|一下|科目|花钱|用钱|开支|花销|内容|用途|项目|类别|排名|排行|前几|最大|最小|一共|总共"
    r"|决算|预算|年初|全年|调整|实际"  # the stage, settled before the list is read
)


QUESTION_PARTS = re.compile(r"哪一?[类款项个些种笔块部分]|什么|多少|几[项个类]")


def unknown_subject(lib: Library, q: Query) -> str | None:
    """Words a list or ranking question leaves unread (人员经费有哪些 where no table prints 人员经费;
    扶贫车间有哪些, of which only 车 is a term): the question is about something the lists here
    are not, and no list is the answer."""
    if q.code:
        return None
    text = q.match_text
    for m in q.matches:  # what the subjects read cover, by where they stand
        if m.end > m.start:
            text = text[: m.start] + " " * (m.end - m.start) + text[m.end :]
    for span in lib.vocab.content_spans(text):
        rest = LIST_FILLER.sub("", QUESTION_PARTS.sub("", span))  # 哪一类, 哪些: what is asked, not what about
        if len(re.findall(r"[\u4e00-\u9fff]", rest)) >= 2:
            whole = re.search(rf"[\u4e00-\u9fff]*{re.escape(span)}[\u4e00-\u9fff]*", q.match_text)  # as asked: 扶贫车间
            return whole.group(0) if whole else span
    return None


def not_listed(lib: Library, q: Query, doc: DocData, word: str) -> Answer:
    return lib.help(q, f"{lib.prefix(doc)} 的数据里没有找到“{word}”这一项，列不出它的明细。")


def list_items(lib: Library, q: Query, doc: DocData) -> Answer:
    unknown = unknown_subject(lib, q)
    if unknown:
        return not_listed(lib, q, doc, unknown)
    if len(q.matches) == 1 and subjects.THREE_PUBLIC in q.terms("fact"):  # “三公”经费有哪些: its items, wherever printed
        return sanggong_items(lib, q, doc)
    scope = rows_in_scope(lib, q, doc)
    if scope is None:
        return lib.nothing(q, doc)
    t, rows, column = scope
    if not rows:
        return not_listed(lib, q, doc, "、".join(m.surface for m in q.matches)) if q.matches else lib.nothing(q, doc)
    items = [f"{r.code + ' ' if r.code else ''}{r.display} {show(lib, r, column, doc.unit)}" for r in rows]
    cites = [lib.cite_row(doc, t, r, column, r.values.get(column)) for r in rows]
    return Answer(
        q.question,
        "answered",
        f"{lib.prefix(doc)} {t.title}中共{len(rows)}项：",
        items=items,
        source=f"{t.title}（{column}栏）",
        citations=cites,
        intent="list",
    )

def sanggong_items(lib: Library, q: Query, doc: DocData) -> Answer:
    """“三公”经费明细: the table's rows, or when it is empty, the narrative's items."""
    t = doc.tables.get(TableKind.THREE_PUBLIC)
    if t is not None and t.rows:
        return _sanggong_table(lib, q, doc, t)
    keys = subjects.leaves(subjects.THREE_PUBLIC)
    facts = [doc.facts[k] for k in keys if k in doc.facts]
    if not facts:
        return lib.nothing(q, doc)
    items = [f"{f['key']} {fmt(f['value'], f['unit'])} {f['unit']}" for f in facts]
    note = f"{t.title}为空表（{t.note}）；" if t is not None and t.note else ""
    return Answer(
        q.question,
        "answered",
        f"{lib.prefix(doc)} “三公”经费：{note}情况说明列出：",
        items=items,
        citations=[lib.cite_fact(doc, f) for f in facts],
        intent="list",
    )


def _sanggong_table(lib: Library, q: Query, doc: DocData, t: TableData) -> Answer:
    """The 三公 table's items as the catalogue names them (a table of 三公经费、会议费、培训费 holds
    more), in the column of the stage asked (a 决算's 预算数 | 决算数: its 决算数), else its total."""
    column = _stage_column(t.column_keys(), q.stage or ("决算数" if doc.kind == "决算" else None)) or main_column(t.column_keys())
    if column is None:
        return lib.nothing(q, doc)
    inside = {canon(name) for name in subjects.within(subjects.THREE_PUBLIC)}
    whole = _sanggong_whole(t, inside)
    rows = [r for r in t.rows if canon(r.name) in inside] or [r for r in t.rows if r is not whole]
    said = f" {show(lib, whole, column, doc.unit)}" if whole is not None and column in whole.values else ""
    return Answer(
        q.question,
        "answered",
        f"{lib.prefix(doc)} “三公”经费{said}，其中：",
        items=[f"{r.display} {show(lib, r, column, doc.unit)}" for r in rows],
        source=t.title,
        citations=[lib.cite_row(doc, t, r, column, r.values.get(column, 0.0)) for r in rows],
        intent="list",
    )


def _sanggong_whole(t: TableData, inside: set[str]) -> RowData | None:
    """The 三公's total: a row named for it (苏州/江苏 print 三公经费 | 会议费 | 培训费 under one 合计,
    which is then not the 三公's), or the 合计 of a table of the 三公 alone."""
    named = next((r for r in t.rows if canon(r.name) == canon(subjects.THREE_PUBLIC)), None)
    if named is not None:
        return named
    others = [r for r in t.rows if canon(r.name) not in inside | {canon(subjects.THREE_PUBLIC), "合计"}]
    return None if others else next((r for r in t.rows if canon(r.name) == "合计"), None)


def show(lib: Library, r: RowData, column: str, unit: str) -> str:
    if column in r.unsure:
        return "（栏目不确定）"
    return f"{fmt(r.values.get(column, 0.0))} {unit}"

def top(lib: Library, q: Query, doc: DocData) -> Answer:
    unknown = unknown_subject(lib, q)
    if unknown:
        return not_listed(lib, q, doc, unknown)
    scope = rows_in_scope(lib, q, doc)
    if scope is None:
        return lib.nothing(q, doc)
    t, rows, column = scope
    rows = [r for r in rows if column not in r.unsure]
    if not rows or column not in t.column_keys():
        return lib.nothing(q, doc)  # never a ranking of a column the table does not print (all would be 0)
    reverse = q.intent == "top"
    ranked = sorted(rows, key=lambda r: r.values.get(column, 0.0), reverse=reverse)
    best = ranked[0]
    value = best.values.get(column, 0.0)
    ties = [r for r in ranked if abs(r.values.get(column, 0.0) - value) < 0.005]
    word = "最多" if reverse else "最少"
    names = "、".join(r.display for r in ties)
    others = "；".join(f"{r.display} {fmt(r.values.get(column, 0.0))}" for r in ranked[len(ties) : len(ties) + 3])
    text = f"{lib.prefix(doc)} {t.title}中{word}的是 {names}：{fmt(value)} {doc.unit}" + (f"（其次：{others}）" if others else "")
    cites = [lib.cite_row(doc, t, r, column, r.values.get(column, 0.0)) for r in ranked[:4]]
    return Answer(
        q.question, "answered", text, value=value, unit=doc.unit, citations=cites, intent=q.intent, source=cites[0].label()
    )

def list_departments(lib: Library, q: Query) -> Answer:
    """Which bodies are loaded (of a place, of a year), one per line with their years."""
    shown = MAX_OPTIONS * 3
    if q.place:  # a place's bodies by its index
        bodies = lib.departments_of(q.place)
        total = None
    else:  # the first in name order, of how many
        bodies, total = lib.catalog.first_bodies(shown, q.year)
    years: dict[str, list[int]] = {}
    for d in lib.of_departments(bodies):
        if q.year is None or d["year"] == q.year:
            years.setdefault(d["department"], []).append(d["year"])
    if not years:
        return lib.not_loaded(q, f"没有{q.place or ''}{f'{q.year}年' if q.year else ''}的部门数据。")
    total = len(years) if total is None else total
    names = sorted(years)[:shown]
    lines = [f"{name}（{'、'.join(f'{y}年' for y in sorted(years[name]))}）" for name in names]
    more = f"等{total}个" if total > len(names) else f"{total}个"
    head = f"已载入{q.place or ''}{more}部门（单位）的预算公开："
    return Answer(q.question, "answered", head, items=lines, intent="list")
