"""Pick the reader for a file by its content, not only its extension."""

from __future__ import annotations

from pathlib import Path

from .errors import DisclosureFormatError
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


def read_disclosure(path: str | Path) -> Disclosure:
    path = Path(path)
    if not path.exists():
        raise DisclosureFormatError(str(path), "no such file")
    if path.is_dir():
        raise DisclosureFormatError(str(path), "is a folder, not a disclosure file")
    kind = sniff(path)
    if kind == "pdf":
        from .pdf import read_pdf

        return read_pdf(path)
    if kind == "xlsx":
        from .xlsx import read_xlsx

        return read_xlsx(path)
    return read_text(path)
