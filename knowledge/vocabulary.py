"""The domain vocabulary, built from what the knowledge base holds.

Every name a question can point at becomes a `Term`: row names (科目名称, both sides of a
收支总表), column words (基本支出, 项目支出, 人员经费…), narrative topics (机关运行经费,
政府采购预算…), 名词解释 terms, 绩效 indicators, departments and their short forms, and a
synonym list for how people say things (社保, 公积金, 三公, 卫健局). Exact matches are found by
a longest-first scan; what is left is cut by jieba (with the vocabulary as its dictionary, so
domain terms stay whole) and matched loosely with rapidfuzz.
"""

from __future__ import annotations

import hashlib
import logging
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz, process

from loaders.headers import GENERIC_COLUMNS, LEAVES
from loaders.subjects import THREE_PUBLIC

if TYPE_CHECKING:
    from .sound import SoundIndex
    from .store import VocabularySources

from .lexicon import CONTAINING, NARRATIVE_TOPICS, STANDING_ROWS, SYNONYMS, TABLE_WORDS
from .numbers import to_simplified
from .places import LEVEL, place_before

ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+、|\d+[、.]|其中[:：]?)?(?:[（(]\d+[)）])?")
def place_core(place: str) -> str:
    """What a body's name must hold to be of this place: 望都县 → 望都 (望都乡村振兴局 is
    望都县's), but a one-character place of China keeps its level (唐县 is not 唐河县); a
    two-character name that is no place (顺县, a slip for 顺平县) is matched by its first."""
    return place if len(place) == 2 and place_before(place) == place else place[-3:-1]


SOUND_SCORE = 95.0  # a term found by its syllables: said back as 按“…”理解
MAX_GUESSES = 4  # equally close bodies offered for a misspelt one; more than that is no guess
PLACE_BEFORE = re.compile(r"([\u4e00-\u9fff]{1,4}[省市县区州旗])$")
OWN_PLACE = re.compile(r"^(?:本|我|该|全|此)[省市县区州旗]$")  # 本县, 我市: the body's own place
QUOTES = re.compile(r"[“”\"'‘’]")

# Column words that mean a measure by themselves: every value column the loaders know, less the
# generic ones (合计, 小计, 预算数…) that only mean something within their table.
MEASURES = frozenset(LEAVES.values()) - GENERIC_COLUMNS


# Words that carry no subject: dropped before loose matching.
STOPWORDS = set(
    (
        "请问 请 问 一下 帮 我 查 查询 看看 告诉 想 知道 多少 多少钱 是 的 了 吗 呢 吧 啊 "
        "呀 哦 么 什么 有 几 个 共 一共 总共 合共 钱 资金 经费 数 数额 金额 额 万元 元 万 "
        "年 年度 部门 单位 本部门 我们 你们 咱们 县 这个 那个 和 与 及 在 中 里 之 其 为 "
        "安排 预算 预算数 花 花了 花费 用了 用 开支 支 出 给 拨 那 这 多 少 大概 大约 现在 "
        "目前 情况 具体 说说 讲讲 能 可以 麻烦 谢谢 您 你 好 hi hello 了解 下 ， , "
        "、 : ： "
    ).split()
)


@dataclass(frozen=True)
class Term:
    kind: str  # row | measure | fact | definition | indicator | table | department
    canonical: str


@dataclass
class Match:
    surface: str
    start: int
    end: int
    terms: list[Term]
    score: float = 100.0


def as_asked(name: str) -> str:
    """A name as it looks in a normalised question (simplified characters, lower case): 乾安县 is
    written 干安县 there, since questions are converted from traditional characters."""
    return to_simplified(name).lower()


def canon(name: str | None) -> str:
    """A row name as the vocabulary keeps it: no ordinal (一、 1、 其中：), quotes or spaces."""
    if not name:
        return ""
    return _canon(name)


@lru_cache(maxsize=65536)  # row names repeat across documents and questions
def _canon(name: str) -> str:
    name = unicodedata.normalize("NFKC", name)  # （境） and (境) are one name, as in questions
    name = ORDINAL.sub("", name.strip())
    name = QUOTES.sub("", name)
    return re.sub(r"\s+", "", name).lower()


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


@dataclass
class Vocabulary:
    terms: dict[str, list[Term]] = field(default_factory=dict)
    departments: dict[str, list[str]] = field(default_factory=dict)  # surface → departments
    places: dict[str, str] = field(default_factory=dict)  # 曲阳 / 曲阳县 → 曲阳县
    _department_forms: list[str] = field(default_factory=list)
    _form_rank: dict[str, int] = field(default_factory=dict)
    _form_lengths: tuple[int, int] = (0, 0)
    _place_forms: list[str] = field(default_factory=list)
    definition_terms: list[str] = field(default_factory=list)
    _by_first: dict[str, list[str]] = field(default_factory=dict)
    _surfaces: list[str] = field(default_factory=list)
    _tokenizer: object | None = None
    _placeless: list[str] | None = None  # department forms without a place (guess_department)
    _sounds: SoundIndex | None = None  # built on the first question with a word typed by sound

    def add(self, surface: str, term: Term) -> None:
        surface = as_asked(surface)
        if not surface:
            return
        bucket = self.terms.setdefault(surface, [])
        if term not in bucket:
            bucket.append(term)

    def finish(self) -> Vocabulary:
        self._placeless = None
        self._sounds = None
        self._by_first = {}
        for s in sorted(self.terms, key=len, reverse=True):
            self._by_first.setdefault(s[0], []).append(s)
        self._surfaces = sorted(t for t in self.terms if len(t) >= 2)
        self._department_forms = sorted(self.departments, key=len, reverse=True)
        self._place_forms = sorted(self.places, key=len, reverse=True)
        forms = self._department_forms  # longest first
        self._form_rank = dict(zip(forms, range(len(forms)), strict=True))
        self._form_lengths = (len(forms[-1]), len(forms[0])) if forms else (0, 0)
        self.definition_terms = [t for t, terms in self.terms.items() if any(x.kind == "definition" for x in terms)]
        return self

    def snapshot(self) -> dict[str, Any]:
        """The vocabulary as plain JSON values, stored in the base at load time so an engine opens
        without scanning the base (`from_snapshot`)."""
        return {
            "terms": {s: [[t.kind, t.canonical] for t in terms] for s, terms in self.terms.items()},
            "departments": self.departments,
            "places": self.places,
        }

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> Vocabulary:
        v = cls(
            terms={s: [Term(kind, canonical) for kind, canonical in terms] for s, terms in data["terms"].items()},
            departments=data["departments"],
            places=data["places"],
        )
        return v.finish()

    @classmethod
    def from_sources(cls, src: VocabularySources) -> Vocabulary:
        """The vocabulary of what the knowledge base holds (`store.vocabulary_sources`)."""
        v = cls()
        for name in src.row_names:
            c = canon(name)
            if c and not c.isdigit():
                v.add(c, Term("row", c))
                m = re.match(r"^(.+?)[（(][^）)]*[)）]$", c)  # 车辆（台、辆） → 车辆
                if m:
                    v.add(m.group(1), Term("row", c))
                if c.endswith("支出") and len(c) >= 5:  # 农林水支出 → 农林水, 城乡社区支出 → 城乡社区
                    v.add(c[:-2], Term("row", c))
        for key in src.column_keys:
            if key in MEASURES:
                v.add(key, Term("measure", key))
        for key in src.fact_keys:
            if not key.endswith(("比上年增减", "比上年增减率")):
                v.add(canon(key), Term("fact", key))
        for key in NARRATIVE_TOPICS:  # known even when no loaded file states them (tables-only XLSX)
            v.add(key, Term("fact", key))
        for key in STANDING_ROWS:
            v.add(key, Term("row", key))
        for term in src.definition_terms:
            v.add(canon(term), Term("definition", canon(term)))
        for text in src.indicator_texts:
            v.add(canon(text), Term("indicator", canon(text)))
        for title, key in src.tables:
            v.add(canon(title), Term("table", key))
            v.add(key, Term("table", key))
        for dept in sorted(src.departments):
            for form in sorted(short_forms(dept)):
                bucket = v.departments.setdefault(as_asked(form), [])
                if dept not in bucket:
                    bucket.append(dept)
            for place in split_place(dept)[0]:
                v.places[as_asked(place)] = place
                if len(place) >= 3:
                    v.places.setdefault(as_asked(place[:-1]), place)
        canonical_rows = [t for t, terms in v.terms.items() if any(x.kind == "row" for x in terms)]
        for word, part in CONTAINING.items():  # 医保 → every row about 医疗保险
            for row in canonical_rows:
                if part in row:
                    for t in v.terms[row]:
                        if t.kind == "row":
                            v.add(word, t)
        for surface, terms in list(v.terms.items()):  # 基本支出预算 (a defined term) is also the 基本支出 row
            stem = surface[: -len("预算")] if surface.endswith("预算") else ""
            if stem and all(t.kind == "definition" for t in terms):
                for t in list(v.terms.get(stem, [])):
                    v.add(surface, t)
        for word, key in TABLE_WORDS.items():
            v.add(word, Term("table", key))
        for word, targets in SYNONYMS.items():
            word = canon(word)  # as a question is read: （境） is (境)
            for target in targets:
                for t in list(v.terms.get(canon(target), [])):
                    v.add(word, t)
                if target == THREE_PUBLIC:
                    v.add(word, Term("fact", THREE_PUBLIC))
        return v.finish()

    # ------------------------------------------------------------------------------ matching

    def scan(self, text: str) -> list[Match]:
        """Exact matches, longest first, left to right, not overlapping."""
        out: list[Match] = []
        i = 0
        while i < len(text):
            for s in self._by_first.get(text[i], ()):
                if text.startswith(s, i):
                    out.append(Match(s, i, i + len(s), self.terms[s]))
                    i += len(s)
                    break
            else:
                i += 1
        return out

    def by_sound(self, text: str) -> list[Match]:
        """Terms typed by sound (基本值出 → 基本支出), found where their characters are not."""
        if self._sounds is None:
            from .sound import SoundIndex

            self._sounds = SoundIndex(self._surfaces)
        return [Match(s, i, j, self.terms[s], SOUND_SCORE) for i, j, s in self._sounds.find(text)]

    def fuzzy(self, span: str, cutoff: float = 72) -> Match | None:
        """The closest vocabulary term to a span of a question (typos, extra words)."""
        if len(span) < 2 or not self._surfaces:
            return None
        best = process.extractOne(span, self._surfaces, scorer=fuzz.ratio, score_cutoff=cutoff)
        if best is None and len(span) >= 4:
            best = process.extractOne(
                span, [s for s in self._surfaces if len(s) >= 4], scorer=fuzz.partial_ratio, score_cutoff=90
            )
        if best is None:
            return None
        surface, score, _ = best
        return Match(surface, 0, 0, self.terms[surface], score)

    def find_department(self, text: str) -> tuple[list[str], str, int]:
        """Departments a question names (full, short or misspelt), the text without them, and how
        many names it used (教育局和卫健局: 2; 卫健局 loaded for two counties: 1)."""
        found: list[str] = []
        mentions = 0
        for form in self._forms_in(text):
            at = text.find(form)
            if at < 0:
                continue
            if len(form) <= 3 and (text[at - 1 : at] == "第" or text[at + len(form) : at + len(form) + 1] in ("学", "校")):
                continue  # 一中 inside 第一中学: a short form is a whole word, not part of a longer name
            candidates = self.departments[form]
            # a form that starts with the level alone (县乡村振兴局) takes the place before it along
            level = 1 if form[0] in "省市县区州旗" else 0
            before = text[max(0, at - 9) : at + level]
            place = PLACE_BEFORE.search(before)
            named = place.group(1) if place and not OWN_PLACE.match(place.group(1)[-2:]) else None
            known = place_before(before)  # 满城 (满城区), 唐县: a place of China named before the body
            if named and not any(place_core(named) in d for d in candidates):
                continue  # 北京市教育局 is not 望都县教育局; 唐县乡村振兴局 is not 唐河县乡村振兴局
            if known and not any(LEVEL.sub("", known) in d for d in candidates):
                continue  # 满城教育局 is not 望都县教育局
            found += [d for d in candidates if d not in found]
            text = text.replace(form, " ")
            mentions += 1
        if not found:
            mention = re.search(r"[\u4e00-\u9fff]{2,10}?(?:局|委员会|办公室)", text)
            if mention and self.departments:
                best = process.extractOne(mention.group(), self._department_forms, scorer=fuzz.ratio, score_cutoff=80)
                places = split_place(mention.group())[0]
                if best and places:  # a typo of the body, not the same body of another place (唐县…)
                    best = best if all(place_core(p) in d for p in places for d in self.departments[best[0]]) else None
                if best:
                    found += self.departments[best[0]]
                    text = text.replace(mention.group(), " ")
                    mentions += 1
        return found, text, mentions

    def _forms_in(self, text: str) -> list[str]:
        """The department forms that occur in a text, longest first (as `_department_forms`
        orders them): by looking up the text's substrings, not by trying every form."""
        shortest, longest = self._form_lengths
        present = {
            text[i:j]
            for i in range(len(text))
            for j in range(i + shortest, min(len(text), i + longest) + 1)
            if text[i:j] in self._form_rank
        }
        return sorted(present, key=self._form_rank.__getitem__)

    def find_place(self, text: str) -> str | None:
        """A place of the loaded bodies the question names (曲阳县, 曲阳, 普陀区): the full form."""
        form = self.place_form(text)
        return self.places[form] if form else None

    def place_form(self, text: str) -> str | None:
        """The words a question names a loaded body's place with (无锡市, 曲阳)."""
        return next((form for form in self._place_forms if form in text), None)

    def guess_department(self, mention: str) -> list[str]:
        """The loaded departments a mention that matched none may mean (财正局 → 清苑县财政局), to
        ask about, never to answer for: the closest, or all of those equally close (江苏省办公厅:
        省委办公厅 or 人大办公厅?). A mention under another place (唐县乡村振兴局 when only 望都县's
        is loaded) means another body: no guess."""
        places, core, _, _ = split_place(mention)
        for size in range(min(len(mention) - 2, 6), 1, -1):  # 满城教育局: a place without its level
            known = place_before(mention[:size])
            if known and not places:
                places, core = [LEVEL.sub("", known)], mention[size:]
                break
        if self._placeless is None:  # made at the first guess, not at every start
            self._placeless = [f for f in self._department_forms if not split_place(f)[0]]
        forms = self._placeless
        if not forms or len(core) < 2:
            return []
        close = process.extract(core, forms, scorer=fuzz.ratio, score_cutoff=60, limit=MAX_GUESSES + 1)
        tied = [form for form, score, _ in close if score == close[0][1]] if close else []
        guesses = list(dict.fromkeys(d for f in tied for d in self.departments[f]))
        if not guesses or len(guesses) > MAX_GUESSES:
            return []  # nothing close, or a form many bodies share (办公室): no guess
        if places and not all(LEVEL.sub("", p) in d for p in places for d in guesses):
            return []
        return guesses

    # ------------------------------------------------------------------------------ jieba

    def tokenizer(self) -> Any:  # a jieba.Tokenizer (jieba ships no types)
        """A jieba tokenizer whose dictionary is this vocabulary's terms plus the common question
        words. Not the department forms: they are taken out of a question before it is cut
        (`find_department`), and with 100,000 disclosures their prefixes alone made jieba's
        dictionary 140 MB."""
        if self._tokenizer is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            words = set(self.terms) | STOPWORDS | {"是什么", "哪些", "哪个", "最多", "最少"}
            digest = hashlib.sha256("\n".join(sorted(words)).encode()).hexdigest()[:16]
            path = Path(tempfile.gettempdir()) / f"budgetbot-jieba-{digest}.txt"
            if not path.exists():
                path.write_text(
                    "\n".join(f"{w.replace(' ', '')} {1000 + 10 * len(w)}" for w in sorted(words) if w.strip()),
                    encoding="utf-8",
                )
            tok = jieba.Tokenizer(dictionary=str(path))
            tok.tmp_dir = tempfile.gettempdir()
            self._tokenizer = tok
        return self._tokenizer

    def content_spans(self, text: str) -> list[str]:
        """What is left of a question once stop words are gone, as contiguous spans."""
        spans: list[str] = []
        current = ""
        for word in self.tokenizer().lcut(text, HMM=False):
            w = word.strip()
            if not w or w in STOPWORDS or not re.search(r"[\u4e00-\u9fffA-Za-z0-9]", w):
                if current:
                    spans.append(current)
                    current = ""
                continue
            current += w
        if current:
            spans.append(current)
        return spans
