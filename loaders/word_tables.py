"""Tables printed without ruling lines (or with horizontal rules only), read from word positions.

pdfplumber's table finder needs the lines a table is drawn with; its text strategy guesses column
edges from word alignment and cuts an indented code column (`8` for `208`). A budget table says
more than its alignment: figures are right-aligned under their column, codes and names stand to
the left, a header cell's words are stacked and centred over the columns it spans. So, in small
steps, each kept and inspectable, as pdfplumber's own finder is written:

    words → lines → regions (one per table, below its title) → body rows and header lines
          → value columns (figures' right edges) and label columns (codes, names)
          → header cells (stacked words joined; a group cell spans the columns below it)
          → `Grid`

The `Grid` is what `pdf_grids` makes of a ruled table, so `grid_tables` gives it its meaning the
same way: a figure's column is where it stands, never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .grid_tables import AMOUNT
from .grid_tables import is_column_numbers as numbers_row
from .pdf_grids import UNIT_IN, Cell, Grid
from .template import compact, table_kind

LINE_TOLERANCE = 3.0  # points: words whose tops differ by less are on one line
RIGHT_EDGE_TOLERANCE = 5.0  # points: figures whose right edges differ by less are one column
STACK_GAP = 6.0  # points: header words closer than this vertically are one cell

NUMERIC = AMOUNT  # a figure as printed, as grid_tables reads it
CODE = re.compile(r"^\d{3}(?:\d{2}){0,3}$|^\d{2}$")
LABEL_LINE = re.compile(r"^(?:附表|公开|预算)?\d{1,2}表$|^表[\d一二三四五六七八九十]{1,3}[：:]?$|^(?:附表|公开|预算)?表\d{1,2}$")
META = re.compile(r"(?:部门名称|单位名称|编制单位|编制部门|预算单位|预算主管部门|部门|单位)\s*[:：]")
NOTE = re.compile(r"^注\s*[:：]|^说明\s*[:：]")
ROW_NAME = re.compile(r"^(?:合\s*计|总\s*计|[一二三四五六七八九十]+、|\d{1,2}[、.．]|[（(][一二三四五六七八九十\d]{1,3}[)）])")
PAGE_NUMBER = re.compile(r"^[-—–]*\d{1,3}[-—–]*$|^第\d+页(?:共\d+页)?$")


@dataclass
class Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def centre(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def middle(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class Line:
    words: list[Word]

    @property
    def text(self) -> str:
        return compact("".join(w.text for w in self.words))

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)


@dataclass
class Region:
    """The lines of one table: its header lines, then its body lines (rows with figures, and the
    lines between them: wrapped names, headings without figures)."""

    header: list[Line]
    body: list[Line]
    figures: list[list[Word]] = field(default_factory=list)  # each body line's figures
    labels: list[list[Word]] = field(default_factory=list)  # each body line's codes and names


def page_words(page, words: list[dict] | None = None) -> list[Word]:
    from .pdf_grids import page_words as extract

    return [Word(w["text"], float(w["x0"]), float(w["x1"]), float(w["top"]), float(w["bottom"])) for w in (words if words is not None else extract(page))]


def lines_of(words: list[Word]) -> list[Line]:
    lines: list[list[Word]] = []
    for w in sorted(words, key=lambda w: (round(w.top), w.x0)):
        if lines and abs(lines[-1][0].top - w.top) <= LINE_TOLERANCE:
            lines[-1].append(w)
        else:
            lines.append([w])
    return [Line(sorted(ws, key=lambda w: w.x0)) for ws in lines]


def split_line(line: Line) -> tuple[list[Word], list[Word]]:
    """A body line's labels (codes and names) and figures. Codes are the numbers that lead a line
    before its name (208 | 20801 | 208 01 01 社会保障和就业支出); a line of numbers only is figures."""
    first_word = next((i for i, w in enumerate(line.words) if not NUMERIC.match(w.text)), None)
    labels: list[Word] = []
    figures: list[Word] = []
    for i, w in enumerate(line.words):
        after = line.words[i + 1].text if i + 1 < len(line.words) else ""
        numeric = bool(NUMERIC.match(w.text)) and not after.startswith(("年", "月", "日"))  # 2024 年度: a date
        leading_code = first_word is not None and i < first_word and CODE.match(w.text)
        (figures if numeric and not leading_code else labels).append(w)
    return labels, figures


def is_column_numbers(line: Line) -> bool:
    return numbers_row([compact(w.text) for w in line.words])


def regions(lines: list[Line]) -> list[Region]:
    """One region per table on the page: from below its title (and the label, unit and body lines
    beside it) to the next title, a note, or the page's end. A page that starts without a title
    continues the table of the page before."""
    out: list[Region] = []
    current: list[Line] = []
    titled = False  # the lines follow a title on this page (a table without one continues the last)

    def close() -> None:
        nonlocal titled
        if current:
            region = _region(list(current), titled)
            if region is not None:
                out.append(region)
        current.clear()
        titled = False

    for line in lines:
        t = line.text
        if PAGE_NUMBER.match(t):
            continue
        is_title = table_kind(t) is not None and len(t) <= 60
        if is_title or LABEL_LINE.match(t) or NOTE.match(t):
            close()
            titled = is_title or LABEL_LINE.match(t) is not None
            continue
        if not current and (META.search(line_text_spaced(line)) or UNIT_IN.search(t) or _is_year(t)):
            continue  # the body and unit lines under a title
        if "。" in t and not any(NUMERIC.match(w.text) for w in line.words):
            close()  # narrative
            continue
        current.append(line)
    close()
    return out


def line_text_spaced(line: Line) -> str:
    return " ".join(w.text for w in line.words)


def _is_year(t: str) -> bool:
    return bool(re.fullmatch(r"[（(]?\d{4}年度?[)）]?", t))


def _has_columns(header: list[Line]) -> bool:
    """A table's header names several columns side by side (科目编码 科目名称 合计 …): headings
    one under another (a contents page, a narrative) are not one."""
    return any(sum(1 for a, b in zip(ln.words, ln.words[1:], strict=False) if b.x0 - a.x1 > COLUMN_GAP) >= 1 for ln in header)


COLUMN_GAP = 12.0  # points between two header words of different columns


def _body_start(lines: list[Line], titled: bool) -> int | None:
    """The first line with a figure; in a titled table printed with every figure blank, the first
    line named as a row (under a header that names columns)."""
    body_start = next((i for i, ln in enumerate(lines) if any(_amount(w.text) for w in split_line(ln)[1])), None)
    if body_start is None and titled:
        body_start = next((i for i, ln in enumerate(lines) if ROW_NAME.match(ln.words[0].text)), None)
        if body_start is not None and not _has_columns(lines[:body_start]):
            body_start = None
    return body_start


def _region(lines: list[Line], titled: bool) -> Region | None:
    body_start = _body_start(lines, titled)
    if body_start is None:  # a header and no rows: an empty table (its 注 or 说明 follows)
        header = [ln for ln in lines if not is_column_numbers(ln)]
        short = all(len(ln.text) <= 40 for ln in header)
        return Region(lines, []) if titled and _has_columns(header) and short and len(lines) <= 8 else None
    body = lines[body_start:]
    split = [split_line(ln) for ln in body]
    # a table's rows have figures; a continued table repeats its header (or runs on for several rows)
    figure_lines = sum(1 for _, figs in split if figs)
    columns = _has_columns(lines[:body_start])
    if (figure_lines < 2 and not columns) or (figure_lines == 0 and not titled):
        return None  # (a titled table with a header and every figure blank is kept)
    return Region(lines[:body_start], body, [f for _, f in split], [lb for lb, _ in split])


# ------------------------------------------------------------------------------ columns


def _amount(text: str) -> bool:
    """A figure as budget tables print amounts (1,332.27, 0.00, 895, 12813860), not a column or
    row number (1 2 3 … 12) printed in the header."""
    return bool(NUMERIC.match(text)) and ("." in text or "," in text or len(text.lstrip("-")) >= 3 or text == "0")


def value_columns(region: Region) -> list[tuple[float, float]]:
    """One column per cluster of figures' right edges (figures are right-aligned), from the
    leftmost figure's left edge to the right edge; a header leaf standing over no figure (a column
    printed blank all the way down) is a column of its own."""
    figures = sorted((w for ws in region.figures for w in ws), key=lambda w: w.x1)
    clusters: list[list[Word]] = []
    for w in figures:
        if clusters and w.x1 - clusters[-1][-1].x1 <= RIGHT_EDGE_TOLERANCE:
            clusters[-1].append(w)
        else:
            clusters.append([w])
    return [(min(w.x0 for w in c), max(w.x1 for w in c)) for c in clusters]


def label_columns(region: Region) -> list[tuple[float, float]]:
    """Codes and names: the x ranges their words cover, overlapping ranges joined; codes and names
    apart (a code column, or 类 | 款 | 项, stands left of the names)."""
    spans: list[list[float]] = []
    kinds: list[str] = []
    for words in region.labels:
        for w in words:
            kind = "code" if CODE.match(w.text) else "name"
            for n, s in enumerate(spans):
                if kinds[n] == kind and w.x0 <= s[1] and w.x1 >= s[0]:
                    s[0], s[1] = min(s[0], w.x0), max(s[1], w.x1)
                    break
            else:
                spans.append([w.x0, w.x1])
                kinds.append(kind)
    return _merge([(a, b) for a, b in spans])


def _merge(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for a, b in sorted(spans):
        if out and a < out[-1][1] - 0.5:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def columns_of(region: Region) -> list[tuple[float, float]]:
    """Every column, left to right, widened to meet its neighbours halfway (so a header word
    centred over a column falls inside it)."""
    labels = label_columns(region)
    values = value_columns(region)
    values = [v for v in values if not any(a - 0.5 <= (v[0] + v[1]) / 2 <= b + 0.5 for a, b in labels)]
    spans = sorted(labels + values)
    spans = _blank_columns(region, spans)
    if not spans:
        return []
    header = [w for ln in region.header for w in ln.words]
    edges = [min([spans[0][0] - 2] + [w.x0 - 1 for w in header])]  # a header word may stand wider than the figures
    for (_, b), (c, _) in zip(spans, spans[1:], strict=False):
        edges.append((b + c) / 2)
    edges.append(max([spans[-1][1] + 2] + [w.x1 + 1 for w in header]))
    return list(zip(edges, edges[1:], strict=False))


def _blank_columns(region: Region, spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """A header leaf (a header cell with no cell under it) that stands over no column heads a
    column printed blank all the way down (事业单位经营支出 where every figure is blank)."""
    cells = _stacks([w for ln in region.header if not is_column_numbers(ln) for w in ln.words])
    added: list[tuple[float, float]] = []
    for c in sorted(cells, key=lambda c: c.x0):
        if NUMERIC.match(c.text):
            continue
        leaf = not any(o is not c and o.top >= c.bottom - 1 and abs(o.centre - c.centre) <= LEAF_REACH for o in cells)
        if leaf and not any(c.x0 < b and c.x1 > a for a, b in spans + added):
            added.append((c.x0, c.x1))
    return sorted(spans + _merge(added))


LEAF_REACH = 100.0  # points: a header cell with a cell under it this close is a group, not a column


def _stacks(words: list[Word]) -> list[Cell]:
    """Header words stacked in one cell (一般公共 / 预算; 上年预算 / 数) joined, top to bottom."""
    stacks: list[list[Word]] = []
    for w in sorted(words, key=lambda w: w.top):
        for s in stacks:
            last = s[-1]
            overlap = min(w.x1, last.x1) - max(w.x0, last.x0)
            if w.top - last.bottom <= STACK_GAP and overlap > 0.5 * min(w.x1 - w.x0, last.x1 - last.x0):
                s.append(w)
                break
        else:
            stacks.append([w])
    return [
        Cell("".join(w.text for w in s), min(w.x0 for w in s), max(w.x1 for w in s), min(w.top for w in s), max(w.bottom for w in s))
        for s in stacks
    ]


# ------------------------------------------------------------------------------ header cells


def header_cells(region: Region, columns: list[tuple[float, float]]) -> list[Cell]:
    """The header's cells: words stacked in one column joined (一般公共 / 预算 → 一般公共预算); a cell
    centred higher than the cells below it is a group over the contiguous columns whose cells lie
    under it (本年收入 over 一般公共预算 … 其他收入, not over 合计, which spans the whole header)."""
    cells = _stacks([w for ln in region.header if not is_column_numbers(ln) for w in ln.words])
    if not cells:
        return []
    band_bottom = max(c.bottom for c in cells)
    children = {id(c): _children(c, cells, columns, band_bottom) for c in cells}
    groups = [c for c in cells if children[id(c)]]
    out = []
    for c in cells:
        own = _column_at(columns, c.centre)
        if own is None:
            continue
        mine = children[id(c)]
        # a column under two groups (收入 | 支出 over 项目 行次 金额 twice) belongs to the nearer one
        peers = [g for g in groups if g is not c and g.top < c.bottom and g.bottom > c.top]
        mine = {k for k in mine if all(abs(_centre(columns[k]) - c.centre) <= abs(_centre(columns[k]) - g.centre) for g in peers)}
        span = [own]
        if mine:
            left = right = own
            while left - 1 in mine:
                left -= 1
            while right + 1 in mine:
                right += 1
            if own not in mine and (own - 1 in mine or own + 1 in mine):
                span = list(range(left, right + 1))  # a group word standing over the gap between two children
            elif own in mine:
                span = list(range(left, right + 1))
        out.append(Cell(c.text, columns[span[0]][0], columns[span[-1]][1], c.top, c.bottom))
    return out


def _children(c: Cell, cells: list[Cell], columns: list[tuple[float, float]], band_bottom: float) -> set[int]:
    """The columns of the cells under a header cell, centred in the band below it (a cell centred
    higher spans the whole header height and is nobody's child)."""
    middle = (c.bottom + band_bottom) / 2
    below = [o for o in cells if o is not c and o.top >= c.bottom - 1 and (o.top + o.bottom) / 2 >= middle - 3]
    return {k for o in below if (k := _column_at(columns, o.centre)) is not None}


def _centre(span: tuple[float, float]) -> float:
    return (span[0] + span[1]) / 2


def _depth(cell: Cell, cells: list[Cell]) -> int:
    return sum(1 for o in cells if o is not cell and o.bottom <= cell.top + 1 and o.x0 < cell.x1 - 1 and o.x1 > cell.x0 + 1)


def _column_at(columns: list[tuple[float, float]], x: float) -> int | None:
    return next((j for j, (a, b) in enumerate(columns) if a <= x <= b), None)


# ------------------------------------------------------------------------------ grid


def region_grid(region: Region, page_number: int) -> Grid | None:
    columns = columns_of(region)  # an empty table (no body): its header leaves are its columns
    if len(columns) < 2:
        return None
    rows: list[list[Cell | None]] = []
    cells = header_cells(region, columns)
    for depth in range(len(cells)):  # a header row per level: the cells with `depth` cells above them
        level = [c for c in cells if _depth(c, cells) == depth]
        if not level:
            break
        row: list[Cell | None] = [None] * len(columns)
        for cell in level:
            at = _column_at(columns, cell.x0 + 0.1)
            if at is not None and row[at] is None:
                row[at] = cell
        rows.append(row)
    for line in region.body:
        row = [None] * len(columns)
        for w in line.words:
            j = _column_at(columns, w.centre)
            if j is None:
                continue
            a, b = columns[j]
            old = row[j]
            text = (old.text + w.text) if old else w.text
            row[j] = Cell(text, a, b, min(w.top, old.top) if old else w.top, max(w.bottom, old.bottom) if old else w.bottom)
        for j, (a, b) in enumerate(columns):
            if row[j] is None:
                row[j] = Cell("", a, b, line.top, line.bottom)
        rows.append(row)
    lines = region.header + region.body
    return Grid(page_number, lines[0].top - 1, lines[-1].bottom + 1, rows, columns, pages=[page_number])


def word_grids(page, page_number: int, words: list[dict] | None = None) -> list[Grid]:
    """The tables of a page drawn without (vertical) ruling lines."""
    grids = []
    for region in regions(lines_of(page_words(page, words))):
        g = region_grid(region, page_number)
        if g is not None:
            grids.append(g)
    return grids
