"""Checks at load time: every arithmetic identity the disclosure promises.

Each failure becomes a warning naming the table, the row and the two numbers; a disclosure that
contradicts itself still loads (it is what was published), and the warnings say where.
"""

from __future__ import annotations

import re

from . import subjects
from .model import Disclosure, NarrativeFact, Row, Table, Warning_
from .precision import CENT as TOL  # published figures are rounded to the cent; one cent of rounding per sum
from .precision import agrees_as_stated
from .subjects import CARS, THREE_PUBLIC
from .template import TWO_SIDED, TableKind, column_stage


def run_checks(d: Disclosure) -> list[Warning_]:
    out: list[Warning_] = []
    for t in d.tables:
        out += check_rows(t)
        out += check_columns(t)
    out += check_cross_tables(d)
    out += check_narrative(d)
    return out


def _warn(check: str, t: Table | None, row: int | None, what: str, expected: float, found: float) -> Warning_:
    where = f"{t.title} 第{row}行 " if t is not None and row is not None else (f"{t.title} " if t else "")
    return Warning_(
        check=check,
        table=t.title if t else None,
        row=row,
        expected=round(expected, 2),
        found=round(found, 2),
        message=f"{where}{what}: {expected:.2f} ≠ {found:.2f}",
    )


# Columns that are parts of another when both are printed (基本支出 = 人员经费 + 公用经费).
PART_COLUMNS = {"基本支出": ("人员经费", "公用经费", "日常公用支出", "日常公用经费", "人员支出", "对个人和家庭的补助")}


def row_identities(t: Table) -> list[tuple[str, list[str]]]:
    """The sums a table's header promises across each row, from its columns' header paths:
    合计 = the columns directly under it (基本支出 | 项目支出, or their parts when the group has no
    subtotal of its own), and a group's subtotal = its parts. A group whose parts have no subtotal
    and are more than one (项目支出总数 | 扣除基建项目后预算数: not additive) leaves 合计 unchecked."""
    keys = [c.key for c in t.columns]
    if "合计" not in keys:
        return []
    groups, whole = _column_groups(t)
    identities: list[tuple[str, list[str]]] = []
    parts: list[str] = []
    for members in groups.values():
        own = next((k for k, rest in members if not rest or rest[-1] in ("小计", "合计")), None)
        children = [k for k, rest in members if k != own]
        if own is not None:
            parts.append(own)
            if children:
                identities.append((own, children))
        elif len(members) == 1:
            parts.append(members[0][0])
        else:
            return identities  # parts without a subtotal: 合计 cannot be checked from them
    for group, items in PART_COLUMNS.items():  # flat headers: 基本支出 printed beside its parts
        inside = [k for k in parts if k in items]
        if group in parts and inside:
            parts = [k for k in parts if k not in inside]
            identities.append((group, inside))
    if whole:
        identities.append(("合计", parts))
    return [(w, p) for w, p in identities if p]


def _column_groups(t: Table) -> tuple[dict[str, list[tuple[str, list[str]]]], bool]:
    """The value columns by the header group under the table's common prefix, each with the rest
    of its path; and whether a 合计 covers the whole row (not one group's own, as 决算数/合计
    beside 年初预算数)."""
    paths = [c.label.split("/") for c in t.columns]
    depth = min(len(p) for p in paths)
    prefix = paths[0][: depth - 1] if all(p[: depth - 1] == paths[0][: depth - 1] for p in paths) else []
    groups: dict[str, list[tuple[str, list[str]]]] = {}
    whole = False
    for c, path in zip(t.columns, paths, strict=True):
        rest = path[len(prefix) :]
        if c.key == "合计" and len(rest) <= 1:
            whole = True
            continue
        groups.setdefault(rest[0] if rest else c.key, []).append((c.key, rest[1:]))
    return groups, whole


def check_rows(t: Table) -> list[Warning_]:
    """合计 = its parts across each row (the identities the header promises)."""

    out = []
    keys = [c.key for c in t.columns]
    for r in t.rows:
        if r.ambiguous:
            continue
        v = r.values
        if t.key in (TableKind.SPENDING, TableKind.GENERAL, TableKind.BASIC, TableKind.THREE_PUBLIC, TableKind.INCOME) and any(k in v for k in keys):
            for total_key, parts in row_identities(t):
                total, s = v.get(total_key, 0.0), sum(v.get(k, 0.0) for k in parts)
                if abs(total - s) > TOL:
                    out.append(_warn("row", t, r.number, f"{total_key} ≠ " + " + ".join(parts), total, s))
        if t.key == TableKind.FISCAL_TOTALS and "支出合计" in keys and r.name_right:
            parts = [c.key for c in t.columns if c.side == "支出" and c.key != "支出合计"]
            if any(k in v for k in parts) or "支出合计" in v:
                s = sum(v.get(k, 0.0) for k in parts)
                if abs(v.get("支出合计", 0.0) - s) > TOL:
                    out.append(_warn("row", t, r.number, "支出合计 ≠ 各类财政拨款之和", v.get("支出合计", 0.0), s))
    return out


def check_columns(t: Table) -> list[Warning_]:
    """A parent row = the sum of its children; the 合计 row = the sum of the top rows."""
    from .tables import RawRow, RawTable, structure

    if t.key in (TableKind.PROCUREMENT, TableKind.UNITS, TableKind.PROJECTS):
        return []  # lists (of purchases, units, projects), not sums
    raw = RawTable(
        key=t.key,
        title=t.title,
        columns=t.columns,
        identities=[],
        rows=[RawRow(number=r.number, name=r.name, code=r.code, name_right=r.name_right) for r in t.rows],
    )
    out: list[Warning_] = []
    columns = ["价值"] if t.key == TableKind.ASSETS else [c.key for c in t.columns]
    if t.key in TWO_SIDED:
        return out + _two_sided_sums(t)
    stated = _parents(t)  # sums the layout states (header groups, 科目编码): as given
    for parent, children in stated or structure(raw):
        p = t.rows[parent]
        kids = [t.rows[i] for i in children] if stated else _top_level(p, [t.rows[i] for i in children])
        if not kids:
            continue  # the table prints neither codes nor ordinals: which rows are the top ones is unknown
        for col in columns:
            if not p.is_certain(col) or not all(k.is_certain(col) for k in kids):
                continue
            total = p.values.get(col, 0.0)
            s = sum(k.values.get(col, 0.0) for k in kids)
            if abs(total - s) > TOL * max(1, len(kids)):
                out.append(_warn("column", t, p.number, f"{col}: {p.full_name} ≠ 下级各行之和", total, s))
    return out


LEVELS = (re.compile(r"^[一二三四五六七八九十]+、"), re.compile(r"^[（(][一二三四五六七八九十]+[)）]"), re.compile(r"^\d+[、.．]"))


def _top_level(parent: Row, kids: list[Row]) -> list[Row]:
    """The rows a total adds up. Coded rows, and rows the layout placed, are as given; a 合计 over
    rows named without codes adds the rows of its top ordinal level (一、 before （一） before 1.);
    rows with neither codes nor ordinals (names only, levels shown by indentation) cannot be told
    apart, and are not checked."""
    if all(k.code for k in kids) or parent.code:
        return kids
    for level in LEVELS:
        top = [k for k in kids if level.match((k.name or "").strip())]
        if top:
            return top if len(top) >= len(kids) / 3 or not any(k.code for k in kids) else kids
    return [] if len(kids) > 1 else kids


def _two_sided_sums(t: Table) -> list[Warning_]:
    """A 收支总表: on each side, the year's total (本年收入合计, 本年支出合计) = that side's items of
    the top ordinal level above it (一、…), read by the side's own names; a side whose items carry
    no ordinals is not checked (its levels cannot be told apart)."""
    out = []
    for side in ("收入", "支出"):
        names = [(r.name if side == "收入" else r.name_right) or "" for r in t.rows]
        at = next((i for i, n in enumerate(names) if re.sub(r"\s+", "", n) in (f"本年{side}合计", f"{side}合计", f"本年{side}小计", f"当年{side}小计")), None)
        items = [i for i in range(at or 0) if LEVELS[0].match(names[i].strip())]
        if at is None or not items:
            continue
        columns = [c for c in t.columns if c.side == side]
        leaves = [c.label.split("/")[-1] for c in columns]
        if len(set(leaves)) < len(leaves):
            continue  # two blocks on one side (功能分类 | 支出用途, each 金额): each adds its own rows
        for c in columns:
            rows = [t.rows[i] for i in items] + [t.rows[at]]
            if not all(r.is_certain(c.key) for r in rows):
                continue
            total, s = t.rows[at].values.get(c.key, 0.0), sum(t.rows[i].values.get(c.key, 0.0) for i in items)
            if abs(total - s) > TOL * max(1, len(items)):
                out.append(_warn("column", t, t.rows[at].number, f"{c.label}: {names[at]} ≠ 上方各项之和", total, s))
    return out


def _parents(t: Table) -> list[tuple[int, list[int]]]:
    """Sums a table's layout states (Row.parent: a header's groups, a block's 合计 row), with the
    科目编码 hierarchy of its coded rows."""
    if not any(r.parent for r in t.rows):
        return []
    index = {r.number: i for i, r in enumerate(t.rows)}
    sums: dict[int, list[int]] = {}
    for i, r in enumerate(t.rows):
        if r.parent in index:
            sums.setdefault(index[r.parent], []).append(i)
    coded = {r.code: i for i, r in enumerate(t.rows) if r.code}
    for i, r in enumerate(t.rows):
        if not r.code:
            continue
        up = next((coded[r.code[:cut]] for cut in range(len(r.code) - 1, 2, -1) if r.code[:cut] in coded), None)
        if up is not None:
            sums.setdefault(up, []).append(i)
    return sorted(sums.items())


def _cell(d: Disclosure, table: str, col: str, *, name: str | None = None, number: int | None = None) -> float | None:
    t = d.table(table)
    if t is None:
        return None
    if col not in [c.key for c in t.columns]:
        return None  # the table has no such column (基本支出 printed only as its parts): nothing to compare
    for r in t.rows:
        if (name is not None and name in (r.name, r.name_right)) or (number is not None and r.number == number):
            if not r.is_certain(col):
                return None
            return r.values.get(col, 0.0)
    return None


def _side_totals(d: Disclosure, side: str) -> list[float]:
    """The 收支总表's totals on one side, in its first column there: the grand total (总计, 收入合计)
    and the year's own (本年收入合计, 当年收入小计) — a narrative or another table may state either."""
    t = d.table(TableKind.TOTALS)
    if t is None:
        return []
    on_side = [c.key for c in t.columns if c.side == side]
    # a 决算 prints 年初预算数 | 调整预算数 | 决算数 on each side: its totals are the 决算数
    column = next((k for k in on_side if column_stage(k) == "决算数"), None) if d.kind == "决算" else None
    column = column or next(iter(on_side), None)
    names = {"总计", f"{side}总计", f"{side}合计", f"本年{side}合计", f"当年{side}小计", f"本年{side}小计"}
    out = []
    for r in t.rows:
        label = r.name if side == "收入" else (r.name_right or r.name)
        if column and label and label.replace(" ", "") in names and r.is_certain(column) and column in r.values:
            out.append(r.values[column])
    return out[::-1]


def _total_row_value(d: Disclosure, table: str, col: str) -> float | None:
    t = d.table(table)
    if t is None:
        return None
    row = next((r for r in t.rows if not r.code and r.name.replace(" ", "") == "合计"), None)
    if row is None:
        return 0.0 if (t.note and not t.rows) else None
    if not row.is_certain(col) or col not in [c.key for c in t.columns]:
        return None
    return row.values.get(col, 0.0)


def check_cross_tables(d: Disclosure) -> list[Warning_]:
    """The same figure in different tables."""
    out = []
    for side, other in (("收入", TableKind.INCOME), ("支出", TableKind.SPENDING)):
        totals = _side_totals(d, side)
        total = _total_row_value(d, other, "合计")
        if totals and total is not None and all(abs(v - total) > TOL for v in totals):
            out.append(_warn("cross", d.table(TableKind.TOTALS), None, f"{side}合计 ≠ {other} 的 合计", totals[0], total))
    pairs = [
        ((TableKind.SPENDING, "基本支出", None), (TableKind.GENERAL, "基本支出", None)),
        ((TableKind.GENERAL, "基本支出", None), (TableKind.BASIC, "合计", None)),
        ((TableKind.FISCAL_TOTALS, "一般公共预算财政拨款", "本年支出合计"), (TableKind.GENERAL, "合计", None)),
    ]
    for (ta, ca, na), (tb, cb, nb) in pairs:
        a = _cell(d, ta, ca, name=na) if na else _total_row_value(d, ta, ca)
        b = _cell(d, tb, cb, name=nb) if nb else _total_row_value(d, tb, cb)
        if a is None or b is None:
            continue
        if ta == TableKind.SPENDING and ca == "基本支出" and a + TOL < b:
            out.append(_warn("cross", d.table(ta), None, f"{ca} 少于 {tb} 的 {cb}", b, a))
        elif not (ta == TableKind.SPENDING and ca == "基本支出") and abs(a - b) > TOL:
            out.append(_warn("cross", d.table(ta), None, f"{ca} ≠ {tb} 的 {cb}", a, b))
    return out


ONE_FUND_SECTION = re.compile(r"财政拨款|一般公共预算")


# What a narrative figure is checked against: (table, column, row name or None for the 合计 row).
NARRATIVE_AGAINST = {
    "收入总额": (TableKind.TOTALS, "收入预算数", "收入总计"),
    "支出总额": (TableKind.TOTALS, "支出预算数", "支出总计"),
    "基本支出": (TableKind.SPENDING, "基本支出", None),
    "项目支出": (TableKind.SPENDING, "项目支出", None),
    "人员经费": (TableKind.BASIC, "人员经费", None),
    "日常公用经费": (TableKind.BASIC, "公用经费", None),
    THREE_PUBLIC: (TableKind.THREE_PUBLIC, "合计", None),
}


def check_narrative(d: Disclosure) -> list[Warning_]:
    """Figures the narrative states against the tables."""
    facts = {f.key: f for f in d.facts}
    out = [w for key in ("收入总额", "支出总额") if (w := _narrative_total(d, key, facts.get(key))) is not None]
    for key, (table, col, name) in NARRATIVE_AGAINST.items():
        f = facts.get(key)
        if table != TableKind.TOTALS and f is not None and f.unit == "万元":
            w = _narrative_figure(d, key, f, table, col, name)
            if w is not None:
                out.append(w)
    return out + _three_public_items(d, facts)


def _narrative_total(d: Disclosure, key: str, f: NarrativeFact | None) -> Warning_ | None:
    """收入总额 / 支出总额 against the 收支总表's totals of that side (the grand or the year's own)."""
    totals = _side_totals(d, "收入" if key == "收入总额" else "支出")
    if f is not None and f.unit == "万元" and totals and not any(agrees_as_stated(f.value, f.text, v) for v in totals):
        return _warn("narrative", d.table(TableKind.TOTALS), None, f"情况说明的{key}与收支总表不符", f.value, totals[0])
    return None


def _narrative_figure(d: Disclosure, key: str, f: NarrativeFact, table: str, col: str, name: str | None) -> Warning_ | None:
    if key in ("基本支出", "项目支出") and ONE_FUND_SECTION.search(f.section):
        table = TableKind.GENERAL  # （三）财政拨款情况说明 · 基本支出: that fund's, not all the money's
    t = d.table(table)
    if t is not None and col not in [c.key for c in t.columns]:
        # the 决算 基本支出表 prints 人员经费合计 / 公用经费合计 as rows of its one column
        row = next((r for r in t.rows if r.name.replace(" ", "") == f"{col}合计"), None)
        value = next(iter(row.values.values()), None) if row is not None and row.values else None
    else:
        value = _cell(d, table, col, name=name) if name else _total_row_value(d, table, col)
    if value is not None and not agrees_as_stated(f.value, f.text, value):
        return _warn("narrative", d.table(table), None, f"情况说明的{key}与{col}不符", f.value, value)
    return None


def _three_public_items(d: Disclosure, facts: dict[str, NarrativeFact]) -> list[Warning_]:
    """The “三公” items as the narrative states them (the car item whole, or its two parts) add to
    its “三公” total (a 决算 narrative states each item's 预算 and 决算 in one sentence: not summed)."""
    parts = subjects.subject(THREE_PUBLIC).parts if CARS in facts else subjects.leaves(THREE_PUBLIC)
    car = all(p in facts for p in subjects.leaves(CARS)) or CARS in facts
    if not (THREE_PUBLIC in facts and car and all(p in facts for p in parts[:2]) and d.kind != "决算"):
        return []
    s = sum((facts[p].value / 10000 if facts[p].unit == "元" else facts[p].value) for p in parts if p in facts)
    if abs(facts[THREE_PUBLIC].value - s) > TOL:
        return [_warn("narrative", None, None, "情况说明：“三公”经费 ≠ 各项之和", facts[THREE_PUBLIC].value, s)]
    return []
