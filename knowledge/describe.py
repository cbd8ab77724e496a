"""Descriptions: duties, 机构设置, 绩效目标, 政府采购, 国有资产, 名词解释 lists, 收入来源, 支出结构."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from loaders.template import TableKind

from . import figures, listing
from .answer import Answer, Citation
from .conventions import (
    ORDINAL_ITEM,
    main_column,
)
from .documents import DocData, RowData, TableData
from .library import Library
from .numbers import fmt
from .parse import Query
from .vocabulary import canon


def describe(lib: Library, q: Query, doc: DocData) -> Answer:
    """The description asked (q.describe) from the describers for it, in order; a figure when
    none of them has anything to say."""
    for describer in DESCRIBERS.get(q.describe or "", ()):
        found = describer(lib, q, doc)
        if found is not None:
            return found
    return figures.figure(lib, q, doc)


def _cite(doc: DocData, table: str) -> Citation:
    return Citation(document=doc.id, department=doc.department, year=doc.year, table=table)


def indicator_count(lib: Library, q: Query, doc: DocData) -> Answer | None:
    """有几项绩效指标: a count, never a sum of money."""
    if q.unit_asked not in ("项", "个", "条") or not doc.indicators:
        return None
    names = sorted({i["project"] for i in doc.indicators})
    n = len(doc.indicators)
    return Answer(
        q.question, "answered", f"{lib.prefix(doc)} 绩效目标表共列 {n} 项绩效指标，分属 {len(names)} 个项目：",
        items=names, value=float(n), unit="项", citations=[_cite(doc, f"绩效目标表 · {p}") for p in names], intent="describe",
    )


def performance(lib: Library, q: Query, doc: DocData) -> Answer | None:
    """The 绩效目标: each project's indicators with their values."""
    goals = [p for p in doc.passages if p["section"].startswith("绩效目标 · ")]
    if not doc.indicators and not goals:
        return None
    projects: dict[str, list[Any]] = {}
    for i in doc.indicators:
        projects.setdefault(i["project"], []).append(i)
    lines = [f"{name}：" + "；".join(f"{i['level3']} {i['value_text']}{i['unit']}" for i in items) for name, items in projects.items()]
    return Answer(
        q.question, "answered", f"{lib.prefix(doc)} 绩效目标：\n" + "\n".join(lines),
        citations=[_cite(doc, TableKind.PERFORMANCE)], intent="describe",
    )


def section(name: str, heading: str) -> Describer:
    """A narrative section printed whole (部门职责, 机构设置)."""

    def describe_section(lib: Library, q: Query, doc: DocData) -> Answer | None:
        texts = [p["text"] for p in doc.passages if p["section"] == name]
        if not texts:
            return None
        return Answer(
            q.question, "answered", f"{doc.department}{heading}：\n" + "\n".join(texts),
            citations=[_cite(doc, f"情况说明 · {name}")], intent="describe",
        )

    return describe_section


def table_items(key: TableKind, heading: str, item: Callable[[RowData, str], str | None]) -> Describer:
    """A table's rows as items (政府采购, 固定资产)."""

    def describe_items(lib: Library, q: Query, doc: DocData) -> Answer | None:
        t = doc.tables.get(key)
        items = [text for text in (item(r, doc.unit) for r in t.rows) if text] if t is not None else []
        if not items or t is None:
            return None
        return Answer(
            q.question, "answered", f"{lib.prefix(doc)} {heading}：", items=items, source=t.title,
            citations=[_cite(doc, t.title)], intent="describe",
        )

    return describe_items


def _procurement_item(r: RowData, unit: str) -> str | None:
    return f"{r.texts.get('项目名称', '')} {r.name} {fmt(r.values.get('合计', 0))} {unit}" if r.code else None


def _asset_item(r: RowData, unit: str) -> str | None:
    return r.name + "".join(f" {k}{fmt(r.values[k], unit if k == '价值' else '')}" for k in ("数量", "价值") if k in r.values)


def definitions_list(lib: Library, q: Query, doc: DocData) -> Answer | None:
    if not doc.definitions:
        return None
    terms = "、".join(x["term"] for x in doc.definitions)
    return Answer(
        q.question, "answered",
        f"{doc.department}{doc.year}年部门预算的名词解释有{len(doc.definitions)}条：{terms}。可以问“什么是…”。",
        citations=[_cite(doc, "名词解释")], intent="describe",
    )


def structure(lib: Library, q: Query, doc: DocData) -> Answer | None:
    """收入来源 (the 收入 side of the 收支总表) or 支出结构 (the 类 rows of the 支出总表 and the
    基本/项目 split), each item cited, empty items left out."""
    t = doc.tables.get(TableKind.TOTALS if q.describe == "income" else TableKind.SPENDING)
    if t is None:
        return None
    column, picked = _income_lines(t) if q.describe == "income" else _spending_classes(lib, t)
    if not column or not picked or any(column in r.unsure for r, _ in picked):
        return None
    total = sum(r.values.get(column, 0.0) for r, _ in picked)
    items = [
        f"{name} {fmt(r.values.get(column, 0.0))} {doc.unit}" + (f"（{r.values.get(column, 0.0) / total * 100:.2f}%）" if total else "")
        for r, name in picked
    ]
    heading = "收入来源" if q.describe == "income" else "支出按功能分类"
    cites = [lib.cite_row(doc, t, r, column, r.values.get(column)) for r, _ in picked]
    if q.describe == "spending":
        row = t.total_row()
        if row is not None and not ({"基本支出", "项目支出"} & row.unsure):
            items.append(
                f"其中基本支出 {fmt(row.values.get('基本支出', 0.0))} {doc.unit}，项目支出 {fmt(row.values.get('项目支出', 0.0))} {doc.unit}"
            )
            cites += [lib.cite_row(doc, t, row, c, row.values.get(c, 0.0)) for c in ("基本支出", "项目支出")]  # every figure shown is cited
    return Answer(
        q.question, "answered", f"{lib.prefix(doc)} {heading}：", items=items, source=t.title, citations=cites, intent="describe",
        unit="万元",  # the figures' unit (the model stores every amount in 万元), so no front guesses it
    )


def _income_lines(t: TableData) -> tuple[str, list[tuple[RowData, str]]]:
    """The 收支总表's 收入 side: its numbered lines with a figure."""
    column = t.side_column("收入") or ""
    rows = [r for r in t.rows if r.name and ORDINAL_ITEM.match(r.name)]
    return column, [(r, canon(r.name)) for r in rows if column and r.values.get(column)]


def _spending_classes(lib: Library, t: TableData) -> tuple[str, list[tuple[RowData, str]]]:
    """The 支出总表's top rows, in its total column (合计, or 支出总计)."""
    return main_column(t.column_keys()) or "", [(r, r.display) for r in listing.children(lib, t, None)]


Describer = Callable[[Library, Query, DocData], "Answer | None"]

# What each kind of description is read from, in order; a kind not here is answered as a figure.
DESCRIBERS: dict[str, tuple[Describer, ...]] = {
    "performance": (indicator_count, performance),
    "duties": (section("部门职责", "的主要职责"),),
    "units": (section("机构设置", "机构设置"),),
    "procurement": (table_items(TableKind.PROCUREMENT, "政府采购", _procurement_item),),
    "assets": (table_items(TableKind.ASSETS, "固定资产", _asset_item),),
    "definitions": (definitions_list,),
    "income": (structure,),
    "spending": (structure,),
}
