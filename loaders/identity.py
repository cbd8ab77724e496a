"""Who a disclosure belongs to and for when: body, year, 预算/决算 and scope (部门/单位), by votes.

Documents say it in many places and each province in its own words: a cover whose title may be
wrapped over two or three lines and spaced (`2026 年深圳市统计局（本级）部门预` / `算`,
`无锡市教育局（本级）2026年度单位预算公开`, `北京市统计局部门 2026 年度`), labelled fields above the
tables in any variant (`部门：`, `部门名称：`, `单位名称:`, `编制单位：`, `预算单位：`, `预算主管部门：`),
part headings (`第二部分 国家信访局 2024 年度部门决算表`), table titles (`2026年预算单位财务收支预算总表`),
and a year printed in another font on a line of its own (`重庆市气象局 年部门预算情况说明` / `2026`).
Each place is a vote with a weight; the result keeps its evidence, so `load` and `show` can say
why. The file name is never evidence: a user's name for a download is arbitrary.

Scope: a 部门预算 is a department's consolidated disclosure; a 单位预算 is one unit's (…（本级）, a
预算单位). A 部门 and a 单位 disclosure of one body and year are two documents.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .template import BODY_SUFFIXES, compact

# How a body's name ends in a document (wider than in a question: a cover or a labelled field
# says it is a name): 试验场, 活动室, 气象台, 联合会 …
DOCUMENT_BODY_SUFFIXES = BODY_SUFFIXES + ("场", "室", "台", "会", "团", "园", "校", "处", "司", "总队", "支队", "大队", "研究院")
_BODY_END = re.compile("(?:" + "|".join(sorted(set(DOCUMENT_BODY_SUFFIXES), key=len, reverse=True)) + ")$")
_ALIAS = re.compile(r"[（(][^（）()]{1,40}[)）]$")  # （本级）, （上海市统计数据管理中心）
NAME = r"[\u4e00-\u9fffA-Za-z0-9]{2,40}?(?:[（(][^（）()]{1,40}[)）])?"
LEVEL = r"(?:区级|市级|省级|县级|乡级|镇级)?"

# Labelled fields: the label, then the name up to the next label (单位：万元) or the line's end.
LABELLED = re.compile(
    r"(?P<label>预算主管部门|主管部门|预算单位|编制单位|编制部门|部门名称|单位名称|部门|单位)[:：]"
    rf"(?P<name>{NAME})(?=(?:金额)?单位[:：]|$)"
)
# A cover or heading: year before the name, or the name before the year.
YEAR_FIRST = re.compile(rf"^(?P<year>20\d{{2}})年度?{LEVEL}(?P<name>{NAME})(?P<scope>部门|单位)?(?P<kind>预算|决算)")
NAME_FIRST = re.compile(
    rf"^(?P<name>{NAME})(?:部门|单位)?(?P<year>20\d{{2}})年度?{LEVEL}(?P<scope>部门|单位|预算单位)?(?P<kind>预算|决算)"
)
# A title whose year is printed on a line of its own (in another font): `重庆市气象局 年部门预算`.
NO_YEAR = re.compile(rf"^(?P<name>{NAME})年度?{LEVEL}(?P<scope>部门|单位)?(?P<kind>预算|决算)")
YEAR_ALONE = re.compile(r"^(20\d{2})(?:年度?)?$")
YEAR_KIND = re.compile(rf"(?<!\d)(?P<year>20\d{{2}})年度?{LEVEL}(?P<scope>部门|单位|预算单位)?(?P<kind>预算|决算)")
TITLE_YEAR = re.compile(r"(?<!\d)(20\d{2})年度?")
HEADING = re.compile(r"^(?:第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])")
UNIT_SCOPE = re.compile(r"单位预算|单位决算|预算单位")
PLACE_ONLY = re.compile(r"^(?:中共)?[\u4e00-\u9fff]{1,12}?(?:省|市|区|县|州|旗|自治区)$")
WINDOW = 3  # lines joined when looking for a title wrapped over lines
PAGE_NUMBER = re.compile(r"[-—－\s]*\d{1,3}[-—－\s]*|第\s*\d{1,3}\s*页")

WEIGHTS = {"指定": 100, "标注": 3, "封面": 2, "标题": 1, "表题": 1}


@dataclass
class Vote:
    what: str  # 单位 / 年度 / 类型 / 范围
    value: str
    where: str  # 标注 (a labelled field), 封面 (cover or heading), 表题 (a table's title)
    text: str  # the words it was read from

    @property
    def weight(self) -> int:
        return WEIGHTS.get(self.where, 1)


@dataclass
class Identity:
    department: str | None
    year: int | None
    kind: str | None  # 预算 or 决算
    scope: str = "部门"  # 部门 or 单位
    votes: list[Vote] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)

    def evidence(self) -> list[str]:
        """One line per decided field: its value and where it was read, strongest first."""
        out = []
        for what, value in (("单位", self.department), ("年度", self.year), ("类型", self.kind), ("范围", self.scope)):
            seen = [v for v in self.votes if v.what == what and v.value == str(value)]
            if value is None:
                continue
            if not seen:
                out.append(f"{what}：{value}（未写明，按默认）")
                continue
            where = "、".join(dict.fromkeys(f"{v.where}“{v.text[:30]}”" for v in sorted(seen, key=lambda v: -v.weight)))
            out.append(f"{what}：{value}（{where}）")
        return out + self.conflicts


def is_body_name(name: str) -> bool:
    """A government body's name: ends as a body does (局, 中心, 试验场 …), perhaps followed by an
    alias or （本级） in brackets; not a place alone and not a word such as 部门."""
    base = _ALIAS.sub("", name)
    if len(base) < 3 or re.search(r"表|部分|目录|说明|情况|构成|职责|职能|纳入", base) or PLACE_ONLY.match(base) or base in ("本部门", "本单位", "预算单位"):
        return False
    alias = _ALIAS.search(name)
    return bool(_BODY_END.search(base)) or bool(alias and _BODY_END.search(alias.group()[1:-1]))


def require(who: Identity, source: str, department: str | None, year: int | None) -> Identity:
    """Body, year and kind, from what the file says or what the caller names (which wins); a file
    that says neither body nor year is refused with the one line to add."""
    from .errors import DisclosureFormatError

    name, when = department or who.department, year or who.year
    if not name or not when:
        missing = "、".join(w for w, v in (("单位名称", name), ("年度", when)) if not v)
        raise DisclosureFormatError(source, f"文件里没有写明{missing}：请用 --department 单位名称 --year 年度 指明")
    votes = list(who.votes)
    if department:
        votes.append(Vote("单位", department, "指定", "--department"))
    if year:
        votes.append(Vote("年度", str(year), "指定", "--year"))
    return Identity(name, int(when), who.kind or "预算", who.scope, votes, who.conflicts)


def identify(front_lines: list[str], labelled: list[str], titles: list[str] | None = None) -> Identity:
    """From the first pages' lines (cover, contents, headings), the lines labelled with a body
    (above or inside the tables) and the tables' titles."""
    votes: list[Vote] = []
    for text in labelled + front_lines:
        votes += _labelled_votes(compact(text))
    votes += _cover_votes([(compact(HEADING.sub("", compact(t))), bool(HEADING.match(compact(t)))) for t in front_lines])
    for text in front_lines:
        for m in YEAR_KIND.finditer(compact(text)):
            votes += _year_kind_scope(m, "标题", compact(text))
    for title in titles or []:
        t = compact(title)
        found = TITLE_YEAR.search(t)
        if found:
            votes.append(Vote("年度", found.group(1), "表题", t))
        if UNIT_SCOPE.search(t):
            votes.append(Vote("范围", "单位", "表题", t))
        if "决算" in t:
            votes.append(Vote("类型", "决算", "表题", t))
    return _decide(votes)


def _labelled_votes(t: str) -> list[Vote]:
    m = LABELLED.search(t)
    if not m or not is_body_name(m.group("name")):
        return []
    out = [Vote("单位", m.group("name"), "标注", t)]
    if m.group("label") == "预算单位":  # Shanghai: 预算单位 (a unit's) vs 预算主管部门 (a department's)
        out.append(Vote("范围", "单位", "标注", t))
    return out


def _cover_votes(marked: list[tuple[str, bool]]) -> list[Vote]:
    """Titles on the cover and in headings, also when wrapped over up to three lines (a title
    wraps onto lines that are not headings of their own)."""
    votes: list[Vote] = []
    marked = [(t, h) for t, h in marked if not PAGE_NUMBER.fullmatch(t.strip())]  # a page's number is no part of a title
    lines = [t for t, _ in marked]
    used_until = -1
    for i in range(len(lines)):
        if i <= used_until:
            continue
        for span in range(1, WINDOW + 1):
            if span > 1 and (i + span > len(lines) or marked[i + span - 1][1]):
                break
            joined = "".join(lines[i : i + span])
            m = YEAR_FIRST.match(joined) or NAME_FIRST.match(joined)
            year = m.group("year") if m else None
            if m is None:
                m = NO_YEAR.match(joined)
                near = [YEAR_ALONE.match(x) for x in lines[max(0, i - 1) : i] + lines[i + span : i + span + 1]]
                year = next((y.group(1) for y in near if y), None)
                if m is None or year is None:
                    continue
            name = m.group("name")
            if not is_body_name(name):
                continue
            votes += [Vote("单位", name, "封面", joined), Vote("年度", str(year), "封面", joined), Vote("类型", m.group("kind"), "封面", joined)]
            if m.group("scope"):
                votes.append(Vote("范围", "单位" if "单位" in m.group("scope") else "部门", "封面", joined))
            used_until = i + span - 1
            break
    return votes


def _year_kind_scope(m: re.Match[str], where: str, text: str) -> list[Vote]:
    out = [Vote("年度", m.group("year"), where, text), Vote("类型", m.group("kind"), where, text)]
    if m.group("scope"):
        out.append(Vote("范围", "单位" if "单位" in m.group("scope") else "部门", where, text))
    return out


def _tally(votes: list[Vote], what: str) -> Counter[str]:
    c: Counter[str] = Counter()
    for v in votes:
        if v.what == what:
            c[v.value] += v.weight
    return c


def _decide(votes: list[Vote]) -> Identity:
    names = _tally(votes, "单位")
    # a name printed with its place and without it (上海市普陀区商务委员会, 普陀区商务委员会) is one body
    for short in list(names):
        longer = [n for n in names if n != short and _ALIAS.sub("", n).endswith(_ALIAS.sub("", short))]
        if longer:
            names[max(longer, key=lambda n: names[n])] += names.pop(short)
    conflicts = []
    department = None
    if names:
        ranked = names.most_common()
        department = max((n for n, c in ranked if c == ranked[0][1]), key=len)
        others = [n for n, c in ranked if n != department and c >= ranked[0][1] / 2]
        if others:
            conflicts.append(f"文件里还写有另一个单位名称：{'、'.join(others)}（按出现最多的“{department}”载入）")
    years = _tally(votes, "年度")
    year = int(years.most_common(1)[0][0]) if years else None
    if len(years) > 1:
        (first, a), (second, b) = years.most_common(2)
        if b >= a / 2 and not _is_previous(first, second):
            conflicts.append(f"文件里写有不同的年度：{first}、{second}（按出现最多的 {year} 年载入）")
    kinds = _tally(votes, "类型")
    kind = kinds.most_common(1)[0][0] if kinds else None
    scopes = _tally(votes, "范围")
    scope = scopes.most_common(1)[0][0] if scopes else "部门"
    return Identity(department, year, kind, scope, votes, conflicts)


def _is_previous(a: str, b: str) -> bool:
    """A 决算 published a year later names both years (2024年度决算 … 二〇二五年): not a conflict."""
    return abs(int(a) - int(b)) == 1
