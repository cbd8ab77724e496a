"""Query → Answer: figures, definitions, lists, rankings, shares and changes, always cited.

The engine opens the knowledge base read-only, builds the vocabulary once, and answers each
question from what the base holds: a cell, a narrative fact, a definition, an indicator, or a
figure computed from cells it cites. When the readings of a question give different figures it
asks (`clarify`, with the readings as questions the user can send); when the base does not hold
the answer it says so and what it does hold (`not_found`). It never returns a figure it cannot
cite.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from loaders.template import TWO_SIDED

from . import store
from .numbers import fmt
from .parse import Query, parse
from .vocabulary import Vocabulary, canon

log = logging.getLogger(__name__)

# Tables that cover every source of money, and those limited to 财政拨款 / 一般公共预算.
BROAD = ("支出总表", "收入总表", "收支总表")
PRECEDENCE = [
    "支出总表",
    "收支总表",
    "收入总表",
    "基本支出表",
    "三公经费表",
    "一般公共预算支出表",
    "财政拨款收支总表",
    "政府性基金支出表",
    "国有资本经营支出表",
    "固定资产表",
    "政府采购表",
]
# What a subject means when the table that would hold it is empty (its 注 says so).
# Subjects that are rows of a table other than by their own name: the row names they go by in
# the templates (三公 tables print 合计 or a 三公经费 row; Jiangsu prints 机关运行经费 as a table of its
# own, Shanghai as a column of the 三公 table; a 政府采购 table's 合计).
SUBJECT_ROWS: dict[str, list[tuple[str, tuple[str, ...]] | tuple[str, tuple[str, ...], str]]] = {
    "三公经费": [("三公经费表", ("三公经费", "合计"))],
    "因公出国（境）费": [("三公经费表", ("因公出国（境）费",))],
    "公务接待费": [("三公经费表", ("公务接待费",))],
    "公务用车购置费": [("三公经费表", ("公务用车购置费",))],
    "公务用车运行维护费": [("三公经费表", ("公务用车运行维护费", "公务用车运行费"))],
    "公务用车购置及运行费": [("三公经费表", ("公务用车购置及运行费", "公务用车购置及运行维护费"))],
    "机关运行经费": [("机关运行经费表", ("合计",)), ("三公经费表", ("机关运行经费",))],
    "政府采购预算": [("政府采购表", ("合计", "总计"))],
    "固定资产总额": [("固定资产表", ("资产总额",), "价值")],
    "收支总额": [("收支总表", ("总计", "收入总计", "收入合计"))],
}
SUBJECT_ROWS = {canon(k): v for k, v in SUBJECT_ROWS.items()}
FACT_ALIASES = {"公用经费": "日常公用经费", "支出总计": "支出总额", "收入总计": "收入总额"}
MAX_OPTIONS = 8
ORDINAL_ITEM = re.compile(r"^[一二三四五六七八九十]+、")
COUNT_UNITS = {"台、辆": "辆", "台,辆": "辆", "辆": "辆", "台": "台"}


@dataclass
class Citation:
    document: str
    department: str
    year: int
    table: str
    row: int | None = None
    code: str | None = None
    name: str | None = None
    column: str | None = None
    value: float | None = None
    page: int | None = None
    text: str | None = None

    def label(self) -> str:
        if self.row is None:
            return self.table
        parts = [self.table, f"第{self.row}行"]
        if self.code:
            parts.append(self.code)
        if self.name:
            parts.append(self.name)
        out = " ".join(parts)
        return out + (f" · {self.column}" if self.column else "")


@dataclass
class Answer:
    question: str
    status: str  # answered | clarify | not_found
    answer: str
    value: float | None = None
    unit: str | None = None
    citations: list[Citation] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    intent: str = ""

    def to_dict(self) -> dict:
        d = asdict(self)
        for c in d["citations"]:
            c.pop("text", None)
        return d


# ------------------------------------------------------------------------------------ document data


@dataclass
class RowData:
    table: str
    title: str
    number: int
    code: str | None
    name: str
    name_right: str | None
    values: dict[str, float]
    unsure: set[str]
    texts: dict[str, str]
    page: int | None

    @property
    def display(self) -> str:
        return " ".join(n for n in (self.name, self.name_right) if n)


@dataclass
class TableData:
    key: str
    title: str
    columns: list[dict]
    rows: list[RowData]
    note: str | None
    page: int | None

    def column_keys(self) -> list[str]:
        return [c["key"] for c in self.columns]

    def total_row(self) -> RowData | None:
        return next((r for r in self.rows if not r.code and canon(r.name) in ("合计", "总计")), None)

    def side_column(self, side: str) -> str | None:
        return next((c["key"] for c in self.columns if c["side"] == side), None)


@dataclass
class DocData:
    id: str
    department: str
    year: int
    kind: str
    unit: str
    tables: dict[str, TableData]
    facts: dict[str, sqlite3.Row]
    definitions: list[sqlite3.Row]
    indicators: list[sqlite3.Row]
    passages: list[sqlite3.Row]


@dataclass
class Candidate:
    value: float | None  # None: the cell's column is not certain
    unit: str
    citation: Citation
    rank: int
    label: str
    broad: bool = True

    @property
    def figure(self) -> float:
        """The value of a candidate known to have one (unsure cells are filtered out before)."""
        assert self.value is not None, self.citation.label()
        return self.value

    @property
    def from_table(self) -> bool:
        """A cell (or an empty table), not a figure stated in the narrative."""
        return self.rank <= len(PRECEDENCE)


class Engine:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.vocab = Vocabulary.from_kb(conn)
        self.documents = [dict(d) for d in store.list_documents(conn)]
        self.departments = sorted({d["department"] for d in self.documents})
        self.newest_year = max((d["year"] for d in self.documents), default=None)
        self._doc = lru_cache(maxsize=4096)(self._load_doc)

    @classmethod
    def open(cls, path: str | Path) -> Engine:
        return cls(store.open_readonly(path))

    def describe_sources(self) -> str:
        if not self.documents:
            return "知识库是空的"
        return "已载入：" + "、".join(f"{d['department']}{d['year']}年{d['kind']}" for d in self.documents)

    # -------------------------------------------------------------------------------- entry

    def ask(self, question: str) -> Answer:
        try:
            return self._ask(question or "")
        except Exception:  # the engine must answer every message; log what went wrong
            log.exception("question failed: %r", question[:200] if isinstance(question, str) else question)
            return Answer(
                question=str(question),
                status="not_found",
                answer="抱歉，这个问题我暂时答不了。可以换个说法，或问“项目支出多少”这样的问题。",
            )

    def _ask(self, question: str) -> Answer:
        if not self.documents:
            return Answer(question, "not_found", "知识库是空的：请先载入部门预算公开文件（budgetbot load）。")
        q = parse(question, self.vocab, self.newest_year)
        if not q.text.strip():
            return self._help(q, "请输入一个关于部门预算的问题。")
        if q.unknown_department and q.department_guess:
            guess = q.department_guess
            return Answer(
                q.question,
                "clarify",
                f"没有找到“{q.unknown_department}”。您是指{guess}吗？",
                options=[self._strip(q.question).replace(q.unknown_department, guess, 1)],
                intent=q.intent,
            )
        if q.unknown_department:
            return self._not_loaded(q, f"没有{q.unknown_department}的数据。")
        if q.intent == "definition" and q.terms("definition") and not q.code and not q.describe:
            return self._definition(q) or self._help(q, "没有找到这个名词的解释。")
        if q.terms("definition") and not q.departments and INCLUDES.search(q.text) and not q.code:
            found = self._definition(q, quiet=True)  # 其他资金包括哪些: what the term covers, by its 名词解释
            if found is not None:
                return found
        if q.all_departments and not q.matches and not q.code and q.intent in ("figure", "list"):
            return self._list_departments(q)  # 曲阳县有哪些部门的预算
        if q.all_departments and q.intent in ("top", "bottom", "figure", "list"):
            return self._across_departments(q)
        if len(q.departments) > 1 and q.department_mentions > 1 and q.intent in ("figure", "top", "bottom"):
            return self._across_departments(q, q.departments)  # 教育局和卫健局的项目支出
        if q.intent == "change" and len(q.years) == 2 and self._loaded_years(q) >= set(q.years):
            return self._change_between(q)
        if q.intent == "change" and len(q.years) == 2 and max(q.years) - min(q.years) == 1:
            q.year, q.years = max(q.years), [max(q.years)]  # 比2024年 with only 2025 loaded: its narrative's 比上年
        if q.intent == "change" and len(q.years) <= 1:
            latest = self._latest_with_previous(q) if q.year is None else self._with_previous(q, q.year)
            if latest is not None:
                q.year, q.years = latest, [latest, latest - 1]
                return self._change_between(q)
        docs, problem = self._documents(q)
        if problem is not None:
            return problem
        doc = docs[0]
        if q.describe:
            return self._describe(q, doc)
        if q.intent == "share":
            return self._share(q, doc)
        if q.intent == "change":
            return self._change(q, doc)
        if q.intent in ("top", "bottom"):
            return self._top(q, doc)
        if q.intent in ("list", "figure") and self._several_figures(q):
            return self._figures(q, doc)
        if q.intent == "list":
            return self._list(q, doc)
        if q.intent == "definition" and not q.code:
            found = self._definition(q, quiet=True)
            if found is not None:
                return found
        return self._figure(q, doc)

    # ---------------------------------------------------------------------------- documents

    def _documents(self, q: Query) -> tuple[list[DocData], Answer | None]:
        docs = self.documents
        if q.departments:
            docs = [d for d in docs if d["department"] in q.departments]
            if q.year is not None and len({d["department"] for d in docs if d["year"] == q.year}) == 1:
                docs = [d for d in docs if d["year"] == q.year]  # 卫健局2023年: one of them has 2023
            if len({d["department"] for d in docs}) > 1:
                return [], self._clarify_departments(q, sorted({d["department"] for d in docs}))
        elif len(self.departments) > 1:
            return [], self._clarify_departments(q, self.departments)
        if q.year is not None:
            with_year = [d for d in docs if d["year"] == q.year]
            if not with_year:
                loaded = "、".join(f"{d['year']}年" for d in docs)
                return [], self._not_loaded(q, f"{docs[0]['department']}没有{q.year}年的数据（已载入：{loaded}）。")
            docs = with_year
        years = sorted({d["year"] for d in docs})
        if len(years) > 1:
            return [], Answer(
                q.question,
                "clarify",
                f"{docs[0]['department']}载入了多个年度（{'、'.join(map(str, years))}），请问哪一年？",
                options=[f"{y}年{self._strip(q.question)}" for y in years],
                intent=q.intent,
            )
        return [self._doc(d["id"]) for d in docs], None

    def _strip(self, question: str) -> str:
        return re.sub(r"\s+", "", question)

    def _clarify_departments(self, q: Query, departments: list[str]) -> Answer:
        shown = departments[:MAX_OPTIONS]
        more = f"等{len(departments)}个部门" if len(departments) > len(shown) else f"{len(departments)}个部门"
        return Answer(
            q.question,
            "clarify",
            f"这个问题对应{more}：{'、'.join(shown)}。请问是哪个部门？",
            options=[f"{d}{self._strip(q.question)}" for d in shown],
            intent=q.intent,
        )

    def _not_loaded(self, q: Query, why: str) -> Answer:
        return Answer(q.question, "not_found", f"{why}{self.describe_sources()}。", intent=q.intent)

    def _help(self, q: Query, why: str) -> Answer:
        return Answer(
            q.question,
            "not_found",
            f"{why}例如：“项目支出多少”“三公经费是什么”“基本支出中哪一项最多”。{self.describe_sources()}。",
            intent=q.intent,
        )

    def _load_doc(self, doc_id: str) -> DocData:
        c = self.conn
        d = c.execute("SELECT * FROM documents WHERE id = ?", [doc_id]).fetchone()
        tables: dict[str, TableData] = {}
        columns: dict[str, list[dict]] = {}
        for col in c.execute(
            "SELECT c.* FROM table_columns c JOIN disclosure_tables t ON t.id = c.table_id WHERE t.document_id = ? "
            "ORDER BY c.table_id, c.position",
            [doc_id],
        ):
            columns.setdefault(col["table_id"], []).append(dict(col))
        cells: dict[str, dict[str, float]] = {}
        for cell in c.execute("SELECT row_id, column_key, value FROM cells WHERE document_id = ?", [doc_id]):
            cells.setdefault(cell["row_id"], {})[cell["column_key"]] = cell["value"]
        unsure: dict[str, set[str]] = {}
        for a in c.execute("SELECT row_id, candidates FROM ambiguous_cells WHERE document_id = ?", [doc_id]):
            unsure.setdefault(a["row_id"], set()).update(json.loads(a["candidates"]))
        rows: dict[str, list[RowData]] = {}
        titles = {}
        for t in c.execute("SELECT * FROM disclosure_tables WHERE document_id = ? ORDER BY position", [doc_id]):
            titles[t["id"]] = t
        for r in c.execute("SELECT * FROM table_rows WHERE document_id = ? ORDER BY table_id, number", [doc_id]):
            t = titles[r["table_id"]]
            rows.setdefault(r["table_id"], []).append(
                RowData(
                    table=t["key"],
                    title=t["title"],
                    number=r["number"],
                    code=r["code"],
                    name=r["name"] or "",
                    name_right=r["name_right"],
                    values=cells.get(r["id"], {}),
                    unsure=unsure.get(r["id"], set()),
                    texts=json.loads(r["texts"]) if r["texts"] else {},
                    page=r["page"],
                )
            )
        for tid, t in titles.items():
            tables[t["key"]] = TableData(
                key=t["key"],
                title=t["title"],
                columns=columns.get(tid, []),
                rows=rows.get(tid, []),
                note=t["note"],
                page=t["page"],
            )
        facts = {f["key"]: f for f in c.execute("SELECT * FROM facts WHERE document_id = ?", [doc_id])}
        return DocData(
            id=doc_id,
            department=d["department"],
            year=d["year"],
            kind=d["kind"],
            unit=d["unit"],
            tables=tables,
            facts=facts,
            definitions=c.execute("SELECT * FROM definitions WHERE document_id = ? ORDER BY number", [doc_id]).fetchall(),
            indicators=c.execute("SELECT * FROM indicators WHERE document_id = ? ORDER BY position", [doc_id]).fetchall(),
            passages=c.execute("SELECT * FROM passages WHERE document_id = ? ORDER BY position", [doc_id]).fetchall(),
        )

    # ------------------------------------------------------------------------------ citations

    def _cite_row(self, doc: DocData, t: TableData, r: RowData, column: str | None, value: float | None) -> Citation:
        return Citation(
            document=doc.id,
            department=doc.department,
            year=doc.year,
            table=t.title,
            row=r.number,
            code=r.code,
            name=r.display,
            column=column,
            value=value,
            page=r.page or t.page,
        )

    def _cite_fact(self, doc: DocData, f: sqlite3.Row) -> Citation:
        return Citation(
            document=doc.id,
            department=doc.department,
            year=doc.year,
            table=f"情况说明 · {f['section']}",
            name=f["key"],
            value=f["value"],
            page=f["page"],
            text=f["text"],
        )

    def _prefix(self, doc: DocData) -> str:
        return f"{doc.department} {doc.year}年"

    # -------------------------------------------------------------------------------- figures

    def _cell(self, doc: DocData, t: TableData, r: RowData, column: str, label: str, count: bool = False) -> Candidate:
        unit = doc.unit
        if t.key == "固定资产表" and column == "数量":
            unit = COUNT_UNITS.get(r.texts.get("数量单位", ""), r.texts.get("数量单位", "个"))
        value = None if column in r.unsure else r.values.get(column, 0.0)
        return Candidate(
            value=value,
            unit=unit,
            citation=self._cite_row(doc, t, r, column, value),
            rank=_rank(t.key),
            label=label,
            broad=t.key in BROAD,
        )

    def _default_column(self, t: TableData, r: RowData, matched: str, count: bool, stage: str | None = None) -> str | None:
        keys = t.column_keys()
        if t.key in TWO_SIDED:
            side = "收入" if canon(r.name) == matched else "支出"
            own = [c["key"] for c in t.columns if c["side"] == side and c["key"] in r.values]
            return own[0] if own else t.side_column(side)  # a second 支出 block has its own column
        staged = _stage_column(keys, stage)
        if staged:
            return staged
        if t.key == "固定资产表":
            return "数量" if count else "价值"
        for k in ("合计", "金额", "价值"):
            if k in keys:
                return k
        return keys[0] if keys else None

    def _row_candidates(
        self, q: Query, doc: DocData, names: list[str], measure: str | None, tables: list[str] | None
    ) -> list[Candidate]:
        out = []
        for t in doc.tables.values():
            if tables and t.key not in tables:
                continue
            if measure and measure not in t.column_keys():
                continue
            for r in t.rows:
                matched = next((n for n in names if n in (canon(r.name), canon(r.name_right), _bare(r.name))), None)
                if matched is None and q.code and r.code == q.code:
                    matched = canon(r.name)
                if matched is None:
                    continue
                column = measure or self._default_column(t, r, matched, q.count, q.stage)
                if column is None:
                    continue
                name = _side_name(t, r, column)
                cand = self._cell(
                    doc, t, r, column, label=name + ("" if column in ("合计",) or t.key in TWO_SIDED else " · " + column)
                )
                cand.citation.name = name
                out.append(cand)
        return out

    def _measure_candidates(self, doc: DocData, measure: str, tables: list[str] | None) -> list[Candidate]:
        out = []
        for t in doc.tables.values():
            if tables and t.key not in tables:
                continue
            if measure in t.column_keys():
                total = t.total_row()
                if total is not None:
                    out.append(self._cell(doc, t, total, measure, label=measure))
                elif not t.rows and t.note:
                    out.append(self._empty(doc, t, measure))
        return out

    def _empty(self, doc: DocData, t: TableData, label: str) -> Candidate:
        return Candidate(
            value=0.0,
            unit=doc.unit,
            rank=_rank(t.key),
            label=label,
            broad=t.key in BROAD,
            citation=Citation(
                document=doc.id,
                department=doc.department,
                year=doc.year,
                table=t.title,
                name=label,
                value=0.0,
                page=t.page,
                text=t.note,
            ),
        )

    def _fact_candidates(self, doc: DocData, names: list[str], stage: str | None = None) -> list[Candidate]:
        out = []
        for n in names:
            if stage in ("年初预算", "全年预算"):  # a 决算 narrative states both: 年初预算为…，支出决算为…
                n = f"{FACT_ALIASES.get(n, n)}{stage}"
            f = doc.facts.get(n) or doc.facts.get(FACT_ALIASES.get(n, ""))
            if f is None:
                continue
            value, unit = f["value"], f["unit"]
            if unit == "元" and doc.unit == "万元":
                value, unit = value / 10000, "万元"
            out.append(
                Candidate(
                    value=value,
                    unit=unit,
                    citation=self._cite_fact(doc, f),
                    rank=len(PRECEDENCE) + 1,
                    label=f["key"],
                    broad=False,
                )
            )
        return out

    def _gather(self, q: Query, doc: DocData) -> list[Candidate]:
        tables = q.terms("table") or None
        measures = q.terms("measure")
        funds = [m for m in measures if m in FUND_TABLES]
        spending = [m for m in measures if m not in FUND_TABLES]
        if funds and (spending or re.search(r"支出|花", q.match_text)) and not tables:
            # 一般公共预算财政拨款的项目支出: the fund's own expenditure table, its 合计 row
            tables = [FUND_TABLES[funds[0]]]
            measures = spending or ["合计"]
        rows = q.terms("row")
        facts = q.terms("fact")
        cands: list[Candidate] = []
        if q.narrative_only:
            return self._fact_candidates(doc, facts + measures + rows, q.stage)
        measure = measures[0] if measures else None
        if rows or q.code:
            names = [n for n in rows if n not in measures] or rows
            cands += self._row_candidates(q, doc, names, measure if names != rows or len(measures) else None, tables)
            if measure and not cands:
                cands += self._row_candidates(q, doc, names, None, tables)
        if not cands and measure:
            cands += self._measure_candidates(doc, measure, tables)
        for name in facts + measures + rows:
            for n, (key, row_names, *fixed) in enumerate(SUBJECT_ROWS.get(canon(name), [])):
                t = doc.tables.get(key)
                if t is None or (tables and key not in tables):
                    continue
                if not t.rows and t.note and n == 0:  # the subject's own table, printed empty: 0
                    cands.append(self._empty(doc, t, name))
                if not t.rows:
                    continue
                wanted = [canon(name)] + [canon(n) for n in row_names]  # a row named for the subject first
                r = next((r for w in wanted for r in t.rows if canon(r.name) == w), None)
                column = (fixed[0] if fixed else None) or _stage_column(t.column_keys(), q.stage)
                if column is None:
                    column = (t.side_column("收入") if key in TWO_SIDED else None) or _main_column(t)
                if r is not None and not any(c.citation.table == t.title and c.citation.row == r.number for c in cands):
                    cands.append(self._cell(doc, t, r, column, label=name))
        if tables and not cands and not (rows or measures or facts or q.code):
            for key in tables:  # a table named alone: its 合计, or 0 when it is empty
                t = doc.tables.get(key)
                total = t.total_row() if t is not None else None
                if t is not None and total is not None:
                    cands.append(self._cell(doc, t, total, _main_column(t), label=t.title))
                elif t is not None and not t.rows and t.note:
                    cands.append(self._empty(doc, t, t.title))
        if not tables and not q.code:
            names = [f for f in facts if not (rows and f in measures)]
            names += [m for m in measures if not rows and m not in names]
            names += [r for r in rows if r not in names and r not in measures]
            cands += self._fact_candidates(doc, names, q.stage)
        if not re.search(r"采购|买", q.match_text):  # a procurement line names an item, it is not its budget
            cands = [c for c in cands if not c.citation.table.endswith(("政府采购预算表", "政府采购表", "政府采购支出预算表")) or c.citation.row is None or c.citation.name in ("合计", "总计")]
        whole = {c.citation.name for c in cands if _table_kind_of(doc, c) in WHOLE_ITEM}
        if whole and "基本" not in q.match_text:
            cands = [c for c in cands if not (_table_kind_of(doc, c) in BASIC_ONLY and c.citation.name in whole)]
        if doc.kind == "决算":
            cands = [c for c in cands if _fits_stage(c, q.stage)]
            if not cands and q.stage in ("年初预算", "全年预算"):
                cands = self._stage_from_passages(q, doc)
        if cands and not q.fiscal_scope and any(c.broad for c in cands):
            cands = [c for c in cands if c.broad or c.rank > len(PRECEDENCE)]
        return cands

    def _stage_from_passages(self, q: Query, doc: DocData) -> list[Candidate]:
        """A 决算 narrative states each item's 年初预算 / 全年预算 beside its 决算数
        (`城乡社区规划与管理（项）。… 年初预算为3110.14万元，支出决算为2739.56万元`)."""
        subject = q.subject_text
        if not subject or not q.stage:
            return []
        figure = re.compile(q.stage + r"(?:数)?为?\s*(-?\d+(?:\.\d+)?)\s*万元")
        for p in doc.passages:
            text = re.sub(r"\s+", "", p["text"])
            at = text.find(subject)
            if at < 0:
                continue
            m = figure.search(text, at)
            if m is None or text.count("。", at, m.start()) > 3:
                continue  # the figure belongs to the subject's item (a numbered paragraph of its own)
            value = float(m.group(1))
            cite = Citation(
                document=doc.id,
                department=doc.department,
                year=doc.year,
                table=f"情况说明 · {p['section']}",
                name=f"{subject}{q.stage}",
                value=value,
                page=p["page"],
                text=_short(text[max(0, at - 10) : m.end() + 20], 160),
            )
            return [Candidate(value=value, unit="万元", citation=cite, rank=len(PRECEDENCE) + 1, label=f"{subject}{q.stage}", broad=False)]
        return []

    def _figure(self, q: Query, doc: DocData) -> Answer:
        indicator = self._indicator(q, doc)
        if indicator is not None:
            return indicator
        if q.unit_asked and q.unit_asked != "%":
            by_unit = self._indicator_by_unit(q, doc)
            if by_unit is not None:
                return by_unit
        cands = self._gather(q, doc)
        if not cands and "机关运行经费" in q.terms("fact"):
            near = self._measure_candidates(doc, "公用经费", None)
            if near and near[0].value is not None:  # a tables-only file: say what is there, do not equate them
                return Answer(
                    q.question,
                    "clarify",
                    f"{self._prefix(doc)} 的文件没有列出机关运行经费。一般公共预算基本支出中的公用经费为 {fmt(near[0].figure)} 万元"
                    f"（{near[0].citation.label()}）；机关运行经费是其中行政单位（含参公事业单位）的部分，下属事业单位的不算在内。"
                    "要看公用经费吗？",
                    options=[f"{doc.department}{doc.year}年公用经费是多少"],
                    citations=[near[0].citation],
                    intent=q.intent,
                )
        if q.unit_asked:  # 多少场 is never answered in 万元, 百分之几 never in 万元
            cands = [c for c in cands if _unit_fits(c.unit, q.unit_asked)]
        partial = [c for c in cands if _table_kind_of(doc, c) in BASIC_ONLY]
        if partial and len(partial) == len(cands) and "三公经费表" not in doc.tables and "基本" not in q.match_text:
            name = partial[0].citation.name or partial[0].label
            if canon(name) in WHOLE_ITEMS:  # only its 基本支出 part is known here: say so, do not call it the whole
                return Answer(
                    q.question,
                    "clarify",
                    f"{self._prefix(doc)} 没有读到“三公”经费、会议费、培训费表，只知道基本支出中的{name}：{fmt(partial[0].figure)} {partial[0].unit}"
                    f"（{partial[0].citation.label()}）。要看基本支出中的这一项吗？",
                    options=[f"{doc.department}{doc.year}年基本支出中的{name}是多少"],
                    citations=[partial[0].citation],
                    intent=q.intent,
                )
        if not cands:
            if q.intent == "definition":
                found = self._definition(q, quiet=True)
                if found is not None:
                    return found
            return self._nothing(q, doc)
        unsure = [c for c in cands if c.value is None]
        sure = [c for c in cands if c.value is not None]
        if not sure:
            c = unsure[0]
            return Answer(
                q.question,
                "not_found",
                f"{self._prefix(doc)} {c.label}：原表这一格的栏目无法确定（文本丢失了空白单元格），"
                f"不给出数字以免出错。见{c.citation.label()}。",
                citations=[c.citation],
                intent="figure",
            )
        groups: dict[float, list[Candidate]] = {}
        for c in sorted(sure, key=lambda c: c.rank):
            groups.setdefault(round(c.figure, 2), []).append(c)
        if len(groups) > 1:
            return self._clarify_figures(q, doc, groups)
        best = sorted(sure, key=lambda c: c.rank)
        main = best[0]
        cites = [main.citation]
        for c in best[1:]:
            if len(cites) < 3 and all(c.citation.label() != x.label() for x in cites):
                cites.append(c.citation)
        name = main.label
        text = f"{self._prefix(doc)} {name} {fmt(main.figure, main.unit)} {main.unit}。来源：{main.citation.label()}"
        if main.citation.row is None and main.citation.text:
            text += f"：“{_short(main.citation.text)}”"
        if len(cites) > 1:
            text += "；" + "；".join(c.label() for c in cites[1:]) + " 一致"
        if q.fuzzy:
            text += f"（按“{name}”理解）"
        return Answer(q.question, "answered", text + "。", value=main.value, unit=main.unit, citations=cites, intent="figure")

    def _indicator_by_unit(self, q: Query, doc: DocData) -> Answer | None:
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
        text = (
            f"{self._prefix(doc)} 绩效指标“{i['level3']}”（{i['description']}）的指标值为 {i['value_text']} {i['unit']}。"
            f"来源：绩效目标表 · {i['project']}。"
        )
        return Answer(q.question, "answered", text, value=i["value"], unit=i["unit"], citations=[cite], intent="indicator")

    def _several_figures(self, q: Query) -> bool:
        """基本支出和项目支出分别是多少: two or more subjects and a word that joins them."""
        if len(q.matches) < 2 or "包括" in q.text:
            return False
        joined = [m for m in q.matches if m.score == 100]
        between = [q.text[a.end : b.start] for a, b in zip(joined, joined[1:], strict=False)]
        return any(re.fullmatch(r"\s*(和|与|及|、|以及|跟)\s*", gap) for gap in between) or bool(
            re.search(r"分别|各(是|为)?多少", q.text)
        )

    def _figures(self, q: Query, doc: DocData) -> Answer:
        answers = [self._figure(replace(q, matches=[m], intent="figure", code=None), doc) for m in q.matches]
        answered = [a for a in answers if a.status == "answered" and a.value is not None]
        if len(answered) != len(answers):
            return next((a for a in answers if a.status != "answered"), answers[0])
        text = "；".join(a.answer.rstrip("。") for a in answered) + "。"
        return Answer(q.question, "answered", text, citations=[c for a in answered for c in a.citations], intent="list")

    def _clarify_figures(self, q: Query, doc: DocData, groups: dict[float, list[Candidate]]) -> Answer:
        options, lines = [], []
        for value, cands in groups.items():
            c = cands[0]
            where = "情况说明" if c.citation.row is None and c.citation.table.startswith("情况说明") else c.citation.table
            options.append(
                f"{doc.department}{doc.year}年{where}的{c.label.split(' · ')[0]}"
                + (
                    f"{c.citation.column}"
                    if c.citation.column and c.citation.column != "合计" and c.citation.column not in c.label.split(" · ")[0]
                    else ""
                )
            )
            lines.append(f"{c.citation.label()}：{fmt(value, c.unit)} {c.unit}")
        return Answer(
            q.question,
            "clarify",
            "这个问题有几种理解，数字不同：" + "；".join(lines) + "。请问指哪一个？",
            citations=[g[0].citation for g in groups.values()],
            options=options,
            intent="figure",
        )

    def _nothing(self, q: Query, doc: DocData) -> Answer:
        return self._help(q, f"在{self._prefix(doc)}的公开数据里没有找到能回答这个问题的内容。")

    # ------------------------------------------------------------------------------ indicators

    def _indicator(self, q: Query, doc: DocData) -> Answer | None:
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
        text = (
            f"{self._prefix(doc)} 绩效指标“{i['level3']}”（{i['description']}）的指标值为 {i['value_text']} {i['unit']}，"
            f"依据：{i['basis']}。来源：绩效目标表 · {i['project']}"
        )
        if len(hits) > 1:
            text += f" 等{len(hits)}个项目"
        return Answer(q.question, "answered", text + "。", value=i["value"], unit=unit, citations=cites[:3], intent="indicator")

    # ---------------------------------------------------------------------------- definitions

    def _definition(self, q: Query, quiet: bool = False) -> Answer | None:
        terms = q.terms("definition") or self._loose_definition(q)
        if not terms:
            return None if quiet else self._help(q, "没有找到这个名词的解释。")
        docs = [d for d in self.documents if not q.departments or d["department"] in q.departments]
        for d in docs:
            doc = self._doc(d["id"])
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
                        f"{x['term']}：{x['text']}（来源：{doc.department}{doc.year}年部门预算 · 名词解释 第{x['number']}条）",
                        citations=[cite],
                        intent="definition",
                    )
        return None if quiet else self._help(q, "没有找到这个名词的解释。")

    def _loose_definition(self, q: Query) -> list[str]:
        """机关运行经费是什么 → the term 机关运行费: what the question names, close to a defined term."""
        from rapidfuzz import fuzz, process

        defined = self.vocab.definition_terms
        for m in q.matches:
            best = process.extractOne(m.surface, defined, scorer=fuzz.ratio, score_cutoff=85) if defined else None
            if best is not None:
                return [best[0]]
        return []

    # ------------------------------------------------------------------------------ describe

    def _describe(self, q: Query, doc: DocData) -> Answer:
        cite = Citation(document=doc.id, department=doc.department, year=doc.year, table="情况说明")
        sections = {"duties": ("部门职责", "的主要职责"), "units": ("机构设置", "机构设置")}
        if q.describe in sections:
            section, heading = sections[q.describe]
            texts = [p["text"] for p in doc.passages if p["section"] == section]
            if texts:
                cite.table = f"情况说明 · {section}"
                return Answer(
                    q.question,
                    "answered",
                    f"{doc.department}{heading}：\n" + "\n".join(texts),
                    citations=[cite],
                    intent="describe",
                )
        if q.describe == "performance":
            goals = [p for p in doc.passages if p["section"].startswith("绩效目标 · ")]
            if doc.indicators or goals:
                projects: dict[str, list] = {}
                for i in doc.indicators:
                    projects.setdefault(i["project"], []).append(i)
                lines = [
                    f"{name}：" + "；".join(f"{i['level3']} {i['value_text']}{i['unit']}" for i in items)
                    for name, items in projects.items()
                ]
                cite.table = "绩效目标表"
                return Answer(
                    q.question,
                    "answered",
                    f"{self._prefix(doc)} 绩效目标：\n" + "\n".join(lines),
                    citations=[cite],
                    intent="describe",
                )
        listings = {
            "procurement": (
                "政府采购表",
                "政府采购",
                lambda r: f"{r.texts.get('项目名称', '')} {r.name} {fmt(r.values.get('合计', 0))} {doc.unit}" if r.code else None,
            ),
            "assets": (
                "固定资产表",
                "固定资产",
                lambda r: (
                    r.name
                    + "".join(
                        f" {k}{fmt(r.values[k], doc.unit if k == '价值' else '')}" for k in ("数量", "价值") if k in r.values
                    )
                ),
            ),
        }
        if q.describe in listings:
            key, heading, item = listings[q.describe]
            t = doc.tables.get(key)
            items = [text for text in map(item, t.rows) if text] if t is not None else []
            if items and t is not None:
                return Answer(
                    q.question,
                    "answered",
                    f"{self._prefix(doc)} {heading}：" + "；".join(items) + f"。来源：{t.title}",
                    citations=[Citation(document=doc.id, department=doc.department, year=doc.year, table=t.title)],
                    intent="describe",
                )
        if q.describe == "definitions" and doc.definitions:
            terms = "、".join(x["term"] for x in doc.definitions)
            return Answer(
                q.question,
                "answered",
                f"{doc.department}{doc.year}年部门预算的名词解释有{len(doc.definitions)}条：{terms}。可以问“什么是…”。",
                citations=[Citation(document=doc.id, department=doc.department, year=doc.year, table="名词解释")],
                intent="describe",
            )
        if q.describe in ("income", "spending"):
            found = self._structure(q, doc)
            if found is not None:
                return found
        return self._figure(q, doc)

    def _structure(self, q: Query, doc: DocData) -> Answer | None:
        """收入来源 (the 收入 side of the 收支总表) or 支出结构 (the 类 rows of the 支出总表 and the
        基本/项目 split), each item cited, empty items left out."""
        t = doc.tables.get("收支总表" if q.describe == "income" else "支出总表")
        if t is None:
            return None
        if q.describe == "income":
            column = t.side_column("收入") or ""
            rows = [r for r in t.rows if r.name and ORDINAL_ITEM.match(r.name)]
            picked = [(r, canon(r.name)) for r in rows if column and r.values.get(column)]
        else:
            column = "合计"
            picked = [(r, r.display) for r in self._children(t, None)]
        if not picked or any(column in r.unsure for r, _ in picked):
            return None
        total = sum(r.values.get(column, 0.0) for r, _ in picked)
        items = [
            f"{name} {fmt(r.values[column])} {doc.unit}" + (f"（{r.values[column] / total * 100:.2f}%）" if total else "")
            for r, name in picked
        ]
        heading = "收入来源" if q.describe == "income" else "支出按功能分类"
        text = f"{self._prefix(doc)} {heading}：" + "；".join(items)
        if q.describe == "spending":
            row = t.total_row()
            if row is not None and not ({"基本支出", "项目支出"} & row.unsure):
                text += f"。其中基本支出 {fmt(row.values.get('基本支出', 0.0))} {doc.unit}，项目支出 {fmt(row.values.get('项目支出', 0.0))} {doc.unit}"
        cites = [self._cite_row(doc, t, r, column, r.values.get(column)) for r, _ in picked]
        return Answer(q.question, "answered", text + f"。来源：{t.title}。", citations=cites, intent="describe")

    # ---------------------------------------------------------------------------- structure

    def _children(self, t: TableData, parent: RowData | None) -> list[RowData]:
        if parent is None or (not parent.code and canon(parent.name) in ("合计", "总计")):
            coded = [r for r in t.rows if r.code]
            if not coded:
                return [r for r in t.rows if r is not parent and canon(r.name) not in ("合计", "总计")]
            shortest = min(len(r.code or "") for r in coded)
            return [r for r in coded if len(r.code or "") == shortest]
        if not parent.code:
            return []
        code = parent.code
        deeper = [r for r in t.rows if r.code and r.code.startswith(code) and len(r.code) > len(code)]
        if not deeper:
            return []
        step = min(len(r.code or "") for r in deeper)
        return [r for r in deeper if len(r.code or "") == step]

    def _leaves(self, t: TableData) -> list[RowData]:
        coded = [(r, r.code) for r in t.rows if r.code]
        return [r for r, code in coded if not any(o is not r and other.startswith(code) for o, other in coded)]

    def _scope(self, q: Query, doc: DocData) -> tuple[TableData, list[RowData], str] | None:
        """The rows a list/top question ranges over, and the column it ranks by; 哪一类 / 哪一款
        ranges over the 类 (3-digit) or 款 (5-digit) codes of the table instead of its leaves."""
        found = self._scope_rows(q, doc)
        level = CODE_LEVEL.search(q.text)
        if found is None or level is None:
            return found
        t, _, column = found
        width = 3 if level.group(1) == "类" else 5
        rows = [r for r in t.rows if r.code and len(r.code) == width and r.values.get(column)]
        return (t, rows, column) if rows else None

    def _scope_rows(self, q: Query, doc: DocData) -> tuple[TableData, list[RowData], str] | None:
        rows = [n for n in q.terms("row") if n not in q.terms("measure")]
        measure = next(iter(q.terms("measure")), None)
        tables = q.terms("table")
        for key in sorted(doc.tables, key=_rank):
            t = doc.tables[key]
            if tables and key not in tables:
                continue
            for r in t.rows:
                if rows and canon(r.name) in rows or (q.code and r.code == q.code):
                    kids = self._children(t, r)
                    if kids:
                        column = measure if measure in t.column_keys() else (self._default_column(t, r, canon(r.name), False) or "合计")
                        return t, kids, column
        if measure in ("基本支出", "人员经费", "公用经费") and "基本支出表" in doc.tables:
            t = doc.tables["基本支出表"]
            leaves = self._leaves(t)
            if measure != "基本支出":
                leaves = [r for r in leaves if r.values.get(measure)]
            return t, leaves, "合计" if measure == "基本支出" or measure is None else measure
        for key in ("支出总表", "一般公共预算支出表"):
            found = doc.tables.get(key)
            if found is not None and (tables and key in tables or not tables):
                column = measure if measure and measure in found.column_keys() else "合计"
                leaves = [r for r in self._leaves(found) if r.values.get(column)]
                return found, leaves, column
        return None

    def _list(self, q: Query, doc: DocData) -> Answer:
        if "三公经费" in q.terms("fact") and not q.terms("row"):
            return self._sanggong_items(q, doc)
        scope = self._scope(q, doc)
        if scope is None:
            return self._nothing(q, doc)
        t, rows, column = scope
        if not rows:
            return self._nothing(q, doc)
        items = [f"{r.code + ' ' if r.code else ''}{r.display} {self._show(r, column, doc.unit)}" for r in rows]
        cites = [self._cite_row(doc, t, r, column, r.values.get(column)) for r in rows]
        return Answer(
            q.question,
            "answered",
            f"{self._prefix(doc)} {t.title}中共{len(rows)}项：" + "；".join(items) + f"。来源：{t.title}（{column}栏）。",
            citations=cites,
            intent="list",
        )

    def _sanggong_items(self, q: Query, doc: DocData) -> Answer:
        """“三公”经费明细: the table's rows, or when it is empty, the narrative's items."""
        t = doc.tables.get("三公经费表")
        if t is not None and t.rows:
            rows = [r for r in t.rows if canon(r.name) not in ("合计",)]
            items = [f"{r.display} {self._show(r, '合计', doc.unit)}" for r in rows]
            cites = [self._cite_row(doc, t, r, "合计", r.values.get("合计", 0.0)) for r in rows]
            return Answer(
                q.question,
                "answered",
                f"{self._prefix(doc)} “三公”经费：" + "；".join(items) + f"。来源：{t.title}。",
                citations=cites,
                intent="list",
            )
        keys = ["因公出国（境）费", "公务接待费", "公务用车购置费", "公务用车运行维护费"]
        facts = [doc.facts[k] for k in keys if k in doc.facts]
        if not facts:
            return self._nothing(q, doc)
        items = [f"{f['key']} {fmt(f['value'], f['unit'])} {f['unit']}" for f in facts]
        note = f"{t.title}为空表（{t.note}）；" if t is not None and t.note else ""
        return Answer(
            q.question,
            "answered",
            f"{self._prefix(doc)} “三公”经费：{note}情况说明列出：" + "；".join(items) + "。",
            citations=[self._cite_fact(doc, f) for f in facts],
            intent="list",
        )

    def _show(self, r: RowData, column: str, unit: str) -> str:
        if column in r.unsure:
            return "（栏目不确定）"
        return f"{fmt(r.values.get(column, 0.0))} {unit}"

    def _top(self, q: Query, doc: DocData) -> Answer:
        scope = self._scope(q, doc)
        if scope is None:
            return self._nothing(q, doc)
        t, rows, column = scope
        rows = [r for r in rows if column not in r.unsure]
        if not rows:
            return self._nothing(q, doc)
        reverse = q.intent == "top"
        ranked = sorted(rows, key=lambda r: r.values.get(column, 0.0), reverse=reverse)
        best = ranked[0]
        value = best.values.get(column, 0.0)
        ties = [r for r in ranked if abs(r.values.get(column, 0.0) - value) < 0.005]
        word = "最多" if reverse else "最少"
        names = "、".join(r.display for r in ties)
        others = "；".join(f"{r.display} {fmt(r.values.get(column, 0.0))}" for r in ranked[len(ties) : len(ties) + 3])
        text = (
            f"{self._prefix(doc)} {t.title}中{word}的是 {names}：{fmt(value)} {doc.unit}"
            + (f"（其次：{others}）" if others else "")
            + f"。来源：{self._cite_row(doc, t, best, column, value).label()}。"
        )
        cites = [self._cite_row(doc, t, r, column, r.values.get(column, 0.0)) for r in ranked[:4]]
        return Answer(q.question, "answered", text, value=value, unit=doc.unit, citations=cites, intent=q.intent)

    # ---------------------------------------------------------------------------- share

    def _share(self, q: Query, doc: DocData) -> Answer:
        pos = q.match_text.find("占")
        subjects = q.matches
        numerator_q = _subset(q, [m for m in subjects if pos < 0 or m.start < pos or m.start == m.end == 0][:1])
        denominator_matches = [m for m in subjects if pos >= 0 and m.start > pos]
        num = self._gather(numerator_q, doc) if numerator_q.matches else []
        num = [c for c in num if c.value is not None and c.citation.row is not None]
        if not num:
            return self._nothing(q, doc)
        n = sorted(num, key=lambda c: c.rank)[0]
        if denominator_matches:
            den_c = [c for c in self._gather(_subset(q, denominator_matches), doc) if c.value and c.citation.row is not None]
            if not den_c:
                return self._nothing(q, doc)
            d = sorted(den_c, key=lambda c: c.rank)[0]
        else:
            t = next(t for t in doc.tables.values() if t.title == n.citation.table)
            total = t.total_row()
            if total is None:
                return self._nothing(q, doc)
            column = "合计" if "合计" in t.column_keys() else (n.citation.column or _main_column(t))
            d = self._cell(doc, t, total, column, label=f"{t.title}合计")
        if not d.value or (n.citation.table, n.citation.row, n.citation.column) == (d.citation.table, d.citation.row, d.citation.column):
            return self._nothing(q, doc)  # a share of itself is no answer
        ratio = round(n.figure / d.figure * 100, 2)
        text = (
            f"{self._prefix(doc)} {n.label}占{d.label}的 {ratio:.2f}%（{fmt(n.figure)} ÷ {fmt(d.figure)} {doc.unit}）。"
            f"来源：{n.citation.label()}；{d.citation.label()}。"
        )
        return Answer(q.question, "answered", text, value=ratio, unit="%", citations=[n.citation, d.citation], intent="share")

    # ---------------------------------------------------------------------------- change

    def _change(self, q: Query, doc: DocData) -> Answer:
        subjects = [n for n in q.terms("measure") + q.terms("fact") + q.terms("row")]
        keys = [f"{s}比上年增减" for s in subjects] + [f"{FACT_ALIASES.get(s, s)}比上年增减" for s in subjects]
        keys += [k + "率" for k in keys]
        if not subjects or any(s in ("支出总计", "收入总计", "本年支出合计", "本年收入合计") for s in subjects):
            keys += ["比上年增减"]
        for key in keys:
            f = doc.facts.get(key)
            if f is None:
                continue
            value, unit = f["value"], f["unit"]
            word = "增加" if value > 0 else ("下降" if value < 0 else "持平")
            label = key.replace("比上年增减率", "").replace("比上年增减", "") or "预算收支"
            amount = "" if value == 0 else f" {fmt(abs(value), unit)} {unit}"
            reason = f"，{f['reason']}" if f["reason"] else ""
            text = (
                f"{self._prefix(doc)} {label}比上年{word}{amount}{reason}。来源：情况说明 · {f['section']}：“{_short(f['text'])}”"
            )
            return Answer(
                q.question, "answered", text, value=value, unit=unit, citations=[self._cite_fact(doc, f)], intent="change"
            )
        return self._help(q, f"{self._prefix(doc)}的公开文件没有说明这一项与上年相比的变化。")

    def _loaded_years(self, q: Query) -> set[int]:
        departments = q.departments or (self.departments if len(self.departments) == 1 else [])
        return {d["year"] for d in self.documents if d["department"] in departments}

    def _with_previous(self, q: Query, year: int) -> int | None:
        """`year` when the department's year before it is loaded too (2024年…比上年)."""
        departments = q.departments or (self.departments if len(self.departments) == 1 else [])
        if len(departments) != 1:
            return None
        years = {d["year"] for d in self.documents if d["department"] == departments[0]}
        return year if {year, year - 1} <= years else None

    def _list_departments(self, q: Query) -> Answer:
        """Which bodies are loaded (of a place, of a year), one per line with their years."""
        years: dict[str, list[int]] = {}
        for d in self.documents:
            if (q.place and q.place not in d["department"]) or (q.year is not None and d["year"] != q.year):
                continue
            years.setdefault(d["department"], []).append(d["year"])
        if not years:
            return self._not_loaded(q, f"没有{q.place or ''}{f'{q.year}年' if q.year else ''}的部门数据。")
        shown = sorted(years)[:MAX_OPTIONS * 3]
        lines = [f"{name}（{'、'.join(f'{y}年' for y in sorted(years[name]))}）" for name in shown]
        more = f"等{len(years)}个" if len(years) > len(shown) else f"{len(years)}个"
        head = f"已载入{q.place or ''}{more}部门（单位）的预算公开："
        return Answer(q.question, "answered", head + "\n" + "\n".join(lines), intent="list")

    def _latest_with_previous(self, q: Query) -> int | None:
        """For 比上年 without a year: the newest year of the department, when the year before it is
        loaded too (then the change comes from the tables of both)."""
        departments = q.departments or (self.departments if len(self.departments) == 1 else [])
        if len(departments) != 1:
            return None
        years = {d["year"] for d in self.documents if d["department"] == departments[0]}
        newest = max(years, default=None)
        return newest if newest is not None and newest - 1 in years else None

    def _change_between(self, q: Query) -> Answer:
        """A change between two loaded years, computed from the same figure in each year's tables."""
        later, earlier = max(q.years), min(q.years)
        found: dict[int, tuple[DocData, Candidate]] = {}
        for year in (earlier, later):
            docs, problem = self._documents(replace(q, year=year, years=[year]))
            if problem is not None:
                return problem
            doc = docs[0]
            cands = [c for c in self._gather(replace(q, narrative_only=False), doc) if c.value is not None and c.from_table]
            values = {round(c.figure, 2) for c in cands}
            if len(values) != 1:
                if len(values) > 1:
                    return self._clarify_figures(q, doc, {v: [c for c in cands if round(c.figure, 2) == v] for v in values})
                return self._nothing(q, doc)
            found[year] = (doc, sorted(cands, key=lambda c: c.rank)[0])
        (_, a), (doc_b, b) = found[earlier], found[later]
        delta = round(b.figure - a.figure, 2)
        if q.unit_asked == "%":  # 增长百分之几: the rate, computed from both years' figures
            if not a.value:
                return self._nothing(q, doc_b)
            rate = round(delta / a.value * 100, 2)
            text = (
                f"{doc_b.department} {b.label}：{later}年 {fmt(b.figure)} {b.unit}，{earlier}年 {fmt(a.figure)} {a.unit}，"
                f"{'增长' if rate >= 0 else '下降'} {abs(rate):.2f}%（{fmt(delta)} ÷ {fmt(a.value)}）。"
                f"来源：{later}年{b.citation.label()}；{earlier}年{a.citation.label()}。"
            )
            return Answer(q.question, "answered", text, value=rate, unit="%", citations=[b.citation, a.citation], intent="change")
        word = "增加" if delta > 0 else ("减少" if delta < 0 else "持平")
        pct = f"（{delta / a.value * 100:+.2f}%）" if a.value else ""
        text = (
            f"{doc_b.department} {b.label}：{later}年 {fmt(b.figure)} {b.unit}，{earlier}年 {fmt(a.figure)} {a.unit}，"
            f"{word}{'' if delta == 0 else ' ' + fmt(abs(delta)) + ' ' + b.unit}{pct}。"
            f"来源：{later}年{b.citation.label()}；{earlier}年{a.citation.label()}。"
        )
        return Answer(q.question, "answered", text, value=delta, unit=b.unit, citations=[b.citation, a.citation], intent="change")

    # ---------------------------------------------------------------------------- across

    def _across_departments(self, q: Query, only: list[str] | None = None) -> Answer:
        newest: dict[str, dict] = {}
        for d in self.documents:
            if q.year is not None and d["year"] != q.year or (only and d["department"] not in only):
                continue
            if q.place and q.place not in d["department"]:
                continue  # 曲阳县哪个部门…: the bodies of that place only
            if d["department"] not in newest or d["year"] > newest[d["department"]]["year"]:
                newest[d["department"]] = d
        results = []
        for d in newest.values():
            doc = self._doc(d["id"])
            cands = [c for c in self._gather(q, doc) if c.value is not None]
            groups = {round(c.figure, 2) for c in cands}
            if len(groups) == 1:
                results.append((doc, sorted(cands, key=lambda c: c.rank)[0]))
        missing = [d for d in (only or []) if d not in newest]
        if not results:
            return self._help(q, "各部门的数据里没有找到这一项。")
        reverse = q.intent != "bottom"
        results.sort(key=lambda x: x[1].figure, reverse=reverse)
        lines = [f"{doc.department}（{doc.year}年）{fmt(c.figure)} {c.unit}" for doc, c in results]
        top_doc, top = results[0]
        if q.intent in ("top", "bottom"):
            word = "最多" if reverse else "最少"
            text = f"{top.label}{word}的是{top_doc.department}：{fmt(top.figure)} {top.unit}。各部门：" + "；".join(lines)
        else:
            text = f"各部门{top.label}：" + "；".join(lines)
        text += "。来源：各部门" + top.citation.table + "。"
        if missing:
            text += f"（{'、'.join(missing)}没有{q.year}年的数据。）"
        return Answer(
            q.question,
            "answered",
            text,
            value=top.value if q.intent in ("top", "bottom") else None,
            unit=top.unit if q.intent in ("top", "bottom") else None,
            citations=[c.citation for _, c in results],
            intent=q.intent,
        )


def _subset(q: Query, matches) -> Query:
    return replace(q, matches=list(matches), code=None)




MONEY_UNITS = ("万元", "元", "千元")
INCLUDES = re.compile(r"包括|包含|哪[两几]部分|由什么组成|组成")
# Tables whose rows cover only the 基本支出 part of an item; a table of the whole item (三公经费、
# 会议费、培训费表) answers for the department unless the question says 基本支出.
BASIC_ONLY = ("基本支出表", "财政拨款基本支出表", "机关运行经费表")
WHOLE_ITEM = ("三公经费表",)
WHOLE_ITEMS = {canon(x) for x in ("会议费", "培训费", "公务接待费", "因公出国（境）费", "公务用车运行维护费", "公务用车购置费")}
# A fund named with a spending word means that fund's own expenditure table.
FUND_TABLES = {
    "一般公共预算财政拨款": "一般公共预算支出表",
    "政府性基金预算财政拨款": "政府性基金支出表",
    "国有资本经营预算财政拨款": "国有资本经营支出表",
}


def _main_column(t: TableData) -> str:
    """The column a table's total is read in: 合计, else 金额 (Jiangsu's one-column tables), else the first."""
    keys = t.column_keys()
    return next((k for k in ("合计", "金额") if k in keys), keys[0] if keys else "合计")


def _table_kind_of(doc: DocData, c: Candidate) -> str | None:
    return next((t.key for t in doc.tables.values() if t.title == c.citation.table), None)


def _unit_fits(unit: str, asked: str) -> bool:
    """Whether a figure in `unit` answers a question asking in `asked` (% or a count unit)."""
    if asked == "%":
        return unit == "%"
    return unit not in MONEY_UNITS and unit != "%"


CODE_LEVEL = re.compile(r"哪[一几]?(类|款)|按(类|款)")
BUDGET_FIGURE = re.compile(r"(年初|全年)?预算(?:数)?为?\s*(-?\d+(?:\.\d+)?)\s*万元")


def _fits_stage(c: Candidate, stage: str | None) -> bool:
    """In a 决算 document, whether a figure is of the stage asked: 预算数 columns and narrative
    figures stated as 预算为… answer only 年初预算/全年预算 questions; the rest only the others."""
    budget_asked = stage in ("年初预算", "全年预算")
    if c.from_table:
        return (c.citation.column == "预算数") == budget_asked
    stated = [float(m.group(2)) for m in BUDGET_FIGURE.finditer(re.sub(r"\s+", "", c.citation.text or ""))]
    is_budget = c.value is not None and any(abs(v - c.value) < 0.005 for v in stated)
    return is_budget == budget_asked if is_budget or budget_asked else True


def _stage_column(keys: list[str], stage: str | None) -> str | None:
    """In a 决算 table printing 预算数 | 决算数, the column the question's stage asks for."""
    if "预算数" in keys and "决算数" in keys:
        return "预算数" if stage in ("年初预算", "全年预算") else "决算数"
    return None


def _side_name(t: TableData, r: RowData, column: str) -> str:
    """In a 收支总表 a row holds a 收入 item and a 支出 item: name the one the column is on."""
    if t.key not in TWO_SIDED:
        return r.display
    side = next((c["side"] for c in t.columns if c["key"] == column), None)
    name = r.name if side == "收入" else r.name_right
    return canon(name) or r.display


def _rank(key: str) -> int:
    return PRECEDENCE.index(key) if key in PRECEDENCE else len(PRECEDENCE)


def _bare(name: str) -> str:
    """车辆（台、辆） → 车辆."""
    return re.sub(r"[（(][^）)]*[)）]$", "", canon(name))


def _short(text: str, n: int = 80) -> str:
    text = text.strip()
    return text if len(text) <= n else text[: n - 1] + "…"
