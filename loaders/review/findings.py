"""What a review finds: each finding of a kind (loaders/data/review.toml), with its severity, where
it stands (table, row and page, or the narrative's section, page and sentence) and the figures
that disagree. 错误: printed figures contradict each other. 提示: probably wrong, for a person to
read. A table the reader was unsure of is listed once as not checked, never as a finding."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any, Literal

Severity = Literal["错误", "提示"]
ERROR: Severity = "错误"
HINT: Severity = "提示"
SEVERITIES: tuple[Severity, ...] = (ERROR, HINT)


@dataclass
class Finding:
    kind: str  # a key of review.toml's [kinds]
    severity: Severity
    what: str  # the sentence staff read: what disagrees with what
    where: str  # 表名 第N行 / 情况说明 · 节
    page: int | None = None
    figures: list[float] = field(default_factory=list)
    quote: str | None = None  # the narrative's words, as printed

    def located(self) -> str:
        return f"{self.where}" + (f"（第{self.page}页）" if self.page else "")


@dataclass
class Review:
    """One document reviewed: who and what it is, its findings, and what could not be checked."""

    source: str
    department: str
    year: int
    kind: str  # 部门预算, 单位决算 …
    tables: int
    findings: list[Finding] = field(default_factory=list)
    unchecked: list[str] = field(default_factory=list)

    def of(self, severity: Severity) -> list[Finding]:
        return [f for f in self.findings if f.severity == severity]

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "department": self.department,
            "year": self.year,
            "kind": self.kind,
            "tables": self.tables,
            "errors": len(self.of(ERROR)),
            "hints": len(self.of(HINT)),
            "findings": [vars(f) | {"kind_name": kind_name(f.kind)} for f in self.findings],
            "unchecked": self.unchecked,
        }


@cache
def catalogue() -> dict[str, Any]:
    """review.toml: the kinds of findings (their names) and the leftovers a template leaves."""
    return tomllib.loads(files("loaders.data").joinpath("review.toml").read_text(encoding="utf-8"))


def kind_name(kind: str) -> str:
    return str(catalogue()["kinds"].get(kind, kind))
