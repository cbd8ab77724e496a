"""The catalogue of disclosure tables: the one place template rules live.

Every province prints the same national tables under its own wording: Hebei's county template
(`部门预算支出总表`), Jiangsu's numbered one (`公开03表 支出预算总表`), Shanghai's (`2025年部门支出预算
总表`, `2025年预算单位…`), and the 决算 set (`支出决算表`, `财政拨款收入支出决算总表`). A table's *kind*
is what it means, whatever the wording; readers ask `table_kind(title)` and the checks, the store and
the engine speak kinds only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class TableKind(StrEnum):
    """What a table is, whatever a province calls it: the only names of table kinds in the code (a
    misspelt member fails at import; the value is what the knowledge base stores)."""

    PERFORMANCE = "绩效目标表"
    THREE_PUBLIC = "三公经费表"
    RUNNING_COSTS = "机关运行经费表"
    PROCUREMENT = "政府采购表"
    FISCAL_TOTALS = "财政拨款收支总表"
    TOTALS = "收支总表"
    FUND = "政府性基金支出表"
    STATE_CAPITAL = "国有资本经营支出表"
    INCOME = "收入总表"
    FISCAL_BASIC = "财政拨款基本支出表"
    BASIC = "基本支出表"
    PROJECTS = "项目支出表"
    SPENDING = "支出总表"
    FISCAL_SPENDING = "财政拨款支出表"
    GENERAL_ECONOMIC = "一般公共预算经济分类支出表"
    GENERAL = "一般公共预算支出表"
    # tables the narrative holds (国有资产占用情况, 机构设置), read into rows like the others
    ASSETS = "固定资产表"
    UNITS = "机构设置表"


# Kinds whose rows put a 收入 item beside a 支出 item (two sides).
TWO_SIDED = (TableKind.TOTALS, TableKind.FISCAL_TOTALS)


@dataclass(frozen=True)
class Kind:
    key: TableKind
    all_of: tuple[str, ...]  # every pattern must match the compact title
    none_of: tuple[str, ...] = ()
    meaning: str = ""


# How titles end: 总表 or the national template's 总体情况表; a table, 情况表 or 明细表.
TOTAL = "(?:总表|总体情况表)"
ANY = "(?:表|情况表|明细表)"
# Tested in this order; the first kind whose patterns all match (and none of its exclusions) wins.
KINDS: tuple[Kind, ...] = (
    Kind(TableKind.PERFORMANCE, ("绩效",), meaning="项目绩效目标"),
    Kind(TableKind.THREE_PUBLIC, ("三公",), meaning="“三公”经费（及会议费、培训费、机关运行经费）"),
    Kind(TableKind.RUNNING_COSTS, ("机关运行经费",), meaning="一般公共预算机关运行经费"),
    Kind(TableKind.PROCUREMENT, ("政府采购",), meaning="政府采购预算"),
    Kind(TableKind.FISCAL_TOTALS, ("财政拨款", f"收(?:入)?支(?:出)?.*{TOTAL}"), meaning="财政拨款收入与支出"),
    Kind(TableKind.TOTALS, (f"收(?:入)?支(?:出)?.*{TOTAL}",), meaning="全部收入与支出"),
    Kind(TableKind.FUND, ("基金",), meaning="政府性基金预算财政拨款支出"),
    Kind(TableKind.STATE_CAPITAL, ("国有资本经营",), meaning="国有资本经营预算财政拨款支出"),
    Kind(TableKind.INCOME, (f"收入(?:预算|决算)?(?:{TOTAL}|{ANY}$)",), ("支出",), meaning="收入按来源"),
    Kind(TableKind.FISCAL_BASIC, ("财政拨款基本支出",), ("一般公共预算",), meaning="财政拨款基本支出按经济分类"),
    Kind(TableKind.BASIC, ("基本支出",), meaning="一般公共预算基本支出按经济分类"),
    Kind(TableKind.PROJECTS, ("项目支出",), meaning="项目支出明细"),
    Kind(TableKind.SPENDING, (f"^(?:部门|单位|预算单位)?(?:预算)?支出(?:预算|决算)?(?:{TOTAL}|{ANY})$",), meaning="全部支出按功能分类"),
    Kind(TableKind.FISCAL_SPENDING, (f"^财政拨款支出(?:预算)?{ANY}$",), meaning="财政拨款支出按功能分类"),
    Kind(TableKind.GENERAL_ECONOMIC, ("一般公共预算", "支出", "经济分类"), ("基本支出",), meaning="一般公共预算支出按经济分类"),
    Kind(TableKind.GENERAL, ("一般公共预算", "支出"), meaning="一般公共预算支出按功能分类"),
)
# The tables every 预算 and 决算 publishes (财政部's templates; provinces add more): a load report says
# which of these a document has and which it lacks.
STANDARD_TABLES = {
    "预算": (TableKind.TOTALS, TableKind.INCOME, TableKind.SPENDING, TableKind.FISCAL_TOTALS, TableKind.GENERAL, TableKind.BASIC, TableKind.THREE_PUBLIC, TableKind.FUND),
    "决算": (TableKind.TOTALS, TableKind.INCOME, TableKind.SPENDING, TableKind.FISCAL_TOTALS, TableKind.GENERAL, TableKind.BASIC, TableKind.THREE_PUBLIC, TableKind.FUND),
}
# What precedes the name of the table in a title: a table number, an ordinal, a year, the body.
TITLE_NOISE = re.compile(
    r"^[、.．]?"  # the rest of an ordinal a contents line lost (一、)
    r"(?:(?:附表|公开|预算)?\d{1,2}表|表[\d一二三四五六七八九十]{1,3}[：:、.．]?|(?:附表|公开|预算)?表\d{1,2}"
    r"|[一二三四五六七八九十]+、|\d{1,2}[、.．])?"
    r"(?:\d{4})?(?:年度?)?(?:区级|市级|省级|县级|乡级|镇级)?"  # the year (its digits may be printed apart: 年部门…)
)
TITLE_SUFFIX = re.compile(r"[（(](?:按)?(?:功能|经济)(?:分类)?(?:科目)?[)）]$")
# Notes that say a table has no rows.
EMPTY_NOTE = re.compile(r"此表为空|本表为空|为空表|无该项|无此项|没有.{0,20}(?:收入|支出|经费)|无(?:政府性基金|国有资本经营)")


# How the name of a government body ends (局, 委员会, 街道办事处, 中学 …): what tells a body's name
# from a budget item, in a document's cover and in a question.
BODY_SUFFIXES = (
    "委员会", "办公室", "办公厅", "街道办事处", "街道办", "街道", "人民政府", "政府", "中心", "学校", "小学", "中学",
    "大学", "学院", "医院", "卫生院", "幼儿园", "局", "厅", "委", "办", "院", "所", "站", "队", "馆", "部", "署", "社",
)
BODY_END = re.compile("(?:" + "|".join(BODY_SUFFIXES) + ")$")


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def clean_title(title: str) -> str:
    """The table's name without number, ordinal, year or the 功能/经济科目 suffix."""
    t = compact(title).replace("“", "").replace("”", "").replace('"', "")
    t = TITLE_NOISE.sub("", t)
    return TITLE_SUFFIX.sub("", t)


def table_kind(title: str) -> str | None:
    t = clean_title(title)
    raw = compact(title)  # with its （按经济分类） suffix
    if not t.endswith("表") and not t.endswith("表）"):
        return None
    bare = re.sub(r"^(?:部门|单位|预算单位|预算主管部门)?(?:本年)?", "", t)
    for kind in KINDS:
        if all(re.search(p, bare) or re.search(p, raw) for p in kind.all_of) and not any(re.search(p, t) for p in kind.none_of):
            return kind.key
    return None


def looks_like_title(text: str) -> bool:
    """A line that names a table (ends in 表), known kind or not: a table of a kind the catalogue
    does not hold still starts a table of its own, never continues the one before."""
    t = clean_title(text)
    return 4 <= len(t) <= 40 and (t.endswith("表") or t.endswith("表）")) and not re.search(r"[。，；.…·]", t)


def column_stage(column: str | None) -> str:
    """Which figure of a 决算 a column holds: 年初预算 (年初预算数), 全年预算 (调整预算数, 全年预算数),
    预算 (预算数: either budget, the templates that print one) or 决算数 (决算数, and every other
    column of a 决算: 合计, 基本支出 … under 决算数)."""
    key = column or ""
    if "年初预算" in key:
        return "年初预算"
    if "调整预算" in key or "全年预算" in key:
        return "全年预算"
    if key.endswith("预算数") and "决算" not in key:
        return "预算"
    return "决算数"



def kind_meaning(key: str) -> str:
    return next((k.meaning for k in KINDS if k.key == key), key)
