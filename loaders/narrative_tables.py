"""The tables a narrative carries in its text: 绩效目标表 (indicators), 政府采购 and 固定资产占用情况表.

They are read from lines (text, or a PDF's words in order); a PDF that draws them with lines has
them replaced by its grids (`grid_document.refine_with_grids`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from .model import Column, Indicator, Passage, Row, Table
from .narrative import ITEM, paragraphs, read_facts, tidy
from .template import TableKind

if TYPE_CHECKING:
    from .narrative import Narrative
    from .text import Line


LEVEL1 = ("产出指标", "效益指标", "满意度指标", "成本指标")
INDICATOR_VALUE = re.compile(r"^[≥≤><＞＜=]*\d+(?:\.\d+)?%?$|^(?:是|否|是否)$")


def read_performance(title: str, body: list[Line], nar: Narrative) -> None:
    """The 部门整体绩效目标 text (passages) and every 绩效目标表 (indicators)."""
    blocks: list[tuple[str, list[Line]]] = [("", [])]
    for ln in body:
        m = ITEM.match(ln.text)
        if m and ln.text.endswith(TableKind.PERFORMANCE):
            blocks.append((tidy(m.group(2)), []))
        else:
            blocks[-1][1].append(ln)
    intro, *tables = blocks
    for text, page in paragraphs(intro[1]):
        nar.passages.append(Passage(section="预算绩效信息", text=text, page=page))
    for project_title, lines in tables:
        project = re.sub(r"(?:预算)?绩效目标表$", "", project_title)
        goal_parts: list[str] = []
        tokens: list[str] = []
        in_table = False
        first_page: int | None = lines[0].page if lines else None
        for ln in lines:
            t = ln.text
            if not t:
                continue
            if t.startswith("一级指标"):
                in_table = True
                continue
            if in_table:
                tokens += t.split()
            else:
                goal_parts.append(re.sub(r"^绩效目标\s*", "", t))
        goal = tidy("".join(goal_parts))
        nar.passages.append(Passage(section=f"绩效目标 · {project}", text=goal, page=first_page))
        nar.indicators += _indicator_rows(project, goal, tokens, first_page)


def _indicator_rows(project: str, goal: str, tokens: list[str], page: int | None) -> list[Indicator]:
    rows: list[Indicator] = []
    level1 = ""
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok in LEVEL1:
            level1 = tok
            i += 1
            continue
        if tok.endswith("指标") and i + 1 < len(tokens):
            level2 = tok
            j = i + 1
            level3 = tokens[j]
            j += 1
            desc: list[str] = []
            while j < len(tokens) and not INDICATOR_VALUE.match(tokens[j]):
                desc.append(tokens[j])
                j += 1
            if j >= len(tokens):
                break
            value_text = tokens[j]
            j += 1
            unit = ""
            if j < len(tokens) and not tokens[j][0].isdigit() and len(tokens[j]) <= 4 and not tokens[j].endswith("指标"):
                unit = tokens[j]
                j += 1
            basis: list[str] = []
            while j < len(tokens) and tokens[j] not in LEVEL1 and not (tokens[j].endswith("指标") and j + 1 < len(tokens)):
                basis.append(tokens[j])
                j += 1
            number = re.search(r"\d+(?:\.\d+)?", value_text)
            rows.append(
                Indicator(
                    project=project,
                    goal=goal,
                    level1=level1,
                    level2=level2,
                    level3=level3,
                    description=tidy("".join(desc)),
                    value_text=value_text,
                    value=float(number.group()) if number else None,
                    unit=unit,
                    basis=tidy(" ".join(basis)),
                    page=page,
                )
            )
            i = j
            continue
        i += 1
    return rows


def read_procurement(title: str, body: list[Line], nar: Narrative) -> None:
    """The stated total, and the 政府采购 table's items (project, item, catalogue, quantity, amount)."""
    text_lines: list[Line] = []
    table_lines: list[Line] = []
    in_table = False
    for ln in body:
        if ln.text.startswith("部门政府采购预算"):
            in_table = True
            continue
        (table_lines if in_table else text_lines).append(ln)
    for text, page in paragraphs(text_lines):
        nar.passages.append(Passage(section=title, text=text, page=page))
        nar.facts += read_facts(title, text, page)
    tokens, note = _procurement_tokens(table_lines)
    if tokens is None:
        return
    table = Table(
        key=TableKind.PROCUREMENT,
        title="部门政府采购预算",
        note=note,
        label_columns=["项目名称", "采购物品名称"],
        columns=[
            Column(key="数量", label="数量"),
            Column(key="单价", label="单价"),
            Column(key="合计", label="政府采购金额/合计"),
        ],
    )
    table.rows = _procurement_rows(tokens)
    nar.tables.append(table)


def _procurement_tokens(lines: list[Line]) -> tuple[list[str] | None, str | None]:
    """The table's words from its 合计 line on (None when it has none), and its 注."""
    tokens: list[str] = []
    started = False
    note = None
    for ln in lines:
        t = ln.text
        if t.startswith("注"):
            note = t
            continue
        if re.fullmatch(r"合\s*计.*", t):
            started = True
        if started and t:
            tokens += t.split()
    return (tokens if started else None), note


def _procurement_rows(tokens: list[str]) -> list[Row]:
    """Items (名称 | 目录序号 | 计量单位 | 数量 | 单价 | 金额…) under the project named before them,
    and the 合计."""
    rows: list[Row] = []
    words: list[str] = []
    project = ""
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if re.fullmatch(r"[A-C]\d{2,}", tok) and i + 3 < len(tokens):
            item = _procurement_item(tokens, i, "".join(words), project, len(rows) + 1)
            if item is None:
                i += 1
                continue
            row, i = item
            rows.append(row)
            words = []
            continue
        if re.fullmatch(r"\d+(?:\.\d+)?", tok):
            if words and "合计" in "".join(words).replace(" ", ""):
                rows.append(Row(number=len(rows) + 1, name="合计", values={"合计": float(tok)}))
                while i + 1 < len(tokens) and re.fullmatch(r"\d+(?:\.\d+)?", tokens[i + 1]):
                    i += 1
            elif words and not "".join(words).endswith("小计"):
                project = "".join(words)
            words = []
            i += 1
            continue
        words.append(tok)
        i += 1
    return rows


def _procurement_item(tokens: list[str], i: int, name: str, project: str, number: int) -> tuple[Row, int] | None:
    """The item whose 目录序号 is tokens[i], and where the next one starts (None when its quantity
    or price is not a number)."""
    unit = tokens[i + 1]
    try:
        qty = float(tokens[i + 2])
        price = float(tokens[i + 3])
    except ValueError:
        return None
    j = i + 4
    amounts = []
    while j < len(tokens) and re.fullmatch(r"\d+(?:\.\d+)?", tokens[j]):
        amounts.append(float(tokens[j]))
        j += 1
    row = Row(
        number=number,
        name=name,
        code=tokens[i],
        values={"数量": qty, "单价": price, **({"合计": amounts[0]} if amounts else {})},
        texts={"计量单位": unit, **({"项目名称": project} if project else {})},
    )
    return row, j


ASSET_HEADER = re.compile(r"^项\s*目\s+数量")


def read_assets(title: str, body: list[Line], nar: Narrative) -> None:
    """The stated fixed-asset figures and the 固定资产占用情况表 (数量, 价值)."""
    text_lines = []
    rows: list[tuple[str, list[float], int]] = []
    in_table = False
    for ln in body:
        t = ln.text
        if not t:
            continue
        if "固定资产占用情况表" in t:
            in_table = True
            continue
        if not in_table:
            text_lines.append(ln)
            continue
        if ASSET_HEADER.match(t) or "截止时间" in t:
            continue
        parts = t.split()
        values: list[float] = []
        while parts and re.fullmatch(r"\d+(?:\.\d+)?", parts[-1]):
            values.insert(0, float(parts.pop()))
        name = tidy(" ".join(parts))
        if name:
            rows.append((name, values, ln.page))
    for text, page in paragraphs(text_lines):
        nar.passages.append(Passage(section=title, text=text, page=page))
        nar.facts += read_facts(title, text, page)
    if not rows:
        return
    from .columns import Problem, RowValues, solve

    total = next((i for i, (n, _, _) in enumerate(rows) if "总额" in n or "合计" in n), None)
    tops = [i for i, (n, _, _) in enumerate(rows) if re.match(r"^\d+[、.]", n)]
    problem = Problem(
        n_columns=2,
        rows=[RowValues(groups=[([0, 1], vals)]) for _, vals, _ in rows],
        identities=[],
        sums=[(total, tops)] if total is not None else [],
        sum_columns=[1],
    )
    placements = solve(problem)
    # A row's value alone sits in 价值 when the value column adds up; 数量 alone cannot be told
    # apart from 价值 by arithmetic and stays ambiguous.
    table = Table(
        key=TableKind.ASSETS,
        title="部门固定资产占用情况表",
        label_columns=["项目"],
        columns=[Column(key="数量", label="数量"), Column(key="价值", label="价值（万元）")],
    )
    keys = ["数量", "价值"]
    from .columns import to_ambiguities

    for i, ((name, _, page), p) in enumerate(zip(rows, placements, strict=True), 1):
        unit = re.search(r"[（(]([^）)]*)[)）]\s*$", name)
        row = Row(
            number=i,
            name=name,
            values={keys[c]: v for c, v in p.certain.items()},
            ambiguous=to_ambiguities(p, keys),
            page=page,
            texts={"数量单位": unit.group(1)} if unit else {},
        )
        table.rows.append(row)
    nar.tables.append(table)
