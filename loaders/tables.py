"""From rows as read to rows with every value in its column.

A reader (text, PDF, XLSX) produces `RawTable`s: the header's columns and, per row, the values
in reading order (grouped by side for 收支总表). `place_tables` works out the table structure
(parents by 科目编码 prefix, the 合计 row, the 收入/支出 totals of two-sided tables), collects
what other tables and the narrative already say about each table's column totals, and asks
`columns.solve` for the placements. A reader that knows each value's column (by x position or
spreadsheet cell) gives `fixed` values instead and nothing is searched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .columns import Identity, Problem, RowValues, solve, to_ambiguities
from .headers import TWO_SIDED
from .model import Ambiguity, Column, NarrativeFact, Row, Table, Warning_
from .template import TableKind

ORDINAL = re.compile(r"^[一二三四五六七八九十]+、")
FUNDS = ("政府性基金", "国有资本经营", "一般公共预算")


@dataclass
class RawRow:
    number: int
    name: str
    code: str | None = None
    name_right: str | None = None
    groups: list[tuple[str | None, list[float]]] = field(default_factory=list)  # (side, values)
    fixed: dict[str, float] | None = None
    page: int | None = None
    line: int | None = None

    @property
    def full_name_key(self) -> str:
        return " ".join(n for n in (self.name, self.name_right) if n)


@dataclass
class RawTable:
    key: str
    title: str
    columns: list[Column]
    identities: list[Identity]
    rows: list[RawRow] = field(default_factory=list)
    note: str | None = None
    page: int | None = None
    line: int | None = None
    label_columns: list[str] = field(default_factory=list)
    sum_columns: list[str] | None = None  # the columns that add up down the table (default: all)
    problems: list[str] = field(default_factory=list)  # what the reader noticed (reported as warnings)


def structure(table: RawTable) -> list[tuple[int, list[int]]]:
    """(parent row index, child row indices): every sum the rows promise down a column."""
    rows = table.rows
    if table.key in TWO_SIDED:
        return _two_sided_structure(rows)
    if any(r.code for r in rows):
        return _code_structure(rows)
    return _named_structure(rows)


def _code_structure(rows: list[RawRow]) -> list[tuple[int, list[int]]]:
    by_code = {r.code: i for i, r in enumerate(rows) if r.code}
    children: dict[int, list[int]] = {}
    top: list[int] = []
    for i, r in enumerate(rows):
        if not r.code:
            continue
        parent = None
        for cut in range(len(r.code) - 1, 0, -1):
            if r.code[:cut] in by_code:
                parent = by_code[r.code[:cut]]
                break
        if parent is None:
            top.append(i)
        else:
            children.setdefault(parent, []).append(i)
    sums = sorted(children.items())
    total = next((i for i, r in enumerate(rows) if not r.code and "合计" in r.name), None)
    if total is not None and top:
        sums.append((total, top))
    return sums


SUB_NUMBER = re.compile(r"^[（(]\d+[)）]")


def _named_structure(rows: list[RawRow]) -> list[tuple[int, list[int]]]:
    """Rows without codes (三公经费表, 固定资产表): 合计 is the sum of the top rows; a row beginning
    with 其中 starts the children of the row before it, and the rows after it numbered alike
    (（1）（2）) or naming the same thing (same first four characters) are its siblings. A lone
    其中 (其中：办公用房) is a part of its row, not the whole of it: no sum."""
    total = next((i for i, r in enumerate(rows) if r.name.replace(" ", "") in ("合计", "总计")), None)
    sums: list[tuple[int, list[int]]] = []
    top: list[int] = []
    i = 0
    while i < len(rows):
        if i == total:
            i += 1
            continue
        top.append(i)
        j = i + 1
        if j < len(rows) and rows[j].name.startswith("其中"):
            first = re.sub(r"^其中[:：]?", "", rows[j].name)
            numbered = bool(SUB_NUMBER.match(first))
            kids = [j]
            k = j + 1
            while k < len(rows) and (
                SUB_NUMBER.match(rows[k].name) if numbered else rows[k].name[:4] == first[:4]
            ):
                kids.append(k)
                k += 1
            if len(kids) > 1:
                sums.append((i, kids))
            i = k
        else:
            i = j
    if total is not None and top:
        sums.append((total, top))
    return sums


def _two_sided_structure(rows: list[RawRow]) -> list[tuple[int, list[int]]]:
    sums: list[tuple[int, list[int]]] = []
    subtotal = next((i for i, r in enumerate(rows) if "本年收入合计" in r.full_name_key), None)
    grand = next((i for i, r in enumerate(rows) if "收入总计" in r.full_name_key), None)
    if subtotal is not None:
        sums.append((subtotal, list(range(subtotal))))
        if grand is not None and grand > subtotal:
            between = list(range(subtotal + 1, grand))
            heads = [i for i in between if not ORDINAL.match(rows[i].name or "")]
            kids_of: dict[int, list[int]] = {}
            for i in between:
                if i in heads:
                    kids_of[i] = []
                elif heads and heads[0] < i:
                    kids_of[max(h for h in heads if h < i)].append(i)
            sums.append((grand, [subtotal, *heads]))
            for head, kids in kids_of.items():
                if kids:
                    sums.append((head, kids))
    return sums


def _fund_of(text: str) -> str | None:
    return next((f for f in FUNDS if f in text), None)


def _zero_funds(tables: dict[str, RawTable], placed: dict[str, Table]) -> set[str]:
    """Funds with no money in this disclosure: their income line in a 收支总表 is empty, or
    their own expenditure table is empty."""
    zero: set[str] = set()
    for key in (TableKind.TOTALS, TableKind.FISCAL_TOTALS):
        t = placed.get(key)
        if not t:
            continue
        income_col = next((c.key for c in t.columns if c.side == "收入"), None)
        for r in t.rows:
            fund = _fund_of(r.name or "")
            is_income_line = fund and ORDINAL.match(r.name or "") and "拨款" in r.name and r.number <= 9
            if fund and is_income_line and income_col and not r.values.get(income_col) and r.is_certain(income_col):
                zero.add(fund)
    for key, fund in ((TableKind.FUND, "政府性基金"), (TableKind.STATE_CAPITAL, "国有资本经营")):
        raw = tables.get(key)
        if raw is not None and not raw.rows and raw.note:
            zero.add(fund)
    return zero


def _income_anchors(placed: dict[str, Table], columns: list[Column]) -> dict[str, float]:
    """Column totals of the 收入总表 from the income side of the 收支总表."""
    t = placed.get(TableKind.TOTALS)
    if not t:
        return {}
    income_col = next((c.key for c in t.columns if c.side == "收入"), None)
    if income_col is None:
        return {}
    items: dict[str, float] = {}
    for r in t.rows:
        name = ORDINAL.sub("", r.name or "")
        if not name:
            continue
        if not r.is_certain(income_col):
            return {}
        items[name] = r.values.get(income_col, 0.0)
    known: dict[str, float] = {}
    keys = {c.key for c in columns}
    appropriations = [v for n, v in items.items() if n.endswith("拨款收入")]
    if "财政拨款收入" in keys and appropriations:
        known["财政拨款收入"] = sum(appropriations)
    pairs = {
        "财政专户收入": ("财政专户管理资金收入", "财政专户收入"),
        "事业收入": ("事业收入",),
        "经营收入": ("事业单位经营收入", "经营收入"),
        "上级补助收入": ("上级补助收入",),
        "附属单位上缴收入": ("附属单位上缴收入",),
        "其他收入": ("其他收入",),
        "上年结转": ("上年结转结余", "上年结转"),
    }
    for key, names in pairs.items():
        if key in keys:
            found = [items[n] for n in names if n in items]
            if found:
                known[key] = found[0]
    for n, v in items.items():
        if n in keys and n not in known:
            known[n] = v
    if "合计" in keys and "收入总计" in items:
        known["合计"] = items["收入总计"]
    return known


def _expense_anchors(placed: dict[str, Table], facts: list[NarrativeFact], table: RawTable) -> dict[str, float]:
    """Column totals of the 支出总表: when the whole budget is 一般公共预算 (its table's total
    equals this one's), that table's 基本/项目 totals; otherwise the narrative's, if they add up."""
    keys = [c.key for c in table.columns]
    total_row = next((r for r in table.rows if not r.code and "合计" in r.name), None)
    if total_row is None or not total_row.groups or not total_row.groups[0][1]:
        return {}
    grand = total_row.groups[0][1][0]
    parts = _general_parts(placed, grand) or _narrative_parts(facts, grand)
    if not parts or not all(k in keys for k in parts):
        return {}
    known = {k: 0.0 for k in keys if k != "合计"}
    known.update(parts)
    known["合计"] = grand
    return known


def _general_parts(placed: dict[str, Table], grand: float) -> dict[str, float]:
    """The 一般公共预算支出表's 基本/项目 totals, when its total is the whole budget's."""
    gp = placed.get(TableKind.GENERAL)
    gp_total = next((r for r in gp.rows if not r.code and "合计" in r.name), None) if gp else None
    if gp_total and not gp_total.ambiguous and abs(gp_total.values.get("合计", -1) - grand) < 0.005:
        return {k: v for k, v in gp_total.values.items() if k != "合计"}
    return {}


def _narrative_parts(facts: list[NarrativeFact], grand: float) -> dict[str, float]:
    """The narrative's 基本支出 and 项目支出, when they add up to the whole budget."""
    by_key = {f.key: f.value for f in facts}
    if "基本支出" in by_key and "项目支出" in by_key and abs(by_key["基本支出"] + by_key["项目支出"] - grand) < 0.015:
        return {"基本支出": by_key["基本支出"], "项目支出": by_key["项目支出"]}
    return {}


def _fund_anchors(placed: dict[str, Table], table: RawTable) -> dict[str, float]:
    """A 政府性基金 table's 基本/项目 column is empty when the 支出总表 shows no more of it than the
    一般公共预算 table does (every source's spending is part of the 支出总表's)."""
    total, gp = placed.get(TableKind.SPENDING), placed.get(TableKind.GENERAL)
    if total is None or gp is None or not total.rows or not gp.rows:
        return {}
    t_row, g_row = total.rows[0], gp.rows[0]
    keys = {c.key for c in table.columns}
    known: dict[str, float] = {}
    for col in ("基本支出", "项目支出"):
        certain = col in keys and t_row.is_certain(col) and g_row.is_certain(col)
        if certain and abs(t_row.values.get(col, 0.0) - g_row.values.get(col, 0.0)) < 0.005:
            known[col] = 0.0
    return known


# The order tables are placed in: each may lean on the ones before it.
ORDER: list[str] = [
    TableKind.TOTALS,
    TableKind.FISCAL_TOTALS,
    TableKind.GENERAL,
    TableKind.BASIC,
    TableKind.SPENDING,
    TableKind.INCOME,
    TableKind.FUND,
    TableKind.STATE_CAPITAL,
    TableKind.THREE_PUBLIC,
]


def place_tables(raw: list[RawTable], facts: list[NarrativeFact]) -> tuple[list[Table], list[Warning_]]:
    tables = {t.key: t for t in raw}
    placed: dict[str, Table] = {}
    warnings: list[Warning_] = []
    ordered = sorted(raw, key=lambda t: ORDER.index(t.key) if t.key in ORDER else len(ORDER))
    for t in ordered:
        zero = _zero_funds(tables, placed)
        anchors: dict[str, float] = {}
        if t.key == TableKind.INCOME:
            anchors = _income_anchors(placed, t.columns)
        elif t.key == TableKind.SPENDING:
            anchors = _expense_anchors(placed, facts, t)
        elif t.key == TableKind.FUND:
            anchors = _fund_anchors(placed, t)
        table, notes = place_table(t, zero, anchors)
        placed[t.key] = table
        warnings += notes
    return [placed[t.key] for t in raw], warnings


def place_table(
    t: RawTable, zero_funds: frozenset[str] | set[str] = frozenset(), totals: dict[str, float] | None = None
) -> tuple[Table, list[Warning_]]:
    """Each row's figures placed in its columns: as read (fixed), or by the solver from the sums
    the table promises, the funds known to be zero and the totals other tables give."""
    keys = [c.key for c in t.columns]
    problem = _problem(t, keys, zero_funds, totals)
    placements = solve(problem) if any(r.fixed is None for r in t.rows) else [None] * len(t.rows)
    warnings: list[Warning_] = [Warning_(check="header", table=t.title, message=p) for p in t.problems]
    rows: list[Row] = []
    for r, p in zip(t.rows, placements, strict=True):
        row = Row(number=r.number, name=r.name, code=r.code, name_right=r.name_right, page=r.page, line=r.line)
        if r.fixed is not None:
            row.values = dict(r.fixed)
        elif p is not None:
            row.values = {keys[c]: v for c, v in sorted(p.certain.items())}
            row.ambiguous = to_ambiguities(p, keys)
            if not p.consistent:
                warnings.append(_unplaceable(t, r, keys))
                row.ambiguous = [_unplaced(v, keys) for _, vs in r.groups for v in vs]
        rows.append(row)
    table = Table(key=t.key, title=t.title, columns=t.columns, rows=rows, note=t.note, page=t.page, line=t.line, label_columns=t.label_columns)
    return table, warnings


def _problem(t: RawTable, keys: list[str], zero_funds: frozenset[str] | set[str], totals: dict[str, float] | None) -> Problem:
    """The placement problem of a table: each row's groups of figures and the columns they may go
    in, the sums, the zero columns and the anchored totals."""
    sides = [c.side for c in t.columns]
    problem_rows = [
        RowValues(groups=[([i for i, s in enumerate(sides) if s == side] if side else list(range(len(keys))), values) for side, values in r.groups])
        for r in t.rows
    ]
    zero_cols = {i for i, k in enumerate(keys) if (_fund_of(k) in zero_funds)}
    anchors: dict[int, dict[int, float]] = {}
    total_idx = next((i for i, r in enumerate(t.rows) if not r.code and r.name.replace(" ", "") == "合计"), None)
    if totals and total_idx is not None:
        anchors[total_idx] = {keys.index(k): v for k, v in totals.items() if k in keys}
        zero_cols |= {keys.index(k) for k, v in totals.items() if k in keys and abs(v) < 0.005}
    return Problem(
        n_columns=len(keys),
        rows=problem_rows,
        identities=t.identities,
        sums=structure(t),
        zero_columns=zero_cols,
        anchors=anchors,
        sum_columns=[keys.index(k) for k in t.sum_columns] if t.sum_columns else None,
    )


def _unplaceable(t: RawTable, r: RawRow, keys: list[str]) -> Warning_:
    values = [v for _, vs in r.groups for v in vs]
    return Warning_(
        check="placement",
        table=t.title,
        row=r.number,
        message=f"{t.title} 第{r.number}行 {r.full_name_key}：数字 {values} 放进 {'、'.join(keys)} 哪一栏都不合表内的加总关系，未确定栏目",
    )


def _unplaced(value: float, keys: list[str]) -> Ambiguity:
    return Ambiguity(value=value, candidates=list(keys))
