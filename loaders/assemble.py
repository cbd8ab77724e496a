"""The last step every reader shares: raw tables + narrative → a checked `Disclosure`."""

from __future__ import annotations

import re

from .checks import run_checks
from .errors import DisclosureFormatError
from .model import Disclosure, Warning_
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
            raise DisclosureFormatError(source, f"table {t.title} appears twice", line=t.line)
        seen.add(t.key)
    tables, warnings = place_tables(raw_tables, narrative.facts)
    d = Disclosure(
        department_code=head.group("code"),
        department=head.group("dept"),
        year=int(head.group("year")),
        kind=head.group("kind"),
        unit=head.group("unit"),
        tables=tables + narrative.tables,
        facts=narrative.facts,
        passages=narrative.passages,
        duties=narrative.duties,
        definitions=narrative.definitions,
        indicators=narrative.indicators,
        warnings=warnings,
        source=source,
        source_format=source_format,
        source_sha256=source_sha256,
    )
    if not (narrative.facts or narrative.passages) and source_format != "xlsx":
        d.warnings.append(Warning_(check="structure", message="no narrative (情况说明) found: the file may be truncated"))
    d.warnings += run_checks(d)
    return d
