"""名词解释 definitions and 绩效目标 indicators: questions answered by a term or an indicator."""

from __future__ import annotations

from .answer import Answer, Citation
from .conventions import _unit_fits
from .documents import DocData
from .library import Library
from .parse import Query
from .vocabulary import canon


def indicator(lib: Library, q: Query, doc: DocData) -> Answer | None:
    names = q.terms("indicator")
    if not names or q.terms("row") or q.terms("measure"):
        return None
    hits = [i for i in doc.indicators if canon(i["level3"]) in names or canon(i["description"]) in names]
    if not hits:
        return None
    values = {i["value_text"] for i in hits}
    cites = [
        Citation(
            document=doc.id,
            department=doc.department,
            year=doc.year,
            table=f"绩效目标表 · {i['project']}",
            name=i["level3"],
            column="指标值",
            value=i["value"],
            page=i["page"],
            text=i["description"],
        )
        for i in hits
    ]
    if len(values) > 1:
        return Answer(
            q.question,
            "clarify",
            "几个绩效目标表都有这个指标："
            + "；".join(f"{i['project']}：{i['value_text']}{i['unit']}" for i in hits)
            + "。请问指哪个项目？",
            citations=cites,
            options=[f"{i['project']}的{i['level3']}" for i in hits],
            intent="indicator",
        )
    i = hits[0]
    unit = "%" if i["unit"] in ("百分比", "百分数") else i["unit"]
    if q.unit_asked and not _unit_fits(unit or "", q.unit_asked):  # 多少户 of an indicator counted in 人
        return Answer(
            q.question,
            "not_found",
            f"{lib.prefix(doc)} 绩效指标“{i['level3']}”是按{i['unit'] or '其他单位'}计的（{i['value_text']} {i['unit']}），"
            f"没有按{q.unit_asked}计的数字。",
            citations=cites[:1],
            intent="indicator",
        )
    text = (
        f"{lib.prefix(doc)} 绩效指标“{i['level3']}”（{i['description']}）的指标值为 {i['value_text']} {i['unit']}，"
        f"依据：{i['basis']}"
    )
    source = f"绩效目标表 · {i['project']}" + (f" 等{len(hits)}个项目" if len(hits) > 1 else "")
    return Answer(
        q.question, "answered", text, value=i["value"], unit=unit, citations=cites[:3], intent="indicator", source=source
    )

def indicator_by_unit(lib: Library, q: Query, doc: DocData) -> Answer | None:
    """A count question (多少场, 几个) whose words are close to one 绩效 indicator in that unit."""
    from rapidfuzz import fuzz

    subject = q.subject_text
    scored = []
    for i in doc.indicators:
        if q.unit_asked not in (i["unit"] or ""):
            continue
        text = canon(f"{i['level3']}{i['description']}")
        scored.append((fuzz.partial_ratio(subject, text), i))
    scored.sort(key=lambda x: -x[0])
    if not scored or scored[0][0] < 60 or (len(scored) > 1 and scored[1][0] >= scored[0][0] - 5 and scored[1][1]["value_text"] != scored[0][1]["value_text"]):
        return None
    i = scored[0][1]
    cite = Citation(
        document=doc.id, department=doc.department, year=doc.year, table=f"绩效目标表 · {i['project']}",
        name=i["level3"], column="指标值", value=i["value"], page=i["page"], text=i["description"],
    )
    text = f"{lib.prefix(doc)} 绩效指标“{i['level3']}”（{i['description']}）的指标值为 {i['value_text']} {i['unit']}"
    return Answer(
        q.question, "answered", text, value=i["value"], unit=i["unit"], citations=[cite], intent="indicator",
        source=f"绩效目标表 · {i['project']}",
    )

def definition(lib: Library, q: Query, quiet: bool = False) -> Answer | None:
    terms = q.terms("definition") or loose_definition(lib, q)
    if not terms:
        return None if quiet else lib.help(q, "没有找到这个名词的解释。")
    if q.departments:
        docs = lib.of_departments(q.departments)  # the first of theirs that defines it
    else:  # the first document that defines it (found at load time)
        first = lib.first_definers.get(terms[0])
        entry = lib.catalog.entry(first) if first else None
        docs = [entry] if entry else []
    for d in docs:
        doc = lib.doc(d["id"])
        for x in doc.definitions:
            if canon(x["term"]) == terms[0]:
                cite = Citation(
                    document=doc.id,
                    department=doc.department,
                    year=doc.year,
                    table="名词解释",
                    row=x["number"],
                    name=x["term"],
                    page=x["page"],
                    text=x["text"],
                )
                return Answer(
                    q.question,
                    "answered",
                    f"{x['term']}：{x['text']}",
                    source=f"{doc.department}{doc.year}年部门{doc.kind} · 名词解释 第{x['number']}条",
                    citations=[cite],
                    intent="definition",
                )
    return None if quiet else lib.help(q, "没有找到这个名词的解释。")

def loose_definition(lib: Library, q: Query) -> list[str]:
    """机关运行经费是什么 → the term 机关运行费: what the question names, close to a defined term."""
    from rapidfuzz import fuzz, process

    defined = lib.vocab.definition_terms
    for m in q.matches:
        best = process.extractOne(m.surface, defined, scorer=fuzz.ratio, score_cutoff=85) if defined else None
        if best is not None:
            return [best[0]]
    return []
