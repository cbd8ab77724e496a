"""Who a disclosure belongs to and for when: body, year, 预算/决算, 部门/单位.

Documents say it in different places: a cover (`上海市普陀区2025年区级部门预算 / 预算主管部门：…`,
`江苏省人大常委会办公厅 2017 年度部门预算`, a name wrapped over two lines before `2024 年度部门决算`),
labelled lines above the tables (`部门：`, `部门名称：`, `编制单位：`, `编制部门：`, `预算单位：`,
`预算主管部门：`) and part headings (`第三部分 … 2024 年度部门决算情况说明`). Each place votes;
a labelled name beats a cover line, and the year and kind come from the cover or the titles.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .template import BODY_END, compact

LABELLED = re.compile(r"(?:预算主管部门|预算单位|编制单位|编制部门|部门名称|单位名称|部门)[:：](?P<name>[^\s:：]{2,40}?)(?=单位[:：]|$)")
COVER = re.compile(r"(?P<name>[\u4e00-\u9fff（）()]{3,40}?)(?P<year>20\d{2})年度?(?:区级|市级|省级|县级)?(?P<level>部门|单位)?(?P<kind>预算|决算)")
YEAR_KIND = re.compile(r"(?P<year>20\d{2})年度?(?:区级|市级|省级|县级)?(?:部门|单位|预算单位)?(?P<kind>预算|决算)")
PART = re.compile(r"^第[一二三四五六七八九十]部分")
ORG_END = BODY_END


@dataclass
class Identity:
    department: str | None
    year: int | None
    kind: str | None
    level: str  # 部门 or 单位


def require(who: Identity, source: str, department: str | None, year: int | None) -> tuple[str, int, str]:
    """Body, year and kind, from what the file says or what the caller names; a file that says
    neither body nor year is refused with the one line to add."""
    from .errors import DisclosureFormatError

    name, when = department or who.department, year or who.year
    if not name or not when:
        missing = "、".join(w for w, v in (("单位名称", name), ("年度", when)) if not v)
        raise DisclosureFormatError(source, f"文件里没有写明{missing}：请用 --department 单位名称 --year 年度 指明")
    return name, int(when), who.kind or "预算"


def identify(front_lines: list[str], labelled: list[str]) -> Identity:
    """From the first pages' lines (cover, contents, headings) and the lines labelled with a body."""
    names: Counter[str] = Counter()
    for text in labelled + front_lines:
        m = LABELLED.search(compact(text))
        if m and ORG_END.search(m.group("name")):
            names[m.group("name")] += 2
    cover = compact("".join(front_lines[:6]))
    cm = COVER.search(cover)
    for text in front_lines:
        t = PART.sub("", compact(text))
        m = COVER.match(t)
        if m and ORG_END.search(m.group("name")):
            names[_strip_place_prefix(m.group("name"))] += 1
    if cm and ORG_END.search(cm.group("name")):
        names[_strip_place_prefix(cm.group("name"))] += 1
    year_kind: Counter[tuple[int, str]] = Counter()
    for text in front_lines:
        for m in YEAR_KIND.finditer(compact(text)):
            year_kind[(int(m.group("year")), m.group("kind"))] += 1
    year, kind = (year_kind.most_common(1)[0][0] if year_kind else (None, None))
    if cm:
        year, kind = int(cm.group("year")), cm.group("kind")
    level = "单位" if re.search(r"单位预算|预算单位|单位决算", cover) else "部门"
    department = _best(names)
    return Identity(department, year, kind, level)


def _strip_place_prefix(name: str) -> str:
    """`上海市普陀区2025年区级部门预算` leaves no name; `江苏省2018年度…` leaves a place only."""
    return name


def _best(names: Counter[str]) -> str | None:
    if not names:
        return None
    top = max(names.values())
    best = [n for n, c in names.items() if c == top]
    # the longest of the names with most votes: it keeps the place (上海市普陀区…)
    candidates = sorted(best, key=len, reverse=True)
    for n in candidates:
        if ORG_END.search(n):
            return n
    return None
