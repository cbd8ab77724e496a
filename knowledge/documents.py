"""A document as the engine reads it: typed rows, tables and the document's facts."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from .vocabulary import canon


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
    unit: str = "万元"  # as printed; values are in 万元

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
