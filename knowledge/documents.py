"""A document as the engine reads it: typed rows, tables and the document's facts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import msgspec

from .vocabulary import canon


class RowData(msgspec.Struct, array_like=True, omit_defaults=True, gc=False):
    """A row as the engine reads it. Stored as an array (msgspec decodes a document's rows
    straight into these, several times faster than JSON into dicts into dataclasses); `table` and
    `title` are its table's, filled in when read. Rows hold no cycles, so the garbage collector
    does not track them (gc=False): tens of thousands of cached rows never slow a collection."""

    number: int
    code: str | None
    name: str
    name_right: str | None
    values: dict[str, float]
    unsure: set[str]
    texts: dict[str, str]
    page: int | None
    table: str = ""
    title: str = ""

    @property
    def display(self) -> str:
        return " ".join(n for n in (self.name, self.name_right) if n)


class TableData(msgspec.Struct, array_like=True, gc=False):
    key: str
    title: str
    columns: list[dict[str, Any]]
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


Narrative = dict[str, list[dict[str, Any]]]  # definitions, indicators, passages


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
    facts: dict[str, dict[str, Any]]
    narrative: Narrative | Callable[[], Narrative] = field(default_factory=dict, repr=False, compare=False)
    # what the load's checks found wrong, by table title: [row number or None, message]
    doubts: dict[str, list[list[Any]]] = field(default_factory=dict[str, Any])

    def doubts_about(self, table: str, row: int | None) -> list[str]:
        """The disagreements a figure from this table and row rests on: its row's own, and what
        is said of the table as a whole (against another table or the narrative)."""
        return [m for r, m in self.doubts.get(table, []) if r is None or r == row]

    def _narrative(self) -> Narrative:
        if callable(self.narrative):
            self.narrative = self.narrative()
        return self.narrative

    @property
    def definitions(self) -> list[dict[str, Any]]:
        return self._narrative().get("definitions", [])

    @property
    def indicators(self) -> list[dict[str, Any]]:
        return self._narrative().get("indicators", [])

    @property
    def passages(self) -> list[dict[str, Any]]:
        return self._narrative().get("passages", [])


def narrative_record(d: DocData) -> Narrative:
    return {"definitions": d.definitions, "indicators": d.indicators, "passages": d.passages}


class _Record(msgspec.Struct, array_like=True, gc=False):
    id: str
    department: str
    year: int
    kind: str
    unit: str
    tables: list[TableData]
    facts: list[dict[str, Any]]
    doubts: dict[str, list[list[Any]]] = {}


_decoder = msgspec.msgpack.Decoder(_Record)


def document_record(d: DocData) -> bytes:
    """A document's tables and facts as MessagePack: written with it at load time, read back by
    `from_record` in one step (no SQL per table, no parsing of row texts)."""
    tables = [
        msgspec.structs.replace(t, rows=[msgspec.structs.replace(r, table="", title="") for r in t.rows]) for t in d.tables.values()
    ]
    return msgspec.msgpack.encode(_Record(d.id, d.department, d.year, d.kind, d.unit, tables, list(d.facts.values()), d.doubts))


def from_record(data: bytes, narrative: Narrative | Callable[[], Narrative]) -> DocData:
    record = _decoder.decode(data)
    for t in record.tables:
        for r in t.rows:
            r.table, r.title = t.key, t.title
    return DocData(
        id=record.id,
        department=record.department,
        year=record.year,
        kind=record.kind,
        unit=record.unit,
        tables={t.key: t for t in record.tables},
        facts={f["key"]: f for f in record.facts},
        narrative=narrative,
        doubts=record.doubts,
    )
