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
from collections.abc import Iterable
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

from .bodies import Bodies, BodyIndex, longest_first
from .body_names import OWN_PLACE, PLACE_BEFORE, place_core, short_forms, split_place
from .lexicon import CONTAINING, NARRATIVE_TOPICS, STANDING_ROWS, SYNONYMS, TABLE_WORDS
from .numbers import to_simplified
from .places import LEVEL, place_before

ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+、|\d+[、.]|其中[:：]?)?(?:[（(]\d+[)）])?")
SOUND_SCORE = 95.0  # a term found by its syllables: said back as 按“…”理解
MAX_GUESSES = 4  # equally close bodies offered for a misspelt one; more than that is no guess
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


@dataclass
class Vocabulary:
    terms: dict[str, list[Term]] = field(default_factory=dict)
    bodies: Bodies = field(default_factory=BodyIndex)  # each form of a body → the bodies (bodies.py)
    places: dict[str, str] = field(default_factory=dict)  # 曲阳 / 曲阳县 → 曲阳县
    _longest_place: int = 0
    _edges: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())  # of the bodies' forms
    definition_terms: list[str] = field(default_factory=list)
    _by_first: dict[str, list[str]] = field(default_factory=dict)
    _surfaces: list[str] = field(default_factory=list)
    _tokenizer: object | None = None
    _sounds: SoundIndex | None = None  # built on the first question with a word typed by sound

    def add(self, surface: str, term: Term) -> None:
        surface = as_asked(surface)
        if not surface:
            return
        bucket = self.terms.setdefault(surface, [])
        if term not in bucket:
            bucket.append(term)

    def finish(self) -> Vocabulary:
        self._sounds = None
        self._by_first = {}
        for s in sorted(self.terms, key=len, reverse=True):
            self._by_first.setdefault(s[0], []).append(s)
        self._surfaces = sorted(t for t in self.terms if len(t) >= 2)
        self._longest_place = max(map(len, self.places), default=0)
        self._edges = (frozenset(self.bodies.edges[0]), frozenset(self.bodies.edges[1]))
        self.definition_terms = [t for t, terms in self.terms.items() if any(x.kind == "definition" for x in terms)]
        return self

    def snapshot(self) -> dict[str, Any]:
        """The vocabulary as plain JSON values, stored in the base at load time so an engine opens
        without scanning the base (`from_snapshot`); the bodies' forms are stored as rows of
        their own (store/catalog.py), read by key."""
        return {"terms": {s: [[t.kind, t.canonical] for t in terms] for s, terms in self.terms.items()}, "places": self.places}

    @classmethod
    def from_snapshot(cls, data: dict[str, Any], bodies: Bodies) -> Vocabulary:
        v = cls(
            terms={s: [Term(kind, canonical) for kind, canonical in terms] for s, terms in data["terms"].items()},
            bodies=bodies,
            places=data["places"],
        )
        return v.finish()

    @classmethod
    def from_sources(cls, src: VocabularySources) -> Vocabulary:
        """The vocabulary of what the knowledge base holds (`store.vocabulary_sources`)."""
        v = cls()
        v._add_rows(src.row_names)
        v._add_keys(src)
        v._add_bodies(src.departments)
        v._add_containing()
        v._add_budget_stems()
        v._add_words()
        return v.finish()

    def _add_rows(self, row_names: Iterable[str]) -> None:
        """Each row name, and the forms people shorten it to (车辆（台、辆） → 车辆, 农林水支出 → 农林水)."""
        for name in row_names:
            c = canon(name)
            if not c or c.isdigit():
                continue
            self.add(c, Term("row", c))
            m = re.match(r"^(.+?)[（(][^）)]*[)）]$", c)
            if m:
                self.add(m.group(1), Term("row", c))
            if c.endswith("支出") and len(c) >= 5:
                self.add(c[:-2], Term("row", c))

    def _add_keys(self, src: VocabularySources) -> None:
        """Measures (columns), narrative facts and topics, standing rows, defined terms, indicators, tables."""
        for key in src.column_keys:
            if key in MEASURES:
                self.add(key, Term("measure", key))
        for key in src.fact_keys:
            if not key.endswith(("比上年增减", "比上年增减率")):
                self.add(canon(key), Term("fact", key))
        for key in NARRATIVE_TOPICS:  # known even when no loaded file states them (tables-only XLSX)
            self.add(key, Term("fact", key))
        for key in STANDING_ROWS:
            self.add(key, Term("row", key))
        for term in src.definition_terms:
            self.add(canon(term), Term("definition", canon(term)))
        for text in src.indicator_texts:
            self.add(canon(text), Term("indicator", canon(text)))
        for title, key in src.tables:
            self.add(canon(title), Term("table", key))
            self.add(key, Term("table", key))

    def _add_bodies(self, departments: Iterable[str]) -> None:
        """Every short form of each body, and the places they are of (with 无锡 for 无锡市), in
        one order however they were added (a load adds to the stored ones: knowledge/build.py)."""
        self.bodies = BodyIndex.build(departments, self.places, as_asked)
        self.places = dict(sorted(self.places.items()))

    def _add_containing(self) -> None:
        """A colloquial word for every row containing what it names (医保 → every row about 医疗保险)."""
        canonical_rows = [t for t, terms in self.terms.items() if any(x.kind == "row" for x in terms)]
        for word, part in CONTAINING.items():
            for row in canonical_rows:
                if part in row:
                    for t in self.terms[row]:
                        if t.kind == "row":
                            self.add(word, t)

    def _add_budget_stems(self) -> None:
        """基本支出预算 (a defined term) is also the 基本支出 row."""
        for surface, terms in list(self.terms.items()):
            stem = surface[: -len("预算")] if surface.endswith("预算") else ""
            if stem and all(t.kind == "definition" for t in terms):
                for t in list(self.terms.get(stem, [])):
                    self.add(surface, t)

    def _add_words(self) -> None:
        """The catalogue's words for tables and its synonyms for subjects."""
        for word, key in TABLE_WORDS.items():
            self.add(word, Term("table", key))
        for word, targets in SYNONYMS.items():
            word = canon(word)  # as a question is read: （境） is (境)
            for target in targets:
                for t in list(self.terms.get(canon(target), [])):
                    self.add(word, t)
                if target == THREE_PUBLIC:
                    self.add(word, Term("fact", THREE_PUBLIC))

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
        named = self.bodies.lookup(self.spans(text))  # every form the text holds, in one lookup
        for form in longest_first(named):
            at = text.find(form)
            if at < 0:
                continue  # within a longer form taken before (乡村振兴局 of 望都县乡村振兴局)
            listed = named[form]
            bodies = listed if isinstance(listed, list) else self.bodies.named([form])[form]  # a common form, used
            if not self._names_body(text, at, form, bodies):
                continue
            found += [d for d in bodies if d not in found]
            text = text.replace(form, " ")
            mentions += 1
        if not found:
            mention, bodies = self._misspelt(text)
            if mention:
                found += bodies
                text = text.replace(mention, " ")
                mentions += 1
        return found, text, mentions

    def spans(self, text: str) -> set[str]:
        """Every part of a text as long as some body's form (what `find_department` looks up)."""
        shortest, longest = self.bodies.lengths
        starts, ends = self._edges
        return {
            text[i:j]
            for i in range(len(text))
            if text[i] in starts
            for j in range(i + shortest, min(len(text), i + longest) + 1)
            if text[j - 1] in ends
        }

    def _names_body(self, text: str, at: int, form: str, candidates: list[str]) -> bool:
        """Whether the form at `at` names its bodies (`candidates`): a whole word (一中 inside
        第一中学 is not), and not the same body of another place named before it (北京市教育局 is
        not 望都县教育局)."""
        if len(form) <= 3 and (text[at - 1 : at] == "第" or text[at + len(form) : at + len(form) + 1] in ("学", "校")):
            return False
        # a form that starts with the level alone (县乡村振兴局) takes the place before it along
        level = 1 if form[0] in "省市县区州旗" else 0
        before = text[max(0, at - 9) : at + level]
        place = PLACE_BEFORE.search(before)
        named = place.group(1) if place and not OWN_PLACE.match(place.group(1)[-2:]) else None
        known = place_before(before)  # 满城 (满城区), 唐县: a place of China named before the body
        if named and not any(place_core(named) in d for d in candidates):
            return False  # 唐县乡村振兴局 is not 唐河县乡村振兴局
        return not (known and not any(LEVEL.sub("", known) in d for d in candidates))

    def _misspelt(self, text: str) -> tuple[str | None, list[str]]:
        """A body named with a typo (卫建局): its mention and the bodies it is close to — the forms
        of no place, and of the place the mention starts with (望都县卫建局) — never the same body
        of another place (唐县…)."""
        mention = re.search(r"[\u4e00-\u9fff]{2,10}?(?:局|委员会|办公室)", text)
        if not mention or not len(self.bodies):
            return None, []
        said = mention.group()
        forms = self.bodies.placeless()
        place = next((self.places[said[:n]] for n in range(len(said) - 1, 1, -1) if said[:n] in self.places), None)
        if place:
            forms = longest_first(set(forms) | {as_asked(f) for d in self.bodies.of_place(place) for f in short_forms(d)})
        best = process.extractOne(said, forms, scorer=fuzz.ratio, score_cutoff=80)
        bodies = self.bodies.named([best[0]]).get(best[0], []) if best else []
        places = split_place(said)[0]
        if places and not all(place_core(p) in d for p in places for d in bodies):
            bodies = []
        return (said, bodies) if bodies else (None, [])

    def find_place(self, text: str) -> str | None:
        """A place of the loaded bodies the question names (曲阳县, 曲阳, 普陀区): the full form."""
        form = self.place_form(text)
        return self.places[form] if form else None

    def place_form(self, text: str) -> str | None:
        """The words a question names a loaded body's place with (无锡市, 曲阳): the longest."""
        longest = self._longest_place
        present = {text[i:j] for i in range(len(text)) for j in range(i + 1, min(len(text), i + longest) + 1) if text[i:j] in self.places}
        return min(present, key=lambda f: (-len(f), f)) if present else None

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
        forms = self.bodies.placeless()
        if not forms or len(core) < 2:
            return []
        close = process.extract(core, forms, scorer=fuzz.ratio, score_cutoff=60, limit=MAX_GUESSES + 1)
        tied = [form for form, score, _ in close if score == close[0][1]] if close else []
        named = self.bodies.lookup(tied)
        if any(isinstance(bodies, int) for bodies in named.values()):
            return []  # a common form (办公室): more bodies than a guess offers
        listed = [bodies for f in tied if isinstance(bodies := named.get(f, []), list)]
        guesses = list(dict.fromkeys(d for bodies in listed for d in bodies))  # in the order of closeness
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
