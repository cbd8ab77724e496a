"""What every rule of the engine reads: the knowledge base, its documents, choosing the document a
question is about, citations, and the answers that say what is loaded or that nothing was found.

The rules themselves are plain functions over a `Library` and the parsed question, one module per
family of questions — terms (definitions, 绩效 indicators), figures, listing, describe, compare,
operations — and `routes` is the ordered list that says which of them answers what. A module calls
only the ones before it in that list."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, Self

from . import store
from .answer import Answer, Citation
from .bodies import StoredBodies
from .catalog import Catalog
from .conventions import FISCAL_YEAR_WORDING, MAX_OPTIONS, asked_scope, same_body, scope_of
from .documents import DocData, RowData, TableData
from .key_figures import rules, usable
from .parse import Query
from .vocabulary import Vocabulary

MAX_SOURCES_NAMED = 3  # documents named when saying what is loaded; more are counted


class Library:
    def __init__(self, conn: store.Connection, path: str | Path = "知识库"):
        self.conn = conn
        self.path = path
        self._build(conn, path)

    def _build(self, conn: store.Connection, path: str | Path) -> None:
        """What an engine reads at start: a few counts, the vocabulary's terms and places, what
        the load derived for rankings — never every document or body (catalog.py, bodies.py)."""
        try:
            pending = bool(store.pending(conn))  # written documents not yet derived
            self.catalog = Catalog(conn, pending)
            snapshot = store.derived(conn, "vocabulary")  # built at load time, by these rules (lexicon included)?
            if snapshot and snapshot.get("rules") == rules() and {"form_lengths", "form_edges", "common_forms"} <= snapshot.keys():
                (shortest, longest), (starts, ends) = snapshot["form_lengths"], snapshot["form_edges"]
                bodies = StoredBodies(conn, (shortest, longest), (starts, ends), self.catalog.bodies, snapshot["common_forms"])
                self.vocab = Vocabulary.from_snapshot(snapshot, bodies)
            else:  # a base loaded by another version: build it from what the base holds (slower to open)
                self.vocab = Vocabulary.from_sources(store.vocabulary_sources(conn))
            # key figures may lack the written documents not yet derived: rankings then read the documents
            self.key_measures: dict[str, str] = usable(store.derived(conn, "key_measures")) if not pending else {}
            self.key_counts: dict[str, dict[str, int]] = store.derived(conn, "key_counts") or {}
            first_definers = store.derived(conn, "first_definers")
            self.first_definers: dict[str, str] = first_definers if first_definers is not None else store.first_definers(conn)
        except sqlite3.DatabaseError as e:
            raise store.damaged(path, e) from e
        self.newest_year = self.catalog.newest_year
        self._kinds: dict[tuple[int | None, str | None], dict[tuple[str, str], int]] = {}
        self._kinds_counted: set[str | None] = set()
        # a document is read in about a millisecond; 128 of them (~30 MB) keep conversations warm
        # (the cache calls the store, not a method: no cycle through the engine, which refcounting
        # alone frees when a reload drops it)
        self.doc = lru_cache(maxsize=128)(partial(store.load_document, conn))

    @classmethod
    def open(cls, path: str | Path) -> Self:
        return cls(store.open_readonly(path), path)

    def describe_sources(self) -> str:
        if not self.catalog.documents:
            return "知识库是空的"
        if self.catalog.documents <= MAX_SOURCES_NAMED:
            return "已载入：" + "、".join(f"{d['department']}{d['year']}年{d['kind']}" for d in self.catalog.every())
        # a chat is no place for a list of every document: say how many, and how to see them
        return f"已载入 {self.catalog.bodies} 个部门的 {self.catalog.documents} 份公开文件（问“有哪些部门”可以列出）"

    def documents_for(self, q: Query) -> tuple[list[DocData], Answer | None]:
        """The documents a question is about, or the answer that asks which (body, year) or says
        it is not loaded."""
        docs, asked = self._of_bodies(q)
        if asked is not None:
            return [], asked
        if q.year is not None:
            with_year = [d for d in docs if d["year"] == q.year]
            if not with_year:
                loaded = "、".join(f"{d['year']}年" for d in docs)
                return [], self.not_loaded(q, f"{docs[0]['department']}没有{q.year}年的数据（已载入：{loaded}）。")
            docs = with_year
            asked = self._only_final_accounts(q, docs)
            if asked is not None:
                return [], asked
        docs = self._as_of(q, docs)
        years = sorted({d["year"] for d in docs})
        if len(years) > 1:
            return [], Answer(
                q.question,
                "clarify",
                f"{docs[0]['department']}载入了多个年度（{'、'.join(map(str, years))}），请问哪一年？",
                options=[f"{y}年{self.strip(q.question)}" for y in years],
                intent=q.intent,
            )
        return [self.doc(d["id"]) for d in docs], None

    def _of_bodies(self, q: Query) -> tuple[list[dict[str, Any]], Answer | None]:
        """The documents of the one body asked (or of the only body loaded); which body, when
        the question fits several."""
        if not q.departments:
            of_place = self.departments_of(q.place) if q.place and self.catalog.bodies > 1 else []
            if of_place:  # 上海交大项目支出: no body, a place — which of its bodies, never every body loaded
                return [], self.clarify_departments(q, of_place)
            if self.catalog.bodies > 1:
                shown, total = self.catalog.first_bodies(MAX_OPTIONS)
                return [], self.clarify_departments(q, shown, total)
            return self.of_departments(self.catalog.only_body()), None
        docs = self.of_departments(q.departments)
        if q.year is not None and len({d["department"] for d in docs if d["year"] == q.year}) == 1:
            docs = [d for d in docs if d["year"] == q.year]  # 卫健局2023年: one of them has 2023
        docs, asked = self._of_scope(q, docs)
        if asked is not None:
            return [], asked
        if len({d["department"] for d in docs}) > 1:
            return [], self.clarify_departments(q, sorted({d["department"] for d in docs}))
        return docs, None

    def _as_of(self, q: Query, docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """截至2022年底 with several years loaded: the document that states that date."""
        if len({d["year"] for d in docs}) < 2 or q.as_of is None:
            return docs
        dated = [d for d in docs if self._states_date(d["id"], q.as_of)]
        return dated if len({d["year"] for d in dated}) == 1 else docs

    def _only_final_accounts(self, q: Query, docs: list[dict[str, Any]]) -> Answer | None:
        """A body whose budgets (预算) are loaded for other years, asked about a year loaded only as
        its 决算, without saying 决算 or 预算: the year's budget is not there, and what was spent is
        not what was budgeted, so it asks (a body with only 决算 loaded is answered from them)."""
        if q.stage is not None or q.says_budget or q.intent == "change" or not docs or any(d["kind"] != "决算" for d in docs):
            return None
        if FISCAL_YEAR_WORDING.search(q.text):
            return None  # 2022年度本年收入合计: the 决算's own wording of the year it accounts for
        body = same_body(docs[0]["department"])
        if not any(d["kind"] == "预算" and same_body(d["department"]) == body for d in self.catalog.named_from(body)):
            return None
        year, name = docs[0]["year"], docs[0]["department"]
        return Answer(
            q.question,
            "clarify",
            f"{name}{year}年载入的是决算（实际收支），没有{year}年的预算。要看{year}年的决算数吗？",
            options=[f"{self.strip(q.question)}（决算数）"],
            intent=q.intent,
        )

    def _of_scope(self, q: Query, docs: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], Answer | None]:
        """A body that publishes a department's disclosure and a unit's own (无锡市教育局 and
        无锡市教育局（本级）; 苏州市自然资源和规划局's 部门预算 and 单位预算): the question's words choose
        (部门预算, 单位预算, 本级), else it is asked which. Other bodies are left to the callers."""
        bodies = {same_body(d["department"]) for d in docs}
        if len(bodies) != 1:
            return docs, None
        # two scopes of one year and kind: a 部门预算 and a 单位预算 of 2026 (not a 2021 部门决算 beside
        # a 2022 单位预算, which the year and the stage tell apart)
        years: dict[tuple[int, str], set[str]] = {}
        for d in docs:
            years.setdefault((d["year"], d["kind"]), set()).add(scope_of(d))
        both = [key for key, scopes in years.items() if len(scopes) > 1 and (q.year is None or key[0] == q.year)]
        if not both:
            return docs, None
        asked = asked_scope(q.question)
        if asked is not None:
            return [d for d in docs if scope_of(d) == asked or (d["year"], d["kind"]) not in both], None
        chosen = [d for d in docs if (d["year"], d["kind"]) == both[0]]
        name, kind, year = same_body(chosen[0]["department"]), chosen[0]["kind"], chosen[0]["year"]
        rest = self.strip(q.question)
        for d in chosen:
            rest = rest.replace(d["department"], "")
        rest = re.sub(r"(?:20)?\d{2}年度?|本级|" + re.escape(name), "", rest)
        return [], Answer(
            q.question,
            "clarify",
            f"{name} {year}年有两份公开：整个部门的部门{kind}和本级单位的单位{kind}，数字不同。请问是哪一份？",
            options=[f"{name}{year}年部门{kind}{rest}", f"{name}本级{year}年单位{kind}{rest}"],
            intent=q.intent,
        )

    def departments_of(self, place: str) -> list[str]:
        """The loaded bodies whose name holds a place (曲阳县 → 曲阳县教育局, 中共曲阳县委…), in
        name order."""
        return self.vocab.bodies.of_place(place)

    def kinds_in(self, year: int | None, place: str | None) -> dict[tuple[str, str], int]:
        """How many documents of each kind (预算/决算) and scope (部门/单位) are loaded, of a year
        (any, when None) and of bodies of a place (any, when None); counted once and kept."""
        if place not in self._kinds_counted:  # each place (or none) counted once, for every year
            if len(self._kinds) > 4096:
                self._kinds.clear()
                self._kinds_counted.clear()
            self._kinds_counted.add(place)
            if place:  # a place's bodies' documents
                counted = [(d["year"], d["kind"], d.get("scope") or "部门", 1) for d in self.of_departments(self.departments_of(place))]
            else:  # counted by the load
                counted = [(year, kind, scope, n) for year, kind, scope, n in self.catalog.kinds()]
            for y, kind, scope, n in counted:
                for key in ((y, place), (None, place)):
                    found = self._kinds.setdefault(key, {})
                    found[(kind, scope)] = found.get((kind, scope), 0) + n
        return self._kinds.get((year, place), {})

    def eligible(self, year: int | None, place: str | None, kind: str, scope: str) -> int:
        """How many bodies a ranking of every body compares: those with a document of this kind
        and scope, of the year (any: each one's newest), of the place."""
        if place:
            docs = self.of_departments(self.departments_of(place))
            of_kind = [d for d in docs if (d["kind"], d["scope"] or scope_of(d)) == (kind, scope) and year in (None, d["year"])]
            return len({d["department"] for d in of_kind})
        if year is not None:  # one document a body of a year, kind and scope
            return self.kinds_in(year, None).get((kind, scope), 0)
        return self.catalog.bodies_of_kind().get((kind, scope), 0)

    def of_departments(self, departments: Iterable[str]) -> list[dict[str, Any]]:
        """The documents of these departments, in document order (department, year)."""
        return self.catalog.of_bodies(departments)

    def only_body(self) -> list[str]:
        """The one body loaded, when only one is ([] otherwise)."""
        return self.catalog.only_body()

    def _states_date(self, doc_id: str, year: int) -> bool:
        return any(re.search(rf"(?:截至|截止)(?:到)?\s*{year}年", p["text"]) for p in self.doc(doc_id).passages)

    def strip(self, question: str) -> str:
        return re.sub(r"\s+", "", question)

    def clarify_departments(self, q: Query, departments: list[str], total: int | None = None) -> Answer:
        """Which body: the first MAX_OPTIONS of `departments` offered (of `total`, when these are
        the first of more)."""
        shown = departments[:MAX_OPTIONS]
        total = len(departments) if total is None else total
        listed = f"{'、'.join(shown)}等" if total > len(shown) else "、".join(shown)
        return Answer(
            q.question,
            "clarify",
            f"这个问题对应{total}个部门：{listed}。请问是哪个部门？",
            options=[f"{d}{self._without_body(q.question, departments)}" for d in shown],
            intent=q.intent,
        )

    def _without_body(self, question: str, departments: list[str]) -> str:
        """The question without the name it gave the body (卫健局项目支出 → 项目支出), so that each
        option reads as a question of its own: 望都县卫生健康局项目支出."""
        text = self.strip(question)
        said = [f for f, ds in self.vocab.bodies.named(self.vocab.spans(text)).items() if set(ds) & set(departments)]
        if said:
            return text.replace(max(said, key=len), "", 1)
        place = self.vocab.place_form(text)  # 无锡市项目支出: each option names its body, which holds the place
        return text.replace(place, "", 1) if place and all(self.vocab.places[place] in d for d in departments) else text

    def not_loaded(self, q: Query, why: str) -> Answer:
        return Answer(q.question, "not_found", f"{why}{self.describe_sources()}。", intent=q.intent)

    def help(self, q: Query, why: str) -> Answer:
        loaded = "" if q.departments else f"{self.describe_sources()}。"  # the body asked about is loaded
        return Answer(
            q.question,
            "not_found",
            f"{why}可以这样问：“项目支出多少”“支出总计多少”“基本支出中哪一项最多”。{loaded}",
            intent=q.intent,
        )


    def cite_row(self, doc: DocData, t: TableData, r: RowData, column: str | None, value: float | None) -> Citation:
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
            printed=f"{r.texts[column]} {t.unit}" if column and t.unit != "万元" and column in r.texts else None,
        )

    def cite_fact(self, doc: DocData, f: dict[str, Any]) -> Citation:
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

    def prefix(self, doc: DocData) -> str:
        return f"{doc.department} {doc.year}年"

    def nothing(self, q: Query, doc: DocData) -> Answer:
        return self.help(q, f"在{self.prefix(doc)}的公开数据里没有找到能回答这个问题的内容。")
