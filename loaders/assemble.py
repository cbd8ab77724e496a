"""The last step every reader shares: raw tables + narrative → a checked `Disclosure`."""

from __future__ import annotations

import re

from .checks import run_checks
from .errors import DisclosureFormatError
from .model import Disclosure, Table, Warning_
from .narrative import Narrative
from .tables import RawTable, place_tables


def assemble(
    head: re.Match[str],
    raw_tables: list[RawTable],
    narrative: Narrative,
    *,
    source: str,
    source_format: str,
    source_sha256: str = "",
) -> Disclosure:
    """Place the tables' values (leaning on the narrative's figures), build the disclosure from
    the department line's groups (code, dept, kind, year, unit) and run every check."""
    seen: set[str] = set()
    for t in raw_tables:
        if t.key in seen:
            raise DisclosureFormatError(source, f"表 {t.title} 出现了两次", line=t.line)
        seen.add(t.key)
    tables, warnings = place_tables(raw_tables, narrative.facts)
    if not (narrative.facts or narrative.passages) and source_format != "xlsx":
        warnings.append(Warning_(check="structure", message="no narrative (情况说明) found: the file may be truncated"))
    d = disclosure(
        head.group("dept"), int(head.group("year")), head.group("kind"), tables, narrative, warnings,
        source=source, source_format=source_format, unit=head.group("unit"), department_code=head.group("code"),
    )
    d.source_sha256 = source_sha256
    return d


def disclosure(
    department: str,
    year: int,
    kind: str,
    tables: list[Table],
    narrative: Narrative,
    warnings: list[Warning_],
    *,
    source: str,
    source_format: str,
    unit: str = "万元",
    department_code: str | None = None,
) -> Disclosure:
    """The disclosure every reader ends with: its tables and the narrative's, checked."""
    d = Disclosure(
        department_code=department_code,
        department=department,
        year=year,
        kind=kind,
        unit=unit,
        tables=tables + narrative.tables,
        facts=narrative.facts,
        passages=narrative.passages,
        duties=narrative.duties,
        definitions=narrative.definitions,
        indicators=narrative.indicators,
        warnings=warnings,
        source=source,
        source_format=source_format,
    )
    d.warnings += run_checks(d)
    return d
