"""Table kinds and column headers of the standard disclosure tables.

Multi-level headers come out of a PDF as words in no reliable reading order, wrapped at any
character (`一般公共预` / `算财政拨款`). With the white space taken out, the header of every
standard table is a run of known labels; this module cuts that run into labels (longest first),
keeps the value columns in the order they appear, attaches them to their group (本年收入,
一般公共预算基本支出, 资金性质) or side (收入 | 支出), and checks the count against the 栏次 row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .columns import Identity, subtotal_identities
from .model import Column
from .template import TWO_SIDED, TableKind
from .template import table_kind as catalogue_kind

# Value-column labels as they are printed (after white space is removed), with the key used for
# the column; the longest label that matches at a position wins.
LEAVES: dict[str, str] = {
    "合计": "合计",
    "小计": "小计",
    "上年结转": "上年结转",
    "上年结转结余": "上年结转",
    "财政拨款收入": "财政拨款收入",
    "一般公共预算拨款收入": "一般公共预算拨款收入",
    "政府性基金预算拨款收入": "政府性基金预算拨款收入",
    "国有资本经营预算拨款收入": "国有资本经营预算拨款收入",
    "财政专户收入": "财政专户收入",
    "财政专户管理资金收入": "财政专户收入",
    "事业收入": "事业收入",
    "经营收入": "经营收入",
    "事业单位经营收入": "经营收入",
    "上级补助收入": "上级补助收入",
    "附属单位上缴收入": "附属单位上缴收入",
    "其他收入": "其他收入",
    "基本支出": "基本支出",
    "项目支出": "项目支出",
    "经营支出": "经营支出",
    "事业单位经营支出": "经营支出",
    "上解上级支出": "上缴上级支出",
    "上缴上级支出": "上缴上级支出",
    "对附属单位补助支出": "对附属单位补助支出",
    "人员经费": "人员经费",
    "公用经费": "公用经费",
    "人员类": "人员经费",  # 长沙: 总计 | 人员类 | 公用经费
    "公用类": "公用经费",
    "一般公共预算财政拨款": "一般公共预算财政拨款",
    "一般公共预算": "一般公共预算财政拨款",
    "政府性基金预算财政拨款": "政府性基金预算财政拨款",
    "政府性基金预算拨款": "政府性基金预算财政拨款",
    "国有资本经营预算财政拨款": "国有资本经营预算财政拨款",
    "国有资本经营预算拨款": "国有资本经营预算财政拨款",
    "预算数": "预算数",
    "决算数": "决算数",
    "金额": "金额",
}

# Columns that only mean something inside their table (a table's own total or amount).
GENERIC_COLUMNS = frozenset({"合计", "小计", "预算数", "决算数", "金额"})

# Labels that name the label columns (not values) or group columns.
LABELS = ("科目编码", "科目名称", "编码", "项目")
GROUPS = ("本年收入", "一般公共预算基本支出", "资金性质")
IGNORED = (
    "序号",
    "功能分类科目",
    "支出部门经济分类科目",
    "部门经济分类科目",
    "经济分类科目",
    "科目",
    "收入",
    "支出",
    "单位：万元",
)

# Which leaves a group holds: 本年收入 covers its 小计 and the kinds of income; the others cover
# everything after them.
INCOME_KINDS = {
    "小计",
    "财政拨款收入",
    "一般公共预算拨款收入",
    "政府性基金预算拨款收入",
    "国有资本经营预算拨款收入",
    "财政专户收入",
    "事业收入",
    "经营收入",
    "上级补助收入",
    "附属单位上缴收入",
    "其他收入",
}

# Leaves that mean different things on the two sides of a 收支总表 get the side as a prefix.
SIDE_PREFIXED = ("预算数", "决算数", "金额", "合计")


# The national template's header of each table, for a header whose words cannot be read
# (garbled extraction, an unusual label) when its 栏次 count is the template's.
TEMPLATE_HEADERS: dict[str, str] = {
    TableKind.TOTALS: "序号 收入 支出 项目 预算数 项目 预算数",
    TableKind.INCOME: "序号 合计 上年结转 本年收入 科目编码 科目名称 小计 财政拨款收入 财政专户收入 事业收入 经营收入 上级补助收入 "
    "附属单位上缴收入 其他收入",
    TableKind.SPENDING: "序号 科目编码 科目名称 合计 基本支出 项目支出 经营支出 上缴上级支出 对附属单位补助支出",
    TableKind.FISCAL_TOTALS: "序号 收入 支出 项目 金额 项目 合计 一般公共预算财政拨款 政府性基金预算财政拨款 国有资本经营预算财政拨款",
    TableKind.GENERAL: "序号 科目编码 科目名称 合计 基本支出 项目支出",
    TableKind.FUND: "序号 科目编码 科目名称 合计 基本支出 项目支出",
    TableKind.STATE_CAPITAL: "序号 科目编码 科目名称 合计 基本支出 项目支出",
    TableKind.BASIC: "序号 科目编码 科目名称 一般公共预算基本支出 合计 人员经费 公用经费",
    TableKind.THREE_PUBLIC: "序号 项目 资金性质 合计 一般公共预算财政拨款 政府性基金预算财政拨款 国有资本经营预算财政拨款",
}


def template_header(kind: str, column_numbers: list[int], by_position: bool = False) -> Header | None:
    """The template's columns when they fit the 栏次 count; None otherwise."""
    text = TEMPLATE_HEADERS.get(kind)
    if text is None:
        return None
    try:
        return parse_header(kind, text, column_numbers, by_position=by_position)
    except HeaderError:
        return None


def table_kind(title: str) -> str | None:
    """The kind of a table this header reader knows (the national template's nine tables)."""
    key = catalogue_kind(title)
    return key if key in TEMPLATE_HEADERS else None


class HeaderError(ValueError):
    pass


@dataclass
class Header:
    columns: list[Column]
    label_columns: list[str]
    identities: list[Identity]
    groups: list[str | None]  # the group or side of each column


def _tokens(text: str) -> list[str]:
    compact = re.sub(r"\s+", "", text)
    vocab = sorted(set(LEAVES) | set(LABELS) | set(GROUPS) | set(IGNORED), key=len, reverse=True)
    out: list[str] = []
    i = 0
    unknown = ""
    while i < len(compact):
        for word in vocab:
            if compact.startswith(word, i):
                if unknown:
                    out.append("?" + unknown)
                    unknown = ""
                out.append(word)
                i += len(word)
                break
        else:
            unknown += compact[i]
            i += 1
    if unknown:
        out.append("?" + unknown)
    return out


def parse_header(kind: str, text: str, column_numbers: list[int], by_position: bool = False) -> Header:
    """Columns of a table of `kind` from its header text and its 栏次 numbers. With
    `by_position`, the text holds each column's words together (a PDF read by x position), and
    the 栏次 may number the value columns only."""
    tokens = _tokens(text)
    unknown = [t[1:] for t in tokens if t.startswith("?")]
    two_sided = kind in TWO_SIDED
    columns, groups, labels = _header_columns(tokens, two_sided)
    label_count = 2 if (two_sided or "科目名称" in labels or "编码" in labels or "科目编码" in labels) else 1
    if column_numbers and by_position and len(column_numbers) == len(columns):
        label_count = 0  # the 栏次 numbers only the value columns
    if column_numbers:
        _number_columns(columns, column_numbers, label_count, unknown)
    if not columns:
        raise HeaderError("表头里没有认出数字栏")
    return Header(
        columns=columns,
        label_columns=["科目编码", "科目名称"] if label_count == 2 and not two_sided else ["项目"] * label_count,
        identities=_identities(columns, groups),
        groups=groups,
    )


def _header_columns(tokens: list[str], two_sided: bool) -> tuple[list[Column], list[str | None], list[str]]:
    """The value columns the header's words name, in order, with the group (or side) each is
    under, and the label columns' words."""
    columns: list[Column] = []
    groups: list[str | None] = []
    labels: list[str] = []
    group: str | None = None
    side: str | None = None
    for n, tok in enumerate(tokens):
        nxt = tokens[n + 1] if n + 1 < len(tokens) else ""
        if tok.startswith("?"):
            continue
        if two_sided and tok in ("收入", "支出") and nxt in LEAVES:
            side = tok  # 收入预算数 / 支出合计: the side is named in the column's own header
        elif tok in LABELS:
            if two_sided and tok == "项目":
                side = "收入" if side is None else "支出"
            labels.append(tok)
        elif tok in GROUPS:
            group = tok
        elif tok in LEAVES:
            key = LEAVES[tok]
            owner = None if group == "本年收入" and key not in INCOME_KINDS else group
            if two_sided:
                owner = side
                key = f"{side}{key}" if key in SIDE_PREFIXED else key
            if any(c.key == key for c in columns):
                raise HeaderError(f"表头里“{key}”出现了两次")
            columns.append(Column(key=key, label=f"{owner}/{tok}" if owner else tok, side=side if two_sided else None))
            groups.append(owner)
    return columns, groups, labels


def _number_columns(columns: list[Column], column_numbers: list[int], label_count: int, unknown: list[str]) -> None:
    """Each value column's 栏次 (the last numbers), when their count is the columns' and the labels'."""
    if len(column_numbers) - label_count != len(columns):
        raise HeaderError(
            f"有 {len(column_numbers)} 个栏次，但只认出 {len(columns)} 个数字栏和 {label_count} 个名称栏"
            f"（{' '.join(c.key for c in columns)}）"
            + (f"；不认识的表头文字：{' '.join(unknown)}" if unknown else "")
        )
    for col, number in zip(columns, column_numbers[len(column_numbers) - len(columns) :], strict=True):
        col.number = number


def _identities(columns: list[Column], groups: list[str | None]) -> list[Identity]:
    """合计/小计 identities: within each group (or side), and at the top level where a group
    counts by its own 小计/合计."""
    identities: list[Identity] = []
    by_group: dict[str | None, list[tuple[int, str]]] = {}
    for i, (col, grp) in enumerate(zip(columns, groups, strict=True)):
        by_group.setdefault(grp, []).append((i, col.key))
    top = list(by_group.get(None, []))
    for grp, members in by_group.items():
        if grp is None:
            continue
        identities += subtotal_identities(members)
        if grp not in ("收入", "支出") and top:
            # a group is represented at the top level by its first column (its 小计/合计)
            top.append(members[0])
    top.sort()
    if top:
        identities += subtotal_identities(top)
    return identities
