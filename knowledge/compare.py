"""Comparisons: shares (占比), changes between years (from both years' tables, or the narrative's
比上年), and the same figure across departments."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from loaders import subjects

from . import candidates, figures, store
from .answer import Answer, Citation
from .conventions import (
    FACT_ALIASES,
    MAX_RANKED,
    Candidate,
    _main_column,
    _short,
    _subset,
    asked_scope,
    scope_of,
)
from .documents import DocData
from .key_figures import signature
from .library import Library
from .numbers import fmt
from .parse import Query
from .vocabulary import Match


def _dated(year: int, label: str) -> str:
    """A citation with its year in front, unless its table's title starts with it already."""
    return label if label.startswith(f"{year}年") else f"{year}年{label}"


def _not_a_part(part: str, whole: str) -> str:
    """What to say under a share whose part the catalogue does not place inside the whole (培训费 of
    the 三公经费: 430% is their ratio, not a share of it)."""
    cat = subjects.catalogue()
    p, w = part.split(" · ")[0], whole.split(" · ")[0]
    if w not in cat or not cat[w].parts or p not in cat or p == w or p in subjects.within(w):
        return ""
    return f"；{p}不是{w}的一部分，这是两者之比"


def share(lib: Library, q: Query, doc: DocData) -> Answer:
    """X占Y的比例: the part's cell over the whole's (the part's table total when no whole is named)."""
    unknown = unknown_part(q)
    if unknown:  # 项目支出里X占: X must be an item we know
        return lib.help(q, f"{lib.prefix(doc)} 的数据里没有找到“{unknown}”这一项，算不出它的占比。")
    numerator_q, denominator_matches = share_terms(q)
    num = candidates.gather(lib, numerator_q, doc) if numerator_q.matches else []
    num = [c for c in num if c.value is not None and c.citation.row is not None]
    if not num:
        return lib.nothing(q, doc)
    n = sorted(num, key=lambda c: c.rank)[0]
    d = share_base(lib, q, doc, n, denominator_matches)
    if d is None or not d.value or (n.citation.table, n.citation.row, n.citation.column) == (d.citation.table, d.citation.row, d.citation.column):
        return lib.nothing(q, doc)  # a share of itself is no answer
    ratio = round(n.figure / d.figure * 100, 2)
    text = f"{lib.prefix(doc)} {n.label}占{d.label}的 {ratio:.2f}%（{fmt(n.figure)} ÷ {fmt(d.figure)} {doc.unit}）"
    text += _not_a_part(n.label, d.label)
    source = f"{n.citation.label()}；{d.citation.label()}"
    return Answer(
        q.question, "answered", text, value=ratio, unit="%", citations=[n.citation, d.citation], intent="share", source=source
    )


INSIDE_WORD = r"(?:里|中|当中|之中|里面|的)"


def _placed(q: Query, pos: int) -> list[Match]:
    """The subjects written before 占 (all of them when there is no 占)."""
    return [m for m in q.matches if m.end > m.start and (pos < 0 or m.start < pos)]


def unknown_part(q: Query) -> str:
    """Words between the last known subject and 占 that name no item we know (项目支出里X占)."""
    pos = q.match_text.find("占")
    placed = _placed(q, pos)
    if pos < 0 or not placed:
        return ""
    named = re.sub(rf"^\s*{INSIDE_WORD}|\s+", "", q.match_text[placed[-1].end : pos])
    return named if re.search(r"[\u4e00-\u9fff]{2,}", named) else ""


def share_terms(q: Query) -> tuple[Query, list[Match]]:
    """The part (a query of its own) and the matches naming the whole (after 占). 项目支出里农林水
    占多少: the second item's share of the first, in the first's column."""
    pos = q.match_text.find("占")
    placed = _placed(q, pos)
    if len(placed) >= 2 and re.fullmatch(rf"\s*{INSIDE_WORD}\s*", q.match_text[placed[0].end : placed[1].start]):
        return _subset(q, [placed[0], placed[1]]), [placed[0]]
    numerator = [m for m in q.matches if pos < 0 or m.start < pos or m.start == m.end == 0][:1]
    return _subset(q, numerator), [m for m in q.matches if pos >= 0 and m.start > pos]


FUND_WORDS = re.compile(r"政府性基金|一般公共预算|国有资本经营|财政拨款|基金")


def share_base(lib: Library, q: Query, doc: DocData, n: Candidate, denominator: list[Match]) -> Candidate | None:
    """The whole: the figure the words after 占 name (a table's cell first, the narrative's when no
    table has it; none when they disagree), else the total row of the part's own table."""
    if denominator:
        # like with like: a part read from a 一般公共预算 table over that fund's whole (重庆: 人员经费
        # 5,308.05 over the 一般公共预算 基本支出 5,445.39, not over all the money's 5,838.39)
        den_all = [c for c in candidates.gather(lib, replace(_subset(q, denominator), fiscal_scope=True), doc) if c.value]
        cells = [c for c in den_all if c.citation.row is not None]
        pos = q.match_text.find("占")
        fund_named = bool(FUND_WORDS.search(q.match_text[: pos if pos >= 0 else len(q.match_text)]))
        # 政府性基金支出占支出总计: the fund named for the part, the whole is all the money
        broad_whole = n.broad or fund_named
        den_c = ([c for c in cells if c.broad] or cells or den_all) if broad_whole else [c for c in cells if not c.broad]
        if not den_c or len({round(c.figure, 2) for c in den_c}) > 1:
            return None
        return sorted(den_c, key=lambda c: c.rank)[0]
    t = next(t for t in doc.tables.values() if t.title == n.citation.table)
    total = t.total_row()
    if total is None:
        return None
    column = "合计" if "合计" in t.column_keys() else (n.citation.column or _main_column(t))
    return candidates.cell_of(lib, doc, t, total, column, label=f"{t.title}合计")

def change(lib: Library, q: Query, doc: DocData) -> Answer:
    subjects = [n for n in q.terms("measure") + q.terms("fact") + q.terms("row")]
    keys = [f"{s}比上年增减" for s in subjects] + [f"{FACT_ALIASES.get(s, s)}比上年增减" for s in subjects]
    if set(subjects) & {"收支总额", "收入总额", "支出总额", "总计", "收入总计", "支出总计"}:
        keys.append("比上年增减")  # the narrative states the whole budget's change without a subject word
    keys += [k + "率" for k in keys]
    if not subjects or any(s in ("支出总计", "收入总计", "本年支出合计", "本年收入合计") for s in subjects):
        keys += ["比上年增减"]
    if q.unit_asked == "%":  # 增长百分之几: the rate the narrative states, before the amount
        keys = [k for k in keys if k.endswith("率")] + [k for k in keys if not k.endswith("率")]
    for key in keys:
        f = doc.facts.get(key)
        if f is None:
            continue
        value, unit = f["value"], f["unit"]
        word = "增加" if value > 0 else ("下降" if value < 0 else "持平")
        label = key.replace("比上年增减率", "").replace("比上年增减", "") or "预算收支"
        amount = "" if value == 0 else f" {fmt(abs(value), unit)} {unit}"
        reason = f"，{f['reason']}" if f["reason"] else ""
        return Answer(
            q.question,
            "answered",
            f"{lib.prefix(doc)} {label}比上年{word}{amount}{reason}",
            value=value,
            unit=unit,
            citations=[lib.cite_fact(doc, f)],
            intent="change",
            source=f"情况说明 · {f['section']}：“{_short(f['text'])}”",
        )
    return lib.help(q, f"{lib.prefix(doc)}的公开文件没有说明这一项与上年相比的变化。")

def loaded_years(lib: Library, q: Query) -> set[int]:
    departments = q.departments or lib.only_body()
    return {d["year"] for d in lib.of_departments(departments)}

def comparable_years(lib: Library, q: Query) -> set[int]:
    """The years of the department's documents that compare with each other: of one kind
    (预算 with 预算; a 2022 决算 is not the year before a 2023 预算) and one scope."""
    departments = q.departments or lib.only_body()
    if len(departments) != 1:
        return set()
    docs = lib.of_departments(departments)
    kind = "决算" if q.stage == "决算数" or "决算" in q.text else "预算"
    return {d["year"] for d in docs if d["kind"] == kind and d.get("scope", "部门") == "部门"} or {
        d["year"] for d in docs if d["kind"] == kind
    }

def with_previous(lib: Library, q: Query, year: int) -> int | None:
    """`year` when the department's year before it is loaded too, of the same kind (2024年…比上年)."""
    return year if {year, year - 1} <= comparable_years(lib, q) else None

def latest_with_previous(lib: Library, q: Query) -> int | None:
    """For 比上年 without a year: the newest year of the department, when the year before it is
    loaded too, of the same kind (then the change comes from the tables of both)."""
    years = comparable_years(lib, q)
    newest = max(years, default=None)
    return newest if newest is not None and newest - 1 in years else None

def change_between(lib: Library, q: Query) -> Answer:
    """A change between two loaded years, computed from the same figure in each year's tables."""
    later, earlier = max(q.years), min(q.years)
    found: dict[int, tuple[DocData, Candidate]] = {}
    for year in (earlier, later):
        docs, problem = lib.documents_for(replace(q, year=year, years=[year]))
        if problem is not None:
            return problem
        doc = docs[0]
        if found and doc.kind != next(iter(found.values()))[0].kind:
            later_doc = doc if year == later else found[later][0]
            return lib.help(  # a 预算 and a 决算 are not the same figure of two years
                q, f"{doc.department}载入的{earlier}年是{found[earlier][0].kind if earlier in found else doc.kind}、"
                f"{later}年是{later_doc.kind}，不是同一类公开，不能直接相比。"
            )
        cands = [c for c in candidates.gather(lib, replace(q, narrative_only=False), doc) if c.value is not None and c.from_table]
        values = {round(c.figure, 2) for c in cands}
        if len(values) != 1:
            if len(values) > 1:
                return figures.clarify_figures(lib, q, doc, {v: [c for c in cands if round(c.figure, 2) == v] for v in values})
            return lib.nothing(q, doc)
        found[year] = (doc, sorted(cands, key=lambda c: c.rank)[0])
    (_, a), (doc_b, b) = found[earlier], found[later]
    delta = round(b.figure - a.figure, 2)
    if q.unit_asked == "%":  # 增长百分之几: the rate, computed from both years' figures
        if not a.value:
            return lib.nothing(q, doc_b)
        rate = round(delta / a.value * 100, 2)
        text = (
            f"{doc_b.department} {b.label}：{later}年 {fmt(b.figure)} {b.unit}，{earlier}年 {fmt(a.figure)} {a.unit}，"
            f"{'增长' if rate >= 0 else '下降'} {abs(rate):.2f}%（{fmt(delta)} ÷ {fmt(a.figure)}）"
        )
        source = f"{_dated(later, b.citation.label())}；{_dated(earlier, a.citation.label())}"
        return Answer(
            q.question, "answered", text, value=rate, unit="%", citations=[b.citation, a.citation], intent="change", source=source
        )
    word = "增加" if delta > 0 else ("减少" if delta < 0 else "持平")
    pct = f"（{delta / a.value * 100:+.2f}%）" if a.value else ""
    text = (
        f"{doc_b.department} {b.label}：{later}年 {fmt(b.figure)} {b.unit}，{earlier}年 {fmt(a.figure)} {a.unit}，"
        f"{word}{'' if delta == 0 else ' ' + fmt(abs(delta)) + ' ' + b.unit}{pct}"
    )
    source = f"{_dated(later, b.citation.label())}；{_dated(earlier, a.citation.label())}"
    return Answer(
        q.question, "answered", text, value=delta, unit=b.unit, citations=[b.citation, a.citation], intent="change", source=source
    )

def across_departments(lib: Library, q: Query, only: list[str] | None = None) -> Answer:
    """One figure per department (its document of the year asked, else its newest; one
    document a department-year, the id that sorts first), ranked. Across every department,
    a measure computed at load time is read from `key_figures`; anything else reads the
    documents. A chat shows the first MAX_RANKED; the count says how many there are."""
    measure = lib.key_measures.get(signature(q))
    kind, scope, apart = comparable(lib, q, only)
    if only is None and measure is not None:
        rows, total = store.ranking(
            lib.conn,
            measure,
            year=q.year,
            departments=lib.departments_of(q.place) if q.place else None,
            descending=q.intent != "bottom",
            limit=MAX_RANKED,
            # like with like: only when other kinds are loaded (else every key figure is of this
            # kind, and the ranking is one read of the ranking index with the count stored)
            kind=kind if apart else None,
            scope=scope if apart else None,
            counted=lib.key_counts.get(measure, {}).get(str(q.year) if q.year is not None else "newest"),  # stored by the load
        )
        ranked = [(r["department"], r["year"], r["figure"], r["unit"], r["label"], r["value"], Citation(**r["citation"])) for r in rows]
        return ranking(lib, q, ranked, total, [], left_out(apart, lib.eligible(q.year, q.place, kind, scope) - total))
    newest = documents_to_rank(lib, q, only, kind, scope)
    results = []
    unsure = []  # bodies whose document gives no one figure: said, never left out quietly
    for d in newest.values():
        doc = lib.doc(d["id"])
        best = figures.one_figure(candidates.gather(lib, q, doc))
        if best is not None:
            results.append((doc, best))
        else:
            unsure.append(d["department"])
    results.sort(key=lambda x: x[1].figure, reverse=q.intent != "bottom")
    ranked = [(doc.department, doc.year, c.figure, c.unit, c.label, c.value, c.citation) for doc, c in results]
    missing = [d for d in (only or []) if d not in newest]
    if only and unsure and len(ranked) < 2:  # nothing to compare with: the one figure found is no "最多"
        return lib.help(q, f"{'、'.join(unsure)}的这一项在比较中读不出唯一的数（单独问它可以看到各处的写法），无法比较。")
    if only is None:
        apart = left_out(apart, len(unsure))
    else:
        apart = "、".join(unsure) + "的这一项读不出唯一的数，没有参加比较（可以单独问）" if unsure else ""
    return ranking(lib, q, ranked[:MAX_RANKED], len(ranked), missing, apart)


def left_out(apart: str, unranked: int) -> str:
    """What a ranking of every body leaves out, in one sentence: documents of other kinds
    (`apart`), and bodies of the kind compared whose document has no one figure of it — counted,
    never dropped quietly."""
    parts = [apart.strip("（）")] if apart else []
    if unranked > 0:
        parts.append(f"另有{unranked}个部门的文件没有这一项或读不出唯一的数，未列入")
    return f"（{'；'.join(parts)}）" if parts else ""


def documents_to_rank(lib: Library, q: Query, only: list[str] | None, kind: str, scope: str) -> dict[str, dict[str, Any]]:
    """Each department's document to rank: of the year asked (else its newest), of the place
    asked, and — across every department — of one kind and scope (预算 with 预算, 部门 with 部门)."""
    newest: dict[str, dict[str, Any]] = {}
    # the bodies asked, or a place's bodies by its index; else every document (a figure no load
    # computed is read from each)
    docs = lib.of_departments(only) if only else lib.of_departments(lib.departments_of(q.place)) if q.place else lib.catalog.every()
    for d in docs:
        if q.year is not None and d["year"] != q.year or (only and d["department"] not in only):
            continue
        if only is None and (d["kind"], scope_of(d) if d.get("scope") is None else d["scope"]) != (kind, scope):
            continue
        if q.place and q.place not in d["department"]:
            continue  # 曲阳县哪个部门…: the bodies of that place only
        kept = newest.get(d["department"])
        if kept is None or (d["year"], kept["id"]) > (kept["year"], d["id"]):
            newest[d["department"]] = d
    return newest

def comparable(lib: Library, q: Query, only: list[str] | None) -> tuple[str, str, str]:
    """What a ranking compares: 预算 (决算 when the question asks what was spent), of 部门 (单位
    when the question says so, or when only units are loaded) — a 部门预算 holds its own unit's,
    so mixing them counts twice — and a sentence naming what was left out."""
    kind = "决算" if q.stage == "决算数" or "决算" in q.text else "预算"
    loaded = lib.kinds_in(q.year, q.place)
    scope = asked_scope(q.question) or ("部门" if loaded.get((kind, "部门")) else "单位")
    others = {f"{s}{k}": n for (k, s), n in loaded.items() if (k, s) != (kind, scope)}
    apart = "、".join(f"{n}份{label}" for label, n in sorted(others.items()))
    return kind, scope, (f"（只比较{scope}{kind}；另有{apart}未列入，不同类的公开不能相比）" if apart else "")

def ranking(lib: Library, q: Query, ranked: list[tuple[Any, ...]], total: int, missing: list[str], apart: str = "") -> Answer:
    if not ranked:
        return lib.help(q, "各部门的数据里没有找到这一项。")
    lines = [f"{department}（{year}年）{fmt(figure)} {unit}" for department, year, figure, unit, *_ in ranked]
    if total > len(ranked):
        lines.append(f"……共 {total} 个部门，以上是{'最少' if q.intent == 'bottom' else '最多'}的 {len(ranked)} 个")
    top_department, _, top_figure, top_unit, top_label, top_value, top_citation = ranked[0]
    if q.intent in ("top", "bottom"):
        word = "最多" if q.intent != "bottom" else "最少"
        tied = [r[0] for r in ranked if round(r[2], 2) == round(top_figure, 2)]
        if len(tied) > 1:  # a tie is said as one: no body is named the single winner
            text = f"{top_label}{word}的有{len(tied)}个部门并列（{'、'.join(tied)}）：各 {fmt(top_figure)} {top_unit}。各部门："
        else:
            text = f"{top_label}{word}的是{top_department}：{fmt(top_figure)} {top_unit}。各部门："
    else:
        text = f"各部门{top_label}："
    if missing:
        lines.append(f"（{'、'.join(missing)}没有{q.year}年的数据）")
    if apart:
        lines.append(apart)
    return Answer(
        q.question,
        "answered",
        text,
        items=lines,
        source="各部门" + top_citation.table,
        value=top_value if q.intent in ("top", "bottom") else None,
        unit=top_unit if q.intent in ("top", "bottom") else None,
        citations=[r[6] for r in ranked],
        intent=q.intent,
    )
