"""Candidate figures: every cell, narrative fact or empty table that may answer a question,
read source by source (named rows, the catalogue's subject rows, fallbacks, a table's total, the
narrative), then narrowed by what the question's words say. `figures` chooses among them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from loaders.template import TWO_SIDED, TableKind

from .answer import Citation
from .conventions import (
    BASIC_ONLY,
    BROAD,
    COUNT_UNITS,
    COUNTED,
    FACT_ALIASES,
    FALLBACK_ROWS,
    FUND_SPENDING,
    FUND_TABLES,
    GENERAL_FUND,
    PART_OF_MONEY,
    PRECEDENCE,
    PROCUREMENT_TABLE,
    SUBJECT_ROWS,
    WHOLE_ITEM,
    Candidate,
    _bare,
    _fits_stage,
    _main_column,
    _rank,
    _short,
    _side_name,
    _stage_column,
    _table_kind_of,
    all_one_fund,
    fund_named,
    fund_spending_table,
    main_column,
    named_fund_tables,
    side_fits,
    stage_fits,
)
from .documents import DocData, RowData, TableData
from .library import Library
from .parse import Query
from .vocabulary import canon


def cell_of(lib: Library, doc: DocData, t: TableData, r: RowData, column: str, label: str, count: bool = False) -> Candidate:
    unit = doc.unit
    if t.key == TableKind.ASSETS and column == "数量":
        unit = COUNT_UNITS.get(r.texts.get("数量单位", ""), r.texts.get("数量单位", "个"))
    value = None if column in r.unsure else r.values.get(column, 0.0)
    return Candidate(
        value=value,
        unit=unit,
        citation=lib.cite_row(doc, t, r, column, value),
        rank=_rank(t.key),
        label=label,
        broad=t.key in BROAD,
    )

def default_column(lib: Library, t: TableData, r: RowData, matched: str, count: bool, stage: str | None = None) -> str | None:
    keys = t.column_keys()
    if t.key in TWO_SIDED:
        side = "收入" if canon(r.name) == matched else "支出"
        sided = [c["key"] for c in t.columns if c["side"] == side]
        if _stage_column(sided, stage):  # a 决算's 收支总表: 年初预算数 | 调整预算数 | 决算数 on each side
            sided = [k for k in sided if stage_fits(k, stage)]
        own = [k for k in sided if k in r.values]
        return own[0] if own else (sided[0] if sided else t.side_column(side))  # a second 支出 block has its own column
    staged = _stage_column(keys, stage)
    if staged:
        return staged
    if t.key == TableKind.ASSETS:
        return "数量" if count else "价值"
    if "价值" in keys and not ("合计" in keys or "金额" in keys):
        return "价值"
    return main_column(keys)

def row_candidates(
    lib: Library, q: Query, doc: DocData, names: list[str], measure: str | None, tables: list[str] | None
) -> list[Candidate]:
    """The cells of the rows named `names` (or the question's 科目 code), in `measure`'s column or
    the row's own figure column."""
    out = []
    for t in doc.tables.values():
        if (tables and t.key not in tables) or (measure and measure not in t.column_keys()):
            continue
        for r, matched in named_rows(q, t, names):
            column = measure or default_column(lib, t, r, matched, q.count, q.stage)
            if column is None or not on_its_side(t, r, matched, measure):
                continue
            if column in COUNTED and column not in r.values:
                continue  # a blank 数量 or 面积 is not stated, not 0 (a blank in a money column is 0)
            name = _side_name(t, r, column)
            label = name + ("" if column in ("合计",) or t.key in TWO_SIDED else " · " + column)
            cand = cell_of(lib, doc, t, r, column, label=label)
            cand.citation.name = name
            out.append(cand)
    return out


def named_rows(q: Query, t: TableData, names: list[str]) -> list[tuple[RowData, str]]:
    """The rows of `t` named one of `names` (or carrying the question's code), with the name
    matched. Two-sided tables list the 结转 by the same item names again: 年初结转 · 一般公共预算
    拨款 is not the year's 一般公共预算拨款 unless 结转 is asked."""
    out = []
    carried, seen = False, set()
    for r in t.rows:
        matched = next((n for n in names if n in (canon(r.name), canon(r.name_right), _bare(r.name))), None)
        if matched is None and q.code and r.code == q.code:
            matched = canon(r.name)
        if t.key in TWO_SIDED:
            repeated = carried and _bare(r.name) in seen and "结转" not in q.text
            carried = carried or "结转" in (r.name or "")
            seen.add(_bare(r.name))
            if repeated:
                continue
        if matched is not None:
            out.append((r, matched))
    return out


def on_its_side(t: TableData, r: RowData, matched: str, measure: str | None) -> bool:
    """A 收入 item's figure is on the 收入 side, never the 支出 item's beside it."""
    if not measure or t.key not in TWO_SIDED:
        return True
    side = "收入" if matched in (canon(r.name), _bare(r.name)) else "支出"
    return next((c["side"] for c in t.columns if c["key"] == measure), side) == side


SUBTOTALS = ("合计", "小计", "总计")


def measure_candidates(lib: Library, doc: DocData, measure: str, tables: list[str] | None) -> list[Candidate]:
    out = []
    for t in doc.tables.values():
        if tables and t.key not in tables:
            continue
        if measure in t.column_keys():
            total = t.total_row()
            if total is not None:
                out.append(cell_of(lib, doc, t, total, measure, label=measure))
            elif not t.rows and t.note:
                out.append(empty_table(lib, doc, t, measure))
        elif (parts := [c["key"] for c in t.columns if c["label"].split("/")[:-1][-1:] == [measure]]) and (total := t.total_row()):
            own = [c["key"] for c in t.columns if c["key"] in parts and c["label"].split("/")[-1] in SUBTOTALS]
            if own:  # 基本支出 / 合计 | 人员经费 | 公用经费: the group's own subtotal, never its parts added to it
                out.append(cell_of(lib, doc, t, total, own[0], label=measure))
            else:
                out += group_sum(lib, doc, t, measure, parts)
    return out

def group_sum(lib: Library, doc: DocData, t: TableData, group: str, parts: list[str]) -> list[Candidate]:
    """A group the header prints only as its parts (基本支出 / 人员支出 | 日常公用支出, no 小计):
    its figure is theirs added, when every part's cell is sure."""
    total = t.total_row()
    if total is None or any(k in total.unsure for k in parts):
        return []
    cell = cell_of(lib, doc, t, total, parts[0], label=group)
    cell.value = round(sum(total.values.get(k, 0.0) for k in parts), 2)
    cell.citation.column = f"{group}（{' + '.join(parts)}）"
    cell.citation.value = cell.value
    return [cell]

def empty_table(lib: Library, doc: DocData, t: TableData, label: str) -> Candidate:
    return Candidate(
        value=0.0,
        unit=doc.unit,
        rank=_rank(t.key),
        label=label,
        broad=t.key in BROAD,
        citation=Citation(
            document=doc.id,
            department=doc.department,
            year=doc.year,
            table=t.title,
            name=label,
            value=0.0,
            page=t.page,
            text=t.note,
        ),
    )

def fact_candidates(lib: Library, doc: DocData, names: list[str], stage: str | None = None) -> list[Candidate]:
    out = []
    for n in names:
        if stage in ("年初预算", "全年预算"):  # a 决算 narrative states both: 年初预算为…，支出决算为…
            n = f"{FACT_ALIASES.get(n, n)}{stage}"
        f = doc.facts.get(n) or doc.facts.get(FACT_ALIASES.get(n, ""))
        if f is None:
            continue
        value, unit = f["value"], f["unit"]
        if unit == "元" and doc.unit == "万元":
            value, unit = value / 10000, "万元"
        out.append(
            Candidate(
                value=value,
                unit=unit,
                citation=lib.cite_fact(doc, f),
                rank=len(PRECEDENCE) + 1,
                label=f["key"],
                broad=False,
            )
        )
    return out

@dataclass
class Asked:
    """What a question names, as gather reads it: the tables, measures (columns), rows and
    narrative facts, and the fund's own spending table when it names one."""

    tables: list[str] | None
    measures: list[str]
    rows: list[str]
    facts: list[str]
    fund_table: str | None

    @property
    def names(self) -> list[str]:
        return self.facts + self.measures + self.rows


def asked(q: Query) -> Asked:
    tables = q.terms("table") or None
    measures = q.terms("measure")
    funds = [m for m in measures if m in FUND_TABLES]
    spending = [m for m in measures if m not in FUND_TABLES]
    if funds and (spending or re.search(r"支出|花", q.match_text)) and not tables:
        # 一般公共预算财政拨款的项目支出: the fund's own expenditure table, its 合计 row
        tables = [FUND_TABLES[funds[0]]]
        measures = spending or ["合计"]
    rows, facts = q.terms("row"), q.terms("fact")
    fund_table = None if tables else fund_spending_table(q.match_text)
    if fund_table:  # 政府性基金项目支出: the fund's table, not its income rows
        fund = next(f for f, t in FUND_SPENDING.items() if t == fund_table)
        tables = [fund_table]
        measures = [m for m in measures if fund not in m] or ["合计"]
        rows = [r for r in rows if fund not in r]
        facts = [f for f in facts if fund in f]
    return Asked(tables, measures, rows, facts, fund_table)


def gather(lib: Library, q: Query, doc: DocData) -> list[Candidate]:
    """Every figure that may answer `q` in `doc`, read source by source, then narrowed by what the
    question's words say (procurement, the fund, the side, the stage, the fiscal scope)."""
    a = asked(q)
    cands = fund_table_empty(lib, doc, a)
    if q.narrative_only:
        return fact_candidates(lib, doc, a.names, q.stage)
    cands += named_cells(lib, q, doc, a)
    cands += subject_cells(lib, q, doc, a, cands)
    cands += fallback_cells(lib, doc, a, cands)
    cands += table_totals(lib, q, doc, a, cands)
    cands += narrative_facts(lib, q, doc, a)
    cands = as_worded(q, doc, cands)
    if doc.kind == "决算":
        cands = [c for c in cands if _fits_stage(c, q.stage)]
        if not cands and q.stage in ("年初预算", "全年预算"):
            cands = stage_from_passages(lib, q, doc)
    return in_fiscal_scope(q, doc, cands)


def fund_table_empty(lib: Library, doc: DocData, a: Asked) -> list[Candidate]:
    """The fund's own table printed empty with its note: 0."""
    empty = doc.tables.get(a.fund_table) if a.fund_table else None
    if empty is not None and not empty.rows and empty.note:
        return [empty_table(lib, doc, empty, empty.title)]
    return []


def named_cells(lib: Library, q: Query, doc: DocData, a: Asked) -> list[Candidate]:
    """Rows the question names (or its 科目 code), in the column it names; then the measure's
    total row when no row answered or the rows asked are the measures themselves."""
    cands: list[Candidate] = []
    measure = a.measures[0] if a.measures else None
    if a.rows or q.code:
        names = [n for n in a.rows if n not in a.measures] or a.rows
        cands += row_candidates(lib, q, doc, names, measure if names != a.rows or len(a.measures) else None, a.tables)
        if measure and not cands:
            cands += row_candidates(lib, q, doc, names, None, a.tables)
        if measure and not cands and names != a.rows:  # the subject is a row too (一、一般公共预算拨款收入)
            cands += row_candidates(lib, q, doc, a.rows, None, a.tables)
    if measure and (not cands or (set(a.rows) <= set(a.measures) and not any(c.broad for c in cands))):
        # 基本支出 asked: the all-funds table's 合计 row, also when a 财政拨款 table has a 基本支出 row
        cands += measure_candidates(lib, doc, measure, a.tables)
    return cands


def subject_cells(lib: Library, q: Query, doc: DocData, a: Asked, found: list[Candidate]) -> list[Candidate]:
    """The rows the catalogue says hold a subject (SUBJECT_ROWS), a row named for it first;
    the subject's own table printed empty is 0."""
    cands: list[Candidate] = []
    for name in a.names:
        for n, (key, row_names, *fixed) in enumerate(SUBJECT_ROWS.get(canon(name), [])):
            t = doc.tables.get(key)
            if t is None or (a.tables and key not in a.tables):
                continue
            if not t.rows and t.note and n == 0:
                cands.append(empty_table(lib, doc, t, name))
            if not t.rows:
                continue
            wanted = [canon(name)] + [canon(n) for n in row_names]
            r = next((r for w in wanted for r in t.rows if canon(r.name) == w), None)
            column = (fixed[0] if fixed else None) or _stage_column(t.column_keys(), q.stage)
            if column is None:
                column = (t.side_column("收入") if key in TWO_SIDED else None) or _main_column(t)
            if r is not None and not any(c.citation.table == t.title and c.citation.row == r.number for c in found + cands):
                cands.append(cell_of(lib, doc, t, r, column, label=name))
    return cands


def fallback_cells(lib: Library, doc: DocData, a: Asked, found: list[Candidate]) -> list[Candidate]:
    """When no all-funds cell was found: the rows the catalogue falls back to (FALLBACK_ROWS)."""
    if any(c.from_table and c.broad and c.value is not None for c in found):
        return []
    cands: list[Candidate] = []
    for name in a.names:
        for key, row_names in FALLBACK_ROWS.get(canon(name), []):
            t = doc.tables.get(key)
            r = next((r for w in row_names for r in (t.rows if t else []) if canon(r.name) == w), None)
            if t is not None and r is not None and (not a.tables or key in a.tables):
                cands.append(cell_of(lib, doc, t, r, _main_column(t), label=name))
    return cands


def table_totals(lib: Library, q: Query, doc: DocData, a: Asked, found: list[Candidate]) -> list[Candidate]:
    """A table named alone: its 合计 (in a 决算, the stage's column), or 0 when it is printed empty."""
    if not a.tables or found or a.rows or a.measures or a.facts or q.code:
        return []
    cands: list[Candidate] = []
    for key in a.tables:
        t = doc.tables.get(key)
        total = t.total_row() if t is not None else None
        if t is not None and total is not None:
            column = _stage_column(t.column_keys(), q.stage) or _main_column(t)
            cands.append(cell_of(lib, doc, t, total, column, label=t.title))
        elif t is not None and not t.rows and t.note:
            cands.append(empty_table(lib, doc, t, t.title))
    return cands


def narrative_facts(lib: Library, q: Query, doc: DocData, a: Asked) -> list[Candidate]:
    """The narrative's figures for the subjects asked, when no table or code narrows the question."""
    if a.tables or q.code:
        return []
    names = [f for f in a.facts if not (a.rows and f in a.measures)]
    names += [m for m in a.measures if not a.rows and m not in names]
    names += [r for r in a.rows if r not in names and r not in a.measures]
    return fact_candidates(lib, doc, names, q.stage)


def as_worded(q: Query, doc: DocData, cands: list[Candidate]) -> list[Candidate]:
    """Figures the question's words rule out: a procurement line unless buying is asked; the
    基本支出 part of an item printed whole elsewhere; a fund's figure unless that fund is named;
    the wrong side of a two-sided table."""
    if not re.search(r"采购|买", q.match_text):  # a procurement table's lines and columns are what is bought, not the budget
        cands = [c for c in cands if _table_kind_of(doc, c) != PROCUREMENT_TABLE]
    whole = {c.citation.name for c in cands if _table_kind_of(doc, c) in WHOLE_ITEM}
    if whole and "基本" not in q.match_text:
        cands = [c for c in cands if not (_table_kind_of(doc, c) in BASIC_ONLY and c.citation.name in whole)]
    cands = [c for c in cands if fund_named(_table_kind_of(doc, c), q.text)]
    named_fund = next((f for f in FUND_SPENDING if f in q.match_text), None)
    if named_fund:  # 政府性基金收入: a figure whose table, row or column (or subject) names that fund
        cands = [c for c in cands if _table_kind_of(doc, c) == FUND_SPENDING[named_fund] or _names(c, named_fund)]
    return [c for c in cands if side_fits(c.citation.column if c.from_table else c.label, _table_kind_of(doc, c), q.text)]


def in_fiscal_scope(q: Query, doc: DocData, cands: list[Candidate]) -> list[Candidate]:
    """The department's figure is the all-funds one unless a fund is named; a named fund's
    figure is its table's (and the narrative's where its sentence names the fund too)."""
    if cands and not q.fiscal_scope and any(c.broad for c in cands):
        return [c for c in cands if c.broad or c.rank > len(PRECEDENCE)]
    if cands and q.fiscal_scope and (named := named_fund_tables(q.text)):
        scoped = [c for c in cands if _table_kind_of(doc, c) in named]
        if scoped:  # 一般公共预算安排的行政运行: that fund's table, not the all-funds 支出总表
            said = [c for c in cands if not c.from_table and GENERAL_FUND.search(c.citation.text or "")]
            return scoped + said
        return cands
    if cands and not q.fiscal_scope and not all_one_fund(doc):
        # the all-funds table was not read: a 一般公共预算 figure is not the department's
        return [c for c in cands if not (c.from_table and _table_kind_of(doc, c) in PART_OF_MONEY)]
    return cands


def stage_from_passages(lib: Library, q: Query, doc: DocData) -> list[Candidate]:
    """A 决算 narrative states each item's 年初预算 / 全年预算 beside its 决算数
    (`城乡社区规划与管理（项）。… 年初预算为3110.14万元，支出决算为2739.56万元`)."""
    subject = q.subject_text
    if not subject or not q.stage:
        return []
    stated = re.compile(q.stage + r"(?:数)?为?\s*(-?\d+(?:\.\d+)?)\s*万元")
    for p in doc.passages:
        text = re.sub(r"\s+", "", p["text"])
        at = text.find(subject)
        if at < 0:
            continue
        m = stated.search(text, at)
        if m is None or text.count("。", at, m.start()) > 3:
            continue  # the figure belongs to the subject's item (a numbered paragraph of its own)
        value = float(m.group(1))
        cite = Citation(
            document=doc.id,
            department=doc.department,
            year=doc.year,
            table=f"情况说明 · {p['section']}",
            name=f"{subject}{q.stage}",
            value=value,
            page=p["page"],
            text=_short(text[max(0, at - 10) : m.end() + 20], 160),
        )
        return [Candidate(value=value, unit="万元", citation=cite, rank=len(PRECEDENCE) + 1, label=f"{subject}{q.stage}", broad=False)]
    return []


def _names(c: Candidate, word: str) -> bool:
    """Whether a figure is named with `word`: a cell by its table, row or column; a narrative
    figure by its subject (not by the sentence around it, which names its neighbours too)."""
    said = (c.citation.table, c.citation.name, c.citation.column) if c.from_table else (c.citation.name, c.label)
    return word in " ".join(filter(None, said))
