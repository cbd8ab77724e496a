"""The staff check report: a disclosure reviewed as a careful reader would — its sums, its tables
against each other, its narrative against the tables and against itself, what it must publish,
and what its template left behind. Each kind of finding is stated once, in the module named for
it; `review` runs them all on one document. Pure code over the loaded model, like the loaders."""

from __future__ import annotations

from ..model import Disclosure
from .arithmetic import review_arithmetic
from .between_tables import review_between_tables
from .completeness import review_completeness
from .findings import ERROR, HINT, SEVERITIES, Finding, Review, kind_name
from .leftovers import review_leftovers
from .narrative_figures import review_narrative_figures
from .narrative_logic import review_logic
from .subject_paths import review_items_twice, review_subject_paths

__all__ = ["ERROR", "HINT", "SEVERITIES", "Finding", "Review", "kind_name", "review"]


def review(d: Disclosure) -> Review:
    findings, unchecked = review_arithmetic(d)
    findings += review_between_tables(d)
    findings += review_subject_paths(d)
    findings += review_narrative_figures(d)
    findings += review_items_twice(d)
    findings += review_logic(d)
    findings += review_leftovers(d)
    findings += review_completeness(d)
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
