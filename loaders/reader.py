"""Pick the reader for a file by its content, not only its extension."""

from __future__ import annotations

from pathlib import Path

from .errors import DisclosureFormatError
from .limits import require_size
from .model import Disclosure
from .text import read_text

PDF_MAGIC = b"%PDF"
ZIP_MAGIC = b"PK\x03\x04"


def sniff(path: Path) -> str:
    with path.open("rb") as f:
        head = f.read(8)
    if head.startswith(PDF_MAGIC):
        return "pdf"
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    return "text"


OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary Office formats (.xls, .doc)
NAMED_BINARY = {".pdf": "PDF", ".xlsx": "XLSX", ".xls": "Excel", ".doc": "Word", ".docx": "Word"}


def _require_content_of_its_kind(path: Path, kind: str) -> None:
    """A file named .pdf or .xlsx whose bytes are not one (a download cut short, a web page saved
    under the file's name, an old .xls) is said to be so, not read as text."""
    if kind != "text":
        return
    with path.open("rb") as f:
        head = f.read(512)
    named = NAMED_BINARY.get(path.suffix.lower())
    if head.startswith(OLE_MAGIC):
        raise DisclosureFormatError(str(path), "这是旧版 Office 文件（.xls/.doc）：请另存为 .xlsx 或 PDF 再载入")
    if named is None:
        return
    if b"<html" in head.lower() or b"<!doctype" in head.lower():
        raise DisclosureFormatError(str(path), f"文件名是 {path.suffix}，内容却是一个网页（下载的可能是网页而不是{named}文件）")
    raise DisclosureFormatError(str(path), f"文件名是 {path.suffix}，内容却不是{named}文件（可能下载不完整或已损坏）")


def read_disclosure(path: str | Path, *, department: str | None = None, year: int | None = None) -> Disclosure:
    """Read one disclosure file. `department` and `year` name whose document it is when the file
    does not say (or says it wrongly); otherwise what the document says is kept."""
    d = _read(Path(path), department, year)
    if department:
        d.department = department
    if year:
        d.year = year
    return d


def _read(path: Path, department: str | None, year: int | None) -> Disclosure:
    if not path.exists():
        raise DisclosureFormatError(str(path), "文件不存在")
    if path.is_dir():
        raise DisclosureFormatError(str(path), "这是一个文件夹，不是公开文件")
    kind = sniff(path)
    _require_content_of_its_kind(path, kind)
    require_size(path, kind)
    if kind == "pdf":
        from .pdf import read_pdf

        return read_pdf(path, department=department, year=year)
    if kind == "xlsx":
        from .xlsx import read_xlsx

        return read_xlsx(path)
    return read_text(path, department=department, year=year)
