"""What a table grid means: header → columns, body → rows with every value in its column.

A grid's header is its leading rows up to the first row that holds a figure (or a 合计 / code
row). Each column's *header path* is the text of every header cell above it, merged cells
included (`支出预算 / 基本支出`, `“三公”经费预算数 / 公务用车购置及运行费 / 购置费`). A column is a
code column (`科目编码`, `类/款/项`), a name column (`项目`, `科目名称`) or a value column; a table
may repeat code–name–value blocks side by side (收支总表: 收入 | 支出; 决算基本支出表: 人员经费 |
公用经费). A table with value columns only (“三公”经费表 printed as one row of figures) is turned
so each figure is a row named by its header path. Values stand under the column that contains
them on the page; tables printed in 元 are stored in 万元, the printed figure kept in `texts`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .headers import LEAVES
from .model import Ambiguity, Column, Row, Table, Warning_
from .pdf_grids import Cell, Grid
from .subjects import THREE_PUBLIC
from .template import TWO_SIDED, TableKind, compact, table_kind

# Thousands separators as printed, also where an export misplaces them (128138,600 for 128,138,600).
AMOUNT = re.compile(r"^-?\d+(?:,\d{3})*(?:\.\d+)?$")
CODE = re.compile(r"^\d{3}(?:\d{2}){0,3}$|^\d{3}(?: \d{2}){1,3}$")
# the code and the name in one cell: 2010501-行政运行 (北京), [201]一般公共服务支出 (珠海)
CODE_AND_NAME = re.compile(r"^[\[［【]?(\d{3}(?:\d{2}){0,3})(?:[-－—]|[\]］】])(\D.*)$")
CODE_PART = re.compile(r"^\d{2,3}$")
ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+、|\d+[.．、])")
CODE_HEADERS = re.compile(r"编码|代码|^类$|^款$|^项$")
NAME_HEADERS = re.compile(r"^项目$|^项目名称|名称|科目$|品目|组织形式|经济科目|^支出用途$|^功能分类$")
TOTAL = re.compile(r"^(?:合计|总计|小计)$")
EXTRA_LEAVES = {
    "本年收入合计": "合计",
    "本年支出合计": "合计",
    "总计": "合计",
    "机关运行经费支出": "合计",
    "一般公共预算": "一般公共预算财政拨款",
    "政府性基金预算": "政府性基金预算财政拨款",
    "国有资本经营预算": "国有资本经营预算财政拨款",
    "收入预算": "合计",
    "支出预算": "合计",
}
SIDE_PREFIXED = ("预算数", "决算数", "金额", "合计")
# Column groups whose 小计 is the group's own figure (基本支出 / 小计 | 人员经费 | 公用经费).
SUBTOTALLED = ("基本支出", "项目支出", "财政拨款收入", "一般公共预算财政拨款", "本年收入", "本年支出")
# Columns that number the rows or the columns (行次, 栏次): never amounts.
INDEX_HEADERS = re.compile(r"^(?:行次|栏次|行号|序次)$")
# Marks in the label cells of a row that numbers the columns (栏次 1 2 3 …; ** 1 2 3; 甲 乙 1 2).
COLUMN_NUMBER_MARKS = re.compile(r"^(?:栏次|行次|\*+|[甲乙丙丁]|—|-)$")
THREE_ITEMS = ("因公出国", "公务接待", "公务用车")  # what the “三公”经费 adds up
SCALE = {"元": 1e-4, "千元": 0.1, "万元": 1.0}


def number(text: str) -> float | None:
    t = compact(text)
    return float(t.replace(",", "")) if AMOUNT.match(t) else None


def _tidy(text: str) -> str:
    t = compact(text).replace("\u3000", "")
    return t


def is_column_numbers(texts: list[str]) -> bool:
    """A row that numbers the columns (栏次 | 1 | 2 | 3, ** 1 2 3 4 5, 甲 乙 1 2 3): not data."""
    marks = [t for t in texts if COLUMN_NUMBER_MARKS.match(t)]
    numbers = [t for t in texts if not COLUMN_NUMBER_MARKS.match(t)]
    if len(numbers) < (1 if marks else 2) or not all(re.fullmatch(r"\d{1,2}", t) for t in numbers):
        return False
    values = [int(t) for t in numbers]
    return bool(marks) or values == list(range(values[0], values[0] + len(values)))


def _header_rows(g: Grid) -> int:
    for i, row in enumerate(g.rows):
        texts = [compact(c.text) for c in row if c and compact(c.text)]
        if not texts or texts[0].startswith("栏次") or is_column_numbers(texts):
            continue
        if any(AMOUNT.match(t) and not CODE_PART.match(t) for t in texts):
            return i
        first = texts[0]
        labelled = TOTAL.match(first) or ORDINAL.match(first) or CODE.match(first)
        if labelled and all(AMOUNT.match(t) for t in texts[1:]):
            return i
        if (CODE.match(first) or re.fullmatch(r"\d{1,4}", first)) and len(texts) >= 2:
            return i  # a 科目编码 or a 序号 starts the row: header rows start with words
    return len(g.rows)


@dataclass
class Slot:
    index: int
    x0: float
    x1: float
    path: list[str]
    role: str = "value"  # code | name | value
    key: str = ""
    side: str | None = None


def _paths(g: Grid, header: int) -> list[Slot]:
    slots = []
    for j, (x0, x1) in enumerate(g.columns):
        centre = (x0 + x1) / 2
        rows = [
            row for row in g.rows[:header]
            if not any(c and compact(c.text).startswith("栏次") for c in row)
            and not is_column_numbers([compact(c.text) for c in row if c and compact(c.text)])
        ]
        cells = [c for row in rows for c in row if c is not None and c.x0 - 1 <= centre <= c.x1 + 1]
        path: list[str] = []
        for c in sorted(cells, key=lambda c: c.top):
            t = _tidy(c.text).replace("“", "").replace("”", "").replace('"', "")
            if t and (not path or path[-1] != t):
                path.append(t)
        slots.append(Slot(j, x0, x1, path))
    return slots


def _body_cells(grids: list[Grid], first: int) -> list[list[Cell]]:
    """Body rows of a table and of the grids continuing it (their repeated header left out);
    each cell carries its page in `Cell.page`."""
    rows = []
    for n, g in enumerate(grids):
        start = first if n == 0 else _header_rows(g)
        for row in g.rows[start:]:
            cells = [c for c in row if c is not None]
            for c in cells:
                c.page = g.page
            rows.append(cells)
    return rows


def _slot_of(cell: Cell, slots: list[Slot]) -> Slot | None:
    inside = [s for s in slots if s.x0 - 2 <= cell.centre <= s.x1 + 2]
    return inside[0] if inside else None


def _classify(slots: list[Slot], body: list[list[Cell]]) -> None:
    """Each column's role from its header's leaf and what its body cells hold (a value column
    unless it says or shows otherwise)."""
    contents: dict[int, list[str]] = {s.index: [] for s in slots}
    for row in body:
        for c in row:
            s = _slot_of(c, slots)
            if s is not None and compact(c.text):
                contents[s.index].append(compact(c.text))
    for s in slots:
        s.role = _role(s.path, contents[s.index]) or s.role


def _role(path: list[str], texts: list[str]) -> str | None:
    leaf = path[-1] if path else ""
    value_header = leaf in LEAVES or leaf in EXTRA_LEAVES
    codes_only = bool(texts) and all(CODE.match(t) and "," not in t and "." not in t for t in texts)
    if not path and not texts:
        return "empty"  # a sliver of a column drawn with no header and nothing in it
    if leaf == "序号":
        return "serial"
    if INDEX_HEADERS.match(leaf):
        return "index"
    if path and CODE_HEADERS.search(leaf) or (codes_only and not value_header):
        return "code"
    numeric = [t for t in texts if AMOUNT.match(t)]
    if leaf and NAME_HEADERS.search(leaf) and not value_header or texts and len(numeric) < len(texts) / 2:
        return "name"
    return None


def _key(path: list[str], kind: str, used: set[str], taken: set[str] | None = None) -> tuple[str, str | None]:
    leaf = re.sub(r"^其中[:：]", "", path[-1]) if path else "金额"  # 小计 | 其中：基本支出 | 项目支出 (珠海)
    if leaf in ("小计", "合计") and len(path) >= 2 and (EXTRA_LEAVES.get(path[-2]) or LEAVES.get(path[-2])) in SUBTOTALLED:
        leaf = path[-2]  # 基本支出 / 小计: the 基本支出 column (its parts are the columns beside it)
    elif leaf == "小计" and len(path) >= 2 and path[-2].endswith("预算支出"):
        leaf = "合计"  # 一般公共预算支出 / 小计: the whole table's figure
    key = EXTRA_LEAVES.get(leaf) or LEAVES.get(leaf) or leaf
    side = None
    if kind in TWO_SIDED:
        side = "收入" if any("收入" in p for p in path[:-1] or path) else "支出"
        if key in SIDE_PREFIXED:
            key = side + key
    if kind in TWO_SIDED and taken and key in taken and len(path) >= 2:
        key = path[-2] + key  # a second 支出 block (功能分类 | 支出用途) names its own column
    if key in used and len(path) >= 2:
        key = path[-2] + key
    while key in used:
        key += "'"
    used.add(key)
    return key, side


def _items_as_columns(values: list[Slot], body: list[list[Cell]]) -> bool:
    """A 三公 table printing its items as columns (因公出国（境）费 | 公务接待费 | 公务用车…) over a
    single row of figures, or that row repeated for the body (合计; 长沙市信访局)."""
    items = sum(1 for s in values if any(word in "/".join(s.path) for word in THREE_ITEMS))
    rows = [r for r in body if any(compact(c.text) for c in r)]
    return items >= 2 and 1 <= len(rows) <= 3


def _wide_name(path: list[str]) -> str:
    """A row name for one figure of a table printed as a single row (“三公”经费表)."""
    parts = [re.sub(r"^\d{4}年", "", p) for p in path if p not in ("预算数", "决算数")]
    parts = [re.sub(r"^财政拨款|(?:预算数|决算数|预算)$", "", p) for p in parts]
    if not parts:
        return "合计"
    leaf = parts[-1]
    if leaf in ("合计", "小计"):
        leaf = parts[-2] if len(parts) >= 2 else "合计"
    elif leaf in ("购置费", "运行费") and len(parts) >= 2 and "公务用车" in parts[-2]:
        leaf = "公务用车" + leaf
    return _item_name(leaf)


def _item_name(name: str) -> str:
    """The 三公 item a header names, as the other templates name it: 三公经费财政拨款预算总额 and
    三公经费预（决）算数 are the 三公经费; 因公出国（境）费用 the 因公出国（境）费; 其中：公务用车购置 the
    公务用车购置费."""
    name = re.sub(r"^其中[:：]", "", name)
    if name.startswith(("三公", "“三公”")):
        return THREE_PUBLIC
    name = re.sub(r"费用$", "费", name)
    return re.sub(r"^(公务用车(?:购置|运行))$", r"\1费", name)


YEAR_LABEL = re.compile(r"^((?:19|20)\d{2})年(?:度)?$")
FUND_LEAVES = {"一般公共预算": "一般公共预算", "政府性基金预算": "政府性基金", "政府性基金": "政府性基金", "国有资本经营预算": "国有资本经营"}


def _this_years_row(body: list[list[Cell]]) -> list[list[Cell]]:
    """The row of figures a one-row 三公 table states: the first, or — when its rows are years
    (深圳: 2025年 | 2026年 | 增减变化金额) — the latest year's, never the change."""
    years = [(int(m.group(1)), r) for r in body for c in r if (m := YEAR_LABEL.match(compact(c.text)))]
    return [max(years, key=lambda y: y[0])[1]] if years else body[:1]


def _wide_table(kind: str, title: str, g: Grid, slots: list[Slot], body: list[list[Cell]], scale: float) -> Table:
    """Each value column becomes a row; 决算 tables pair 预算数 | 决算数 of one item into one row;
    an item printed once per fund (一般公共预算 | 政府性基金预算 | 国有资本经营预算) is one row with a
    column for each fund."""
    columns: dict[str, Column] = {}
    rows: dict[str, Row] = {}
    paths: dict[tuple[str, ...], Row] = {}
    for s in slots:
        fund = FUND_LEAVES.get(s.path[-1]) if len(s.path) > 1 else None
        path = ["合计" if p == "总计" else p for p in (s.path[:-1] if fund else s.path)]  # 总计 | 因公出国… : the whole
        col = fund or next((p for p in reversed(path) if p in ("预算数", "决算数")), "合计")  # 预算数 as leaf or as group
        name = _wide_name(path)
        columns.setdefault(col, Column(key=col, label=col))
        row = rows.setdefault(name, Row(number=len(rows) + 1, name=name, page=g.page))
        paths.setdefault(tuple(p for p in path if p not in ("预算数", "决算数")), row)
        for cells in body:
            for c in cells:
                if _slot_of(c, slots) is s:
                    v = number(c.text)
                    if v is not None:
                        row.values[col] = v * scale
                        if scale != 1.0:
                            row.texts[col] = compact(c.text)
    for key, row in paths.items():  # the header's groups: 小计 / 合计 of a group is the sum of its items
        group = key[:-2] if key[-1] in ("合计", "小计") else key[:-1]
        parent = next((paths[group + (t,)] for t in ("合计", "小计") if group + (t,) in paths), None)
        if not group and not any(item in row.name for item in THREE_ITEMS):
            continue  # 机关运行经费, 会议费, 培训费 printed beside the 三公: not parts of its 合计
        if parent is not None and parent is not row:
            row.parent = parent.number
    _parts_said_其中(slots, rows)
    return Table(key=kind, title=title, columns=list(columns.values()), rows=list(rows.values()), page=g.page)


def _parts_said_其中(slots: list[Slot], rows: dict[str, Row]) -> None:
    """A column headed 其中：… beside its whole (公务用车购置及运行费 | 其中：公务用车购置费 | 其中：公务用车运行
    费, 长沙) is a part of the column before it that is not itself a 其中."""
    whole: Row | None = None
    for s in sorted(slots, key=lambda s: s.x0):
        row = rows.get(_wide_name(s.path))
        if row is None or not s.path:
            continue
        if re.match(r"^其中[:：]?", s.path[-1]) and whole is not None and whole is not row:
            row.parent = whole.number
        else:
            whole = row


def grid_table(g: Grid) -> tuple[Table | None, list[Warning_]]:
    """The model table for a titled grid (and the grids continuing it); None for kinds that are
    not budget tables (绩效目标)."""
    title = g.title or ""
    kind = table_kind(title)
    if kind is None or kind == TableKind.PERFORMANCE:
        return None, []
    unit = g.unit or "万元"
    scale = SCALE.get(unit, 1.0)
    header = _header_rows(g)
    slots = _paths(g, header)
    body = _body_cells([g, *g.continued], header)
    _classify(slots, body)
    values = [s for s in slots if s.role == "value"]
    wide = _wide_three_public(kind, title, g, slots, body, scale) if kind == TableKind.THREE_PUBLIC and values else None
    if wide is not None:
        return wide, []
    slots = [s for s in slots if s.role != "empty"]
    blocks = _blocks(slots)
    for block in blocks:
        _key_block(block, kind, values)
    values = [s for n, s in enumerate(values) if all(o.key != s.key for o in values[:n])]
    rows = _rows(kind, blocks, slots, body, scale, g.page)
    _full_codes(rows)
    _blank_totals(rows, [s.key for s in values])
    if all(s.role == "value" for s in slots):
        _totals_only(rows)
    columns = [Column(key=s.key, label="/".join(s.path) or s.key, side=s.side) for s in values]
    table = Table(key=kind, title=title, columns=columns, rows=rows, page=g.page, unit=unit, note=g.note)
    table.label_columns = ["科目编码", "科目名称"] if any(s.role == "code" for s in slots) else ["项目"]
    return table, []


def _wide_three_public(kind: str, title: str, g: Grid, slots: list[Slot], body: list[list[Cell]], scale: float) -> Table | None:
    """A 三公 table whose items are the columns, over one row of figures (and perhaps a label
    cell: 合计, the body)."""
    values = [s for s in slots if s.role == "value"]
    only_values = all(s.role == "value" for s in slots)
    if not (only_values or _items_as_columns(values, body)):
        return None
    t = _wide_table(kind, title, g, values, body if only_values else _this_years_row(body), scale)
    t.unit = g.unit or "万元"
    return t


def _totals_only(rows: list[Row]) -> None:
    """A table of totals only (支出预算总表 printed as one row of figures): its rows are 合计."""
    for r in rows:
        r.name = r.name or "合计"


def _key_block(block: list[Slot], kind: str, values: list[Slot]) -> None:
    """Each value column of a block keyed (one column drawn as several — merged cells, a shared
    frame — takes the first one's key)."""
    used: set[str] = set()
    by_path: dict[tuple[str, ...], Slot] = {}
    for s in block:
        if s.role != "value":
            continue
        if tuple(s.path) in by_path:
            first = by_path[tuple(s.path)]
            s.key, s.side = first.key, first.side
        else:
            s.key, s.side = _key(s.path, kind, used, taken={t.key for t in values if t.key and t.side != (s.side or "")})
            by_path[tuple(s.path)] = s


def _full_codes(rows: list[Row]) -> None:
    """A 款 printed as its own two digits under its class (长沙: 201 / 40 / 2014001) is the class's
    code followed by them (20140). Only where that is the one reading: right after the class, or
    after a 项 of the class (a new 款 starts); after a 款, two digits could be a 项 or a 款: left."""
    previous = ""
    for r in rows:
        code = r.code or ""
        if re.fullmatch(r"\d{2}", code) and len(previous) in (3, 7):
            r.code = previous[:3] + code
        if r.code:
            previous = r.code


TOTAL_NAMES = re.compile(r"^(?:[\u4e00-\u9fff]{0,8})(?:合计|总计|小计)$")  # 合计, 收入总计, 公用经费合计 …


def _blank_totals(rows: list[Row], columns: list[str]) -> None:
    """A total row printed blank in a column whose other rows hold figures (a cell lost from the
    text layer, 上海市审计局 2026 收入总计): its figure is not known, not 0 — kept as uncertain."""
    for r in rows:
        if not any(TOTAL_NAMES.match(compact(n or "")) for n in (r.name, r.name_right)):
            continue
        for col in columns:
            if col not in r.values and any(o.values.get(col) for o in rows if o is not r):
                r.ambiguous.append(Ambiguity(0.0, [col]))


def _blocks(slots: list[Slot]) -> list[list[Slot]]:
    """Side-by-side blocks: a new block starts at a label column that follows a value column."""
    blocks: list[list[Slot]] = [[]]
    for s in slots:
        if s.role not in ("value", "serial", "index") and blocks[-1] and blocks[-1][-1].role == "value":
            blocks.append([])
        blocks[-1].append(s)
    return [b for b in blocks if b]


Part = dict[str, Any]  # a printed row's cells within one block: code, name, values, texts, serial


def _rows(kind: str, blocks: list[list[Slot]], slots: list[Slot], body: list[list[Cell]], scale: float, page: int) -> list[Row]:
    """One row per block per printed row; a 收支总表 keeps its 收入 and 支出 items of one printed
    row together (name | name_right), further 支出 blocks follow as rows of their own."""
    owner = {s.index: b for b, block in enumerate(blocks) for s in block}
    printed: list[list[Row | None]] = []
    last: list[Row | None] = [None] * len(blocks)
    for cells in body:
        parts = _parts(cells, slots, owner, len(blocks), scale)
        if kind in TWO_SIDED:
            _figures_to_their_names(parts)
        printed.append(_line(parts, last, cells[0].page if cells else page))
    if kind in TWO_SIDED and len(blocks) >= 2:
        rows, in_block = _two_sided(printed, len(blocks)), []
    else:
        rows = [r for n in range(len(blocks)) for line in printed if (r := line[n])]
        in_block = _block_totals(printed, len(blocks)) if len(blocks) > 1 else []
    if not all(r.number for r in rows):  # numbered by position unless every row prints its 序号
        for n, r in enumerate(rows, 1):
            r.number = n
    for child, total in in_block:
        child.parent = total.number
    return rows


def _parts(cells: list[Cell], slots: list[Slot], owner: dict[int, int], blocks: int, scale: float) -> list[Part]:
    """A printed row's cells sorted into its blocks: codes, name pieces, figures (in 万元, with the
    printed text when scaled) and the 序号."""
    parts: list[Part] = [{"code": [], "name": [], "values": {}, "texts": {}, "serial": None} for _ in range(blocks)]
    for c in cells:
        s = _slot_of(c, slots)
        text = compact(c.text)
        if s is None or not text or s.role == "index":
            continue  # 行次 1, 2, 3 …: where the row stands, not an amount
        part = parts[owner[s.index]]
        if s.role == "serial":
            part["serial"] = int(text) if text.isdigit() else None
            continue
        v = number(text) if s.role == "value" else None
        if s.role == "value" and v is not None:
            part["values"][s.key] = v * scale
            if scale != 1.0:
                part["texts"][s.key] = text
        elif CODE.match(text) or (s.role == "code" and CODE_PART.match(text)):
            part["code"].append(text.replace(" ", ""))
        elif (joined := CODE_AND_NAME.match(text)) and s.role != "value":
            part["code"].append(joined.group(1))
            part["name"].append(joined.group(2))
        else:
            part["name"].append(text)
    return parts


def _figures_to_their_names(parts: list[Part]) -> None:
    """A name cell merged over one block and its figure under the next (收入合计 | 支出合计 …
    15897.44 under 支出用途): the figure belongs to the name on its side."""
    for k in range(1, len(parts)):
        if parts[k]["values"] and not parts[k]["name"] and not parts[k]["code"]:
            named = [j for j in range(1, k) if parts[j]["name"] and not parts[j]["values"]]
            if named:
                parts[named[-1]]["values"], parts[k]["values"] = parts[k]["values"], {}
                parts[named[-1]]["texts"], parts[k]["texts"] = parts[k]["texts"], {}


def _line(parts: list[Part], last: list[Row | None], at: int) -> list[Row | None]:
    """The rows a printed row makes, one per block (None where the block is blank, or where its
    name finishes the block's row before, wrapped onto the next page)."""
    line: list[Row | None] = []
    serial = next((p["serial"] for p in parts if p["serial"]), None)  # the printed row's 序号
    for b, part in enumerate(parts):
        name = "".join(part["name"])
        code = "".join(part["code"]) or None
        prev = last[b]
        if not name and not code and not part["values"]:
            line.append(None)
            continue
        wrapped = prev is not None and not code and not part["values"] and name and _unfinished(prev.name)
        if wrapped and prev is not None and not ORDINAL.match(name) and not TOTAL.match(name):
            prev.name += name
            line.append(None)
            continue
        row = Row(number=serial or 0, name=name, code=code, values=part["values"], texts=part["texts"], page=at)
        last[b] = row
        line.append(row)
    return line


def _two_sided(printed: list[list[Row | None]], blocks: int) -> list[Row]:
    """收入 | 支出 of one printed row as one row (name | name_right); further 支出 blocks after."""
    rows: list[Row] = []
    for printed_line in printed:
        left, right = printed_line[0], printed_line[1]
        first = left or right
        if first is None:
            continue
        row = Row(number=first.number, name=left.name if left else "", name_right=right.name if right else None, page=first.page)
        for r in (left, right):
            if r is not None:
                row.values.update(r.values)
                row.texts.update(r.texts)
        rows.append(row)
    for n in range(2, blocks):
        rows += [Row(number=0, name="", name_right=r.name, values=r.values, texts=r.texts, page=r.page) for line in printed if (r := line[n])]
    return rows


def _block_totals(printed: list[list[Row | None]], blocks: int) -> list[tuple[Row, Row]]:
    """人员经费合计 | 公用经费合计: each block's total sums that block's top coded rows."""
    in_block: list[tuple[Row, Row]] = []
    for n in range(blocks):
        block_rows = [r for line in printed if (r := line[n])]
        total = next((r for r in block_rows if not r.code and r.name.endswith("合计")), None)
        coded = [r for r in block_rows if r.code]
        top = min((len(r.code or "") for r in coded), default=0)
        if total is not None:
            in_block += [(r, total) for r in coded if len(r.code or "") == top]
    return in_block


def _unfinished(name: str) -> bool:
    """A name cut at a page break ends mid-word: 八、社会保障和就 (… 业支出 on the next page)."""
    return bool(name) and not name.endswith(("支出", "收入", "费", "金", "计", "）", ")", "资金", "结余", "预算"))
