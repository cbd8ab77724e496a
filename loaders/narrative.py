"""The narrative (情况说明): sections, stated figures, duties, 绩效目标, 采购, 资产, 名词解释.

The narrative follows a national template: numbered sections (一、部门职责及机构设置情况 …
八、名词解释), sub-sections (（一）…), and formulaic sentences ("收入总额 6490.3万元，其中：…",
"较 2021年下降 314.63万元", "原因为…"). Lines wrap anywhere, so text is joined before it is
read. Figures are read clause by clause: a clause names a subject from `SUBJECTS` (or continues
the one before it) and states an amount, or a change (增长/下降/持平) with its reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import subjects
from .model import Column, Definition, Indicator, NarrativeFact, Passage, Row, Table
from .template import TableKind

if TYPE_CHECKING:
    from .text import Line

SECTION = re.compile(r"^([一二三四五六七八九十]+)、\s*(\S.*)$")
SUBSECTION = re.compile(r"^[（(]([一二三四五六七八九十]+)[)）]\s*(.*)$")
ITEM = re.compile(r"^(\d+)\s*(?:、|[.．](?!\d))\s*(.*)$")
AMOUNT = re.compile(r"(-?\d+(?:,\d{3})+(?:\.\d+)?|-?\d+(?:\.\d+)?)\s*(万元|元|%|％|个|人|户|辆|台|平方米)")
NONE_BEFORE = re.compile(r"(?:未安排|未编制|没有安排|无)(?:任何)?$")
# What a figure of a 决算 narrative is: `年初预算为2.85万元，支出决算为0.39万元`
STAGE_BEFORE = re.compile(r"(年初预算|全年预算|调整预算)(?:数)?为?\s*$")
SHARE_BEFORE = re.compile(r"(?:占|完成|为)[^，,]{0,12}?(?:的)?\s*$")
YEAR_PREFIX = re.compile(r"^\d{4}年")
CHANGE = re.compile(r"(增长|增加|上升|下降|减少|降低|持平)")
CJK = r"\u3400-\u9fff\uff00-\uffef\u3000-\u303f“”‘’"

# (pattern, key): how a narrative names a subject, in the order tried (the subject catalogue's [[narrative]])
SUBJECTS: list[tuple[str, str]] = subjects.narrative_patterns()
_SUBJECT_RE = re.compile("|".join(f"(?P<s{i}>{p})" for i, (p, _) in enumerate(SUBJECTS)))


def tidy(text: str) -> str:
    """Remove the spaces PDF extraction puts between Chinese characters and digits."""
    text = re.sub(rf"(?<=[{CJK}])\s+(?=[\w{CJK}])", "", text)
    text = re.sub(rf"(?<=[\w.%])\s+(?=[{CJK}])", "", text)
    text = re.sub(rf"(?<=[{CJK}])\s+(?=[(])|(?<=[)])\s+(?=[{CJK}])", "", text)  # 因公出国 (境)费
    return text.strip()


@dataclass
class Narrative:
    facts: list[NarrativeFact] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    duties: list[str] = field(default_factory=list)
    definitions: list[Definition] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


HEADING_INSIDE = re.compile(r"(?<=[。；;])\s+(?=[一二三四五六七八九十]+、\S)")


def _split_headings(lines: list[Line]) -> list[Line]:
    """A section heading laid out on the same line as the end of the paragraph before it
    (some PDFs do that) starts a line of its own."""
    from dataclasses import replace

    out: list[Line] = []
    for ln in lines:
        parts = HEADING_INSIDE.split(ln.text)
        out += [replace(ln, text=p.strip(), words=None) for p in parts] if len(parts) > 1 else [ln]
    return out


# A heading on a line of its own, as the Jiangsu and Shanghai templates print them.
HEADING_ALONE = re.compile(
    r"^(?:第[一二三四五六七八九十]部分\s*)?(?P<title>.{0,30}?(?:名词解释|编制说明|情况说明|主要职能|机构设置|部门概况))$"
)


def _sections(lines: list[Line]) -> list[tuple[str, list[Line]]]:
    out: list[tuple[str, list[Line]]] = [("情况说明", [])]
    for ln in _split_headings(lines):
        m = SECTION.match(ln.text)
        alone = HEADING_ALONE.match(tidy(ln.text))
        if alone and len(ln.text) < 45 and not m:
            out.append((alone.group("title"), []))
        elif m and len(ln.text) < 40 and not ("名词解释" in out[-1][0] and re.search("[:：]", ln.text)):
            out.append((tidy(m.group(2)), []))
        else:
            out[-1][1].append(ln)
    return out


RUN_IN = re.compile(r"^[^：:]{2,16}[：:](?=\s*\S{6,})")  # （一）机关运行经费：2026 年长沙市信访局…


def _run_in(text: str) -> bool:
    """A numbered heading followed on its line by its paragraph (`（一）机关运行经费：2026 年…机关运行
    经费` / `122.98万元…`): the paragraph goes on over the next line, it is not a heading alone."""
    return bool(RUN_IN.match(text))


def paragraphs(lines: list[Line]) -> list[tuple[str, int]]:
    """Join wrapped lines into paragraphs: a paragraph ends at 。 or ： or before a numbered line."""
    out: list[tuple[str, int]] = []
    buf = ""
    page = 0
    for ln in lines:
        t = ln.text
        if not t:
            continue
        heading = bool(SUBSECTION.match(t)) and len(t) < 40 and not t.endswith("。") and not AMOUNT.search(t) and not _run_in(t)
        starts_item = bool(SUBSECTION.match(t) or ITEM.match(t) or t.startswith("第") and "部分" in t[:5])
        if buf and starts_item:
            out.append((tidy(buf), page))
            buf = ""
        if not buf:
            page = ln.page
        buf += t
        if heading or t.endswith(("。", "：", ":")):
            out.append((tidy(buf), page))
            buf = ""
    if buf:
        out.append((tidy(buf), page))
    return out


def parse_narrative(lines: list[Line], source: str) -> Narrative:
    from .narrative_tables import read_assets, read_performance, read_procurement  # they use this module's readers

    nar = Narrative()
    for title, body in _sections(lines):
        if "职责" in title or "机构" in title:
            _duties_and_units(title, body, nar)
        elif "名词解释" in title:
            _definitions(body, nar)
        elif "绩效" in title:
            read_performance(title, body, nar)
        elif "采购" in title:
            read_procurement(title, body, nar)
        elif "资产" in title:
            read_assets(title, body, nar)
        else:
            heading = title
            for text, page in paragraphs(body):
                sub = SUBSECTION.match(text)
                if sub and len(text) < 40 and not text.endswith("。") and not AMOUNT.search(text) and not _run_in(text):
                    heading = f"{title} · {YEAR_PREFIX.sub('', sub.group(2))}"
                    continue
                nar.passages.append(Passage(section=heading, text=text, page=page))
                nar.facts += read_facts(heading, text, page)
    _dedupe(nar)
    return nar


def _dedupe(nar: Narrative) -> None:
    seen: set[str] = set()
    facts = []
    for f in nar.facts:
        if f.key in seen:
            continue
        seen.add(f.key)
        facts.append(f)
    nar.facts = facts


@dataclass
class _Reading:
    """What reading one sentence keeps from clause to clause: the subject the figures are of, the
    (subject, figure or change) already read, and whether a clause says what the money is for."""

    section: str
    page: int | None
    said: str  # the quote each fact carries
    clauses: list[str]
    subject: str | None
    stated: set[tuple[str, str]] = field(default_factory=set)
    describing: bool = False


def read_facts(section: str, paragraph: str, page: int | None = None) -> list[NarrativeFact]:
    """Figures stated in a paragraph, clause by clause."""
    facts: list[NarrativeFact] = []
    carried_text = ""
    carried: str | None = None  # `1.因公出国（境）费用。2026 年预算数 16.80 万元`: an item named, then its figures
    for sentence in re.split(r"(?<=[。；;])", paragraph):
        if not sentence.strip():
            continue
        said = (carried_text + sentence).strip() if carried else sentence.strip()  # the quote names its item
        subject = carried
        carried, carried_text = _named_item(sentence), sentence.strip()
        if CATEGORY.search(sentence):
            continue  # “农林水支出”科目83万元，主要用于人员经费18万元…: a 科目's figures, not the department's
        joined = re.sub(r"收入?、支出?", "收支", sentence)  # 收入、支出预算总计 is one subject
        joined = EXAMPLES.sub("", joined)  # 例如：存款利息收入、…非同级财政拨款收入等: examples, not subjects
        clauses = [c for c in re.split(r"[，：:、]|,(?!\d{3})", joined) if c]  # not the comma of 18,976.76
        reading = _Reading(section, page, said, clauses, subject)
        for k, clause in enumerate(clauses):
            facts += _clause_facts(reading, k, clause)
    return facts


def _clause_facts(s: _Reading, k: int, clause: str) -> list[NarrativeFact]:
    if PURPOSE.match(clause) and not AMOUNT.search(clause):
        s.describing = True  # 主要用于…基本支出和项目支出: what the money is for, the subject goes on
        return []
    if s.describing and not (AMOUNT.search(clause) or CHANGE.search(clause)):
        return []
    s.describing = False
    if PARTS_OR_REASON.match(clause):
        s.subject = None  # 其中…, 主要是…: the parts or the cause, never the subject before
    found = _subjects_in(clause)
    amounts = list(AMOUNT.finditer(clause))
    change = CHANGE.search(clause)
    said_of_subject = any(x == s.subject for x, _ in s.stated)
    if not (said_of_subject and not amounts and not change):  # a clause describing the subject
        for _pos, key in found:  # (为…在财政拨款收入、事业收入之外取得的收入) does not change it
            s.subject = key
    if not amounts and found:
        pos, key = found[0]
        if NONE_BEFORE.search(clause[max(0, pos - 6) : pos]):  # 未安排政府采购预算: stated as none
            return [NarrativeFact(section=s.section, key=key, value=0.0, unit="万元", text=s.said, page=s.page)]
    if not amounts and change and change.group(1) == "持平" and s.subject:
        return [NarrativeFact(section=s.section, key=_delta_key(s.subject), value=0.0, unit="万元", text=s.said, page=s.page)]
    out = []
    for amount in amounts:
        fact = _amount_fact(s, k, clause, amount, found, change)
        if fact is not None:
            out.append(fact)
    return out


def _amount_fact(
    s: _Reading, k: int, clause: str, amount: re.Match[str], found: list[tuple[int, str]], change: re.Match[str] | None
) -> NarrativeFact | None:
    """The fact one amount states: of the subject named last before it (or the sentence's), a
    figure, a stage's figure (年初预算…) or a change (with its reason)."""
    before = [key for pos, key in found if pos < amount.start()]
    subj = before[-1] if before else s.subject
    if subj is None:
        return None
    value = float(amount.group(1).replace(",", ""))
    unit = amount.group(2).replace("％", "%")
    lead = clause[: amount.start()]
    changed = change is not None and change.start() < amount.start()
    if unit == "%" and not changed and SHARE_BEFORE.search(lead):
        return None  # 占“三公”经费的26.69%, 完成年初预算的95.45%: a share, not the subject's figure
    stage = STAGE_BEFORE.search(lead)
    kind = ("change" if changed else "figure") + unit + (stage.group(1) if stage else "")
    if not before and (subj, kind) in s.stated:
        return None  # a list goes on (…增加552.5万元，政府性基金预算资金增加579.89万元): not the subject's again
    s.stated.add((subj, kind))
    if stage and not changed:
        return NarrativeFact(section=s.section, key=subj + stage.group(1), value=value, unit=unit, text=s.said, page=s.page)
    if change is not None and changed:
        if change.group(1) in ("下降", "减少", "降低"):
            value = -value
        key = _delta_key(subj) + ("率" if unit == "%" else "")
        return NarrativeFact(section=s.section, key=key, value=value, unit=unit, text=s.said, reason=_reason(s.clauses[k + 1 :]), page=s.page)
    return NarrativeFact(section=s.section, key=subj, value=value, unit=unit, text=s.said, page=s.page)


ITEM_NAMED = re.compile(r"^\s*(?:\d+\s*[.．、]|[（(][一二三四五六七八九十\d]+[)）])\s*(?P<name>[^，,。；;\d]{2,20})[。：:]?\s*$")


def _named_item(sentence: str) -> str | None:
    """The subject of a numbered item that names it and nothing else (`1.因公出国（境）费用。`)."""
    m = ITEM_NAMED.match(sentence)
    found = _subjects_in(m.group("name")) if m else []
    return found[-1][1] if len(found) == 1 else None


CATEGORY = re.compile(r"[”\"]?科目\s*-?\d|[（(][类款项][)）]")
EXAMPLES = re.compile(r"(?:例如|比如|诸如)[：:]?[^，,。；;\d]*等")
PURPOSE = re.compile(r"^\s*(?:主要)?用于")
PARTS_OR_REASON = re.compile(r"^\s*(?:其中|主要|原因|包括)")
BUDGET_STAGE = "年初预算"


def facts_of_kind(facts: list[NarrativeFact], kind: str) -> list[NarrativeFact]:
    """In a 预算 the 年初预算数 is the budget itself (`收入预算：2026年年初预算数14,770.62万元`):
    such a figure is the subject's, unless the narrative states the subject's figure otherwise."""
    if kind != "预算":
        return facts
    stated = {f.key for f in facts}
    out = []
    for f in facts:
        base = f.key.removesuffix(BUDGET_STAGE)
        if f.key.endswith(BUDGET_STAGE) and base not in stated:
            from dataclasses import replace

            f = replace(f, key=base)
            stated.add(base)
        out.append(f)
    return out


def _delta_key(subject: str) -> str:
    return "比上年增减" if subject in ("收支总额", "收入总额", "支出总额") else f"{subject}比上年增减"


def _subjects_in(clause: str) -> list[tuple[int, str]]:
    out = []
    for m in _SUBJECT_RE.finditer(clause):
        idx = int(m.lastgroup[1:])  # type: ignore[index]
        out.append((m.start(), SUBJECTS[idx][1]))
    return out


def _reason(rest: list[str]) -> str | None:
    for i, clause in enumerate(rest):
        c = clause.strip()
        if c.startswith(("主要", "原因", "主要原因")):
            text = "，".join(x.strip() for x in rest[i:])
            text = re.split(r"[。；;]", text)[0]
            return text.strip("，")
        if AMOUNT.search(c) or _subjects_in(c):
            return None
    return None


def _duties_and_units(title: str, body: list[Line], nar: Narrative) -> None:
    mode = None
    units: list[list[str]] = []
    columns: list[str] = []
    duty: str | None = None
    for ln in body:
        t = ln.text
        if not t:
            continue
        if t.startswith("部门职责"):
            mode = "duties"
            continue
        if t.startswith("机构设置"):
            mode = "units"
            if duty:
                nar.duties.append(tidy(duty))
                duty = None
            continue
        if mode == "duties":
            if SUBSECTION.match(t):
                if duty:
                    nar.duties.append(tidy(duty))
                duty = t
            elif duty is not None:
                duty += t
            else:
                duty = t
        elif mode == "units":
            if "设置情况" in t:
                continue
            cells = t.split()
            if "单位名称" in cells:
                columns = cells
            elif columns and len(cells) == len(columns):
                units.append(cells)
    if duty:
        nar.duties.append(tidy(duty))
    for d in nar.duties:
        nar.passages.append(Passage(section="部门职责", text=d, page=None))
    if columns:
        table = Table(
            key=TableKind.UNITS,
            title="部门机构设置情况",
            label_columns=[columns[0]],
            columns=[Column(key=c, label=c) for c in columns[1:]],
        )
        for i, cells in enumerate(units, 1):
            table.rows.append(Row(number=i, name=cells[0], texts=dict(zip(columns[1:], cells[1:], strict=True))))
        nar.tables.append(table)
        for cells in units:
            nar.passages.append(
                Passage(section="机构设置", text="，".join(f"{c}：{v}" for c, v in zip(columns, cells, strict=True)))
            )


DEFINITION_ITEM = re.compile(
    r"^(?:[（(](?P<cn>[一二三四五六七八九十]+)[)）]、?|(?P<cn2>[一二三四五六七八九十]+)、|(?P<n>\d+)\s*(?:、|[.．](?!\d)))\s*(?P<rest>.*)$"
)
CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九", 0)}


def _cn_number(text: str) -> int:
    """一 → 1, 十 → 10, 十二 → 12, 二十三 → 23."""
    if "十" not in text:
        return CN_DIGITS.get(text, 0)
    tens, _, ones = text.partition("十")
    return (CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (CN_DIGITS.get(ones, 0) if ones else 0)


def _definitions(body: list[Line], nar: Narrative) -> None:
    """名词解释 items: `1. 术语：…`, `一、术语：…` or `（一）术语：…`, each running until the next."""
    current: list = []
    for ln in body:
        t = ln.text
        if not t:
            continue
        m = DEFINITION_ITEM.match(tidy(t))
        if m and ("：" in t or ":" in t):
            number = int(m.group("n")) if m.group("n") else _cn_number(m.group("cn") or m.group("cn2"))
            current.append([number, m.group("rest"), ln.page])
        elif current:
            current[-1][1] += t
    for number, text, page in current:
        term, _, explanation = re.split(r"([:：])", tidy(text), maxsplit=1)
        nar.definitions.append(Definition(number=number, term=term.strip(), text=explanation.strip(), page=page))
