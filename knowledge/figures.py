"""Figures: every cell, narrative fact or empty table that may answer a question, and the choice
among them — one figure with its citations, or a clarify when readings disagree."""

from __future__ import annotations

import re
from dataclasses import replace

from loaders.precision import agrees_as_stated, stated_decimals
from loaders.subjects import RUNNING_COSTS
from loaders.template import TWO_SIDED, TableKind

from . import terms
from .answer import Answer, Citation
from .conventions import (
    BASIC_ONLY,
    BROAD,
    COUNT_UNITS,
    COUNTED,
    FACT_ALIASES,
    FALLBACK_ROWS,
    FUND_SPENDING,
    FUND_TABLES,
    GENERAL_FUND,
    PART_OF_MONEY,
    PRECEDENCE,
    PROCUREMENT_TABLE,
    SUBJECT_ROWS,
    WHOLE_ITEM,
    WHOLE_ITEMS,
    Candidate,
    _bare,
    _fits_stage,
    _main_column,
    _rank,
    _short,
    _side_name,
    _stage_column,
    _table_kind_of,
    _unit_fits,
    all_one_fund,
    fund_named,
    fund_spending_table,
    main_column,
    named_fund_tables,
    side_fits,
    stage_fits,
)
from .documents import DocData, RowData, TableData
from .library import Library
from .numbers import fmt
from .parse import Query
from .vocabulary import canon


def cell_of(lib: Library, doc: DocData, t: TableData, r: RowData, column: str, label: str, count: bool = False) -> Candidate:
    unit = doc.unit
    if t.key == TableKind.ASSETS and column == "数量":
        unit = COUNT_UNITS.get(r.texts.get("数量单位", ""), r.texts.get("数量单位", "个"))
    value = None if column in r.unsure else r.values.get(column, 0.0)
    return Candidate(
        value=value,
        unit=unit,
        citation=lib.cite_row(doc, t, r, column, value),
        rank=_rank(t.key),
        label=label,
        broad=t.key in BROAD,
    )

def default_column(lib: Library, t: TableData, r: RowData, matched: str, count: bool, stage: str | None = None) -> str | None:
    keys = t.column_keys()
    if t.key in TWO_SIDED:
        side = "收入" if canon(r.name) == matched else "支出"
        sided = [c["key"] for c in t.columns if c["side"] == side]
        if _stage_column(sided, stage):  # a 决算's 收支总表: 年初预算数 | 调整预算数 | 决算数 on each side
            sided = [k for k in sided if stage_fits(k, stage)]
        own = [k for k in sided if k in r.values]
        return own[0] if own else (sided[0] if sided else t.side_column(side))  # a second 支出 block has its own column
    staged = _stage_column(keys, stage)
    if staged:
        return staged
    if t.key == TableKind.ASSETS:
        return "数量" if count else "价值"
    if "价值" in keys and not ("合计" in keys or "金额" in keys):
        return "价值"
    return main_column(keys)

def row_candidates(
    lib: Library, q: Query, doc: DocData, names: list[str], measure: str | None, tables: list[str] | None
) -> list[Candidate]:
    out = []
    for t in doc.tables.values():
        if tables and t.key not in tables:
            continue
        if measure and measure not in t.column_keys():
            continue
        carried, seen = False, set()  # two-sided tables list the 结转 by the same item names again
        for r in t.rows:
            matched = next((n for n in names if n in (canon(r.name), canon(r.name_right), _bare(r.name))), None)
            if matched is None and q.code and r.code == q.code:
                matched = canon(r.name)
            if t.key in TWO_SIDED:
                repeated = carried and _bare(r.name) in seen and "结转" not in q.text
                carried = carried or "结转" in (r.name or "")
                seen.add(_bare(r.name))
                if repeated:
                    continue  # 年初结转 · 一般公共预算拨款 is not the year's 一般公共预算拨款
            if matched is None:
                continue
            column = measure or default_column(lib, t, r, matched, q.count, q.stage)
            if column is None:
                continue
            if measure and t.key in TWO_SIDED:  # a 收入 item's figure is on the 收入 side, never the 支出 item's beside it
                side = "收入" if matched in (canon(r.name), _bare(r.name)) else "支出"
                if next((c["side"] for c in t.columns if c["key"] == measure), side) != side:
                    continue
            if column in COUNTED and column not in r.values:
                continue  # a blank 数量 or 面积 is not stated, not 0 (a blank in a money column is 0)
            name = _side_name(t, r, column)
            cand = cell_of(
                lib,
                doc, t, r, column, label=name + ("" if column in ("合计",) or t.key in TWO_SIDED else " · " + column)
            )
            cand.citation.name = name
            out.append(cand)
    return out

def measure_candidates(lib: Library, doc: DocData, measure: str, tables: list[str] | None) -> list[Candidate]:
    out = []
    for t in doc.tables.values():
        if tables and t.key not in tables:
            continue
        if measure in t.column_keys():
            total = t.total_row()
            if total is not None:
                out.append(cell_of(lib, doc, t, total, measure, label=measure))
            elif not t.rows and t.note:
                out.append(empty_table(lib, doc, t, measure))
        elif (parts := [c["key"] for c in t.columns if c["label"].split("/")[:-1][-1:] == [measure]]) and t.total_row():
            out += group_sum(lib, doc, t, measure, parts)
    return out

def group_sum(lib: Library, doc: DocData, t: TableData, group: str, parts: list[str]) -> list[Candidate]:
    """A group the header prints only as its parts (基本支出 / 人员支出 | 日常公用支出, no 小计):
    its figure is theirs added, when every part's cell is sure."""
    total = t.total_row()
    if total is None or any(k in total.unsure for k in parts):
        return []
    cell = cell_of(lib, doc, t, total, parts[0], label=group)
    cell.value = round(sum(total.values.get(k, 0.0) for k in parts), 2)
    cell.citation.column = f"{group}（{' + '.join(parts)}）"
    cell.citation.value = cell.value
    return [cell]

def empty_table(lib: Library, doc: DocData, t: TableData, label: str) -> Candidate:
    return Candidate(
        value=0.0,
        unit=doc.unit,
        rank=_rank(t.key),
        label=label,
        broad=t.key in BROAD,
        citation=Citation(
            document=doc.id,
            department=doc.department,
            year=doc.year,
            table=t.title,
            name=label,
            value=0.0,
            page=t.page,
            text=t.note,
        ),
    )

def fact_candidates(lib: Library, doc: DocData, names: list[str], stage: str | None = None) -> list[Candidate]:
    out = []
    for n in names:
        if stage in ("年初预算", "全年预算"):  # a 决算 narrative states both: 年初预算为…，支出决算为…
            n = f"{FACT_ALIASES.get(n, n)}{stage}"
        f = doc.facts.get(n) or doc.facts.get(FACT_ALIASES.get(n, ""))
        if f is None:
            continue
        value, unit = f["value"], f["unit"]
        if unit == "元" and doc.unit == "万元":
            value, unit = value / 10000, "万元"
        out.append(
            Candidate(
                value=value,
                unit=unit,
                citation=lib.cite_fact(doc, f),
                rank=len(PRECEDENCE) + 1,
                label=f["key"],
                broad=False,
            )
        )
    return out

def gather(lib: Library, q: Query, doc: DocData) -> list[Candidate]:
    tables = q.terms("table") or None
    measures = q.terms("measure")
    funds = [m for m in measures if m in FUND_TABLES]
    spending = [m for m in measures if m not in FUND_TABLES]
    if funds and (spending or re.search(r"支出|花", q.match_text)) and not tables:
        # 一般公共预算财政拨款的项目支出: the fund's own expenditure table, its 合计 row
        tables = [FUND_TABLES[funds[0]]]
        measures = spending or ["合计"]
    rows = q.terms("row")
    facts = q.terms("fact")
    fund_table = None if tables else fund_spending_table(q.match_text)
    if fund_table:  # 政府性基金项目支出: the fund's table, not its income rows
        fund = next(f for f, t in FUND_SPENDING.items() if t == fund_table)
        tables = [fund_table]
        measures = [m for m in measures if fund not in m] or ["合计"]
        rows = [r for r in rows if fund not in r]
        facts = [f for f in facts if fund in f]
    cands: list[Candidate] = []
    empty = doc.tables.get(fund_table) if fund_table else None
    if empty is not None and not empty.rows and empty.note:  # the fund's table printed empty: 0
        cands.append(empty_table(lib, doc, empty, empty.title))
    if q.narrative_only:
        return fact_candidates(lib, doc, facts + measures + rows, q.stage)
    measure = measures[0] if measures else None
    if rows or q.code:
        names = [n for n in rows if n not in measures] or rows
        cands += row_candidates(lib, q, doc, names, measure if names != rows or len(measures) else None, tables)
        if measure and not cands:
            cands += row_candidates(lib, q, doc, names, None, tables)
        if measure and not cands and names != rows:  # the subject is a row too (一、一般公共预算拨款收入)
            cands += row_candidates(lib, q, doc, rows, None, tables)
    if measure and (not cands or (set(rows) <= set(measures) and not any(c.broad for c in cands))):
        # 基本支出 asked: the all-funds table's 合计 row, also when a 财政拨款 table has a 基本支出 row
        cands += measure_candidates(lib, doc, measure, tables)
    for name in facts + measures + rows:
        for n, (key, row_names, *fixed) in enumerate(SUBJECT_ROWS.get(canon(name), [])):
            t = doc.tables.get(key)
            if t is None or (tables and key not in tables):
                continue
            if not t.rows and t.note and n == 0:  # the subject's own table, printed empty: 0
                cands.append(empty_table(lib, doc, t, name))
            if not t.rows:
                continue
            wanted = [canon(name)] + [canon(n) for n in row_names]  # a row named for the subject first
            r = next((r for w in wanted for r in t.rows if canon(r.name) == w), None)
            column = (fixed[0] if fixed else None) or _stage_column(t.column_keys(), q.stage)
            if column is None:
                column = (t.side_column("收入") if key in TWO_SIDED else None) or _main_column(t)
            if r is not None and not any(c.citation.table == t.title and c.citation.row == r.number for c in cands):
                cands.append(cell_of(lib, doc, t, r, column, label=name))
    if not any(c.from_table and c.broad and c.value is not None for c in cands):
        for name in facts + measures + rows:
            for key, row_names in FALLBACK_ROWS.get(canon(name), []):
                t = doc.tables.get(key)
                r = next((r for w in row_names for r in (t.rows if t else []) if canon(r.name) == w), None)
                if t is not None and r is not None and (not tables or key in tables):
                    cands.append(cell_of(lib, doc, t, r, _main_column(t), label=name))
    if tables and not cands and not (rows or measures or facts or q.code):
        for key in tables:  # a table named alone: its 合计, or 0 when it is empty
            t = doc.tables.get(key)
            total = t.total_row() if t is not None else None
            if t is not None and total is not None:  # in a 决算, the column of the stage asked
                column = _stage_column(t.column_keys(), q.stage) or _main_column(t)
                cands.append(cell_of(lib, doc, t, total, column, label=t.title))
            elif t is not None and not t.rows and t.note:
                cands.append(empty_table(lib, doc, t, t.title))
    if not tables and not q.code:
        names = [f for f in facts if not (rows and f in measures)]
        names += [m for m in measures if not rows and m not in names]
        names += [r for r in rows if r not in names and r not in measures]
        cands += fact_candidates(lib, doc, names, q.stage)
    if not re.search(r"采购|买", q.match_text):  # a procurement table's lines and columns are what is bought, not the budget
        cands = [c for c in cands if _table_kind_of(doc, c) != PROCUREMENT_TABLE]
    whole = {c.citation.name for c in cands if _table_kind_of(doc, c) in WHOLE_ITEM}
    if whole and "基本" not in q.match_text:
        cands = [c for c in cands if not (_table_kind_of(doc, c) in BASIC_ONLY and c.citation.name in whole)]
    cands = [c for c in cands if fund_named(_table_kind_of(doc, c), q.text)]
    named_fund = next((f for f in FUND_SPENDING if f in q.match_text), None)
    if named_fund:  # 政府性基金收入: a figure whose table, row or column (or subject) names that fund
        cands = [c for c in cands if _table_kind_of(doc, c) == FUND_SPENDING[named_fund] or _names(c, named_fund)]
    cands = [c for c in cands if side_fits(c.citation.column if c.from_table else c.label, _table_kind_of(doc, c), q.text)]
    if doc.kind == "决算":
        cands = [c for c in cands if _fits_stage(c, q.stage)]
        if not cands and q.stage in ("年初预算", "全年预算"):
            cands = stage_from_passages(lib, q, doc)
    if cands and not q.fiscal_scope and any(c.broad for c in cands):
        cands = [c for c in cands if c.broad or c.rank > len(PRECEDENCE)]
    elif cands and q.fiscal_scope and (named := named_fund_tables(q.text)):
        scoped = [c for c in cands if _table_kind_of(doc, c) in named]
        if scoped:  # 一般公共预算安排的行政运行: that fund's table, not the all-funds 支出总表
            said = [c for c in cands if not c.from_table and GENERAL_FUND.search(c.citation.text or "")]
            cands = scoped + said  # the narrative's figure only where its sentence names the fund too
    elif cands and not q.fiscal_scope and not all_one_fund(doc):
        # the all-funds table was not read: a 一般公共预算 figure is not the department's
        cands = [c for c in cands if not (c.from_table and _table_kind_of(doc, c) in PART_OF_MONEY)]
    return cands

def stage_from_passages(lib: Library, q: Query, doc: DocData) -> list[Candidate]:
    """A 决算 narrative states each item's 年初预算 / 全年预算 beside its 决算数
    (`城乡社区规划与管理（项）。… 年初预算为3110.14万元，支出决算为2739.56万元`)."""
    subject = q.subject_text
    if not subject or not q.stage:
        return []
    stated = re.compile(q.stage + r"(?:数)?为?\s*(-?\d+(?:\.\d+)?)\s*万元")
    for p in doc.passages:
        text = re.sub(r"\s+", "", p["text"])
        at = text.find(subject)
        if at < 0:
            continue
        m = stated.search(text, at)
        if m is None or text.count("。", at, m.start()) > 3:
            continue  # the figure belongs to the subject's item (a numbered paragraph of its own)
        value = float(m.group(1))
        cite = Citation(
            document=doc.id,
            department=doc.department,
            year=doc.year,
            table=f"情况说明 · {p['section']}",
            name=f"{subject}{q.stage}",
            value=value,
            page=p["page"],
            text=_short(text[max(0, at - 10) : m.end() + 20], 160),
        )
        return [Candidate(value=value, unit="万元", citation=cite, rank=len(PRECEDENCE) + 1, label=f"{subject}{q.stage}", broad=False)]
    return []

def figure(lib: Library, q: Query, doc: DocData) -> Answer:
    indicator = terms.indicator(lib, q, doc)
    if indicator is not None:
        return indicator
    if q.unit_asked and q.unit_asked != "%":
        by_unit = terms.indicator_by_unit(lib, q, doc)
        if by_unit is not None:
            return by_unit
    cands = gather(lib, q, doc)
    if not cands and RUNNING_COSTS in q.terms("fact"):
        near = measure_candidates(lib, doc, "公用经费", None)
        if near and near[0].value is not None:  # a tables-only file: say what is there, do not equate them
            return Answer(
                q.question,
                "clarify",
                f"{lib.prefix(doc)} 的文件没有列出机关运行经费。一般公共预算基本支出中的公用经费为 {fmt(near[0].figure)} 万元"
                f"（{near[0].citation.label()}）；机关运行经费是其中行政单位（含参公事业单位）的部分，下属事业单位的不算在内。"
                "要看公用经费吗？",
                options=[f"{doc.department}{doc.year}年公用经费是多少"],
                citations=[near[0].citation],
                intent=q.intent,
            )
    if q.unit_asked:  # 多少场 is never answered in 万元, 百分之几 never in 万元
        cands = [c for c in cands if _unit_fits(c.unit, q.unit_asked)]
    partial = [c for c in cands if _table_kind_of(doc, c) in BASIC_ONLY]
    if partial and len(partial) == len(cands) and TableKind.THREE_PUBLIC not in doc.tables and "基本" not in q.match_text:
        name = partial[0].citation.name or partial[0].label
        if canon(name) in WHOLE_ITEMS:  # only its 基本支出 part is known here: say so, do not call it the whole
            return Answer(
                q.question,
                "clarify",
                f"{lib.prefix(doc)} 没有读到“三公”经费、会议费、培训费表，只知道基本支出中的{name}：{fmt(partial[0].figure)} {partial[0].unit}"
                f"（{partial[0].citation.label()}）。要看基本支出中的这一项吗？",
                options=[f"{doc.department}{doc.year}年基本支出中的{name}是多少"],
                citations=[partial[0].citation],
                intent=q.intent,
            )
    if not cands:
        if q.intent == "definition":
            found = terms.definition(lib, q, quiet=True)
            if found is not None:
                return found
        return lib.nothing(q, doc)
    unsure = [c for c in cands if c.value is None]
    sure = [c for c in cands if c.value is not None]
    if not sure:
        c = unsure[0]
        return Answer(
            q.question,
            "not_found",
            f"{lib.prefix(doc)} {c.label}：原表这一格的栏目无法确定（文本丢失了空白单元格），"
            f"不给出数字以免出错。见{c.citation.label()}。",
            citations=[c.citation],
            intent="figure",
        )
    groups: dict[float, list[Candidate]] = {}
    for c in sorted(sure, key=lambda c: c.rank):
        # the narrative's 19,302万元 is the table's 193,018,000 元 rounded to whole 万元: one figure
        same = next(
            (v for v in groups if not c.from_table and stated_decimals(c.figure, c.citation.text) < 2 and agrees_as_stated(c.figure, c.citation.text, v)),
            None,
        )
        groups.setdefault(round(c.figure, 2) if same is None else same, []).append(c)
    if len(groups) > 1:
        return clarify_figures(lib, q, doc, groups)
    best = sorted(sure, key=lambda c: c.rank)
    main = best[0]
    cites = [main.citation]
    for c in best[1:]:
        if len(cites) < 3 and all(c.citation.label() != x.label() for x in cites):
            cites.append(c.citation)
    name = main.label
    text = f"{lib.prefix(doc)} {name} {fmt(main.figure, main.unit)} {main.unit}"
    if q.fuzzy:
        text += f"（按“{name}”理解）"
    source = main.citation.label()
    if main.citation.row is None and main.citation.text:
        source += f"：“{_short(main.citation.text)}”"
    if len(cites) > 1:
        rounded = [c for c in cites[1:] if c.value is not None and main.value is not None and round(c.value, 2) != round(main.value, 2)]
        source += "；" + "；".join(
            c.label() + (f" 写作 {_as_stated(c.value)} 万元（取整）" if c in rounded and c.value is not None else "") for c in cites[1:]
        ) + (" 也是这个数" if len(cites) == 2 else " 都是这个数")  # said so a citizen reads it
    doubts = doc.doubts_about(main.citation.table, main.citation.row) if main.from_table else []
    return Answer(
        q.question, "answered", text, value=main.value, unit=main.unit, citations=cites, intent="figure", source=source,
        disagreements=doubts,
    )

def several_figures(lib: Library, q: Query) -> bool:
    """基本支出和项目支出分别是多少: two or more subjects and a word that joins them."""
    if len(q.matches) < 2 or "包括" in q.text:
        return False
    joined = [m for m in q.matches if m.score == 100]
    between = [q.match_text[a.end : b.start] for a, b in zip(joined, joined[1:], strict=False)]  # where the matches are
    return any(re.fullmatch(r"\s*(和|与|及|、|以及|跟)\s*", gap) for gap in between) or bool(
        re.search(r"分别|各(是|为)?多少", q.text)
    )

def figures(lib: Library, q: Query, doc: DocData) -> Answer:
    answers = [figure(lib, replace(q, matches=[m], intent="figure", code=None), doc) for m in q.matches]
    answered = [a for a in answers if a.status == "answered" and a.value is not None]
    if len(answered) != len(answers):
        return next((a for a in answers if a.status != "answered"), answers[0])
    text = "；".join(a.answer.rstrip("。") for a in answered) + "。"
    return Answer(q.question, "answered", text, citations=[c for a in answered for c in a.citations], intent="list")

def clarify_figures(lib: Library, q: Query, doc: DocData, groups: dict[float, list[Candidate]]) -> Answer:
    options, lines = [], []
    for value, cands in groups.items():
        c = cands[0]
        where = "情况说明" if c.citation.row is None and c.citation.table.startswith("情况说明") else c.citation.table
        options.append(
            f"{doc.department}{doc.year}年{where}的{c.label.split(' · ')[0]}"
            + (
                f"{c.citation.column}"
                if c.citation.column and c.citation.column != "合计" and c.citation.column not in c.label.split(" · ")[0]
                else ""
            )
        )
        lines.append(f"{c.citation.label()}：{fmt(value, c.unit)} {c.unit}")
    return Answer(
        q.question,
        "clarify",
        "这个问题有几种理解，数字不同：" + "；".join(lines) + "。请问指哪一个？",
        citations=[g[0].citation for g in groups.values()],
        options=options,
        intent="figure",
    )


def _as_stated(value: float) -> str:
    """A narrative's rounded figure as it printed it: 1361, not 1361.00."""
    return str(int(value)) if value == int(value) else fmt(value)


def _names(c: Candidate, word: str) -> bool:
    """Whether a figure is named with `word`: a cell by its table, row or column; a narrative
    figure by its subject (not by the sentence around it, which names its neighbours too)."""
    said = (c.citation.table, c.citation.name, c.citation.column) if c.from_table else (c.citation.name, c.label)
    return word in " ".join(filter(None, said))
