"""Query → Answer: figures, definitions, lists, rankings, shares and changes, always cited.

The engine opens the knowledge base read-only, builds the vocabulary once, and answers each
question from what the base holds: a cell, a narrative fact, a definition, an indicator, or a
figure computed from cells it cites. When the readings of a question give different figures it
asks (`clarify`, with the readings as questions the user can send); when the base does not hold
the answer it says so and what it does hold (`not_found`). It never returns a figure it cannot
cite.

`Engine.ask` parses a question and hands it to `routes`: the ordered list of rules, each a
function over the library (documents, vocabulary) and the query, and the answer names the rule."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from . import routes, store
from .answer import Answer
from .library import Library
from .parse import MAX_QUESTION, clean, parse

log = logging.getLogger(__name__)

class Engine(Library):
    def ask(self, question: str) -> Answer:
        question = clean(question)
        if len(question.strip()) > MAX_QUESTION:
            return Answer(
                question[:MAX_QUESTION] + "…",
                "not_found",
                f"问题太长了（{len(question.strip())} 个字）：请一次问一个问题，{MAX_QUESTION} 字以内。",
            )
        try:
            try:
                return self._ask(question)
            except sqlite3.DatabaseError:
                if not self._recovered():
                    raise
                return self._ask(question)  # once more, on the base as it was before the killed load
        except sqlite3.DatabaseError as e:  # a damaged base is the operator's to fix, never a quiet answer
            raise store.damaged(self.path, e) from e
        except store.KnowledgeBaseError:  # a server base that went away: the front says so
            raise
        except Exception:  # the engine must answer every message; log what went wrong
            log.exception("question failed: %r", question[:200] if isinstance(question, str) else question)
            return Answer(
                question=str(question),
                status="not_found",
                answer="抱歉，这个问题我暂时答不了。可以换个说法，或问“项目支出多少”这样的问题。",
            )

    def _recovered(self) -> bool:
        """A load killed while it committed in place left a journal this read-only connection cannot
        roll back (store/file_loads.py): roll it back, when this process may write beside the base
        (KnowledgeBaseError says who must, when it may not)."""
        path = Path(self.path)
        if store.is_server(self.path) or not store.needs_recovery(path):
            return False
        store.recover(path)
        log.warning("rolled back a load that was killed while writing %s", path)
        return True

    def _ask(self, question: str) -> Answer:
        if not self.catalog.documents:
            return Answer(question, "not_found", "知识库是空的：请先载入部门预算公开文件（budgetbot load）。")
        return routes.route(self, parse(question, self.vocab, self.newest_year))
