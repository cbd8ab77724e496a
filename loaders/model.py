"""The neutral model every loader produces: plain dataclasses, no I/O.

A `Disclosure` is one department's budget (预算) or final accounts (决算) for one year: its
standard tables, the facts stated in its narrative (情况说明), its 名词解释 definitions and its
绩效目标 indicators. The knowledge base stores exactly this; the answer engine reads it back.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Column:
    """One value column of a table.

    `key` is the leaf header as people say it (财政拨款收入, 基本支出, 人员经费); `label` is the
    flattened multi-level header (本年收入/财政拨款收入); `number` is the 栏次 printed under it.
    Two-sided tables (收支总表) put each column on a `side` (收入 or 支出).
    """

    key: str
    label: str
    number: int | None = None
    side: str | None = None


@dataclass
class Ambiguity:
    """A value whose column the table's arithmetic could not fix: never guessed."""

    value: float
    candidates: list[str]


@dataclass
class Row:
    """One row: 序号, 科目编码, 科目名称 and the values placed in their columns.

    `values` maps column key → value for the cells the loader is certain of; a column missing
    from `values` is an empty cell (0), unless it is listed among an ambiguity's candidates.
    Two-sided tables carry the 收入 item in `name` and the 支出 item in `name_right`.
    """

    number: int
    name: str
    code: str | None = None
    values: dict[str, float] = field(default_factory=dict)
    ambiguous: list[Ambiguity] = field(default_factory=list)
    name_right: str | None = None
    texts: dict[str, str] = field(default_factory=dict)
    page: int | None = None
    line: int | None = None
    parent: int | None = None  # the number of the row this one is a part of, when the layout says so

    @property
    def full_name(self) -> str:
        return " ".join(n for n in (self.name, self.name_right) if n)

    def is_certain(self, column: str) -> bool:
        return not any(column in a.candidates for a in self.ambiguous)


@dataclass
class Table:
    """A table as published: `key` names its kind (收支总表, 支出总表, 三公经费表…)."""

    key: str
    title: str
    columns: list[Column]
    rows: list[Row] = field(default_factory=list)
    note: str | None = None
    page: int | None = None
    line: int | None = None
    label_columns: list[str] = field(default_factory=list)
    unit: str = "万元"  # the unit the table is printed in; values are always stored in 万元

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)

    def row_by_number(self, number: int) -> Row | None:
        return next((r for r in self.rows if r.number == number), None)


@dataclass
class NarrativeFact:
    """A figure stated in the narrative, with the sentence it comes from.

    `key` is a stable name (收入总额, 项目支出比上年增减, 三公经费…); `value` is signed for
    changes (a 下降 is negative); `reason` holds the stated cause of a change.
    """

    section: str
    key: str
    value: float
    unit: str
    text: str
    reason: str | None = None
    page: int | None = None


@dataclass
class Passage:
    """A paragraph of the narrative under its section heading: for description questions."""

    section: str
    text: str
    page: int | None = None


@dataclass
class Definition:
    """One 名词解释 term and its explanation."""

    number: int
    term: str
    text: str
    page: int | None = None


@dataclass
class Indicator:
    """One line of a 绩效目标表: project, indicator levels, indicator, value, unit, basis."""

    project: str
    goal: str
    level1: str
    level2: str
    level3: str
    description: str
    value_text: str
    value: float | None
    unit: str
    basis: str
    page: int | None = None


@dataclass
class Warning_:
    """A check that failed at load time: the disclosure still loads."""

    check: str
    message: str
    table: str | None = None
    row: int | None = None
    expected: float | None = None
    found: float | None = None


@dataclass
class Disclosure:
    department_code: str | None
    department: str
    year: int
    kind: str  # 预算 or 决算
    unit: str
    tables: list[Table] = field(default_factory=list)
    facts: list[NarrativeFact] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    duties: list[str] = field(default_factory=list)
    definitions: list[Definition] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    warnings: list[Warning_] = field(default_factory=list)
    source: str = ""
    source_sha256: str = ""
    source_format: str = "text"
    scope: str = "部门"  # 部门 (a department's consolidated disclosure) or 单位 (one unit's, e.g. …（本级）)
    identity: list[str] = field(default_factory=list)  # where body, year, kind and scope were read

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables if t.key == key), None)

    def fact(self, key: str) -> NarrativeFact | None:
        return next((f for f in self.facts if f.key == key), None)
