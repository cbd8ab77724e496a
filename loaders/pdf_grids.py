"""Tables of a PDF read from its ruling lines: pdfplumber's table finder, cell by cell.

Published disclosures (Jiangsu, Shanghai, …) draw their tables with lines. pdfplumber finds each
grid and the box of every cell, merged header cells included, so a figure's column is where it
stands, never a guess. This module turns the pages into `Grid`s — the cells of one table, with
the title, unit and body named in the lines just above it (or in its own first rows) — and joins
a table continued over pages. What a grid *means* is `grid_tables`' work.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .identity import is_body_name
from .template import EMPTY_NOTE, compact, looks_like_title, table_kind

UNIT_IN = re.compile(r"单位[:：]\s*(万元|元|千元)")
BODY_IN = re.compile(r"(?:编制单位|编制部门|预算单位|预算主管部门|部门名称|部门|单位名称|单位)\s*[:：]\s*(\S+)")
Y_GAP = 3.0


@dataclass
class Cell:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    page: int = 0

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass
class Grid:
    """One table's cells: `rows[i][j]` is the cell that starts at row i, column j (None where a
    merged cell above or to the left covers it); `columns` holds each column's x range."""

    page: int
    top: float
    bottom: float
    rows: list[list[Cell | None]]
    columns: list[tuple[float, float]]
    title: str | None = None
    unit: str | None = None
    body: str | None = None
    labels: list[str] = field(default_factory=list)  # the lines naming the body (部门名称：…), as printed
    pages: list[int] = field(default_factory=list)
    continued: list[Grid] = field(default_factory=list)
    note: str | None = None  # 注：… printed under the table (此表为空, 本部门无该项目 …)
    other: str | None = None  # the title of a table whose kind the catalogue does not know

    def texts(self, i: int) -> list[str]:
        return [compact(c.text) if c else "" for c in self.rows[i]]


@dataclass
class TextLine:
    page: int
    top: float
    bottom: float
    text: str


WORD_SETTINGS = {"x_tolerance": 1.5, "y_tolerance": 3, "keep_blank_chars": False}  # one extraction a page, shared


def page_words(page) -> list[dict]:
    return page.extract_words(**WORD_SETTINGS)


def page_text_lines(page, page_number: int, outside: list[tuple[float, float, float, float]], words: list[dict] | None = None) -> list[TextLine]:
    """The page's words outside the tables, as lines in reading order."""
    words = page_words(page) if words is None else words
    lines: list[list[dict]] = []
    for w in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        cx, cy = (w["x0"] + w["x1"]) / 2, (w["top"] + w["bottom"]) / 2
        if any(x0 - 1 <= cx <= x1 + 1 and top - 1 <= cy <= bottom + 1 for x0, top, x1, bottom in outside):
            continue
        if lines and abs(lines[-1][0]["top"] - w["top"]) <= Y_GAP:
            lines[-1].append(w)
        else:
            lines.append([w])
    out = []
    for ln in _with_lowered_figures(lines):
        ln.sort(key=lambda w: w["x0"])
        text = ""
        for a, b in zip([None, *ln], ln, strict=False):
            gap = b["x0"] - a["x1"] if a else 0
            text += (" " if a and gap > 4 else "") + b["text"]
        out.append(TextLine(page_number, min(w["top"] for w in ln), max(w["bottom"] for w in ln), text))
    return out


# A line printed at the top of this many pages or more is the document's running head.
RUNNING_HEAD_PAGES = 3
NOT_A_HEAD = re.compile(r"单位[：:]|^[-—\d\s第页共/]+$")


def without_running_heads(pages: list[tuple[list, list[TextLine]]]) -> list[tuple[list, list[TextLine]]]:
    """A document's running head (`无锡市统计局2026年度部门预算公开` over every page) does not belong
    to the sentence it interrupts (…而发生 | 的人员支出和公用支出): the top line of a page that tops
    RUNNING_HEAD_PAGES pages or more, and is no table's title nor a unit line, is kept where it
    first appears (a cover, a contents page) and left out of the pages after."""
    tops = Counter(compact(lines[0].text) for _, lines in pages if lines)
    heads = {t for t, n in tops.items() if n >= RUNNING_HEAD_PAGES and not looks_like_title(t) and not NOT_A_HEAD.search(t)}
    seen: set[str] = set()
    out = []
    for grids, lines in pages:
        top = compact(lines[0].text) if lines else ""
        if top in heads and top in seen:
            lines = lines[1:]
        seen.add(top)
        out.append((grids, lines))
    return out


CJK_WORD = re.compile(r"[\u4e00-\u9fff]")


def _with_lowered_figures(lines: list[list[dict]]) -> list[list[dict]]:
    """Some generators print a narrative's figures and punctuation in another font half a line low
    (重庆 2026: `收入比 年增加 万元` over `2025 2,515.39 ,`). A line of such words only — no Chinese
    character — that overlaps the line above in height and stands in its gaps is put back into it."""
    out: list[list[dict]] = []
    for ln in lines:
        above = out[-1] if out else None
        if above and _lowered_into(ln, above):
            above.extend(ln)
        else:
            out.append(ln)
    return out


def _lowered_into(ln: list[dict], above: list[dict]) -> bool:
    if any(CJK_WORD.search(w["text"]) for w in ln):
        return False
    bottom = max(w["bottom"] for w in above)
    if not all(w["top"] < bottom - 1 for w in ln):
        return False  # a line of its own
    placed = [w for w in above if CJK_WORD.search(w["text"])]
    return bool(placed) and all(
        not any(a["x0"] < (w["x0"] + w["x1"]) / 2 < a["x1"] for a in placed) for w in ln
    )


def page_grids(page, page_number: int, words: list[dict] | None = None) -> list[Grid]:
    grids = []
    for t in page.find_tables():
        texts = t.extract()
        if words is None:
            words = page_words(page)
        lifted = _lifted_texts(t, words)
        if lifted is not None:
            texts = lifted
        rows: list[list[Cell | None]] = []
        for row, row_texts in zip(t.rows, texts, strict=True):
            cells: list[Cell | None] = []
            for bbox, text in zip(row.cells, row_texts, strict=True):
                cells.append(None if bbox is None else Cell(text or "", bbox[0], bbox[2], bbox[1], bbox[3]))
            rows.append(cells)
        columns = _column_ranges(rows)
        if not rows or not columns:
            continue
        grids.append(Grid(page_number, t.bbox[1], t.bbox[3], rows, columns, pages=[page_number]))
    return [g for g in grids if any(any(c and c.text.strip() for c in r) for r in g.rows) and not _framed_prose(g)]


PROSE_MARKS = re.compile(r"[，。、；：]")


def _framed_prose(g: Grid) -> bool:
    """A single row of text fragments in frames (a narrative laid out in boxes, 长沙 2026: `万元 | ，
    | 比上年预算 | 增加`, a figure split `122. | 98`): prose, not a table — a table has a header."""
    if len(g.rows) != 1:
        return False
    texts = [compact(c.text) for c in g.rows[0] if c and compact(c.text)]
    figures = [t for t in texts if re.fullmatch(r"-?[\d,]+\.\d+|-?\d{1,3}(?:,\d{3})+|0", t)]
    if not figures:
        return True  # a lone row of words: no table to read (a continued table's lone row holds figures)
    return any(PROSE_MARKS.fullmatch(t) or t.endswith(".") for t in texts) or bool(PROSE_MARKS.search("".join(texts)))


FIGURE_WORD = re.compile(r"^-?[\d,]+(?:\.\d+)?$")
ON_THE_LINE = 3.0  # points: a figure centred this close to a row's ruling line stands on it
LIFT_SHARE = 0.7  # of a table's figures standing on the lines: the whole table is printed low


def _lifted_texts(t, words: list[dict]) -> list[list[str | None]] | None:
    """Some generators print every figure and code half a row low, on the ruling line between two
    rows (重庆 2026: `301` and `5,293.75` under 工资福利支出), so a reader by cell puts them in the row
    below their name. When most of a table's figures stand on the lines, its cells are read from
    the words, each figure in the row above the line it stands on. None when the table is printed
    normally."""
    x0, top, x1, bottom = t.bbox
    inside = [w for w in words if x0 <= (w["x0"] + w["x1"]) / 2 <= x1 and top <= (w["top"] + w["bottom"]) / 2 <= bottom]
    lines = sorted({round(r.bbox[1], 1) for r in t.rows} | {round(r.bbox[3], 1) for r in t.rows})
    figures = [w for w in inside if FIGURE_WORD.match(w["text"])]
    if len(figures) < 4:
        return None
    standing = [w for w in figures if min(abs((w["top"] + w["bottom"]) / 2 - y) for y in lines) <= ON_THE_LINE]
    if len(standing) < LIFT_SHARE * len(figures):
        return None
    out: list[list[str | None]] = []
    for row in t.rows:
        texts: list[str | None] = []
        for box in row.cells:
            if box is None:
                texts.append(None)
                continue
            bx0, btop, bx1, bbottom = box
            parts = []
            for w in inside:
                cx, cy = (w["x0"] + w["x1"]) / 2, (w["top"] + w["bottom"]) / 2
                if w in standing:
                    cy -= ON_THE_LINE + 1  # just above the line it stands on
                if bx0 <= cx <= bx1 and btop <= cy < bbottom:
                    parts.append(w)
            parts.sort(key=lambda w: (round(w["top"]), w["x0"]))
            texts.append(" ".join(w["text"] for w in parts))
        out.append(texts)
    return out


def _column_ranges(rows: list[list[Cell | None]]) -> list[tuple[float, float]]:
    """Each grid column's x range, from the edges of all its cells (a merged cell spans several)."""
    edges: list[float] = []
    for x in sorted({round(v, 1) for row in rows for c in row if c for v in (c.x0, c.x1)}):
        if not edges or x - edges[-1] > 1.5:
            edges.append(x)
    return list(zip(edges, edges[1:], strict=False))


def _meta(text: str, grid: Grid) -> bool:
    """Read a title, unit or body line into the grid; True when the line was one of them."""
    found = False
    if grid.title is None and table_kind(text) is not None and len(compact(text)) <= 60:
        grid.title = compact(text)
        found = True
    elif grid.title is None and grid.other is None and looks_like_title(text):
        grid.other = compact(text)  # a table of a kind not in the catalogue: its own table, not read
        found = True
    m = UNIT_IN.search(text)
    if m:
        grid.unit = m.group(1)
        found = True
    m = BODY_IN.search(text.replace(" ", "") if "：" in text or ":" in text else text)
    if m and not table_kind(text) and is_body_name(m.group(1).split("单位")[0]):
        grid.body = grid.body or m.group(1).split("单位")[0]
        grid.labels.append(text)
        found = True
    elif m and not table_kind(text):
        found = True  # 单位：万元 alone
    return found


def _split_inner_titles(grid: Grid) -> list[Grid]:
    """A grid whose rows hold a table's title (the table drawn in one frame with its title, or
    two tables in one frame) is cut there; the title, unit and body rows are taken out. A title
    cell may hold the body and unit lines too (`收支预算总表\n部门：…  单位：万元`)."""
    parts: list[Grid] = []
    current = Grid(
        grid.page, grid.top, grid.bottom, [], grid.columns, grid.title, grid.unit, grid.body, list(grid.labels), list(grid.pages)
    )
    for row in grid.rows:
        lines = [compact(x) for c in row if c and c.text.strip() for x in c.text.split("\n") if x.strip()]
        titles = _titles_in(row, lines)
        if titles:
            if current.rows or current.title:
                parts.append(current)
            top = next((c.top for c in row if c), grid.top)
            current = Grid(grid.page, top, grid.bottom, [], grid.columns, pages=list(grid.pages))
            current.title = titles[0]
            for x in lines:
                _meta(x, current)
        elif current.rows:
            current.rows.append(row)
        elif lines and (_is_meta_row(lines[0]) or _is_meta_row("".join(lines)) or lines[0] in ("部门：", "部门:")):
            _meta(" ".join(c.text for c in row if c and c.text.strip()), current)
        elif lines:
            current.rows.append(row)  # the first row of the body (empty rows above the header are skipped)
    parts.append(current)
    return [p for p in parts if p.rows or p.title]


def _titles_in(row: list[Cell | None], lines: list[str]) -> list[str]:
    """The table titles a row holds, in a cell or on a line of one (not a figure's line)."""
    whole = [compact(c.text) for c in row if c and c.text.strip()]
    return [x for x in lines + whole if table_kind(x) is not None and len(x) <= 60 and not re.search(r"\d{3,}\.\d", x)]


def _is_meta_row(joined: str) -> bool:
    """A row inside the frame that names the body or the unit (部门名称：…, 单位：某某局 … 单位：万元)."""
    if UNIT_IN.search(joined) or re.match(r"^(?:部门|编制单位|编制部门|预算单位|部门名称|单位名称)[:：]", joined):
        return True
    m = re.match(r"^单位[:：](\S+?)(?:单位[:：]|$)", joined)
    return bool(m and is_body_name(m.group(1)))


def document_grids(pages: list[tuple[list[Grid], list[TextLine]]]) -> list[Grid]:
    """Titled tables in document order, each with the grids that continue it on later pages."""
    tables: list[Grid] = []
    pending: list[TextLine] = []  # lines below the last table of the page before (a title at a page's foot)
    for grids, lines in pages:
        above_from = 0.0
        for g in sorted(grids, key=lambda g: g.top):
            for ln in pending + [ln for ln in lines if above_from - 1 <= ln.top < g.top]:
                _meta(ln.text, g)
            pending = []
            above_from = g.bottom
            for part in _split_inner_titles(g):
                if part.title is not None and tables and _repeats(tables[-1], part):
                    tables[-1].continued.append(part)  # the title printed again over the rest of the table
                    tables[-1].pages.append(part.page)
                elif part.title is not None:
                    tables.append(part)
                elif part.other is not None:
                    tables.append(part)  # kept apart (grid_table reads no unknown kind): never glued to the table before
                elif tables and _continues(tables[-1], part):
                    tables[-1].continued.append(part)
                    tables[-1].pages.append(part.page)
        pending = [ln for ln in lines if ln.top >= above_from - 1] if grids else []
        notes = [ln.text.strip() for ln in pending if re.match(r"^(?:注|说明)\s*[:：]", ln.text.strip()) or EMPTY_NOTE.search(compact(ln.text))]
        if notes and tables:
            tables[-1].note = (tables[-1].note or "") + "".join(notes)
    return tables


def _repeats(table: Grid, part: Grid) -> bool:
    """A table whose title is printed again on the next page, over the rest of its rows."""
    last = table.continued[-1] if table.continued else table
    return part.title == table.title and part.page - last.page == 1 and len(part.columns) == len(table.columns)


def _continues(table: Grid, part: Grid) -> bool:
    """An untitled grid continues the table before it when it starts on the next page (or the
    same page) and spans the same width."""
    last = table.continued[-1] if table.continued else table
    left, right = table.columns[0][0], table.columns[-1][1]
    same_width = abs(part.columns[0][0] - left) < 25 and abs(part.columns[-1][1] - right) < 25
    return part.page - last.page in (0, 1) and same_width
