"""Body names: how a department's full name splits into its place and core, and the short forms
people call it by (望都县乡村振兴局 → 乡村振兴局, 望都乡村振兴局, 乡村振兴…). Pure string rules; the
vocabulary indexes bodies by these forms."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable

from .places import place_before

PLACE_BEFORE = re.compile(r"([\u4e00-\u9fff]{1,4}[省市县区州旗])$")
OWN_PLACE = re.compile(r"^(?:本|我|该|全|此)[省市县区州旗]$")  # 本县, 我市: the body's own place


def place_core(place: str) -> str:
    """What a body's name must hold to be of this place: 望都县 → 望都 (望都乡村振兴局 is
    望都县's), but a one-character place of China keeps its level (唐县 is not 唐河县); a
    two-character name that is no place (顺县, a slip for 顺平县) is matched by its first."""
    return place if len(place) == 2 and place_before(place) == place else place[-3:-1]


PLACE = re.compile(r"^(.{2,}?(?:自治区|自治州|省|市|区|县|旗|州)|[\u4e00-\u9fff]县(?!城))")  # 唐县, 易县: one-character counties
ORG_SUFFIX = re.compile(r"^(.+?)(局|委员会|委|办公室|办公厅|办|院|中心|所|站|队|部|厅|街道办事处|街道)$")
GENERIC_CORES = {"办公室", "办公厅", "委员会", "政府", "人民政府"}


def split_place(department: str) -> tuple[list[str], str, bool, bool]:
    """中共上海市普陀区委社会工作部 → (['上海市', '普陀区'], '委社会工作部', party=True, government=False);
    上海市普陀区人民政府办公室 → (['上海市', '普陀区'], '办公室', False, True)."""
    rest = department
    party = rest.startswith("中共")
    if party:
        rest = rest[2:]
    places: list[str] = []
    while True:
        m = PLACE.match(rest)
        if not m or len(rest) - len(m.group(1)) < 2 or m.group(1).endswith(("委", "办")):
            break
        places.append(m.group(1))
        rest = rest[len(m.group(1)) :]
    government = rest.startswith("人民政府")
    if government:
        rest = rest[len("人民政府") :]
    return places, rest, party, government


def _core_forms(core: str) -> set[str]:
    """A body's name without its place, and the short forms people make of it."""
    forms = {core}
    school = re.match(r"^第([一二三四五六七八九十]+)(中学|小学)$", core)
    if school:
        forms.add(school.group(1) + school.group(2)[0])  # 第一中学 → 一中, 第二小学 → 二小
    m = ORG_SUFFIX.match(core)
    if not m:
        return forms
    stem, suffix = m.groups()
    suffixes = {suffix}
    if suffix == "委员会":
        suffixes.add("委")  # 商务委员会 → 商务委
    if suffix == "街道办事处":
        suffixes |= {"街道", "街道办"}  # 万里街道办事处 → 万里街道
    for suf in suffixes:
        forms.add(stem + suf)
        if len(stem) >= 4 and len(stem) % 2 == 0 and "和" not in stem:
            initials = "".join(stem[i] for i in range(0, len(stem), 2))
            forms.add(initials + suf)  # 卫生健康局 → 卫健局
            if len(initials) > 2:
                forms.add(initials[:2] + suf)  # 城市管理服务中心 → 城管中心
        parts = [p for p in stem.split("和") if len(p) >= 2]
        if len(parts) > 1:
            forms.add("".join(p[0] for p in parts) + suf)  # 人力资源和社会保障局 → 人社局
            forms.add(parts[0] + parts[-1][-2:] + suf)  # 规划和自然资源局 → 规划资源局
        if "常委会" in stem:
            forms.add(stem.replace("常委会", "") + suf)  # 人大常委会办公厅 → 人大办公厅
    return forms


def short_forms(department: str) -> set[str]:
    """Every way a question may name a body: with all, some or none of its places, the place's
    level alone (区政府办公室, 省委办公厅), and short forms of the rest: 望都县卫生健康局 → 卫生健康局,
    卫健局; 上海市普陀区人民政府万里街道办事处 → 万里街道, 普陀区万里街道办事处; 中共江苏省委办公厅 →
    江苏省委办公厅, 省委办公厅. A name printed with a bracket — （本级）, or another name of the same
    body (上海市统计和大数据研究院（上海市统计数据管理中心）) — is asked with or without it: 无锡市教育局本级,
    无锡市教育局; 上海市统计数据管理中心."""
    bracket = BRACKETED.match(department)
    if bracket:
        base, inner = bracket.groups()
        forms = {department} | _forms(base)
        if inner == "本级":
            forms |= {f + "本级" for f in _forms(base)}
        elif ORG_SUFFIX.match(inner) or inner.endswith(("研究所", "中心")):
            forms |= _forms(inner)
        return {f for f in forms if len(f) >= 2}
    return _forms(department)


BRACKETED = re.compile(r"^(.{3,}?)[（(]([^（）()]{2,40})[)）]$")


def _forms(department: str) -> set[str]:
    places, rest, party, government = split_place(department)
    forms = {department}
    cores = _core_forms(rest)
    heads = [""] + ["".join(places[i:]) for i in range(len(places))]
    if places:
        heads.append(places[-1][-1])  # 区 / 省 / 县: 区政府办公室, 省人大常委会办公厅
        if len(places[-1]) >= 3:
            heads.append(places[-1][:-1])  # 曲阳县 → 曲阳: 曲阳乡村振兴局, 满城教育局
    for head in heads:
        for core in cores:
            for gov in (["人民政府", "政府", ""] if government else [""]):
                if core in GENERIC_CORES and (not head or not gov):
                    continue  # 办公室, 普陀区办公室: any body has one
                if not head and (gov or rest.startswith("委")):
                    continue  # 政府万里街道, 委办公厅
                forms.add(head + gov + core)
                if party:
                    forms.add("中共" + head + gov + core)
    if party and rest.startswith("委") and rest.endswith("部") and len(rest) >= 4:
        for head in heads:  # 中共上海市普陀区委社会工作部 → 普陀区社会工作部, 社会工作部 (a 部 of the 委 is named without it)
            forms.add(head + rest[1:])
    return {f for f in forms if len(f) >= 2}


def placeless_forms(department: str) -> set[str]:
    """The forms of a body that name none of its places (卫健局, 卫生健康局, 万里街道): what a
    mention without a place is compared with when it names no body exactly (a misspelt one). They
    are as many as the kinds of bodies, not as the bodies: every county's 卫健局 is one form."""
    places = split_place(department)[0]
    marks = {place_core(p) for p in places} | {p[:-1] for p in places if len(p) >= 3} | set(places)
    return {f for f in short_forms(department) if not split_place(f)[0] and not any(m in f for m in marks)}


def places_held(department: str, places: set[str]) -> set[str]:
    """The places (of `places`, full names) a body's name holds anywhere: 中共曲阳县委 and
    国家税务总局曲阳县税务局 are of 曲阳县 as 曲阳县教育局 is."""
    return {
        department[i:j]
        for j in range(2, len(department) + 1)
        if department[j - 1] in LEVELS
        for i in range(j - 1)
        if department[i:j] in places
    }


LEVELS = "省市县区州旗"  # the last character of every place's name


def index_bodies(
    departments: Iterable[str], forms: dict[str, list[str]], places: dict[str, str], as_asked: Callable[[str], str], *, adding: bool = False
) -> bool:
    """Add bodies to the index of their forms (form → bodies, each list in name order) and of
    their places (曲阳县 and 曲阳 → 曲阳县), written as a question writes them (`as_asked`).

    Built from every body in name order, a place's own name is the last body's word on it and a
    short form (朝阳, shared by 朝阳县 and 朝阳区) the first's. `adding` to an index built before:
    False, leaving it half-changed, where a place form would come to name another place than it
    names now — which one it means depends on every body, so the whole index is built again."""
    for dept in sorted(departments):
        for form in sorted(short_forms(dept)):
            bucket = forms.setdefault(as_asked(form), [])
            at = bisect.bisect_left(bucket, dept)
            if at == len(bucket) or bucket[at] != dept:
                bucket.insert(at, dept)
        for place in split_place(dept)[0]:
            named = [(as_asked(place), False)] + ([(as_asked(place[:-1]), True)] if len(place) >= 3 else [])
            for form, short in named:
                if adding and places.get(form, place) != place:
                    return False
                if short:
                    places.setdefault(form, place)
                else:
                    places[form] = place
    return True
