"""Read a disclosure from `pdftotext -layout` text (templates without the Hebei department line).

Layout text keeps each printed line, but not where its cells were: an empty cell leaves only
spaces, and Chinese characters shift the columns after them. So a row's figures are placed only
where the row itself leaves no doubt — as many figures as the table has value columns, in their
order, or one figure on each side of a 收支总表 — and kept as ambiguous (never guessed) otherwise.
Identity, titles and narrative are read as for PDF; the PDF itself, read by position, is exact.
"""

from __future__ import annotations

import re

from .assemble import disclosure
from .errors import DisclosureFormatError
from .grid_tables import AMOUNT, CODE, EXTRA_LEAVES, SCALE, number
from .headers import LEAVES
from .identity import identify, require
from .model import Ambiguity, Column, Disclosure, Row, Table, Warning_
from .narrative import parse_narrative
from .pdf_grids import BODY_IN, UNIT_IN
from .template import TWO_SIDED, TableKind, compact, table_kind
from .text import Line

CELL = re.compile(r"\S+(?: \S+)*")  # cells are separated by two spaces or more
TOC_LINE = re.compile(r"[.…·]{4,}|^[一二三四五六七八九十]+、")
# A line starting with the decimal part of a figure (.62, .62万元): the text layer printed every
# figure's decimals apart (重庆's generator), so what stands where cannot be read from the text.
SPLIT_DECIMALS = re.compile(r"^\s*\.\d{1,2}(?:\s|万元|$)")
MIN_SPLIT_LINES = 3
NARRATIVE_HEADING = re.compile(r"^第[一二三四五六七八九十]部分|情况说明$|^名词解释$|编制说明$")


def read_layout(text: str, source: str, *, department: str | None = None, year: int | None = None) -> Disclosure:
    """A disclosure from `pdftotext -layout` text: its lines (titles wrapped at their last characters
    joined), the table under each title, who and what it is, the narrative around the tables."""
    lines = _layout_lines(text)
    split = [ln.text.strip() for ln in lines if SPLIT_DECIMALS.match(ln.text)]
    if len(split) >= MIN_SPLIT_LINES:  # 14,770 on one line and .62 under it: no figure can be trusted
        raise DisclosureFormatError(
            source, f"这份文本把数字的小数部分拆到了另一行（如“{split[0][:12]}”），无法可靠读出数字：请载入原 PDF"
        )
    titles = [i for i, ln in enumerate(lines) if _is_title(ln.text)]
    if not titles:
        raise DisclosureFormatError(source, "没有找到预算表（文本里没有“收支总表”“支出总表”这样的表名）")
    tables, warnings, in_tables = _layout_tables(lines, titles)
    front = [ln.text for ln in lines if ln.page <= 3]
    labelled = [ln.text for ln in lines if BODY_IN.search(ln.text.replace(" ", ""))]
    who = require(identify(front, labelled, [lines[i].text for i in titles]), source, department, year)
    narrative = parse_narrative([ln for i, ln in enumerate(lines) if i not in in_tables and ln.text.strip()], source)
    return disclosure(
        who.department or "", who.year or 0, who.kind or "预算", tables, narrative, warnings,
        source=source, source_format="text", scope=who.scope, identity=who.evidence(),
    )


def _layout_lines(text: str) -> list[Line]:
    """The text's lines with their pages (a form feed starts a page); a title wrapped at its last
    characters (…支出预算 / 表) is joined on its first line."""
    lines: list[Line] = []
    for page, chunk in enumerate(text.split("\f"), 1):
        for raw in chunk.split("\n"):
            lines.append(Line(number=len(lines) + 1, page=page, text=raw.rstrip()))
    for i in range(len(lines) - 1):
        if not _is_title(lines[i].text) and len(compact(lines[i + 1].text)) <= 3 and _is_title(lines[i].text + lines[i + 1].text):
            lines[i] = Line(lines[i].number, lines[i].page, lines[i].text.strip() + lines[i + 1].text.strip())
            lines[i + 1] = Line(lines[i + 1].number, lines[i + 1].page, "")
    return lines


def _layout_tables(lines: list[Line], titles: list[int]) -> tuple[list[Table], list[Warning_], set[int]]:
    """The table under each title (to the next title or narrative heading), one of each kind (a
    contents line's empty one gives way to the table), and the lines the tables take."""
    tables: list[Table] = []
    warnings: list[Warning_] = []
    in_tables: set[int] = set()
    for n, start in enumerate(titles):
        end = titles[n + 1] if n + 1 < len(titles) else len(lines)
        end = next((i for i in range(start + 1, end) if NARRATIVE_HEADING.search(compact(lines[i].text))), end)
        in_tables.update(range(start, end))
        table, problem = _table(lines[start:end])
        if problem:
            warnings.append(Warning_(check="structure", table=compact(lines[start].text), message=problem))
        if table is None:
            continue
        same = next((t for t in tables if t.key == table.key), None)
        if same is None:
            tables.append(table)
        elif not same.rows and table.rows:
            tables[tables.index(same)] = table  # the first was a line of the contents
    return tables, warnings, in_tables


def _is_title(text: str) -> bool:
    t = compact(text)
    return bool(t) and len(t) <= 60 and not TOC_LINE.search(t) and table_kind(t) is not None and not t.endswith("。")


def _cells(text: str) -> list[str]:
    """Cells of a line; figures printed one space apart (`371,514,655.00 18,120,593.00`) are apart."""
    out: list[str] = []
    for m in CELL.finditer(text):
        parts = m.group().split(" ")
        out += parts if len(parts) > 1 and all(number(p) is not None and ("." in p or "," in p) for p in parts) else [m.group()]
    return out


def _table(block: list[Line]) -> tuple[Table | None, str | None]:
    title = compact(block[0].text)
    kind = table_kind(title)
    if kind is None or kind in (TableKind.PERFORMANCE, TableKind.THREE_PUBLIC, TableKind.PROCUREMENT):
        return None, f"{title}：文本里无法可靠读出这张表（请载入 PDF）" if kind == TableKind.THREE_PUBLIC else None
    unit = next((m.group(1) for ln in block[:6] if (m := UNIT_IN.search(ln.text.replace(" ", "")))), "万元")
    scale = SCALE.get(unit, 1.0)
    body_at = next((i for i, ln in enumerate(block) if i and _is_body(_cells(ln.text))), None)
    if body_at is None:
        return Table(key=kind, title=title, columns=[], page=block[0].page, unit=unit), None
    header = [c for ln in block[1:body_at] for c in _cells(ln.text)]
    columns = _columns(header, kind)
    rows: list[Row] = []
    for ln in block[body_at:]:
        cells = _cells(ln.text)
        if not cells or ln.text.strip().isdigit() or UNIT_IN.search(ln.text.replace(" ", "")):
            continue
        row = _row(cells, columns, kind, scale, len(rows) + 1, ln)
        if row is not None:
            rows.append(row)
    table = Table(key=kind, title=title, columns=columns, rows=rows, page=block[0].page, unit=unit)
    return table, None


def _is_body(cells: list[str]) -> bool:
    """The first body line holds a figure (header lines hold words only, 合计 among them)."""
    return any(AMOUNT.match(c.replace(" ", "")) and ("." in c or "," in c or c == "0") for c in cells)


def _columns(header: list[str], kind: str) -> list[Column]:
    """Value columns named by the header words that are known column labels, left to right."""
    keys: list[Column] = []
    for cell in header:
        word = compact(cell)
        key = EXTRA_LEAVES.get(word) or LEAVES.get(word)
        if key is None:
            continue
        if kind in TWO_SIDED:
            continue
        if all(c.key != key for c in keys):
            keys.append(Column(key=key, label=word))
    if kind in TWO_SIDED:
        figure = "决算数" if any("决算数" in compact(c) for c in header) else "预算数"
        return [Column(key=f"收入{figure}", label="收入", side="收入"), Column(key=f"支出{figure}", label="支出", side="支出")]
    return keys or [Column(key="金额", label="金额")]


def _row(cells: list[str], columns: list[Column], kind: str, scale: float, n: int, ln: Line) -> Row | None:
    if kind in TWO_SIDED:
        return _two_sided(cells, columns, scale, n, ln)
    code_parts: list[str] = []
    figures: list[float] = []
    names: list[str] = []
    for c in cells:
        t = compact(c)
        if CODE.match(t) and not figures and not names:
            code_parts.append(t)  # 201 or 2010301: a 科目编码
        elif re.fullmatch(r"\d{2}", t) and code_parts and not names:
            code_parts.append(t)  # 03 01: 款 and 项 printed apart
        elif (v := number(t)) is not None:
            figures.append(v)
        else:
            names.append(t)
    code = "".join(code_parts) or None
    name = "".join(names)
    if (not name and not code) or not figures:
        return None  # a line without figures may be a wrapped header: an empty cell is not read as 0 here
    row = Row(number=n, name=name, code=code, page=ln.page, line=ln.number)
    keys = [c.key for c in columns]
    amounts = [v * scale for v in figures]
    placed = dict(zip(keys, amounts, strict=True)) if len(amounts) == len(keys) else None
    if placed is not None and _sums_hold(columns, placed, kind):
        row.values = placed
    elif amounts:  # as many figures as labels, in an order the header's sums do not confirm: not placed
        row.ambiguous = [Ambiguity(value=v, candidates=list(keys)) for v in amounts]
    return row


def _sums_hold(columns: list[Column], values: dict[str, float], kind: str) -> bool:
    """The figures of a row placed in order are kept only when the sums the header promises hold
    for them (合计 = 基本支出 + 项目支出 …): a header with groups (基本支出 over 人员支出 | 日常公用支出)
    read as words has more labels than columns, and the count alone would misplace them."""
    from .checks import TOL, row_identities

    identities = row_identities(Table(key=kind, title="", columns=columns))
    if "合计" in values and len(values) > 1 and not identities:
        return False  # a 合计 with parts whose sum cannot be stated: nothing confirms the order
    return all(abs(values.get(total, 0.0) - sum(values.get(k, 0.0) for k in parts)) <= TOL * max(1, len(parts)) for total, parts in identities)


def _two_sided(cells: list[str], columns: list[Column], scale: float, n: int, ln: Line) -> Row | None:
    """`一、财政拨款收入  91,016,775.35  一、一般公共服务支出  82,096,797.42`: a name and its figure
    on each side; a side whose figures cannot be told apart stays ambiguous."""
    sides: list[tuple[str, list[float]]] = []
    for c in cells:
        v = number(c)
        if v is None:
            sides.append((compact(c), []))
        elif sides:
            sides[-1][1].append(v * scale)
        else:
            sides.append(("", [v * scale]))
    if not sides or not any(figures for _, figures in sides):
        return None
    left = sides[0]
    right = sides[1] if len(sides) > 1 else ("", [])
    if len(sides) == 1 and re.search(r"支出|结转下年|年末", left[0]):
        left, right = ("", []), left
    row = Row(number=n, name=left[0], name_right=right[0] or None, page=ln.page, line=ln.number)
    for (_, figures), column in zip((left, right), columns, strict=True):
        if figures:  # a side's first figure is its total (合计 before its parts, which are not kept)
            row.values[column.key] = figures[0]
    return row
