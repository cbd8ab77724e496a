"""Descriptions: duties, 机构设置, 绩效目标, 政府采购, 国有资产, 名词解释 lists, 收入来源, 支出结构."""

from __future__ import annotations

from typing import Any

from loaders.template import TableKind

from . import figures, listing
from .answer import Answer, Citation
from .conventions import (
    ORDINAL_ITEM,
)
from .documents import DocData
from .library import Library
from .numbers import fmt
from .parse import Query
from .vocabulary import canon


def describe(lib: Library, q: Query, doc: DocData) -> Answer:
    if q.describe == "performance" and q.unit_asked in ("项", "个", "条") and doc.indicators:
        names = sorted({i["project"] for i in doc.indicators})
        n = len(doc.indicators)  # 有几项绩效指标: a count, never a sum of money
        cites = [Citation(document=doc.id, department=doc.department, year=doc.year, table=f"绩效目标表 · {p}") for p in names]
        return Answer(
            q.question, "answered", f"{lib.prefix(doc)} 绩效目标表共列 {n} 项绩效指标，分属 {len(names)} 个项目：",
            items=names, value=float(n), unit="项", citations=cites, intent="describe",
        )
    cite = Citation(document=doc.id, department=doc.department, year=doc.year, table="情况说明")
    sections = {"duties": ("部门职责", "的主要职责"), "units": ("机构设置", "机构设置")}
    if q.describe in sections:
        section, heading = sections[q.describe]
        texts = [p["text"] for p in doc.passages if p["section"] == section]
        if texts:
            cite.table = f"情况说明 · {section}"
            return Answer(
                q.question,
                "answered",
                f"{doc.department}{heading}：\n" + "\n".join(texts),
                citations=[cite],
                intent="describe",
            )
    if q.describe == "performance":
        goals = [p for p in doc.passages if p["section"].startswith("绩效目标 · ")]
        if doc.indicators or goals:
            projects: dict[str, list[Any]] = {}
            for i in doc.indicators:
                projects.setdefault(i["project"], []).append(i)
            lines = [
                f"{name}：" + "；".join(f"{i['level3']} {i['value_text']}{i['unit']}" for i in items)
                for name, items in projects.items()
            ]
            cite.table = TableKind.PERFORMANCE
            return Answer(
                q.question,
                "answered",
                f"{lib.prefix(doc)} 绩效目标：\n" + "\n".join(lines),
                citations=[cite],
                intent="describe",
            )
    listings = {
        "procurement": (
            TableKind.PROCUREMENT,
            "政府采购",
            lambda r: f"{r.texts.get('项目名称', '')} {r.name} {fmt(r.values.get('合计', 0))} {doc.unit}" if r.code else None,
        ),
        "assets": (
            TableKind.ASSETS,
            "固定资产",
            lambda r: (
                r.name
                + "".join(
                    f" {k}{fmt(r.values[k], doc.unit if k == '价值' else '')}" for k in ("数量", "价值") if k in r.values
                )
            ),
        ),
    }
    if q.describe in listings:
        key, heading, item = listings[q.describe]
        t = doc.tables.get(key)
        items = [text for text in map(item, t.rows) if text] if t is not None else []
        if items and t is not None:
            return Answer(
                q.question,
                "answered",
                f"{lib.prefix(doc)} {heading}：",
                items=items,
                source=t.title,
                citations=[Citation(document=doc.id, department=doc.department, year=doc.year, table=t.title)],
                intent="describe",
            )
    if q.describe == "definitions" and doc.definitions:
        terms = "、".join(x["term"] for x in doc.definitions)
        return Answer(
            q.question,
            "answered",
            f"{doc.department}{doc.year}年部门预算的名词解释有{len(doc.definitions)}条：{terms}。可以问“什么是…”。",
            citations=[Citation(document=doc.id, department=doc.department, year=doc.year, table="名词解释")],
            intent="describe",
        )
    if q.describe in ("income", "spending"):
        found = structure(lib, q, doc)
        if found is not None:
            return found
    return figures.figure(lib, q, doc)

def structure(lib: Library, q: Query, doc: DocData) -> Answer | None:
    """收入来源 (the 收入 side of the 收支总表) or 支出结构 (the 类 rows of the 支出总表 and the
    基本/项目 split), each item cited, empty items left out."""
    t = doc.tables.get(TableKind.TOTALS if q.describe == "income" else TableKind.SPENDING)
    if t is None:
        return None
    if q.describe == "income":
        column = t.side_column("收入") or ""
        rows = [r for r in t.rows if r.name and ORDINAL_ITEM.match(r.name)]
        picked = [(r, canon(r.name)) for r in rows if column and r.values.get(column)]
    else:
        column = "合计"
        picked = [(r, r.display) for r in listing.children(lib, t, None)]
    if not picked or any(column in r.unsure for r, _ in picked):
        return None
    total = sum(r.values.get(column, 0.0) for r, _ in picked)
    items = [
        f"{name} {fmt(r.values[column])} {doc.unit}" + (f"（{r.values[column] / total * 100:.2f}%）" if total else "")
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
