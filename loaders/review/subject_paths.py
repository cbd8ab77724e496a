"""The narrative's 科目 against the tables: `卫生健康支出（类）行政事业单位医疗（款）事业单位医疗（项）
…万元` names a row of the expenditure tables by its path. Resolved by its names, the amount must
be the row's (a 错误 when no table prints it, saying whose figure it is when another row has it);
resolved only by its amount under its class, the names that differ from the table's are a 提示."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..model import Disclosure, Row
from ..precision import agrees_as_stated
from .findings import ERROR, HINT, Finding
from .sentences import AMOUNT, Sentence, number, paragraphs, short

LEVEL_DIGITS = {"类": 3, "款": 5, "项": 7}
PATH = re.compile(r"((?:[\u4e00-\u9fff、〔〕]{2,30}?[（(](?:类|款|项)[)）]){1,3})")
STEP = re.compile(r"([\u4e00-\u9fff、〔〕]{2,30}?)[（(](类|款|项)[)）]")
AMOUNT_AFTER = re.compile(rf"^[”\"’]?(?:科目)?(?:支出|预算数?为?|为)?{AMOUNT}\s*万元")
FINAL_AFTER = re.compile(rf"支出决算(?:数)?为{AMOUNT}\s*万元")


@dataclass(frozen=True)
class Stated:
    path: list[tuple[str, str]]  # (name, 类|款|项) as printed
    amount: float
    text: str  # the amount as printed, for its precision
    quote: str
    sentence: Sentence


def canon(name: str) -> str:
    name = re.sub(r"[\s“”\"'’‘]", "", name).lstrip("、")
    return name.replace("〔", "（").replace("〕", "）").replace("(", "（").replace(")", "）")


def _marked(text: str) -> str:
    """Parentheses inside a name (政府办公厅（室）) set apart from the 类/款/项 marks."""
    return re.sub(r"[（(]([\u4e00-\u9fff]{1,6})[)）]", lambda m: m.group(0) if m.group(1) in LEVEL_DIGITS else f"〔{m.group(1)}〕", text)


def stated_paths(d: Disclosure) -> Iterator[Stated]:
    """Each path the narrative states with its amount: right after it (…（项）”科目20.00万元,
    …（项）支出10528.33万元), or in a 决算 the 支出决算为… of its item (the paragraph may end at the
    path and go on in the next)."""
    paras = list(paragraphs(d))
    for i, p in enumerate(paras):
        text = _marked(p.text)
        for m in PATH.finditer(text):
            steps = [(canon(n), lvl) for n, lvl in STEP.findall(m.group(1))]
            if [lvl for _, lvl in steps] != sorted((lvl for _, lvl in steps), key=list(LEVEL_DIGITS).index):
                continue  # not a path from the class down
            rest = text[m.end() :]
            amount = AMOUNT_AFTER.match(rest)
            if amount is None and d.kind == "决算":
                rest = (rest + "".join(_marked(q.text) for q in paras[i + 1 : i + 3] if q.section == p.section))[:400]
                nxt = PATH.search(rest)
                amount = FINAL_AFTER.search(rest[: nxt.start() if nxt else len(rest)])
            if amount is None:
                continue
            quote = text[m.start() : m.end()] + ("…" if amount.re is FINAL_AFTER else "") + amount.group(0)
            yield Stated(steps, number(amount.group(1)), amount.group(1), quote, p)


def coded_rows(d: Disclosure) -> dict[str, list[tuple[str, Row]]]:
    """科目编码 → the (table title, row) pairs that print it, over the tables of expenditure by function."""
    out: dict[str, list[tuple[str, Row]]] = {}
    for t in d.tables:
        for r in t.rows:
            code = (r.code or "").replace(" ", "")
            if code.isdigit() and len(code) in (3, 5, 7) and r.values and code[0] == "2":
                out.setdefault(code, []).append((t.title, r))
    return out


def review_subject_paths(d: Disclosure) -> list[Finding]:
    rows = coded_rows(d)
    if not rows:
        return []
    names = {code: canon(pairs[0][1].name) for code, pairs in rows.items()}
    out: list[Finding] = []
    for s in stated_paths(d):
        out += check_path(s, rows, names)
    return out


def _named(code: str, name: str, level: str, names: dict[str, str]) -> bool:
    """The row `code` is named `name` at its level (人大事务行政运行（项）: 行政运行 under 人大事务)."""
    own = names.get(code[: LEVEL_DIGITS[level]], "")
    if name == own:
        return True
    parent = names.get(code[: LEVEL_DIGITS[level] - 2], "") if level != "类" else ""
    return bool(own) and name.endswith(own) and name[: -len(own)] == parent


def _agrees(s: Stated, pairs: list[tuple[str, Row]]) -> bool:
    return any(agrees_as_stated(s.amount, s.text, v) for _, r in pairs for v in r.values.values())


def check_path(s: Stated, rows: dict[str, list[tuple[str, Row]]], names: dict[str, str]) -> list[Finding]:
    """A path resolved by its names: its amount must be the row's. Not resolved by its names: the
    row under its class whose figure is the amount, and the names that differ."""
    width = LEVEL_DIGITS[s.path[-1][1]]
    at_level = [c for c in rows if len(c) == width]
    by_names = [c for c in at_level if all(_named(c, n, lvl, names) for n, lvl in s.path)]
    if by_names:
        return [] if any(_agrees(s, rows[c]) for c in by_names) else [_other_amount(s, by_names[0], rows, names)]
    klass = next((n for n, lvl in s.path if lvl == "类"), None)
    classes = [c for c in rows if len(c) == 3 and (klass is None or names[c] == klass)]
    found = [c for c in at_level if c[:3] in classes and _agrees(s, rows[c])]
    return [_other_names(s, found[0], names)] if len(found) == 1 else []


def _other_amount(s: Stated, code: str, rows: dict[str, list[tuple[str, Row]]], names: dict[str, str]) -> Finding:
    title, row = rows[code][0]
    printed = next(iter(row.values.values()))
    other = next((c for c in rows if c != code and _agrees(s, rows[c])), None)
    said = f"；{s.amount:.2f} 是 {other} {names[other]} 的数" if other else ""
    return Finding(
        "narrative_vs_tables", ERROR,
        f"情况说明的 {_path_text(s)} 为 {s.text} 万元，{title} {code} {row.name} 为 {printed:.2f} 万元{said}",
        s.sentence.where, s.sentence.page, [s.amount, printed], short(s.quote),
    )


def _other_names(s: Stated, code: str, names: dict[str, str]) -> Finding:
    differ = [
        f"“{n}（{lvl}）”表中为 {code[: LEVEL_DIGITS[lvl]]} {names.get(code[: LEVEL_DIGITS[lvl]], '')}"
        for n, lvl in s.path
        if not _named(code, n, lvl, names)
    ]
    return Finding("subject_path", HINT, f"情况说明的科目名称与表格不同：{'；'.join(differ)}", s.sentence.where, s.sentence.page, [s.amount], short(s.quote))


def _path_text(s: Stated) -> str:
    return "".join(f"{n}（{lvl}）" for n, lvl in s.path)


ARRANGED = re.compile(rf"(\d{{4}})年(?:预算)?安排(?:为)?{AMOUNT}\s*万元")


def review_items_twice(d: Disclosure) -> list[Finding]:
    """An item that states its year's amount twice (…（项）”220.63万元 … 2023年预算安排441.25万元):
    the two must be one figure."""
    out: list[Finding] = []
    for s in stated_paths(d):
        text = _marked(s.sentence.text)
        at = text.find(s.quote.split("…")[0])
        if at < 0:
            continue
        following = text[at + len(s.quote) :]
        nxt = PATH.search(following)
        for m in ARRANGED.finditer(following[: nxt.start() if nxt else len(following)]):
            if int(m.group(1)) == d.year and not agrees_as_stated(number(m.group(2)), m.group(2), s.amount):
                out.append(
                    Finding(
                        "item_twice", ERROR, f"{_path_text(s)}先写 {s.text} 万元，后面又写{m.group(1)}年预算安排 {m.group(2)} 万元",
                        s.sentence.where, s.sentence.page, [s.amount, number(m.group(2))], short(s.quote + "…" + m.group(0)),
                    )
                )
    return out
