"""The answer contract, as fields: what `budgetbot ask --json` prints and every front renders."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from .numbers import fmt

if TYPE_CHECKING:
    from .parse import Query


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
    printed: str | None = None  # the figure as the table prints it, with its unit (24,606,775.35 元)

    def label(self) -> str:
        if self.row is None:
            return self.table
        parts = [self.table, f"第{self.page}页" if self.page else "", f"第{self.row}行"]
        if self.code:
            parts.append(self.code)
        if self.name:
            parts.append(self.name)
        out = " ".join(p for p in parts if p)
        out += f" · {self.column}" if self.column else ""
        return out + (f"（表中为 {self.printed}）" if self.printed else "")


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
    source: str | None = None  # where the answer comes from: a line of its own in a chat
    items: list[str] = field(default_factory=list)  # a list answer's entries, one per line in a chat
    # what the document's own checks found wrong where the figure stands (its row's sums, its table
    # against another or against the narrative): the figure is given, and this is said with it
    disagreements: list[str] = field(default_factory=list)
    statement: str = field(init=False, default="")  # the answer without its source, for the fronts
    # how it was answered: the route (knowledge/routes.py) whose rule gave it, and the reading of the
    # question it answered (body, year, stage, subjects …), so that a wrong answer can be traced
    route: str = ""
    reading: dict[str, Any] = field(default_factory=dict)
    # the figure as the statement prints it (6357.00, 12.50, 42): what the fronts set in bold
    figure_text: str = ""

    def __post_init__(self) -> None:
        """`answer` is the whole text a user reads (the JSON contract): statement, items, source."""
        self.statement = self.answer
        if self.value is not None and not self.figure_text:
            self.figure_text = fmt(self.value, self.unit or "万元")
        text = self.answer + "；".join(self.items)
        if self.items or self.source:
            text = text.rstrip("。；") + "。"
        if self.source:
            text += f"来源：{self.source}" + ("" if self.source.endswith(("。", "”")) else "。")
        if self.disagreements:
            text += self.caution()
        self.answer = text

    def figure_span(self) -> tuple[int, int] | None:
        """Where the figure stands in the first line of the statement, if it is printed there."""
        first = self.statement.split("\n", 1)[0]
        at = first.find(self.figure_text) if self.figure_text else -1
        return (at, at + len(self.figure_text)) if at >= 0 else None

    def caution(self) -> str:
        """What the fronts say under a figure whose table does not hold together."""
        if not self.disagreements:
            return ""
        return "注意：原文这里的数字彼此对不上（" + "；".join(self.disagreements[:3]) + "），请与原文核对。"

    def traced(self, route: str, q: Query) -> Answer:
        """This answer, saying which route gave it and how the question was read."""
        self.route = route
        self.reading = q.reading()
        return self

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for key in ("statement", "source", "items", "figure_text"):  # the contract's fields only
            d.pop(key)
        for c in d["citations"]:
            c.pop("text", None)
            if c.get("printed") is None:
                c.pop("printed", None)  # only tables printed in 元 say how the figure is printed
        return d


# ------------------------------------------------------------------------------------ document data
