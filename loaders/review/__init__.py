"""The staff check report: a disclosure reviewed as a careful reader would — its sums, its tables
against each other, its narrative against the tables and against itself, what it must publish,
and what its template left behind. Each kind of finding is stated once, in the module named for
it; `review` runs them all on one document. Pure code over the loaded model, like the loaders."""

from __future__ import annotations

from ..model import Disclosure
from .arithmetic import review_arithmetic, unsure_tables
from .between_tables import review_between_tables
from .completeness import review_completeness
from .findings import ERROR, HINT, SEVERITIES, Finding, Review, kind_name
from .leftovers import review_leftovers
from .narrative_figures import review_narrative_figures
from .narrative_logic import review_logic
from .subject_paths import review_items_twice, review_subject_paths

__all__ = ["ERROR", "HINT", "SEVERITIES", "Finding", "Review", "kind_name", "review"]


def review(d: Disclosure) -> Review:
    unsure = unsure_tables(d)
    findings = review_arithmetic(d, unsure)
    findings += review_between_tables(d)
    findings += review_subject_paths(d)
    findings += review_narrative_figures(d)
    findings += review_items_twice(d)
    findings += review_logic(d)
    findings += review_leftovers(d)
    findings += review_completeness(d)
    findings = [f for f in findings if not any(title in f.where for title in unsure)]
    unchecked = list(unsure.values())
    if d.source_format == "text":
        findings, unchecked = _narrative_only(findings, unchecked)
    return Review(
        source=d.source,
        department=d.department,
        year=d.year,
        kind=f"{d.scope}{d.kind}",
        tables=len(d.tables),
        findings=_once(findings),
        unchecked=unchecked,
    )


def _once(findings: list[Finding]) -> list[Finding]:
    """A finding stated once (the same sentence read from two passages, a table's two printings),
    errors first."""
    seen: set[tuple[str, str]] = set()
    out = []
    for f in sorted(findings, key=lambda f: SEVERITIES.index(f.severity)):
        key = (f.kind, f.what)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


# What rests on the tables as read: from text copied out of a PDF the reader cannot always tell
# which column a figure stood in (empty cells leave no trace), so these are not reported for it.
FROM_TABLES = ("table_sums", "between_tables", "subject_path", "duplicate_code", "completeness", "empty_table", "performance_total")


def _narrative_only(findings: list[Finding], unchecked: list[str]) -> tuple[list[Finding], list[str]]:
    """A text file's findings that rest on its narrative alone; what rests on its tables is said
    once not to be checked (the narrative's own sums, with no table, stay)."""
    kept = [f for f in findings if f.kind not in FROM_TABLES and not (f.kind == "narrative_vs_tables" and not f.where.startswith("情况说明"))]
    if len(kept) < len(findings):
        unchecked = unchecked + [
            f"这是从 PDF 复制出的文本：表格的栏目可能错位，涉及表格的 {len(findings) - len(kept)} 处核对没有报告；请用 PDF 原件检查"
        ]
    return kept, unchecked
