"""What a document of its kind must publish: the standard tables (loaders.template.STANDARD_TABLES),
an empty one printed with its note; and the 绩效目标's project funds against the 项目支出."""

from __future__ import annotations

import re

from ..model import Disclosure
from ..precision import agrees_as_stated
from ..template import STANDARD_TABLES, TableKind, kind_meaning
from .findings import HINT, Finding
from .sentences import AMOUNT, number, sentences, short

PERFORMANCE_FUNDS = re.compile(rf"绩效目标[^。；]{{0,40}}?项目(?:预算)?资金(?:共计|合计|总额)?(?:为)?{AMOUNT}\s*万元")


def review_completeness(d: Disclosure) -> list[Finding]:
    found = {t.key for t in d.tables}
    # text copied out of a PDF loses what tells a table's title from its lines: a table not found
    # there may be one not read, so only a PDF or a workbook is said to lack one
    out = [
        Finding("completeness", HINT, f"没有找到{kind_meaning(k)}的表（{k}）", "全文")
        for k in STANDARD_TABLES.get(d.kind, ())
        if k not in found and d.scope == "部门" and d.source_format != "text"
    ]
    out += [
        Finding("empty_table", HINT, "表中没有数字，也没有说明为什么是空表", t.title, t.page)
        for t in d.tables
        if t.key in FUND_OF and not any(r.values or r.ambiguous for r in t.rows) and not t.note and len(t.rows) <= 1 and not explained(d, t.key)
    ]
    return out + performance_total(d)


# The tables a template says must be printed, empty, with a note saying why (无政府性基金预算财政拨款
# 收入支出的，仍保留该表格式，并在本表下方作下述说明), and the fund the note names.
FUND_OF: dict[str, str] = {TableKind.FUND: "政府性基金", TableKind.STATE_CAPITAL: "国有资本经营", TableKind.THREE_PUBLIC: "三公"}


def explained(d: Disclosure, key: str) -> bool:
    """The narrative says why the table is empty (本单位无政府性基金预算…, 政府性基金…0万元)."""
    fund = FUND_OF.get(key)
    if fund is None:
        return False
    said = re.compile(rf"(?:无|没有|未安排|不涉及|未发生)[^。；]{{0,24}}{fund}|{fund}[^。；]{{0,40}}?(?:为0|为零|0万元|0元|0\.00万元|无|没有)")
    return any(said.search(s.text) for s in sentences(d))


def performance_total(d: Disclosure) -> list[Finding]:
    """编报绩效目标的项目…涉及项目预算资金X万元: every project has its targets, so X is the 项目支出."""
    spending = d.table(TableKind.SPENDING)
    total = next((r for r in (spending.rows if spending else []) if not r.code and re.sub(r"\s", "", r.name) in ("合计", "总计")), None)
    if spending is None or total is None or "项目支出" not in total.values or d.kind != "预算":
        return []
    projects = total.values["项目支出"]
    for s in sentences(d):
        m = PERFORMANCE_FUNDS.search(s.text)
        if m and not agrees_as_stated(number(m.group(1)), m.group(1), projects):
            return [
                Finding(
                    "performance_total", HINT,
                    f"编报绩效目标的项目资金 {m.group(1)} 万元，{spending.title}的项目支出为 {projects:.2f} 万元",
                    s.where, s.page, [number(m.group(1)), projects], short(m.group(0)),
                )
            ]
    return []
