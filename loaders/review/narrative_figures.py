"""Figures the narrative names with their fund (一般公共预算财政拨款基本支出5377.64万元) against that
fund's table, like with like; when the figure is another fund's (all the money's), say whose."""

from __future__ import annotations

import re

from ..model import Disclosure, Table
from ..precision import agrees_as_stated
from ..template import TableKind
from .findings import ERROR, Finding
from .sentences import AMOUNT, number, sentences, short

# (words the narrative names the figure with, the fund's table and column, the all-funds table and column)
NAMED = (
    ("一般公共预算财政拨款基本支出", (TableKind.GENERAL, "基本支出"), (TableKind.SPENDING, "基本支出")),
    ("一般公共预算财政拨款项目支出", (TableKind.GENERAL, "项目支出"), (TableKind.SPENDING, "项目支出")),
)
FIGURE_AFTER = re.compile(rf"^(?:决算|预算|支出)?(?:数)?(?:为|是)?{AMOUNT}\s*万元")


def _total(t: Table | None, column: str) -> float | None:
    if t is None:
        return None
    r = next((r for r in t.rows if not r.code and re.sub(r"\s+", "", r.name or "") in ("合计", "总计")), None)
    return r.values.get(column) if r is not None and column in r.values and r.is_certain(column) else None


def review_narrative_figures(d: Disclosure) -> list[Finding]:
    out: list[Finding] = []
    seen: set[tuple[str, float]] = set()
    for s in sentences(d):
        for words, (fund_table, column), (all_table, all_column) in NAMED:
            at = s.text.find(words)
            if at < 0:
                continue
            m = FIGURE_AFTER.match(s.text[at + len(words) :])
            if m is None:
                continue
            stated = number(m.group(1))
            table = d.table(fund_table)
            printed = _total(table, column)
            if printed is None or (words, stated) in seen or agrees_as_stated(stated, m.group(1), printed):
                continue
            seen.add((words, stated))
            whole = _total(d.table(all_table), all_column)
            said = f"；{m.group(1)} 是全部资金的{all_column}（{all_table}）" if whole is not None and agrees_as_stated(stated, m.group(1), whole) else ""
            assert table is not None
            out.append(
                Finding(
                    "narrative_vs_tables", ERROR, f"情况说明的{words} {m.group(1)} 万元，{table.title}为 {printed:.2f} 万元{said}",
                    s.where, s.page, [stated, printed], short(s.text[at : at + len(words) + m.end()]),
                )
            )
    return out
