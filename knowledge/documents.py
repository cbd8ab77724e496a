"""A document as the engine reads it: typed rows, tables and the document's facts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

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


Narrative = dict[str, list[dict]]  # definitions, indicators, passages


@dataclass
class DocData:
    """A document as the engine reads it. Its tables and facts answer figures; the rest of its
    narrative (definitions, indicators, passages: half its size) is read on first use."""

    id: str
    department: str
    year: int
    kind: str
    unit: str
    tables: dict[str, TableData]
    facts: dict[str, dict]
    narrative: Narrative | Callable[[], Narrative] = field(default_factory=dict, repr=False, compare=False)

    def _narrative(self) -> Narrative:
        if callable(self.narrative):
            self.narrative = self.narrative()
        return self.narrative

    @property
    def definitions(self) -> list[dict]:
        return self._narrative().get("definitions", [])

    @property
    def indicators(self) -> list[dict]:
        return self._narrative().get("indicators", [])

    @property
    def passages(self) -> list[dict]:
        return self._narrative().get("passages", [])


def narrative_record(d: DocData) -> Narrative:
    return {"definitions": d.definitions, "indicators": d.indicators, "passages": d.passages}


def document_record(d: DocData) -> dict:
    """A document's tables and facts as plain JSON values: written with it at load time, read back
    by `from_record` in one step (no SQL per table, no parsing of row texts)."""
    return {
        "id": d.id,
        "department": d.department,
        "year": d.year,
        "kind": d.kind,
        "unit": d.unit,
        "tables": [
            [
                t.key,
                t.title,
                t.columns,
                [[r.number, r.code, r.name, r.name_right, r.values, sorted(r.unsure), r.texts, r.page] for r in t.rows],
                t.note,
                t.page,
                t.unit,
            ]
            for t in d.tables.values()
        ],
        "facts": list(d.facts.values()),
    }


def from_record(record: dict, narrative: Narrative | Callable[[], Narrative]) -> DocData:
    tables = {}
    for key, title, columns, rows, note, page, unit in record["tables"]:
        tables[key] = TableData(
            key=key,
            title=title,
            columns=columns,
            rows=[
                RowData(key, title, number, code, name, name_right, values, set(unsure), texts, row_page)
                for number, code, name, name_right, values, unsure, texts, row_page in rows
            ],
            note=note,
            page=page,
            unit=unit,
        )
    return DocData(
        id=record["id"],
        department=record["department"],
        year=record["year"],
        kind=record["kind"],
        unit=record["unit"],
        tables=tables,
        facts={f["key"]: f for f in record["facts"]},
        narrative=narrative,
    )
