"""Read a disclosure from an XLSX workbook with openpyxl: one sheet per table.

Finance software exports each table on its own sheet: the title, the department line, one or
more header rows (merged cells for multi-level headers, sometimes a 栏次 row), then the rows;
empty cells are blank. Merged header cells are spread over the columns they cover, each value
column's header is read top to bottom and cut into known labels (`headers.parse_header`), and
every value is placed by its cell — nothing is inferred. Label columns are found by their
headers (序号, 科目编码 or 类/款/项, 科目名称, 项目). Sheets that are not tables are read as
narrative text.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path

from .assemble import assemble
from .errors import DisclosureFormatError
from .headers import GROUPS, Header, HeaderError, parse_header, table_kind
from .limits import require_bounded_workbook
from .model import Column, Disclosure
from .narrative import parse_narrative
from .tables import RawRow, RawTable
from .template import TableKind
from .text import DEPT_LINE, NUMBER, Line, _fill_two_sided, to_number

LABEL_WORDS = (
    "序号",
    "科目编码",
    "编码",
    "科目名称",
    "项目",
    "类",
    "款",
    "项",
    "功能分类科目",
    "经济分类科目",
    "部门经济分类科目",
    "支出部门经济分类科目",
    "单位名称",
)


# Sheets that are not one of the nine tables but a section of the narrative in the text formats.
SHEET_SECTIONS = (("政府采购", "一、政府采购情况"), ("固定资产", "二、国有资产占用情况"))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def sheet_grid(ws) -> list[list[object]]:
    """The sheet as rows of values, with each merged range's value in every cell it covers."""
    grid = [list(row) for row in ws.iter_rows(values_only=True)]
    for merged in ws.merged_cells.ranges:
        value = ws.cell(merged.min_row, merged.min_col).value
        for r in range(merged.min_row, merged.max_row + 1):
            for c in range(merged.min_col, merged.max_col + 1):
                if r - 1 < len(grid) and c - 1 < len(grid[r - 1]):
                    grid[r - 1][c - 1] = value
    return grid


def read_xlsx(path: str | Path) -> Disclosure:
    import openpyxl

    path = Path(path)
    source = str(path)
    data = path.read_bytes()
    require_bounded_workbook(path, data)  # before openpyxl allocates what a sheet declares
    from openpyxl.utils.exceptions import InvalidFileException

    try:  # from bytes: openpyxl would otherwise insist on the file's extension
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=False)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as e:
        raise DisclosureFormatError(source, "XLSX 工作簿已损坏、不完整或无法读取") from e
    raw_tables: list[RawTable] = []
    narrative_lines: list[Line] = []
    head = None
    for sheet_no, ws in enumerate(wb.worksheets, 1):
        grid = sheet_grid(ws)
        title_at = next((i for i, row in enumerate(grid[:6]) for v in row[:3] if _is_title(_text(v))), None)
        if title_at is None:
            heading = next((h for word, h in SHEET_SECTIONS if word in ws.title), None)
            if heading:  # the 政府采购 / 固定资产 sheets read as the narrative's sections of that name
                narrative_lines.append(Line(number=len(narrative_lines) + 1, page=sheet_no, text=heading))
            for _i, row in enumerate(grid, 1):
                text = " ".join(_text(v) for v in row if _text(v))
                if text:
                    narrative_lines.append(Line(number=len(narrative_lines) + 1, page=sheet_no, text=text))
            continue
        table, dept = _read_sheet(grid, title_at, sheet_no, ws.title, source)
        if dept is not None:
            if head is not None and (dept.group("dept"), dept.group("year")) != (head.group("dept"), head.group("year")):
                raise DisclosureFormatError(
                    source,
                    f"工作表 {ws.title} 属于 {dept.group('dept')} {dept.group('year')}年，"
                    f"不是 {head.group('dept')} {head.group('year')}年：一个工作簿里似乎有不止一份公开，请分开载入",
                )
            head = head or dept
        raw_tables.append(table)
    if not raw_tables:
        raise DisclosureFormatError(source, "工作簿里没有预算表（如“部门预算收支总表”）")
    if head is None:
        raise DisclosureFormatError(source, "没有找到单位行（如“475 某某局 预算年度：2022 单位：万元”）")
    narrative = parse_narrative(narrative_lines, source)
    return assemble(
        head, raw_tables, narrative, source=source, source_format="xlsx", source_sha256=hashlib.sha256(data).hexdigest()
    )


def _is_title(text: str) -> bool:
    compact = re.sub(r"\s+", "", text)
    return bool(compact) and compact.endswith("表") and not compact.startswith("注") and table_kind(compact) is not None


def _read_sheet(grid: list[list[object]], title_at: int, sheet_no: int, sheet: str, source: str) -> tuple[RawTable, re.Match[str] | None]:
    """One table of a sheet, in steps: its title, the 部门 line under it, the header rows (and the
    栏次 row), the columns they name, then the body rows."""
    title = next(re.sub(r"\s+", "", _text(v)) for v in grid[title_at] if _is_title(_text(v)))
    key = table_kind(title)
    assert key is not None
    dept, i = _department_line(grid, title_at)
    header_rows, numbers, i = _header_rows(grid, i)
    col_text, value_cols, serial_col, code_cols, name_cols = _sheet_columns(header_rows)
    header = _sheet_header(key, col_text, value_cols, f"工作表 {sheet}：{title}", source)
    for col, number in zip(header.columns, numbers[-len(header.columns) :] if numbers else [], strict=False):
        col.number = number
    rows: list[RawRow] = []
    note: list[str] = []
    for r in range(i, len(grid)):
        cells = [_text(v) for v in grid[r]]
        first = next((c for c in cells if c), "")
        if first.startswith("注"):
            note.append(first)
        elif first:
            number = int(cells[serial_col]) if serial_col is not None and cells[serial_col].isdigit() else len(rows) + 1
            row = _body_row(key, cells, RawRow(number=number, name="", page=sheet_no, line=r + 1), code_cols, name_cols)
            row.fixed = _figures(grid[r], header.columns, value_cols)
            rows.append(row)
    table = RawTable(
        key=key, title=title, columns=header.columns, identities=header.identities, rows=rows,
        note="".join(note) or None, page=sheet_no, label_columns=header.label_columns,
    )
    return table, dept


def _sheet_columns(header_rows: list[list[str]]) -> tuple[list[str], list[int], int | None, list[int], list[int]]:
    """Each column's header text (its header rows joined), and which columns hold figures, the
    序号, codes and names: the leaf of a label column's header decides (功能分类科目 / 科目编码 is
    a code column)."""
    width = max((len(r) for r in header_rows), default=0)
    col_text = [re.sub(r"\s+", "", "".join(dict.fromkeys(r[c] for r in header_rows if c < len(r) and r[c]))) for c in range(width)]
    label_cols = sorted(c for c, t in enumerate(col_text) if _is_label(t))
    value_cols = [c for c, t in enumerate(col_text) if t and c not in label_cols]
    serial_col = next((c for c in label_cols if col_text[c] == "序号"), None)
    code_cols = [c for c in label_cols if _split_labels(col_text[c])[-1] in ("科目编码", "编码", "类", "款", "项")]
    name_cols = [c for c in label_cols if c != serial_col and c not in code_cols]
    return col_text, value_cols, serial_col, code_cols, name_cols


def _department_line(grid: list[list[object]], title_at: int) -> tuple[re.Match[str] | None, int]:
    """The 部门/单位 line within three rows under the title, and the row after it (or after the title)."""
    i = title_at + 1
    while i < len(grid) and i <= title_at + 3:
        joined = " ".join(dict.fromkeys(_text(v) for v in grid[i] if _text(v)))  # the line may be split over cells
        m = next((DEPT_LINE.match(_text(v)) for v in grid[i] if DEPT_LINE.match(_text(v))), None) or DEPT_LINE.match(joined)
        if m:
            return m, i + 1
        i += 1
    return None, title_at + 1


def _header_rows(grid: list[list[object]], i: int) -> tuple[list[list[str]], list[int], int]:
    """The header rows from row `i` (up to a note or the first numbered body row), the 栏次
    numbers, and where the body starts."""
    header_rows: list[list[str]] = []
    numbers: list[int] = []
    while i < len(grid):
        cells = [_text(v) for v in grid[i]]
        first = next((c for c in cells if c), "")
        if first.startswith("栏次"):
            numbers = [int(c) for c in cells if c.isdigit()]
        elif first and (first.startswith("注") or (cells[0].isdigit() and header_rows)):
            break
        elif first:
            header_rows.append(cells)
        i += 1
    return header_rows, numbers, i


def _sheet_header(key: str, col_text: list[str], value_cols: list[int], where: str, source: str) -> Header:
    groups = [g for g in GROUPS if any(t.startswith(g) for t in col_text)]
    try:
        header = parse_header(key, " ".join(groups + [col_text[c] for c in value_cols]), [], by_position=True)
    except HeaderError as e:
        raise DisclosureFormatError(source, f"{where}：{e}") from e
    if len(header.columns) != len(value_cols):
        raise DisclosureFormatError(
            source,
            f"{where}：有 {len(value_cols)} 个数字栏，表头只认出 {len(header.columns)} 个（{'、'.join(col_text[c] for c in value_cols)}）",
        )
    return header


def _body_row(key: str, cells: list[str], row: RawRow, code_cols: list[int], name_cols: list[int]) -> RawRow:
    code = "".join(cells[c] for c in code_cols if c < len(cells))
    names = [cells[c] for c in name_cols if c < len(cells) and cells[c] and not NUMBER.match(cells[c])]
    if key in (TableKind.TOTALS, TableKind.FISCAL_TOTALS) and len(name_cols) == 2:
        left, right = (cells[c] if c < len(cells) else "" for c in name_cols)
        row.name, row.name_right = left, right or None  # 收入 | 项目 … 支出 | 项目 …
    elif key in (TableKind.TOTALS, TableKind.FISCAL_TOTALS):
        _fill_two_sided(row, " ".join(names).split())
    else:
        row.name = "".join(names)
        row.code = code or None
    return row


def _figures(values: list[object], columns: list[Column], value_cols: list[int]) -> dict[str, float]:
    fixed: dict[str, float] = {}
    for col, c in zip(columns, value_cols, strict=True):
        v = values[c] if c < len(values) else None
        if isinstance(v, int | float) and not isinstance(v, bool):
            fixed[col.key] = float(v)
        elif isinstance(v, str) and NUMBER.match(v.strip()):
            fixed[col.key] = to_number(v.strip())
    return fixed


def _is_label(text: str) -> bool:
    """序号, 科目编码, 类/款/项, 科目名称, 项目 — also under a 收入/支出 side (收入项目)."""
    if not text:
        return False
    text = re.sub(r"^(收入|支出)(?=项目)", "", text)
    return text in LABEL_WORDS or all(w in LABEL_WORDS for w in _split_labels(text))


def _split_labels(text: str) -> list[str]:
    out = []
    rest = text
    while rest:
        word = next((w for w in sorted(LABEL_WORDS, key=len, reverse=True) if rest.startswith(w)), None)
        if word is None:
            return [text]
        out.append(word)
        rest = rest[len(word) :]
    return out
