"""The last step every reader shares: raw tables + narrative → a checked `Disclosure`."""

from __future__ import annotations

import re
from typing import TypeVar

from .checks import run_checks
from .errors import DisclosureFormatError
from .model import Definition, Disclosure, Indicator, Passage, Table, Warning_
from .narrative import Narrative, facts_of_kind
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
    tables, warnings = place_tables(raw_tables, narrative.facts)
    if not (narrative.facts or narrative.passages) and source_format != "xlsx":
        warnings.append(Warning_(check="structure", message="没有找到情况说明：文件可能不完整"))
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
    scope: str = "部门",
    identity: list[str] | None = None,
) -> Disclosure:
    """The disclosure every reader ends with: its tables and the narrative's, each once, checked."""
    tables, repeated = once(tables + narrative.tables, source)
    definitions, d_repeated = _distinct(narrative.definitions)
    indicators, _ = _distinct(narrative.indicators)
    passages, _ = _distinct(narrative.passages)  # a sentence may be printed twice in one document
    if repeated or d_repeated:
        warnings = warnings + [
            Warning_(check="structure", message="文件里同样的内容出现了不止一次（同一份公开重复了？），重复的部分只读取一次")
        ]
    d = Disclosure(
        department_code=department_code,
        department=department,
        year=year,
        kind=kind,
        unit=unit,
        tables=tables,
        facts=facts_of_kind(narrative.facts, kind),
        passages=passages,
        duties=list(dict.fromkeys(narrative.duties)),
        definitions=definitions,
        indicators=indicators,
        warnings=warnings,
        source=source,
        source_format=source_format,
        scope=scope,
        identity=identity or [],
    )
    d.warnings += run_checks(d)
    return d


T = TypeVar("T", Definition, Indicator, Passage)


def _content(item: object) -> tuple:
    """What an item says, without where it was printed."""
    return tuple((k, v) for k, v in vars(item).items() if k not in ("page", "line"))


def _distinct(items: list[T]) -> tuple[list[T], int]:
    seen: set[tuple] = set()
    kept = []
    for item in items:
        key = _content(item)
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept, len(items) - len(kept)


def _table_content(t: Table) -> tuple:
    return (t.key, tuple((r.number, r.code, r.name, r.name_right, tuple(sorted(r.values.items()))) for r in t.rows))


def once(tables: list[Table], source: str) -> tuple[list[Table], int]:
    """One table of each kind. A table printed again as it was (a file holding the same disclosure
    twice) is read once; the same kind with other figures means two disclosures in one file,
    which cannot be told apart safely, so the file is refused."""
    first: dict[str, Table] = {}
    repeated = 0
    for t in tables:
        if t.key not in first:
            first[t.key] = t
        elif _table_content(t) == _table_content(first[t.key]):
            repeated += 1
        else:
            raise DisclosureFormatError(
                source,
                f"“{t.title}”出现了两次且数字不同：一个文件里似乎有不止一份公开，请把它们分成单独的文件再载入",
                page=t.page,
                line=t.line,
            )
    return [t for t in tables if first[t.key] is t], repeated
