"""What a template leaves when a document was not finished: its instruction lines, placeholders
(XX, ××, （增长）), and a table heading that names the body otherwise than the document does
(上海市规划和自然资源局 for 上海市普陀区规划和自然资源局)."""

from __future__ import annotations

import re

from ..model import Disclosure
from .findings import HINT, Finding, catalogue
from .sentences import paragraphs, short

PLACE_BEFORE_BODY = re.compile(
    r"([\u4e00-\u9fff]{2,30}?(?:局|委员会|办公室|办公厅|中心|街道办事处|人民政府))(?:本级)?(\d{4})年度?(?:部门|单位)(?:预算|决算)"
)
LEVELS = re.compile(r"[\u4e00-\u9fff]{1,8}?(?:省|自治区|市|自治州|区|县|旗)")


def review_leftovers(d: Disclosure) -> list[Finding]:
    words = catalogue()["leftovers"]
    out: list[Finding] = []
    for p in paragraphs(d):
        for kind, listed in (("说明", words["instructions"]), ("占位符", words["placeholders"])):
            word = next((w for w in listed if w in p.text and not _inside_word(p.text, w)), None)
            if word is not None:
                out.append(Finding("leftover", HINT, f"模板的{kind}“{word}”留在了正文里", p.where, p.page, [], short(_around(p.text, word))))
    for t in d.tables:
        for word in words["placeholders"]:
            if word in (t.note or "") or word in t.title:
                out.append(Finding("leftover", HINT, f"模板的占位符“{word}”留在了表中", t.title, t.page, [], short(t.note or t.title)))
    return out + title_body(d) + title_years(d)


TITLE_YEAR = re.compile(r"(20\d\d)\s*年")


def title_years(d: Disclosure) -> list[Finding]:
    """A table titled with another year than the document's (a last year's title left in)."""
    out: list[Finding] = []
    for t in d.tables:
        years = {int(y) for y in TITLE_YEAR.findall(t.title)}
        if years and d.year not in years:
            out.append(
                Finding("leftover", HINT, f"表题的年度（{'、'.join(map(str, sorted(years)))}年）与文件的 {d.year} 年不同", t.title, t.page, [], t.title)
            )
    return out


def _inside_word(text: str, word: str) -> bool:
    """XX inside a Latin word or a code (XXL, BXX1) is no placeholder."""
    if not word.isascii():
        return False
    at = text.find(word)
    around = text[max(0, at - 1) : at] + text[at + len(word) : at + len(word) + 1]
    return bool(re.search(r"[A-Za-z0-9]", around))


def _around(text: str, word: str, width: int = 40) -> str:
    at = text.find(word)
    return text[max(0, at - width) : at + len(word) + width]


def title_body(d: Disclosure) -> list[Finding]:
    """A heading `某某局2024年度部门决算表` whose body is this document's under another place: the
    same office named without its district (or with another one)."""
    out: list[Finding] = []
    own = re.sub(r"\s+", "", d.department)
    own_places = LEVELS.findall(own)
    core = LEVELS.sub("", own) if own_places else own
    seen: set[str] = set()
    texts = [(p.text, p.where, p.page) for p in paragraphs(d)] + [(re.sub(r"\s+", "", t.title), t.title, t.page) for t in d.tables]
    for text, where, page in texts:
        for m in PLACE_BEFORE_BODY.finditer(text):
            named = m.group(1)
            if named in seen or named in own or own in named or int(m.group(2)) != d.year:
                continue
            places = LEVELS.findall(named)
            if not places or LEVELS.sub("", named) != core:
                continue  # another body, or the body named without any place: not this finding
            seen.add(named)
            out.append(
                Finding("title_body", HINT, f"标题写作“{named}”，文件的单位是“{d.department}”", where, page, [], short(m.group(0)))
            )
    return out
