"""`budgetbot check FILE|DIR…`: the staff check report. Per document, the findings grouped by
severity (错误, then 提示) with where each stands (table, row, page, or the narrative's section and
sentence) and the figures that disagree; the tables that could not be checked, once each; for a
batch, a summary table. As text, JSON (`--format json`) or a self-contained HTML page
(`--format html`, `--out report.html`) to hand to colleagues."""

from __future__ import annotations

import html
import json
from typing import Any

from loaders.model import Disclosure
from loaders.review import ERROR, HINT, SEVERITIES, review

FORMATS = ("text", "json", "html")


def review_batch(disclosures: list[Disclosure], refused: list[str]) -> dict[str, Any]:
    documents = [review(d).as_dict() for d in disclosures]
    return {
        "documents": documents,
        "refused": refused,
        "summary": {
            "documents": len(documents),
            "refused": len(refused),
            "errors": sum(d["errors"] for d in documents),
            "hints": sum(d["hints"] for d in documents),
            "unchecked": sum(len(d["unchecked"]) for d in documents),
            "clean": sum(1 for d in documents if not d["findings"]),
        },
    }


def _title(d: dict[str, Any]) -> str:
    return f"{d['department']} {d['year']}年 {d['kind']}"


def _source(d: dict[str, Any]) -> str:
    return str(d["source"]).replace("\\", "/").split("/")[-1]


def render_text(batch: dict[str, Any]) -> str:
    out: list[str] = []
    for d in batch["documents"]:
        out.append(f"{_title(d)}（{_source(d)}，{d['tables']} 张表）")
        for severity in SEVERITIES:
            found = [f for f in d["findings"] if f["severity"] == severity]
            if found:
                out.append(f"  {severity} {len(found)} 处：")
            for i, f in enumerate(found, 1):
                page = f"（第{f['page']}页）" if f["page"] else ""
                out.append(f"    {i}. [{f['kind_name']}] {f['where']}{page}")
                out.append(f"       {f['what']}")
                if f["quote"]:
                    out.append(f"       原文：“{f['quote']}”")
        for u in d["unchecked"]:
            out.append(f"  未检查：{u}")
        if not d["findings"] and not d["unchecked"]:
            out.append("  没有发现问题")
        out.append("")
    out += [f"未能读取：{e}" for e in batch["refused"]]
    if len(batch["documents"]) > 1:
        out += ["", summary_table(batch)]
    s = batch["summary"]
    out.append(f"共 {s['documents']} 份文件：{ERROR} {s['errors']} 处，{HINT} {s['hints']} 处，未检查的表 {s['unchecked']} 张，{s['clean']} 份没有发现问题；未能读取 {s['refused']} 个")
    return "\n".join(out)


def summary_table(batch: dict[str, Any]) -> str:
    rows: list[tuple[str, ...]] = [("文件", "单位", "年度", "类型", str(ERROR), str(HINT), "未检查")]
    rows += [(_source(d), d["department"], str(d["year"]), d["kind"], str(d["errors"]), str(d["hints"]), str(len(d["unchecked"]))) for d in batch["documents"]]
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c + " " * (w - _width(c)) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows)


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def render_json(batch: dict[str, Any]) -> str:
    return json.dumps(batch, ensure_ascii=False, indent=2)


STYLE = """body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;color:#222;max-width:70em}
table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:.3em .6em;text-align:left}
th{background:#f0f0f0}.错误{color:#b00020}.提示{color:#8a6d00}.q{color:#555;font-size:.92em}
section{margin-top:2em}li{margin:.5em 0}"""


def render_html(batch: dict[str, Any]) -> str:
    e = html.escape
    s = batch["summary"]
    parts = [
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'><title>预决算公开文件检查报告</title>",
        f"<style>{STYLE}</style></head><body><h1>预决算公开文件检查报告</h1>",
        f"<p>共 {s['documents']} 份文件：{ERROR} {s['errors']} 处，{HINT} {s['hints']} 处，未检查的表 {s['unchecked']} 张，"
        f"{s['clean']} 份没有发现问题；未能读取 {s['refused']} 个。{ERROR}：印出的数字彼此矛盾；{HINT}：可能有误，请核对。</p>",
        "<table><tr><th>文件</th><th>单位</th><th>年度</th><th>类型</th><th>错误</th><th>提示</th><th>未检查</th></tr>",
    ]
    for i, d in enumerate(batch["documents"]):
        parts.append(
            f"<tr><td><a href='#d{i}'>{e(_source(d))}</a></td><td>{e(d['department'])}</td><td>{d['year']}</td><td>{e(d['kind'])}</td>"
            f"<td class='错误'>{d['errors'] or ''}</td><td class='提示'>{d['hints'] or ''}</td><td>{len(d['unchecked']) or ''}</td></tr>"
        )
    parts.append("</table>")
    for i, d in enumerate(batch["documents"]):
        parts.append(f"<section id='d{i}'><h2>{e(_title(d))}</h2><p class='q'>{e(_source(d))}，{d['tables']} 张表</p>")
        for severity in SEVERITIES:
            found = [f for f in d["findings"] if f["severity"] == severity]
            if found:
                parts.append(f"<h3 class='{severity}'>{severity} {len(found)} 处</h3><ol>")
            for f in found:
                page = f"（第{f['page']}页）" if f["page"] else ""
                quote = f"<div class='q'>原文：“{e(f['quote'])}”</div>" if f["quote"] else ""
                parts.append(f"<li><b>{e(f['kind_name'])}</b> · {e(f['where'])}{page}<div>{e(f['what'])}</div>{quote}</li>")
            if found:
                parts.append("</ol>")
        if d["unchecked"]:
            parts.append("<h3>未检查</h3><ul>" + "".join(f"<li>{e(u)}</li>" for u in d["unchecked"]) + "</ul>")
        if not d["findings"] and not d["unchecked"]:
            parts.append("<p>没有发现问题。</p>")
        parts.append("</section>")
    if batch["refused"]:
        parts.append("<h2>未能读取</h2><ul>" + "".join(f"<li>{e(x)}</li>" for x in batch["refused"]) + "</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)


def render(batch: dict[str, Any], fmt: str) -> str:
    return {"text": render_text, "json": render_json, "html": render_html}[fmt](batch)
