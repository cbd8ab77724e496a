"""The load-time checks (loaders/checks.py: sums within tables, identities between them, the
narrative's totals against the tables) as findings — except where the reader was unsure of the
table: a row read without its code and figures between coded rows (a page break lost them), a
科目编码 printed twice. Such a table is said once not to be checked, never reported as wrong."""

from __future__ import annotations

import re

from ..model import Disclosure, Table
from .between_tables import duplicated
from .findings import ERROR, Finding

KIND_OF_CHECK = {"row": "table_sums", "column": "table_sums", "cross": "between_tables", "narrative": "narrative_vs_tables"}
TOTAL_NAMES = re.compile(r"^(?:合计|总计|小计|其中[:：]?|本年.*|上年.*|年初.*|年末.*)$")


def lost_row(t: Table) -> str | None:
    """A row of a coded table read with neither its code nor any figure, between coded rows: the
    reader lost what the page printed there (the table cannot be checked)."""
    coded = [i for i, r in enumerate(t.rows) if r.code]
    if len(coded) < 3:
        return None
    for i in range(coded[0] + 1, coded[-1]):
        r = t.rows[i]
        name = re.sub(r"\s+", "", r.name or "")
        if not r.code and not r.values and not r.ambiguous and name and not TOTAL_NAMES.match(name):
            return f"第{r.number}行“{name}”"
    return None


def review_arithmetic(d: Disclosure) -> tuple[list[Finding], list[str]]:
    unsure: dict[str, str] = {}
    for t in d.tables:
        lost = lost_row(t)
        if lost:
            unsure[t.title] = f"{t.title}（第{t.page}页）：{lost}没有读到编码和数字，这张表的加总没有检查"
    findings: list[Finding] = []
    for w in d.warnings:
        kind = KIND_OF_CHECK.get(w.check)
        if kind is None:
            continue
        table = next((t for t in d.tables if t.title == w.table), None)
        if w.check in ("row", "column") and w.table in unsure:
            continue
        if w.check == "column" and table is not None and _under_duplicate(table, w.row):
            continue  # the document printed a code twice: reported as that (between_tables)
        page = table.page if table is not None else None
        where = f"{w.table} 第{w.row}行" if w.table and w.row else (w.table or "情况说明")
        figures = [v for v in (w.expected, w.found) if v is not None]
        findings.append(Finding(kind, ERROR, _plain(w.message, w.table, w.row), where, page, figures))
    return findings, list(unsure.values())


def _under_duplicate(t: Table, row: int | None) -> bool:
    codes = duplicated(t)
    r = t.row_by_number(row) if row is not None else None
    return bool(codes) and r is not None and any((r.code or "").replace(" ", "") == c or c.startswith((r.code or "").replace(" ", "") or "#") for c in codes)


def _plain(message: str, table: str | None, row: int | None) -> str:
    """The check's message without the table and row it starts with (the finding says where)."""
    where = f"{table} 第{row}行 " if table and row is not None else (f"{table} " if table else "")
    return message[len(where) :] if where and message.startswith(where) else message
