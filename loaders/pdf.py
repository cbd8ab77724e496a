"""Read a disclosure from its PDF with pdfplumber: page → words with positions → lines.

Words on one baseline make a line; a line keeps its words' x positions, so the table reader
(`text.parse_table_block`) places each value under the 栏次 number of its column instead of
by arithmetic, and rebuilds multi-level headers column by column. Everything else (titles,
rows, names wrapped over lines, tables continued over pages, the narrative) is read exactly as
for text, so all readers produce the same model and pass the same checks.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from .errors import DisclosureFormatError
from .model import Disclosure
from .text import Line, Word, parse_lines

LINE_TOLERANCE = 3.0  # points: words whose tops differ by less are on one line
WORD_GAP = 1.5  # points: characters closer than this belong to one word


def page_lines(page, page_number: int, first_line: int = 1) -> list[Line]:
    words = page.extract_words(x_tolerance=WORD_GAP, y_tolerance=LINE_TOLERANCE, keep_blank_chars=False)
    rows: list[list[dict]] = []
    for w in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if rows and abs(rows[-1][0]["top"] - w["top"]) <= LINE_TOLERANCE:
            rows[-1].append(w)
        else:
            rows.append([w])
    lines = []
    for n, row in enumerate(rows, first_line):
        row.sort(key=lambda w: w["x0"])
        words = tuple(Word(w["text"], float(w["x0"]), float(w["x1"])) for w in row)
        lines.append(Line(number=n, page=page_number, text=" ".join(w.text for w in words), words=words))
    return lines


def read_pdf(path: str | Path) -> Disclosure:
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError

    path = Path(path)
    source = str(path)
    data = path.read_bytes()
    lines: list[Line] = []
    try:
        with pdfplumber.open(path) as pdf:
            if not pdf.pages:
                raise DisclosureFormatError(source, "the PDF has no pages")
            for number, page in enumerate(pdf.pages, 1):
                lines += page_lines(page, number, first_line=len(lines) + 1)
    except DisclosureFormatError:
        raise
    except (PDFSyntaxError, ValueError, KeyError, TypeError, OSError) as e:
        raise DisclosureFormatError(source, f"not a readable PDF ({type(e).__name__}: {e})") from e
    except Exception as e:  # pdfminer raises many kinds of errors on damaged files
        raise DisclosureFormatError(source, f"not a readable PDF ({type(e).__name__})") from e
    if not any(ln.text.strip() for ln in lines):
        raise DisclosureFormatError(source, "the PDF has no text layer (a scan needs OCR first)")
    disclosure = parse_lines(lines, source, "pdf")
    disclosure.source_sha256 = hashlib.sha256(data).hexdigest()
    return disclosure
