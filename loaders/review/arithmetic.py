"""The load-time checks (loaders/checks.py: sums within tables, identities between them, the
narrative's totals against the tables) as findings — except where the reader was unsure of the
table: a row read without its code and figures between coded rows (a page break lost them), a
科目编码 printed twice. Such a table is said once not to be checked, never reported as wrong."""

from __future__ import annotations

import re

from ..model import Disclosure, NarrativeFact, Table, Warning_
from ..template import TableKind
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


LISTS = (TableKind.UNITS, TableKind.PROJECTS, TableKind.PROCUREMENT, TableKind.PERFORMANCE)  # lists, not sums
ABSURD = 5.0  # a printed error is a slip (9,078.52 for 9,466.77); 302 against 392,695 is a misreading


def _page(page: int | None) -> str:
    return f"（第{page}页）" if page else ""


def misread(expected: float | None, found: float | None) -> bool:
    """Two figures too far apart for a slip of the document: the reader's, not the document's."""
    if expected is None or found is None:
        return False
    small, large = sorted((abs(expected), abs(found)))
    return large > 1 and (small == 0 or large / small > ABSURD)


def unread_rows(t: Table) -> str | None:
    """Rows read with their names but no figure anywhere in the table: the figures were not read
    (a table printed empty has no item rows, or its note)."""
    if t.key in LISTS:
        return None
    named = [r for r in t.rows if r.name and not TOTAL_NAMES.match(re.sub(r"\s+", "", r.name))]
    if len(named) >= 2 and not any(r.values or r.ambiguous for r in t.rows) and not t.note:
        return f"读到了 {len(named)} 行，却没有读到一个数字"
    return None


def unsure_tables(d: Disclosure) -> dict[str, str]:
    """The tables the reader was unsure of, with why: each is said once not to be checked."""
    unsure: dict[str, str] = {}
    for t in d.tables:
        why = lost_row(t)
        # a PDF's blank cells are printed blank (a 三公 table of a unit without any); text copied
        # out of a PDF may have lost its figures
        why = f"{why}没有读到编码和数字" if why else (unread_rows(t) if d.source_format == "text" else None)
        if why:
            unsure[t.title] = f"{t.title}{_page(t.page)}：{why}，这张表没有检查"
    for w in d.warnings:
        if w.table and w.table not in unsure and w.check in KIND_OF_CHECK and misread(w.expected, w.found):
            page = next((t.page for t in d.tables if t.title == w.table), None)
            unsure[w.table] = f"{w.table}{_page(page)}：读出的数字相差太远（{w.expected:.2f} 与 {w.found:.2f}），可能没有读对，这张表没有检查"
    return unsure


def review_arithmetic(d: Disclosure, unsure: dict[str, str]) -> list[Finding]:
    findings: list[Finding] = []
    for w in d.warnings:
        kind = KIND_OF_CHECK.get(w.check)
        if kind is None:
            continue
        table = next((t for t in d.tables if t.title == w.table), None)
        if w.table in unsure:
            continue
        if w.check == "column" and table is not None and _under_duplicate(table, w.row):
            continue  # the document printed a code twice: reported as that (between_tables)
        page = table.page if table is not None else None
        where = f"{w.table} 第{w.row}行" if w.table and w.row else (w.table or "情况说明")
        figures = [v for v in (w.expected, w.found) if v is not None]
        said = _stated_whole(d, w) if w.table is None else None  # the narrative against itself: its sentence
        if said is not None:
            where, page, kind = f"情况说明 · {said.section}", said.page, "narrative_sums"
        findings.append(Finding(kind, ERROR, _plain(w.message, w.table, w.row), where, page, figures, said.text if said else None))
    return findings


def _stated_whole(d: Disclosure, w: Warning_) -> NarrativeFact | None:
    """The narrative's sentence stating the whole a narrative-only check is about (“三公”经费…)."""
    return next((f for f in d.facts if w.expected is not None and f.key in w.message.replace("“", "").replace("”", "") and abs(f.value - w.expected) < 0.005), None)


def _under_duplicate(t: Table, row: int | None) -> bool:
    codes = duplicated(t)
    r = t.row_by_number(row) if row is not None else None
    return bool(codes) and r is not None and any((r.code or "").replace(" ", "") == c or c.startswith((r.code or "").replace(" ", "") or "#") for c in codes)


def _plain(message: str, table: str | None, row: int | None) -> str:
    """The check's message without the table and row it starts with (the finding says where)."""
    where = f"{table} 第{row}行 " if table and row is not None else (f"{table} " if table else "")
    return message[len(where) :] if where and message.startswith(where) else message
