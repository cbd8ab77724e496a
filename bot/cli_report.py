"""`budgetbot check --report`: what a load makes of each file, for staff and for whoever works on
the loader — who and what the document is and why (the evidence), the standard tables found and
missing, what the checks found (contradictions in the document vs tables that could not be read),
and a summary line; as text or JSON."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from loaders.model import Disclosure
from loaders.template import STANDARD_TABLES, kind_meaning

CONTRADICTIONS = ("row", "column", "cross", "narrative")  # the document disagrees with itself


@dataclass
class DocumentReport:
    source: str
    department: str
    year: int
    kind: str  # 部门预算, 单位预算, 部门决算 …
    evidence: list[str]
    tables: list[dict]
    missing: list[str]
    contradictions: list[str]
    unread: list[str]  # tables that could not be read or were set aside, with their page
    notes: list[str] = field(default_factory=list)


def document_report(d: Disclosure) -> DocumentReport:
    found = {t.key for t in d.tables}
    return DocumentReport(
        source=d.source,
        department=d.department,
        year=d.year,
        kind=f"{d.scope}{d.kind}",
        evidence=list(d.identity),
        tables=[{"kind": t.key, "title": t.title, "page": t.page, "rows": len(t.rows), "unit": t.unit, "empty": not t.rows} for t in d.tables],
        missing=[k for k in STANDARD_TABLES.get(d.kind, ()) if k not in found],
        contradictions=[w.message for w in d.warnings if w.check in CONTRADICTIONS],
        unread=[w.message for w in d.warnings if w.check == "structure"],
    )


def build_report(disclosures: list[Disclosure], errors: list[str]) -> dict:
    docs = [document_report(d) for d in disclosures]
    return {
        "documents": [vars(r) for r in docs],
        "refused": errors,
        "summary": {
            "files": sum(1 + d.source.count(" + ") for d in disclosures) + len(errors),  # a joined disclosure is two files
            "loaded": len(disclosures),
            "refused": len(errors),
            "tables": sum(len(r.tables) for r in docs),
            "documents_missing_standard_tables": sum(1 for r in docs if r.missing),
            "contradictions": sum(len(r.contradictions) for r in docs),
            "unread_tables": sum(len(r.unread) for r in docs),
        },
    }


def render_report(report: dict, as_json: bool) -> str:
    if as_json:
        return json.dumps(report, ensure_ascii=False, indent=2)
    out = []
    for r in report["documents"]:
        out.append(f"{r['source']}\n  {r['department']} {r['year']}年 {r['kind']}")
        out += [f"    依据 {e}" for e in r["evidence"]]
        tables = "、".join(f"{t['title']}（第{t['page']}页{'，空表' if t['empty'] else ''}）" for t in r["tables"])
        out.append(f"  表 {len(r['tables'])} 张：{tables}")
        if r["missing"]:
            out.append("  缺少标准表：" + "、".join(f"{k}（{kind_meaning(k)}）" for k in r["missing"]))
        if r["contradictions"]:
            out.append(f"  文件自身不一致 {len(r['contradictions'])} 处：")
            out += [f"    {m}" for m in r["contradictions"]]
        if r["unread"]:
            out.append(f"  未能读取或未采用的表 {len(r['unread'])} 张：")
            out += [f"    {m}" for m in r["unread"]]
        if not r["contradictions"] and not r["unread"]:
            out.append("  检查：全部通过")
    out += [f"未能载入：{e}" for e in report["refused"]]
    s = report["summary"]
    out.append(
        f"共 {s['files']} 个文件：载入 {s['loaded']}，未能载入 {s['refused']}；表 {s['tables']} 张，"
        f"{s['documents_missing_standard_tables']} 份缺少标准表；文件自身不一致 {s['contradictions']} 处，"
        f"未能读取的表 {s['unread_tables']} 张"
    )
    return "\n".join(out)
