"""Read a disclosure from the text copied out of its PDF.

The text keeps each table's title, the department line (`475 望都县乡村振兴局 预算年度：2022
单位：万元`), the header words, the 栏次 row and then the rows; every page repeats the department
line and the header. A row runs from its 序号 at the start of a line up to the next 序号 of the
same table, so a name wrapped over lines (`社会保障和就` / `业支出`) is joined, and values that
follow on a later line still belong to it. Empty cells leave nothing, so values are placed by
the table's arithmetic (`tables.place_tables`). The narrative (情况说明) goes to `narrative`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from .assemble import assemble
from .errors import DisclosureFormatError
from .headers import GROUPS, TWO_SIDED, Header, HeaderError, parse_header, table_kind, template_header
from .limits import require_size
from .model import Disclosure
from .narrative import parse_narrative
from .tables import ORDINAL, RawRow, RawTable
from .template import TableKind

DEPT_LINE = re.compile(
    r"^\s*(?:(?P<code>\d{1,8})\s+)?(?P<dept>\S+?)\s+(?P<kind>预算|决算)年度[:：]\s*(?P<year>\d{4})\s*年?"
    r"\s+单位[:：]\s*(?P<unit>\S+)"
)
NUMBER = re.compile(r"^-?\d+(?:,\d{3})*(?:\.\d+)?$")  # 128138,600: a separator misplaced by an export
CODE = re.compile(r"^\d{3}(?:\d{2}){0,3}$")
NARRATIVE_START = re.compile(r"情况说明\s*$|^第[一二三四五六七八九十]部分.{0,40}情况说明")


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    x1: float


@dataclass(frozen=True)
class Token:
    text: str
    x1: float | None  # right edge on the page, when the reader knows it


@dataclass
class Line:
    number: int  # 1-based line number in the file (or the line's position on its page)
    page: int
    text: str
    words: tuple[Word, ...] | None = None


def to_number(token: str) -> float:
    return float(token.replace(",", ""))


def split_lines(text: str) -> list[Line]:
    """Lines with their page: a page break shows as a form feed or as a line that starts with
    a space (how the PDF text was extracted: every page opens indented)."""
    out: list[Line] = []
    page = 1
    for i, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        if "\f" in raw:
            page += raw.count("\f")
            raw = raw.replace("\f", "")
        elif raw.startswith(" ") and raw.strip() and i > 1:
            page += 1
        out.append(Line(i, page, raw.strip()))
    return out


def read_text(path: str | Path, *, department: str | None = None, year: int | None = None) -> Disclosure:
    """Read a text disclosure file; raise DisclosureFormatError with a clear reason."""
    path = Path(path)
    source = str(path)
    if not path.exists():
        raise DisclosureFormatError(source, "文件不存在")
    if path.is_dir():
        raise DisclosureFormatError(source, "这是一个文件夹，不是公开文件")
    require_size(path, "text")
    data = path.read_bytes()
    if not data.strip():
        raise DisclosureFormatError(source, "文件是空的")
    text = decode(data, source)
    disclosure = parse_text(text, source=source, department=department, year=year)
    disclosure.source_sha256 = hashlib.sha256(data).hexdigest()
    return disclosure


def decode(data: bytes, source: str) -> str:
    if b"\x00" in data[:4096]:
        raise DisclosureFormatError(source, "不是文本文件（PDF 或 XLSX 请直接载入原文件）")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DisclosureFormatError(source, "文本编码无法识别（应为 UTF-8 或 GB18030）")


def parse_text(text: str, source: str = "<text>", *, department: str | None = None, year: int | None = None) -> Disclosure:
    """The Hebei template (a department line over every table) or, without one, layout text of
    any other template (`layout_text`)."""
    lines = split_lines(text)
    if not any(DEPT_LINE.match(ln.text) for ln in lines):
        from .layout_text import read_layout

        return read_layout(text, source, department=department, year=year)
    return parse_lines(lines, source, "text")


def parse_lines(lines: list[Line], source: str, source_format: str) -> Disclosure:
    """A disclosure from its lines (text, or words laid out by a PDF reader)."""
    head_at = next((i for i, ln in enumerate(lines) if DEPT_LINE.match(ln.text)), None)
    head = lines[head_at] if head_at is not None else None
    if head is None or head_at is None:
        raise DisclosureFormatError(
            source, "不是部门预算公开：没有找到“475 某某局 预算年度：2022 单位：万元”这样的单位行"
        )
    m = DEPT_LINE.match(head.text)
    assert m is not None
    narrative_at = next(
        (i for i, ln in enumerate(lines) if i > head_at and NARRATIVE_START.search(ln.text)),
        len(lines),
    )
    titles = [i for i, ln in enumerate(lines[:narrative_at]) if is_title(ln.text)]
    if not titles:
        raise DisclosureFormatError(source, "没有找到“部门预算收支总表”这样的表名", line=head.number)
    raw_tables: list[RawTable] = []
    for n, start in enumerate(titles):
        end = titles[n + 1] if n + 1 < len(titles) else narrative_at
        raw_tables.append(parse_table_block(lines[start:end], source))
    narrative = parse_narrative(lines[narrative_at:], source)
    return assemble(m, raw_tables, narrative, source=source, source_format=source_format)


def is_title(text: str) -> bool:
    t = text.strip()
    if not t or t[0].isdigit() or t.startswith("注") or len(t) > 40 or not t.endswith("表"):
        return False
    return table_kind(t) is not None


@dataclass
class _Block:
    """What reading a table block keeps from line to line: where it is (header, body, a header
    repeated on a new page, the note), the header lines and the 栏次 they end with, the rows."""

    key: str
    title: str
    source: str
    body: list[Line]
    state: str = "header"
    header_lines: list[Line] = field(default_factory=list)
    numbers: list[int] | None = None
    anchors: list[float] | None = None  # left edge of each value column, when words have positions
    header: Header | None = None
    header_problem: str | None = None
    note_parts: list[str] = field(default_factory=list)
    current: tuple[RawRow, list[Token]] | None = None
    finished: list[tuple[RawRow, list[Token]]] = field(default_factory=list)

    def columns_line(self, ln: Line) -> None:
        """栏次 1 2 3 …: the header read so far is the table's (the first time), the body starts."""
        if self.numbers is None:
            self.numbers = [int(x) for x in re.findall(r"\d+", ln.text)]
            if ln.words:
                self.anchors = [w.x0 for w in ln.words if w.text.isdigit()]
            try:
                self.header = parse_header(self.key, header_text(self.header_lines, self.anchors), self.numbers, by_position=bool(self.anchors))
            except HeaderError as e:
                self.header = template_header(self.key, self.numbers, by_position=bool(self.anchors))
                if self.header is None:
                    raise DisclosureFormatError(self.source, f"{self.title}：{e}", page=ln.page, line=ln.number) from e
                self.header_problem = f"{self.title}：表头无法识别（{e}），按模板与栏次对应的栏目读取"
        self.state = "body"

    def body_line(self, ln: Line, at: int) -> None:
        """A line of the body: a row starting with its 序号, the 序号 alone (the name wrapped below),
        a page number, or more of the row before."""
        tokens = tokens_of(ln)
        expected = (self.current[0].number if self.current else 0) + 1
        starts = tokens[0].text == str(expected)
        if starts and (len(tokens) > 1 or _name_follows(self.body, at)):
            if self.current:
                self.finished.append(self.current)
            self.current = (RawRow(number=expected, name="", page=ln.page, line=ln.number), tokens[1:])
        elif len(tokens) == 1 and re.fullmatch(r"\d+", tokens[0].text):
            return  # a page number
        elif self.current:
            self.current[1].extend(tokens)
        else:
            raise DisclosureFormatError(self.source, f"{self.title}：第一行数据之前有无法识别的文字：{ln.text[:30]!r}", page=ln.page, line=ln.number)

    def line(self, ln: Line, at: int, page: int, pages_with_header: set[int]) -> None:
        text = ln.text
        if ln.page != page and self.state == "body" and ln.page in pages_with_header:
            self.state = "repeat"  # the header again on a new page
        if DEPT_LINE.match(text):
            self.state = "repeat" if self.state == "body" else self.state
        elif text.startswith("栏次"):
            self.columns_line(ln)
        elif self.state == "header":
            self.header_lines.append(ln)
        elif self.state == "repeat":
            return
        elif text.startswith("注"):
            self.note_parts.append(text)
            self.state = "note"
        elif self.state == "note":
            if not re.fullmatch(r"\d+", text):  # not a page number
                self.note_parts.append(text)
        else:
            self.body_line(ln, at)


def parse_table_block(block: list[Line], source: str) -> RawTable:
    title_line = block[0]
    title = re.sub(r"\s+", "", title_line.text)
    key = table_kind(title)
    assert key is not None
    b = _Block(key, title, source, block[1:])
    pages_with_header = {ln.page for ln in block if ln.text.startswith("栏次")}
    page = title_line.page
    for at, ln in enumerate(b.body):
        if ln.text:
            b.line(ln, at, page, pages_with_header)
            page = ln.page
    if b.current:
        b.finished.append(b.current)
    if b.header is None:
        raise DisclosureFormatError(source, f"{title}：表头之后没有栏次行（文件不完整？）", page=title_line.page, line=title_line.number)
    rows: list[RawRow] = []
    value_anchors = b.anchors[-len(b.header.columns) :] if b.anchors else None
    for row, tokens in b.finished:
        fill_row(key, row, tokens, value_anchors, [c.key for c in b.header.columns])
        rows.append(row)
    return RawTable(
        key=key,
        title=title,
        columns=b.header.columns,
        identities=b.header.identities,
        rows=rows,
        note="".join(b.note_parts) or None,
        page=title_line.page,
        line=title_line.number,
        label_columns=b.header.label_columns,
        problems=[b.header_problem] if b.header_problem else [],
    )


def _name_follows(lines: list[Line], at: int) -> bool:
    """Whether the next non-empty line, on the same page, starts with text (a wrapped name)
    rather than a number, a header or a new table: what tells a lone 序号 from a page number."""
    here = lines[at]
    for ln in lines[at + 1 :]:
        if not ln.text:
            continue
        first = ln.text.split()[0]
        return (
            ln.page == here.page
            and not NUMBER.match(first)
            and not DEPT_LINE.match(ln.text)
            and not (first.startswith(("栏次", "注", "序号")))
        )
    return False


def tokens_of(ln: Line) -> list[Token]:
    if ln.words:
        return [Token(w.text, w.x1) for w in ln.words]
    return [Token(t, None) for t in ln.text.split()]


def header_text(lines: list[Line], anchors: list[float] | None) -> str:
    """The header as one run of words. With positions, each value column's words are read top to
    bottom (a label wrapped inside its cell joins up), group labels first."""
    if not anchors or not any(ln.words for ln in lines):
        return " ".join(ln.text for ln in lines)
    columns: list[list[str]] = [[] for _ in anchors]
    labels: list[str] = []
    groups: list[str] = []
    for ln in lines:
        for w in ln.words or ():
            compact = re.sub(r"\s+", "", w.text)
            if compact in GROUPS:
                groups.append(compact)
                continue
            centre = (w.x0 + w.x1) / 2
            inside = [i for i, a in enumerate(anchors) if a - 4 <= centre]
            if not inside:
                labels.append(compact)
            else:
                columns[inside[-1]].append(compact)
    return " ".join(groups + labels + ["".join(c) for c in columns])


def column_at(x1: float, anchors: list[float]) -> int | None:
    """The value column a right-aligned (or left-aligned) number ending at x1 sits in."""
    inside = [i for i, a in enumerate(anchors) if a - 2 <= x1]
    return inside[-1] if inside else None


def fill_row(
    key: str, row: RawRow, tokens: list[Token], anchors: list[float] | None = None, keys: list[str] | None = None
) -> None:
    """Name, code and values of a row from its tokens (placed by position when known)."""
    if anchors and keys:
        fixed: dict[str, float] = {}
        rest: list[Token] = []
        for tok in tokens:
            col = column_at(tok.x1, anchors) if NUMBER.match(tok.text) and tok.x1 is not None else None
            if col is None:
                rest.append(tok)
            else:
                fixed[keys[col]] = to_number(tok.text)
        row.fixed = fixed
        tokens = rest
    words = [t.text for t in tokens]
    if key in TWO_SIDED:
        _fill_two_sided(row, words)
        return
    if words and CODE.match(words[0]) and key != TableKind.THREE_PUBLIC:
        row.code = words[0]
        words = words[1:]
    names = [t for t in words if not NUMBER.match(t)]
    values = [to_number(t) for t in words if NUMBER.match(t)]
    row.name = join_name(names)
    row.groups = [(None, values)]


def join_name(parts: list[str]) -> str:
    """Join a name wrapped over lines: Chinese text joins without a space."""
    out = ""
    for p in parts:
        if out and out[-1].isascii() and out[-1].isalnum() and p[0].isascii() and p[0].isalnum():
            out += " "
        out += p
    return out


EXPENSE_SIDE = re.compile(r"支出|预备费|年终|年末")


def _fill_two_sided(row: RawRow, tokens: list[str]) -> None:
    """A 收支总表 row: [收入 item, its value] [支出 item, its values], either side may be absent."""
    segments: list[tuple[list[str], list[float]]] = []
    for tok in tokens:
        if NUMBER.match(tok):
            if not segments:
                segments.append(([], []))
            segments[-1][1].append(to_number(tok))
        else:
            if not segments or segments[-1][1] or _starts_new_item(segments[-1][0], tok):
                segments.append(([tok], []))
            else:
                segments[-1][0].append(tok)
    named = [(join_name(n), v) for n, v in segments]
    if len(named) >= 2:
        (left, lv), (right, rv) = named[0], named[1]
        row.name, row.name_right = left, right
        row.groups = [("收入", lv), ("支出", rv)]
    elif named:
        name, values = named[0]
        if EXPENSE_SIDE.search(name):
            row.name, row.name_right = "", name
            row.groups = [("收入", []), ("支出", values)]
        else:
            row.name = name
            row.groups = [("收入", values), ("支出", [])]


def _starts_new_item(previous: list[str], token: str) -> bool:
    """Within a run of words, a second item starts with an ordinal (二、外交支出) or, where
    neither has one, is the second word (上年结转结余 年终结转结余)."""
    if ORDINAL.match(token):
        return True
    return bool(previous) and not ORDINAL.match(previous[0]) and len(previous) == 1
