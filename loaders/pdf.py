"""Read a disclosure from its PDF with pdfplumber.

Two kinds of PDF reach us. The Hebei county template repeats a department line
(`475 某某局 预算年度：2022 单位：万元`) over every table and draws few lines: its words, with their
x positions, go through the same parser as text (`text.parse_lines`), each value placed under the
栏次 number of its column. Every other published template (Jiangsu, Shanghai, 决算) draws its
tables with ruling lines: `pdf_grids` reads each table cell by cell, `grid_tables` names the
columns from the header cells above them, and the words outside the tables are the narrative.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from .errors import DisclosureFormatError
from .grid_document import grid_disclosure, refine_with_grids
from .limits import MAX_PAGES
from .model import Disclosure
from .pdf_grids import TextLine, page_grids, page_text_lines, page_words, without_running_heads
from .template import compact, table_kind
from .text import DEPT_LINE, Line, Word, parse_lines
from .word_tables import word_grids

LINE_TOLERANCE = 3.0  # points: words whose tops differ by less are on one line
WORD_GAP = 1.5  # points: characters closer than this belong to one word


def page_lines(page, page_number: int, first_line: int = 1, words: list[dict] | None = None) -> list[Line]:
    found = page.extract_words(x_tolerance=WORD_GAP, y_tolerance=LINE_TOLERANCE, keep_blank_chars=False) if words is None else words
    rows: list[list[dict]] = []
    for w in sorted(found, key=lambda w: (round(w["top"]), w["x0"])):
        if rows and abs(rows[-1][0]["top"] - w["top"]) <= LINE_TOLERANCE:
            rows[-1].append(w)
        else:
            rows.append([w])
    lines = []
    for n, row in enumerate(rows, first_line):
        row.sort(key=lambda w: w["x0"])
        placed = tuple(Word(w["text"], float(w["x0"]), float(w["x1"])) for w in row)
        lines.append(Line(number=n, page=page_number, text=" ".join(w.text for w in placed), words=placed))
    return lines


def _titled(text: str) -> bool:
    t = compact(text)
    return table_kind(t) is not None and len(t) <= 60 and not re.search(r"[.…·]{4,}", t)


def _locked(e: BaseException) -> bool:
    """Whether pdfminer refused the file for its password (pdfplumber wraps the error)."""
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    causes = [e, *e.args, e.__cause__]
    return any(isinstance(c, (PDFPasswordIncorrect, PDFEncryptionError)) for c in causes)


def read_pdf(path: str | Path, *, department: str | None = None, year: int | None = None) -> Disclosure:
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError

    path = Path(path)
    source = str(path)
    data = path.read_bytes()
    lines: list[Line] = []
    pages: list[tuple[list, list[TextLine]]] = []
    # Only reading the file is guarded: pdfminer raises many kinds of errors on damaged files.
    # Interpreting what was read happens outside, so a bug there is a crash, not "damaged".
    try:
        with pdfplumber.open(path) as pdf:
            if not pdf.pages:
                raise DisclosureFormatError(source, "PDF 没有任何页面")
            if len(pdf.pages) > MAX_PAGES:
                raise DisclosureFormatError(source, f"PDF 有 {len(pdf.pages)} 页，超过 {MAX_PAGES} 页的上限：请只载入一个单位的公开文件")
            unruled = False  # the page before ended in a table read by word positions
            for number, page in enumerate(pdf.pages, 1):  # one pass, one page in memory at a time
                words = page_words(page)  # one extraction, for the lines, the grids and the text around them
                page_text = page_lines(page, number, first_line=len(lines) + 1, words=words)
                lines += page_text
                grids = page_grids(page, number, words)
                if not grids and (unruled or any(_titled(ln.text) for ln in page_text)):
                    grids = word_grids(page, number, words)  # a table drawn without (vertical) ruling lines
                    unruled = bool(grids)
                else:
                    unruled = False
                boxes = [(g.columns[0][0], g.top, g.columns[-1][1], g.bottom) for g in grids]
                pages.append((grids, page_text_lines(page, number, boxes, words)))
                page.close()
            hebei = any(DEPT_LINE.match(ln.text) for ln in lines)
    except DisclosureFormatError:
        raise
    except (PDFSyntaxError, ValueError, KeyError, TypeError, OSError) as e:
        raise DisclosureFormatError(source, "PDF 文件已损坏、不完整或无法读取") from e
    except Exception as e:  # noqa: BLE001 — pdfminer's own exception classes for damaged files
        if _locked(e):
            raise DisclosureFormatError(source, "PDF 设了打开密码（加密），读不了：请载入不加密的原文件") from e
        raise DisclosureFormatError(source, "PDF 文件已损坏、不完整或无法读取") from e
    if not any(ln.text.strip() for ln in lines):
        raise DisclosureFormatError(source, "PDF 没有文字层（扫描件），需要先做文字识别（OCR）")
    if hebei:
        disclosure = parse_lines(lines, source, "pdf")
        refine_with_grids(disclosure, pages)
    else:
        disclosure = grid_disclosure(without_running_heads(pages), source, department=department, year=year)
    disclosure.source_sha256 = hashlib.sha256(data).hexdigest()
    return disclosure
