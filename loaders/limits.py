"""How much of a file any reader takes on, checked before reading it.

A department's disclosure is 20 KB–1 MB in every format (the real PDFs here: 0.1–0.7 MB, 20–35
pages). These bounds leave a wide margin and keep one file's memory bounded
(`benchmarks/input_bounds.py` measures peak memory at these sizes)."""

from __future__ import annotations

import re
from pathlib import Path

from .errors import DisclosureFormatError

MAX_BYTES = {"pdf": 50 * 2**20, "xlsx": 10 * 2**20, "text": 5 * 2**20}
MAX_PAGES = 500  # a PDF of thousands of pages is not one body's disclosure
KIND_NAMES = {"pdf": " PDF ", "xlsx": " XLSX ", "text": "文本"}


def require_size(path: Path, kind: str) -> None:
    size = path.stat().st_size
    if size > MAX_BYTES[kind]:
        raise DisclosureFormatError(
            str(path), f"文件有 {size / 2**20:.1f} MB，超过{KIND_NAMES[kind]}文件 {MAX_BYTES[kind] // 2**20} MB 的上限，不予载入"
        )


# A workbook is a zip: a few hundred KB can unpack to gigabytes, or declare a million rows that
# openpyxl would allocate. A disclosure's sheets hold a few thousand cells (the generated ones:
# 600–1,500 a sheet); these bounds are checked on the zip's directory and the sheets' own
# declarations before openpyxl reads a cell.
MAX_XLSX_UNPACKED = 50 * 2**20  # bytes, all entries unpacked
MAX_SHEET_ROWS = 20_000
MAX_SHEET_COLUMNS = 500
MAX_WORKBOOK_CELLS = 500_000  # cells written in all sheets together
DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]{1,3})?(\d+)?(?::([A-Z]{1,3})(\d+))?"')
CELL_TAGS = (b"<c ", b"<c>", b":c ")  # a cell element, plain or with a namespace prefix
CHUNK = 2**20


def require_bounded_workbook(path: Path, data: bytes) -> None:
    """Refuse a workbook that unpacks to more than a disclosure could hold (DisclosureFormatError),
    reading only the zip directory, each sheet's <dimension> and a count of its cell tags."""
    import io
    import zipfile

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as e:
        raise DisclosureFormatError(str(path), "XLSX 工作簿已损坏、不完整或无法读取") from e
    with archive:
        entries = archive.infolist()
        unpacked = sum(e.file_size for e in entries)
        if unpacked > MAX_XLSX_UNPACKED:
            raise DisclosureFormatError(
                str(path), f"工作簿解压后有 {unpacked / 2**20:.0f} MB，超过 {MAX_XLSX_UNPACKED // 2**20} MB 的上限（不像一份预算公开），不予载入"
            )
        cells = 0
        for entry in entries:
            if not (entry.filename.startswith("xl/worksheets/") and entry.filename.endswith(".xml")):
                continue
            with archive.open(entry) as sheet:
                head = sheet.read(4096)
                _require_declared_size(path, entry.filename, head)
                tail = b""
                chunk = head
                while chunk:
                    cells += _cells(tail + chunk) - _cells(tail)
                    if cells > MAX_WORKBOOK_CELLS:
                        raise DisclosureFormatError(
                            str(path), f"工作簿有超过 {MAX_WORKBOOK_CELLS} 个单元格（不像一份预算公开），不予载入"
                        )
                    tail, chunk = chunk[-3:], sheet.read(CHUNK)


def _cells(text: bytes) -> int:
    return sum(text.count(tag) for tag in CELL_TAGS)


def _require_declared_size(path: Path, name: str, head: bytes) -> None:
    from openpyxl.utils import column_index_from_string

    m = DIMENSION.search(head)
    if m is None or m.group(4) is None:
        return  # no range declared (or one cell): the cell count bounds it
    rows = int(m.group(4))
    columns = column_index_from_string(m.group(3).decode())
    if rows > MAX_SHEET_ROWS or columns > MAX_SHEET_COLUMNS:
        raise DisclosureFormatError(
            str(path), f"工作表 {name.rsplit('/', 1)[-1]} 声明了 {rows} 行 × {columns} 列，超过上限（{MAX_SHEET_ROWS} 行、{MAX_SHEET_COLUMNS} 列），不予载入"
        )
