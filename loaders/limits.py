"""How much of a file any reader takes on, checked before reading it.

A department's disclosure is 20 KB–1 MB in every format (the real PDFs here: 0.1–0.7 MB, 20–35
pages). These bounds leave a wide margin and keep one file's memory bounded
(`benchmarks/input_bounds.py` measures peak memory at these sizes)."""

from __future__ import annotations

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
