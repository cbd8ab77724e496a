"""Query → Answer: figures, definitions, lists, rankings, shares and changes, always cited.

The engine opens the knowledge base read-only, builds the vocabulary once, and answers each
question from what the base holds: a cell, a narrative fact, a definition, an indicator, or a
figure computed from cells it cites. When the readings of a question give different figures it
asks (`clarify`, with the readings as questions the user can send); when the base does not hold
the answer it says so and what it does hold (`not_found`). It never returns a figure it cannot
cite.

`Engine.ask` routes a parsed question to the layer that answers its kind."""

from __future__ import annotations

import logging
import sqlite3

from . import store
from .answer import Answer
from .conventions import (
    INCLUDES,
)
from .operations import OperationsLayer
from .parse import MAX_QUESTION, clean, parse

log = logging.getLogger(__name__)

class Engine(OperationsLayer):
    def ask(self, question: str) -> Answer:
        question = clean(question)
        if len(question.strip()) > MAX_QUESTION:
            return Answer(
                question[:MAX_QUESTION] + "…",
                "not_found",
                f"问题太长了（{len(question.strip())} 个字）：请一次问一个问题，{MAX_QUESTION} 字以内。",
            )
        try:
            return self._ask(question)
        except sqlite3.DatabaseError as e:  # a damaged base is the operator's to fix, never a quiet answer
            raise store.damaged(self.path, e) from e
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
        if q.unknown_department and q.department_guesses:
            guesses = q.department_guesses
            asked = f"您是指{guesses[0]}吗？" if len(guesses) == 1 else f"您是指{'还是'.join(guesses)}？"
            return Answer(
                q.question,
                "clarify",
                f"没有找到“{q.unknown_department}”。{asked}",
                options=[self._strip(q.question).replace(q.unknown_department, g, 1) for g in guesses],
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
        if q.all_departments and q.unloaded_place:
            return self._not_loaded(q, f"载入的部门里没有{q.unloaded_place}的（名称里没有这个地名）。")
        if q.all_departments and not q.matches and not q.code and q.intent in ("figure", "list"):
            return self._list_departments(q)  # 曲阳县有哪些部门的预算
        if q.all_departments and q.intent in ("top", "bottom", "figure", "list"):
            return self._across_departments(q)
        if len(q.departments) > 1 and q.department_mentions > 1 and q.intent in ("figure", "top", "bottom"):
            return self._across_departments(q, q.departments)  # 教育局和卫健局的项目支出
        if q.operation in ("more", "less") and len(q.years) == 2 and self._loaded_years(q) >= set(q.years):
            return self._which_year(q)  # 2023年和2025年项目支出哪个多
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
        if q.stage == "决算数" and doc.kind == "预算":  # 实际支出 / 决算 of a budget: it has none
            return self._help(q, f"载入的{doc.department}{doc.year}年是预算，不是决算，没有实际支出（决算）数。")
        if doc.kind == "决算" and q.stage is None and q.says_budget:
            q.stage = "年初预算"  # 2024年预算项目支出 in a 决算: the year's budget, not what was spent
        if q.describe:
            return self._describe(q, doc)
        if q.unexplained and q.intent in ("figure", "top", "bottom", "share", "change") and not q.code:
            return self._narrower_than_found(q, doc)  # 扶贫车间: never the figure of 扶贫
        operated = self._operation(q, doc)
        if operated is not None:
            return operated
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
