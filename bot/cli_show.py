"""`budgetbot show`: what is loaded, and one table as rows and columns to hold against the PDF."""

from __future__ import annotations

import argparse
import json
import sqlite3
import unicodedata

from knowledge import store

from .cli_load import CliError


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, n: int, right: bool = False) -> str:
    space = " " * max(0, n - width(text))
    return space + text if right else text + space


def format_table(data: dict) -> str:
    t = data["table"]
    cols = data["columns"]
    head = ["序号", "科目编码", "科目名称"] + [c["label"] for c in cols]
    lines = []
    body = []
    for r in data["rows"]:
        name = " | ".join(n for n in (r["name"], r["name_right"]) if n)
        cells = [str(r["number"]), r["code"] or "", name]
        for c in cols:
            v = r["values"].get(c["key"])
            cells.append("" if v is None else f"{v:.2f}")
        if r["texts"]:
            cells[-1 if not cols else 2] += "  " + " ".join(f"{k}:{v}" for k, v in json.loads(r["texts"]).items())
        body.append((cells, r["ambiguous"]))
    widths = [max([width(h)] + [width(b[0][i]) for b in body]) for i, h in enumerate(head)]
    page = f"，第{t['page']}页" if t["page"] else ""
    lines.append(f"{t['title']}（{t['document_id']}{page}，单位：万元）")
    lines.append("  ".join(pad(h, w) for h, w in zip(head, widths, strict=True)))
    for cells, amb in body:
        lines.append("  ".join(pad(c, w, right=i >= 3) for i, (c, w) in enumerate(zip(cells, widths, strict=True))))
        for value, candidates in amb:
            lines.append(f"      ? {value:.2f} — 栏目不确定，可能是：{'、'.join(candidates)}")
    if t["note"]:
        lines.append(t["note"])
    if not data["rows"] and not t["note"]:
        lines.append("（没有数据行）")
    return "\n".join(lines)


def cmd_show(args: argparse.Namespace, kb_path) -> int:
    conn = store.open_readonly(kb_path)
    docs = _documents_shown(conn, args.department, args.year)
    if not args.table:
        for d in docs:
            print(_document_index(conn, d))
        return 0
    shown = 0
    for d in docs:
        for t in _tables_named(store.list_tables(conn, d["id"]), args.table):
            print(format_table(store.read_table(conn, t["id"])))
            shown += 1
    if not shown:
        names = "、".join(t["key"] for t in store.list_tables(conn, docs[0]["id"]))
        raise CliError(f"没有“{args.table}”这张表；有：{names}")
    return 0


def _documents_shown(conn: store.Connection, department: str | None, year: int | None) -> list[sqlite3.Row]:
    docs = store.list_documents(conn)
    if department:
        docs = [d for d in docs if department in d["department"]]
    if year:
        docs = [d for d in docs if d["year"] == year]
    if not docs:
        wanted = " ".join(str(x) for x in (department, year and f"{year}年") if x)
        raise CliError(f"没有已载入的公开文件符合 {wanted}" if wanted else "知识库是空的：请先 budgetbot load")
    return docs


def _document_index(conn: store.Connection, d: sqlite3.Row) -> str:
    """A document and its tables, one line each (key, title, rows, page, printed unit, note)."""
    lines = [f"{d['department']} {d['year']}年 {d['kind']}（单位：{d['unit']}，{d['source_name']}，{d['warnings']} 条提示）"]
    for t in store.list_tables(conn, d["id"]):
        printed = f"  （表中单位：{t['unit']}，已折算为万元）" if t["unit"] and t["unit"] != "万元" else ""
        page = f"  第{t['page']}页" if t["page"] else ""
        lines.append(f"  {t['key']:<12} {t['title']}  {t['n_rows']} 行{page}{printed}" + (f"  {t['note']}" if t["note"] else ""))
    return "\n".join(lines)


def _tables_named(tables: list[sqlite3.Row], asked: str) -> list[sqlite3.Row]:
    """The tables a name asks for: by key or whole title, else by a part of either; several is an error."""
    wanted = asked.replace(" ", "")
    match = [t for t in tables if wanted in (t["key"], t["title"])] or [t for t in tables if wanted in t["title"] or wanted in t["key"]]
    if len(match) > 1:
        raise CliError(f"“{asked}”对应几张表：{'、'.join(t['title'] for t in match)}，请写全表名")
    return match
