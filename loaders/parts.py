"""A disclosure published as two files: the narrative (附件1 情况说明) and the tables (附件2 报表).

北京's departments publish their 部门预算 so; the tables file names no body and no year. Neither
file is a disclosure alone, and the file names say nothing a loader may trust. What ties them is
their content: the narrative states the totals the tables print (收入预算51036.22万元 and the
收支总表's 收入总计 51,036.219169). A reader that finds only one part raises `PartOfDisclosure`;
the load pairs the parts of one batch whose figures agree and reads them as one disclosure.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import DisclosureFormatError
from .model import Disclosure
from .template import TableKind

# The narrative facts and the table totals that must agree for two parts to be one disclosure.
TIES = {
    "收入总额": ((TableKind.TOTALS, ("收入总计", "总计", "收入合计")), (TableKind.INCOME, ("合计", "总计", "收入总计"))),
    "支出总额": ((TableKind.TOTALS, ("支出总计", "总计", "支出合计")), (TableKind.SPENDING, ("合计", "总计"))),
    "基本支出": ((TableKind.SPENDING, ("合计", "总计")),),
    "项目支出": ((TableKind.SPENDING, ("合计", "总计")),),
}
COLUMN_OF = {"基本支出": "基本支出", "项目支出": "项目支出"}
MIN_TIES = 2  # agreeing figures needed, and none may disagree


@dataclass
class Part:
    disclosure: Disclosure
    what: str  # "tables" (no body or year stated) or "narrative" (no tables)
    message: str  # why the file cannot be loaded alone


class PartOfDisclosure(DisclosureFormatError):
    """One file of a disclosure split over two: loaded only with its other half."""

    def __init__(self, part: Part):
        super().__init__(part.disclosure.source, part.message)
        self.part = part

    def __reduce__(self):  # travels back from a reading worker process
        return (PartOfDisclosure, (self.part,))


def _table_total(d: Disclosure, fact: str) -> float | None:
    for key, names in TIES[fact]:
        t = d.table(key)
        if t is None:
            continue
        for r in t.rows:
            for name in (r.name, r.name_right):
                if name and name.replace(" ", "") in names:
                    values = r.values
                    column = COLUMN_OF.get(fact)
                    if column:
                        return values.get(column)
                    side = [c.key for c in t.columns if c.side == ("收入" if "收入" in fact else "支出")]
                    keys = side or [c.key for c in t.columns]
                    got = [values[k] for k in keys if k in values]
                    if got:
                        return got[0]
    return None


def agreement(tables: Disclosure, narrative: Disclosure) -> tuple[int, list[str]]:
    """How many of the narrative's totals the tables print (to the narrative's precision), and
    the ones that disagree."""
    agree, disagree = 0, []
    for fact in TIES:
        f = narrative.fact(fact)
        total = _table_total(tables, fact)
        if f is None or total is None:
            continue
        decimals = len(f"{f.value}".rstrip("0").split(".")[1]) if "." in f"{f.value}".rstrip("0") else 0
        if abs(f.value - total) < max(10 ** -min(decimals, 2), 0.006):
            agree += 1
        else:
            disagree.append(f"{fact}：情况说明 {f.value}，报表 {total}")
    return agree, disagree


def join(tables: Disclosure, narrative: Disclosure) -> Disclosure:
    """The two parts as one disclosure: the tables, and the narrative's identity and text."""
    from .assemble import disclosure
    from .narrative import Narrative

    story = Narrative(
        facts=narrative.facts,
        passages=narrative.passages,
        duties=narrative.duties,
        definitions=narrative.definitions,
        indicators=narrative.indicators,
        tables=[],
    )
    own = {t.key for t in tables.tables}
    d = disclosure(
        narrative.department, narrative.year, narrative.kind,
        tables.tables + [t for t in narrative.tables if t.key not in own], story,
        [w for w in tables.warnings if w.check == "structure"],
        source=f"{narrative.source} + {tables.source}", source_format=tables.source_format,
        scope=narrative.scope,
        identity=narrative.identity + [f"报表：{tables.source}（情况说明所写的收支总数与报表一致，合为一份公开）"],
    )
    d.source_sha256 = narrative.source_sha256 + tables.source_sha256
    return d


def pair(parts: list[Part]) -> tuple[list[Disclosure], list[str]]:
    """Join each tables part with the one narrative part whose figures it prints; what finds no
    partner (or more than one) is reported with its reason."""
    tables = [p for p in parts if p.what == "tables"]
    stories = [p for p in parts if p.what == "narrative"]
    joined: list[Disclosure] = []
    used: set[int] = set()
    errors: list[str] = []
    for t in tables:
        fits = []
        for n, s in enumerate(stories):
            agree, disagree = agreement(t.disclosure, s.disclosure)
            if agree >= MIN_TIES and not disagree and n not in used:
                fits.append(n)
        if len(fits) == 1:
            used.add(fits[0])
            joined.append(join(t.disclosure, stories[fits[0]].disclosure))
        elif len(fits) > 1:
            errors.append(f"{t.disclosure.source}: {t.message}（有 {len(fits)} 份情况说明与它的数字相符，无法确定是哪一份）")
        else:
            errors.append(f"{t.disclosure.source}: {t.message}")
    errors += [f"{s.disclosure.source}: {s.message}" for n, s in enumerate(stories) if n not in used]
    return joined, errors
