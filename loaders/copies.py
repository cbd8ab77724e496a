"""A disclosure under another body's name: what the scale benchmarks and the tests build bases of
many bodies from, out of the few real templates there are."""

from __future__ import annotations

import copy

from .model import Disclosure


def renamed(template: Disclosure, department: str, year: int, digest: str, factor: float = 1.0) -> Disclosure:
    """The template under another name and year (and file hash), every amount of its tables and
    narrative scaled by `factor` (sums stay sums), so bodies do not tie in rankings as copies would."""
    d = copy.deepcopy(template)
    d.department, d.year, d.source_sha256 = department, year, digest
    for t in d.tables:
        for r in t.rows:
            r.values = {k: round(v * factor, 2) for k, v in r.values.items()}
            for a in r.ambiguous:
                a.value = round(a.value * factor, 2)
    for f in d.facts:
        if f.unit == "万元" and f.value is not None:
            f.value = round(f.value * factor, 2)
    return d
