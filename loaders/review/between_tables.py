"""The same figure in two tables, like with like: a 类 line of the 收支总表 (all funds) against
the 类 row of the 支出总表, and of the 财政拨款收支总表's 一般公共预算 column against the 一般公共
预算支出表 — compared only where the two tables' totals agree (so both cover the same money).
And a 科目编码 printed twice in one table (21999 for its 项 2199999)."""

from __future__ import annotations

import re

from ..model import Disclosure, Row, Table
from ..template import TableKind, column_stage
from .findings import ERROR, HINT, Finding

ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|\d+[、.．])")
MAIN = ("合计", "本年支出合计", "支出合计", "决算数", "金额")


def _name(text: str | None) -> str:
    return ORDINAL.sub("", re.sub(r"\s+", "", text or ""))


def _spending_column(d: Disclosure, t: Table, fund: str | None) -> str | None:
    """The 支出 side's column of all the money (or of `fund`), in a 决算 its 决算数."""
    side = [c for c in t.columns if c.side == "支出"]
    if fund:
        return next((c.key for c in side if fund in c.key or fund in c.label), None)
    if d.kind == "决算":
        staged = next((c.key for c in side if column_stage(c.key) == "决算数"), None)
        if staged:
            return staged
    return next((c.key for c in side if c.key in MAIN), side[0].key if side else None)


def _main(t: Table) -> str | None:
    keys = [c.key for c in t.columns]
    return next((k for k in MAIN if k in keys), keys[0] if keys else None)


def _classes(t: Table, column: str) -> dict[str, tuple[Row, float]]:
    return {
        _name(r.name): (r, r.values[column])
        for r in t.rows
        if r.code and len(r.code.replace(" ", "")) == 3 and column in r.values and r.is_certain(column)
    }


def _total(t: Table, column: str) -> float | None:
    r = next((r for r in t.rows if not r.code and _name(r.name) in ("合计", "总计", "支出合计")), None)
    return r.values.get(column) if r is not None and r.is_certain(column) else None


def review_between_tables(d: Disclosure) -> list[Finding]:
    out: list[Finding] = []
    pairs = ((TableKind.TOTALS, None, TableKind.SPENDING), (TableKind.FISCAL_TOTALS, "一般公共预算", TableKind.GENERAL))
    for totals_key, fund, spending_key in pairs:
        totals, spending = d.table(totals_key), d.table(spending_key)
        if totals is None or spending is None:
            continue
        column, main = _spending_column(d, totals, fund), _main(spending)
        if column is None or main is None:
            continue
        lines = {
            _name(r.name_right or r.name): (r, r.values[column])
            for r in totals.rows
            if column in r.values and r.is_certain(column)
        }
        classes = _classes(spending, main)
        total = _total(spending, main)
        whole = next((v for n, (_, v) in lines.items() if n.replace("本年", "") in ("支出合计", "支出总计")), None)
        if total is None or whole is None or abs(total - whole) > 0.015:
            continue  # the two tables do not cover the same money (or a total is not read): not compared
        for name, (row, value) in classes.items():
            if name in lines and abs(lines[name][1] - value) > 0.005:
                out.append(
                    Finding(
                        "between_tables", ERROR,
                        f"{name}：{totals.title} 第{lines[name][0].number}行为 {lines[name][1]:.2f}，{spending.title} {row.code} 为 {value:.2f}",
                        f"{totals.title} / {spending.title}", spending.page, [lines[name][1], value],
                    )
                )
    return out + duplicate_codes(d)


def duplicate_codes(d: Disclosure) -> list[Finding]:
    """A code printed on two rows in a row (21999 其他支出 twice: its 项 2199999 misprinted); the
    same code far apart is another unit's block (北京 lists each unit's rows in turn)."""
    out: list[Finding] = []
    for t in d.tables:
        for a, b in zip(t.rows, t.rows[1:], strict=False):
            code = (a.code or "").replace(" ", "")
            if code and code == (b.code or "").replace(" ", ""):
                out.append(
                    Finding(
                        "duplicate_code", HINT, f"科目编码 {code} 连印了两次（第{a.number}行、第{b.number}行），下一级科目的编码可能印错了",
                        t.title, t.page, [],
                    )
                )
                break
    return out


def duplicated(t: Table) -> set[str]:
    """The codes a table prints twice in a row: its hierarchy under them cannot be checked."""
    return {(a.code or "").replace(" ", "") for a, b in zip(t.rows, t.rows[1:], strict=False) if a.code and a.code == b.code}
