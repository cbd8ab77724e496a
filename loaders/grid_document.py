"""A disclosure from a PDF whose tables are drawn with lines: tables, identity and narrative.

`pdf.read_pdf` hands over, page by page, the grids pdfplumber found and the text lines outside
them. Titled grids (with the grids continuing them) become model tables through the catalogue;
the cover, the labelled lines and the titles say whose document it is; the remaining lines are
the narrative, read by the same narrative reader as every other format.
"""

from __future__ import annotations

import re
from typing import NoReturn

from .assemble import disclosure
from .checks import run_checks
from .errors import DisclosureFormatError
from .grid_tables import grid_table
from .identity import Identity, identify, require
from .model import Disclosure, Indicator, Table, Warning_
from .narrative import Narrative, parse_narrative
from .parts import Part, PartOfDisclosure
from .pdf_grids import UNIT_IN, Cell, Grid, TextLine, document_grids
from .template import TWO_SIDED, TableKind, compact, table_kind
from .text import Line

TOC_LINE = re.compile(r"[.…·]{4,}\s*\d*$|^目\s*录$")


def grid_disclosure(
    pages: list[tuple[list[Grid], list[TextLine]]],
    source: str,
    *,
    department: str | None = None,
    year: int | None = None,
) -> Disclosure:
    """A PDF's disclosure from its grids and text lines: the tables, who and what the document is,
    the narrative; a file that is one half of a disclosure (情况说明 or 报表) is raised as a Part."""
    grids = document_grids(pages)
    _inherit_units(grids)
    tables, warnings = _tables_of(grids)
    all_lines = [ln for _, lines in pages for ln in lines]
    found = identify([ln.text for ln in all_lines if ln.page <= 3], [text for g in grids for text in g.labels], [g.title or "" for g in grids])
    narrative = parse_narrative(_narrative_lines(all_lines), source)
    if not tables:
        _without_tables(all_lines, found, narrative, warnings, source, department, year)
    if not (department or found.department) or not (year or found.year):
        # 附件2 报表 naming no body or year: loaded with the narrative file whose figures it prints
        d = disclosure("", 0, found.kind or "预算", tables, narrative, warnings, source=source, source_format="pdf", scope=found.scope)
        try:
            require(found, source, department, year)
        except DisclosureFormatError as e:
            raise PartOfDisclosure(Part(d, "tables", e.reason)) from None
    who = require(found, source, department, year)
    _body_totals(tables, who.department or "")
    return disclosure(
        who.department or "", who.year or 0, who.kind or "预算", tables, narrative, warnings,
        source=source, source_format="pdf", scope=who.scope, identity=who.evidence(),
    )


def _tables_of(grids: list[Grid]) -> tuple[list[Table], list[Warning_]]:
    """The model tables of the titled grids, one of each kind (the fuller kept); a table that
    cannot be read is reported by name and page, and the rest of the document loads."""
    tables: list[Table] = []
    warnings: list[Warning_] = []
    for g in grids:
        try:
            table, notes = grid_table(g)
        except (ValueError, KeyError, IndexError, ZeroDivisionError) as e:
            warnings.append(Warning_(check="structure", table=g.title, message=f"第{g.page}页 {g.title}：表格无法读取（{e}），未载入"))
            continue
        warnings += notes
        if table is None or (not table.rows and not table.note and not g.rows and not g.continued):
            continue  # a title alone (a contents page drawn as a grid): no table
        first = next((t for t in tables if t.key == table.key), None)
        if first is None:
            tables.append(table)
            continue
        kept, dropped = (table, first) if len(table.rows) > len(first.rows) else (first, table)
        tables[tables.index(first)] = kept  # two tables of one kind: the fuller one is kept
        warnings.append(
            Warning_(
                check="structure",
                table=dropped.title,
                message=f"第{dropped.page}页 {dropped.title}：与第{kept.page}页的“{kept.title}”同类，保留行数多的一张",
            )
        )
    return tables, warnings


def _without_tables(
    all_lines: list[TextLine], found: Identity, narrative: Narrative, warnings: list[Warning_], source: str, department: str | None, year: int | None
) -> NoReturn:
    """A PDF without budget tables: the 情况说明 of a disclosure whose tables are another file (a
    Part, loaded with them), or no disclosure."""
    shown = [ln.text for ln in all_lines if ln.text.strip().endswith("表")][:5]
    why = f"没有找到预算表（看到的标题：{'；'.join(shown) if shown else '无'}）"
    if narrative.facts and (department or found.department) and (year or found.year):
        who = require(found, source, department, year)
        d = disclosure(
            who.department or "", who.year or 0, who.kind or "预算", [], narrative, warnings,
            source=source, source_format="pdf", scope=who.scope, identity=who.evidence(),
        )
        raise PartOfDisclosure(Part(d, "narrative", why + "：这是一份情况说明，请与它的报表文件一起载入"))
    raise DisclosureFormatError(source, why)


def _body_totals(tables: list[Table], body: str) -> None:
    """A table listing by 科目 whose first row, uncoded, is named for the body (深圳: 深圳市统计局（本级）
    above 201 一般公共服务支出 …) opens with the body's total: it is the table's 合计 row (the
    printed name is kept in the row's texts)."""
    flat = compact(body)
    for t in tables:
        first = t.rows[0] if t.rows else None
        if first is None or first.code or not any(r.code for r in t.rows[1:]) or not flat:
            continue
        if compact(first.name) in (flat, flat + "合计") or compact(first.name).startswith(flat):
            first.texts = {**first.texts, "名称": first.name}
            first.name = "合计"


def _inherit_units(grids: list[Grid]) -> None:
    """A table printed without its unit line takes the unit of the table before it (else after
    it): a document states its unit over every table, or once for all (上海市数据局 2026: the
    收入预算总表 alone has no 单位：元, and its figures are whole yuan like its neighbours')."""
    stated = [g.unit for g in grids]
    for n, g in enumerate(grids):
        if g.unit is None:
            before = next((u for u in reversed(stated[:n]) if u), None)
            g.unit = before or next((u for u in stated[n + 1 :] if u), None)


def refine_with_grids(d: Disclosure, pages: list[tuple[list[Grid], list[TextLine]]]) -> None:
    """A Hebei-template PDF read as text (its department line, narrative and tables) whose tables
    are also drawn with lines: each table's cells are taken from the grid, where a figure's
    position decides its column, when the grid has the same rows (序号) and columns. Names wrapped
    inside a cell are whole there too. A 收支总表 printed with one name cell keeps the text's
    收入 | 支出 split of the names."""
    read: dict[str, Table] = {}
    indicators: list[Indicator] = []
    for g in document_grids(pages):
        t, _ = grid_table(g)
        if t is not None and t.key not in read:
            read[t.key] = t
        elif t is None and table_kind(g.title or "") == TableKind.PERFORMANCE:
            indicators += grid_indicators(g)
    if indicators and len(indicators) == len(d.indicators):
        d.indicators = indicators  # names wrapped inside a cell are whole in the grid
    replaced = False
    for old in d.tables:
        new = read.get(old.key)
        if new is None or [r.number for r in new.rows] != [r.number for r in old.rows]:
            continue
        if {c.key for c in new.columns} != {c.key for c in old.columns}:
            continue
        one_name_cell = old.key in TWO_SIDED and all(r.name_right is None for r in new.rows)
        for o, n in zip(old.rows, new.rows, strict=True):
            o.values, o.ambiguous, o.texts = n.values, [], {**o.texts, **n.texts}
            if not one_name_cell:
                o.name, o.name_right, o.code = n.name, n.name_right, n.code
        replaced = True
    if replaced:
        kept = [w for w in d.warnings if w.check == "structure"]
        d.warnings = kept + run_checks(d)


def grid_indicators(g: Grid) -> list[Indicator]:
    """The indicators of one 绩效目标表 drawn as a grid: 一级/二级 indicators carry down over the
    rows they span; `≥3 次` is the value and its unit."""
    project = re.sub(r"^\d+[、.．]\s*|(?:预算)?绩效目标表$", "", g.title or "")
    out: list[Indicator] = []
    goal = ""
    header_seen = False
    for row in [r for part in (g, *g.continued) for r in part.rows]:
        cells = [compact(c.text) if c else None for c in row]
        texts = [c for c in cells if c]
        if texts and texts[0] == "绩效目标" and len(texts) > 1:
            goal = texts[1]
        elif texts and texts[0] == "一级指标":
            header_seen = True
        elif texts and header_seen and len(cells) >= 6:
            previous = out[-1] if out else None
            out.append(_indicator(row, cells, project, goal, previous, g.page))
    return out


def _indicator(row: list[Cell | None], cells: list[str | None], project: str, goal: str, previous: Indicator | None, page: int) -> Indicator:
    """One indicator row; its 一级/二级 cells, when blank, are the row above's (they span rows)."""
    level1 = cells[0] or (previous.level1 if previous else "")
    level2 = cells[1] or (previous.level2 if previous else "")
    level3, description, value_cell, basis = (cells[2] or "", cells[3] or "", cells[4] or "", cells[5] or "")
    m = re.match(r"^([≥≤><＞＜=]*\d+(?:\.\d+)?%?|是|否)\s*(.*)$", (row[4].text if row[4] else "").strip())
    value_text, unit = (m.group(1), m.group(2).strip()) if m else (value_cell, "")
    number = re.search(r"\d+(?:\.\d+)?", value_text)
    at = next((c.page for c in row if c and c.page), page)
    return Indicator(
        project=project, goal=goal, level1=level1, level2=level2, level3=level3, description=description,
        value_text=value_text, value=float(number.group()) if number else None, unit=unit, basis=basis,
        page=at or page,
    )


def _narrative_lines(lines: list[TextLine]) -> list[Line]:
    """The text outside the tables, without the table titles, unit lines and the contents."""
    out: list[Line] = []
    for n, ln in enumerate(lines, 1):
        text = ln.text.strip()
        t = compact(text)
        if not t or TOC_LINE.search(t) or UNIT_IN.search(t) or (table_kind(t) and len(t) <= 60):
            continue
        if re.fullmatch(r"[-—\d\s]+", t):  # page numbers
            continue
        out.append(Line(number=n, page=ln.page, text=text))
    return out
