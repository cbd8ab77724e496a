"""How figures are read in the templates: which tables outrank which, what a subject goes by,
which tables hold only a part of an item, and the small helpers every rule of the engine uses."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from loaders import subjects
from loaders.template import TWO_SIDED, TableKind, column_stage

from .answer import Citation
from .documents import DocData, RowData, TableData
from .parse import Query
from .vocabulary import Match, canon

# Tables that cover every source of money, and those limited to 财政拨款 / 一般公共预算.
BROAD = (TableKind.SPENDING, TableKind.INCOME, TableKind.TOTALS)
PRECEDENCE: list[str] = [
    TableKind.SPENDING,
    TableKind.TOTALS,
    TableKind.INCOME,
    TableKind.BASIC,
    TableKind.THREE_PUBLIC,
    TableKind.GENERAL,
    TableKind.FISCAL_TOTALS,
    TableKind.FUND,
    TableKind.STATE_CAPITAL,
    TableKind.ASSETS,
    TableKind.PROCUREMENT,
]
PROCUREMENT_TABLE = TableKind.PROCUREMENT  # what is bought and with which money: answers only questions about 采购
# Subjects that are rows of a table other than by their own name, and where a subject is read when
# its own row gives no sure figure: as the subject catalogue states them (loaders/data/subjects.toml).
SUBJECT_ROWS: dict[str, list[tuple[str, tuple[str, ...]] | tuple[str, tuple[str, ...], str]]] = {
    canon(s.name): [(w.table, w.names, w.column) if w.column else (w.table, w.names) for w in s.rows]
    for s in subjects.catalogue().values()
    if s.rows
}
FALLBACK_ROWS: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    s.name: [(w.table, w.names) for w in s.fallback] for s in subjects.catalogue().values() if s.fallback
}
FACT_ALIASES = {s.name: s.fact for s in subjects.catalogue().values() if s.fact}
MAX_OPTIONS = 8

# A department's consolidated disclosure (部门预算) and one unit's own (单位预算, …（本级）) are two
# documents of one body: the words that choose between them, and the body both belong to.
FISCAL_YEAR_WORDING = re.compile(r"\d{4}\s*年度")  # how a 决算 names the year it accounts for
UNIT_SCOPE_WORDS = re.compile(r"单位预算|单位决算|本级|预算单位")
DEPARTMENT_SCOPE_WORDS = re.compile(r"部门预算|部门决算|部门整体|全部门|汇总")
OWN_LEVEL = re.compile(r"[（(]本级[)）]$")




def asked_scope(question: str) -> str | None:
    if UNIT_SCOPE_WORDS.search(question):
        return "单位"
    if DEPARTMENT_SCOPE_WORDS.search(question):
        return "部门"
    return None




def same_body(department: str) -> str:
    """无锡市教育局（本级） is 无锡市教育局's own level: one body, two scopes."""
    return OWN_LEVEL.sub("", department)




def scope_of(document: dict[str, Any]) -> str:
    return "单位" if document.get("scope") == "单位" or OWN_LEVEL.search(document["department"]) else "部门"


# Tables of one fund's money: they answer only a question that names the fund (an empty 政府性基金
# table's 0.00 is not the department's 基本支出).
FUND_ONLY: dict[str, re.Pattern[str]] = {TableKind.FUND: re.compile(r"基金"), TableKind.STATE_CAPITAL: re.compile(r"国有资本|国资")}


def fund_named(table_kind: str | None, question: str) -> bool:
    """Whether a figure from a table of this kind may answer the question."""
    words = FUND_ONLY.get(table_kind or "")
    return words is None or bool(words.search(question))


# Tables of part of the money (财政拨款, 一般公共预算) printed by the same subjects as the tables of
# all of it: their 项目支出 is not the department's unless all its money is of that part.
PART_OF_MONEY = (TableKind.GENERAL, TableKind.GENERAL_ECONOMIC, TableKind.FISCAL_SPENDING, TableKind.FISCAL_TOTALS)
GENERAL_FUND = re.compile(r"一般公共预算|财政拨款")


# The tables of a fund a question names (一般公共预算安排的行政运行; 财政拨款…): preferred over the
# tables of all the money, which hold the same rows with every fund's money in them.
NAMED_FUND_TABLES = {
    "一般公共预算": (TableKind.GENERAL, TableKind.GENERAL_ECONOMIC, TableKind.BASIC),
    "财政拨款": (TableKind.FISCAL_SPENDING, TableKind.FISCAL_BASIC, TableKind.FISCAL_TOTALS, TableKind.GENERAL),
}


def named_fund_tables(question: str) -> tuple[str, ...]:
    return next((tables for fund, tables in NAMED_FUND_TABLES.items() if fund in question), ())


def all_one_fund(doc: DocData) -> bool:
    """Whether all of a document's money is 一般公共预算 财政拨款: its 收入总表's 合计 row has one
    source, and that source is the general budget; or its 收支总表's income total is its 财政拨款 /
    一般公共预算 row. Unknown (neither table says) is no."""
    return _one_fund_income_table(doc) or _one_fund_two_sided(doc)


def _one_fund_two_sided(doc: DocData) -> bool:
    t = doc.tables.get(TableKind.TOTALS)
    column = t.side_column("收入") if t is not None else None
    if t is None or column is None:
        return False
    totals = [r.values.get(column) for r in t.rows if canon(r.name) in ("收入合计", "收入总计", "本年收入合计", "总计")]
    general = [r.values.get(column) for r in t.rows if GENERAL_FUND.search(r.name or "") and column not in r.unsure]
    return bool(totals and general and totals[0]) and any(g is not None and abs(g - totals[0]) < 0.005 for g in general)  # type: ignore[operator]


def _one_fund_income_table(doc: DocData) -> bool:
    t = doc.tables.get(TableKind.INCOME)
    if t is None:
        return False
    total = t.total_row() or next((r for r in t.rows if canon(r.name) in ("收入总计", "本年收入合计")), None)
    if total is None:
        return False
    sources = {k: v for k, v in total.values.items() if v and "合计" not in k and "总计" not in k}
    if len(t.columns) > 1 and sources:  # sources as columns (合计 | 一般公共预算 | 政府性基金 | 事业收入 …)
        return len(sources) == 1 and bool(GENERAL_FUND.search(next(iter(sources))))
    whole = max(total.values.values(), default=0.0)  # sources as rows (收入总计; 一般公共预算资金小计; …)
    general = [max(r.values.values(), default=0.0) for r in t.rows if GENERAL_FUND.search(r.name) and r is not total]
    return whole > 0 and bool(general) and abs(general[0] - whole) < 0.005


def side_fits(column: str | None, table_kind: str | None, question: str) -> bool:
    """A question asking what was spent (支出) is not answered from an income column or an income
    figure of the narrative (收入决算表's 财政拨款收入 by function, 一般公共预算财政拨款收入19572.91万元:
    where the money came from, not what was spent)."""
    asks_spending = "支出" in question and "收入" not in question
    asks_income = "收入" in question and "支出" not in question
    if table_kind in TWO_SIDED:
        return True
    if asks_spending and (table_kind == TableKind.INCOME or (column and "收入" in column)):
        return False
    return not (asks_income and table_kind == TableKind.SPENDING)


MAX_RANKED = 30  # entries of a ranking across departments; the rest are counted
# Columns that count things (数量: 辆, 台, 平方米): a blank there is "not stated", never 0.
COUNTED = ("数量",)
ORDINAL_ITEM = re.compile(r"^[一二三四五六七八九十]+、")
COUNT_UNITS = {"台、辆": "辆", "台,辆": "辆", "辆": "辆", "台": "台"}


@dataclass
class Candidate:
    value: float | None  # None: the cell's column is not certain
    unit: str
    citation: Citation
    rank: int
    label: str
    broad: bool = True

    @property
    def figure(self) -> float:
        """The value of a candidate known to have one (unsure cells are filtered out before)."""
        assert self.value is not None, self.citation.label()
        return self.value

    @property
    def from_table(self) -> bool:
        """A cell (or an empty table), not a figure stated in the narrative."""
        return self.rank <= len(PRECEDENCE)


def _subset(q: Query, matches: list[Match]) -> Query:
    """One part of a question about several subjects (政府性基金支出 | 占 | 总支出): its matches, and
    the words between the other parts' (the 支出 after 政府性基金 is this part's, not the whole's)."""
    matches = list(matches)
    if not matches or not all(m.end > m.start for m in matches):
        return replace(q, matches=matches, code=None)
    start, end = min(m.start for m in matches), max(m.end for m in matches)
    others = [m for m in q.matches if m not in matches and m.end > m.start]
    before = max((m.end for m in others if m.end <= start), default=0)
    after = min((m.start for m in others if m.start >= end), default=len(q.match_text))
    text = " " * before + q.match_text[before:after] + " " * (len(q.match_text) - after)
    return replace(q, matches=matches, code=None, match_text=text)




MONEY_UNITS = ("万元", "元", "千元")
INCLUDES = re.compile(r"包括|包含|哪[两几]部分|由什么组成|组成")
# Tables whose rows cover only the 基本支出 part of an item; a table of the whole item (三公经费、
# 会议费、培训费表) answers for the department unless the question says 基本支出.
BASIC_ONLY = (TableKind.BASIC, TableKind.FISCAL_BASIC, TableKind.RUNNING_COSTS)
WHOLE_ITEM = (TableKind.THREE_PUBLIC,)
WHOLE_ITEMS = {canon(s.name) for s in subjects.catalogue().values() if s.whole_item}
# A fund named with a spending word means that fund's own expenditure table.
FUND_TABLES = {
    "一般公共预算财政拨款": TableKind.GENERAL,
    "政府性基金预算财政拨款": TableKind.FUND,
    "国有资本经营预算财政拨款": TableKind.STATE_CAPITAL,
}


# A fund named with spending (政府性基金项目支出, 国有资本经营预算支出): that fund's expenditure table,
# whatever rows of the income tables the fund's name also matches.
FUND_SPENDING = {"政府性基金": TableKind.FUND, "国有资本经营": TableKind.STATE_CAPITAL}
SPENDING_WORDS = re.compile(r"支出|花|开支|用于")


def fund_spending_table(text: str) -> str | None:
    if "收入" in text or not SPENDING_WORDS.search(text):
        return None
    return next((table for fund, table in FUND_SPENDING.items() if fund in text), None)


def _main_column(t: TableData) -> str:
    """The column a table's total is read in: 合计, else 金额 (Jiangsu's one-column tables), else
    this year's (本年预算数 beside 上年预算数 | 增减额), else the first."""
    return main_column(t.column_keys()) or "合计"


# Columns beside this year's figure that are not it: last year's, and the change between them.
NOT_THIS_YEAR = re.compile(r"上年|增减|比上年|变动|增长")


def main_column(keys: list[str]) -> str | None:
    for k in ("合计", "金额"):
        if k in keys:
            return k
    this_year = [k for k in keys if not NOT_THIS_YEAR.search(k)]
    return next((k for k in this_year if "本年" in k), this_year[0] if this_year else (keys[0] if keys else None))


def _table_kind_of(doc: DocData, c: Candidate) -> str | None:
    return next((t.key for t in doc.tables.values() if t.title == c.citation.table), None)


# Count units that answer one another (几辆车 is answered in 台、辆; 多少人 by 人次 is not the same
# count, but 名 is 人). A count in another unit (500 人 for 多少户) is not the figure asked.
SAME_COUNT = ({"辆", "台"}, {"人", "名"}, {"个", "家"}, {"项", "个"})


def _unit_fits(unit: str, asked: str) -> bool:
    """Whether a figure in `unit` answers a question asking in `asked` (% or a count unit)."""
    if asked == "%":
        return unit == "%"
    if unit in MONEY_UNITS or unit == "%":
        return False
    return asked in unit or any(asked in group and any(u in unit for u in group) for group in SAME_COUNT)


CODE_LEVEL = re.compile(r"哪[一几]?(类|款)|按(类|款)")
BUDGET_FIGURE = re.compile(r"(年初|全年)?预算(?:数)?为?\s*(-?\d+(?:\.\d+)?)\s*万元")


def stage_fits(column: str | None, stage: str | None) -> bool:
    """Whether a 决算 column answers the stage asked (none asked: the 决算数)."""
    held = column_stage(column)
    if stage in ("年初预算", "全年预算"):
        return held in (stage, "预算")
    return held == "决算数"


def _fits_stage(c: Candidate, stage: str | None) -> bool:
    """In a 决算 document, whether a figure is of the stage asked: budget columns and narrative
    figures stated as 预算为… answer only 年初预算/全年预算 questions; the rest only the others."""
    budget_asked = stage in ("年初预算", "全年预算")
    if c.from_table:
        return stage_fits(c.citation.column, stage)
    stated = [float(m.group(2)) for m in BUDGET_FIGURE.finditer(re.sub(r"\s+", "", c.citation.text or ""))]
    is_budget = c.value is not None and any(abs(v - c.value) < 0.005 for v in stated)
    return is_budget == budget_asked if is_budget or budget_asked else True


def _stage_column(keys: list[str], stage: str | None) -> str | None:
    """In a 决算 table printing its budget beside its 决算数 (预算数 | 决算数; 年初预算数 | 调整预算数 |
    决算数/合计 …), the first column of the stage the question asks for; None in a table without
    budget columns."""
    if not any(column_stage(k) != "决算数" for k in keys) or any(NOT_THIS_YEAR.search(k) for k in keys):
        return None  # no budget beside a 决算数; or this year's beside last year's (上年预算数 | 本年预算数 | 增减额)
    if stage == "全年预算" and not any(column_stage(k) == "全年预算" for k in keys):
        stage = "年初预算"  # a template printing one budget: it is the year's
    return next((k for k in keys if stage_fits(k, stage)), None)


def _side_name(t: TableData, r: RowData, column: str) -> str:
    """In a 收支总表 a row holds a 收入 item and a 支出 item: name the one the column is on."""
    if t.key not in TWO_SIDED:
        return r.display
    side = next((c["side"] for c in t.columns if c["key"] == column), None)
    name = r.name if side == "收入" else r.name_right
    return canon(name) or r.display


def _rank(key: str) -> int:
    return PRECEDENCE.index(key) if key in PRECEDENCE else len(PRECEDENCE)


@lru_cache(maxsize=65536)
def _bare(name: str) -> str:
    """车辆（台、辆） → 车辆."""
    return re.sub(r"[（(][^）)]*[)）]$", "", canon(name))


def _short(text: str, n: int = 80) -> str:
    text = text.strip()
    return text if len(text) <= n else text[: n - 1] + "…"
