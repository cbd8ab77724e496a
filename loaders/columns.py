"""Placing values in columns when the source dropped the empty cells.

Text copied out of a PDF keeps the values of a row in order but loses the empty cells, so
`10 213 农林水支出 6466.60 109.60 6357.00` carries three of eight columns. A placement picks,
for each row, which columns its values sit in (keeping their order). This module finds every
placement the table's own arithmetic allows:

- row identities: a 合计/小计 column equals the sum of the columns it totals;
- column identities: a parent row equals the sum of its children, the 合计 row the sum of the
  top rows, in every column;
- anchors: column totals known from elsewhere in the disclosure (another table, the narrative),
  and columns known to be empty (a fund with no money).

Values are compared in integer cents. A constraint that no placement satisfies is skipped (the
table contradicts itself; the checks report it) rather than allowed to empty a row. What is left
with several placements keeps its certain cells and lists the rest as ambiguous — never a guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from .model import Ambiguity

# How many partial sums one column constraint may track before it gives up pruning (it then
# prunes nothing, which is always safe).
MAX_STATES = 20000


def cents(value: float) -> int:
    return int(round(value * 100))


@dataclass
class Identity:
    """Column `total` equals the sum of columns `parts` (indices into the table's columns)."""

    total: int
    parts: list[int]


@dataclass
class RowValues:
    """The values of one row as they were read, in groups that each fill a set of columns.

    A one-sided table has one group over all columns; a two-sided table (收入 | 支出) has one
    group per side, because each side's values follow that side's name.
    """

    groups: list[tuple[list[int], list[float]]]


@dataclass
class Placement:
    """The outcome for one row: certain cells by column index, and ambiguous values."""

    certain: dict[int, float] = field(default_factory=dict)
    ambiguous: list[tuple[float, list[int]]] = field(default_factory=list)
    consistent: bool = True


Option = tuple[tuple[int, int], ...]  # ((column, cents), ...) sorted by column


def _identities_hold(cells: dict[int, int], identities: Sequence[Identity], slack: int = 0) -> bool:
    for ident in identities:
        if ident.total not in cells and not any(p in cells for p in ident.parts):
            continue
        total = cells.get(ident.total, 0)
        parts = sum(cells.get(p, 0) for p in ident.parts)
        if abs(total - parts) > slack:
            return False
    return True


def row_options(row: RowValues, identities: Sequence[Identity]) -> list[Option]:
    """Every order-keeping placement of the row's values that satisfies the row identities."""
    per_group: list[list[dict[int, int]]] = []
    for columns, values in row.groups:
        if len(values) > len(columns):
            return []
        vals = [cents(v) for v in values]
        group_opts = []
        for chosen in combinations(columns, len(vals)):
            group_opts.append(dict(zip(chosen, vals, strict=True)))
        per_group.append(group_opts)
    options: list[Option] = []

    def walk(i: int, acc: dict[int, int]) -> None:
        if i == len(per_group):
            if _identities_hold(acc, identities, slack=len(acc)):
                options.append(tuple(sorted(acc.items())))
            return
        for opt in per_group[i]:
            walk(i + 1, {**acc, **opt})

    walk(0, {})
    return options


def _vector(option: Option, index: dict[int, int]) -> tuple[int, ...]:
    vec = [0] * len(index)
    for col, val in option:
        if col in index:
            vec[index[col]] = val
    return tuple(vec)


def _add(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(x + y for x, y in zip(a, b, strict=True))


def _sub(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(x - y for x, y in zip(a, b, strict=True))


def _prune_sum(options: list[list[Option]], parent: int, children: list[int], columns: list[int]) -> list[list[Option]] | None:
    """Keep the options of `parent` and `children` that take part in some assignment where the
    parent equals the sum of the children in every column. None when nothing fits or the search
    is too large to decide (then the caller leaves the options as they were)."""
    index = {c: i for i, c in enumerate(columns)}
    zero = tuple([0] * len(columns))
    child_vecs = [[_vector(o, index) for o in options[c]] for c in children]
    forward: list[set[tuple[int, ...]]] = [{zero}]
    for vecs in child_vecs:
        nxt = {_add(f, v) for f in forward[-1] for v in vecs}
        if len(nxt) > MAX_STATES:
            return None
        forward.append(nxt)
    backward: list[set[tuple[int, ...]]] = [{zero}]
    for vecs in reversed(child_vecs):
        nxt = {_add(b, v) for b in backward[-1] for v in vecs}
        if len(nxt) > MAX_STATES:
            return None
        backward.append(nxt)
    backward.reverse()  # backward[i] = sums of children i.. end
    parent_vecs = [_vector(o, index) for o in options[parent]]
    kept_parent = [o for o, v in zip(options[parent], parent_vecs, strict=True) if v in forward[-1]]
    if not kept_parent:
        return None
    targets = {_vector(o, index) for o in kept_parent}
    new = list(options)
    new[parent] = kept_parent
    for pos, child in enumerate(children):
        kept = []
        for opt, vec in zip(options[child], child_vecs[pos], strict=True):
            if any(_sub(_sub(t, vec), b) in forward[pos] for t in targets for b in backward[pos + 1]):
                kept.append(opt)
        if not kept:
            return None
        new[child] = kept
    return new


@dataclass
class Problem:
    """A whole table: its rows' values, its identities and what is known from elsewhere."""

    n_columns: int
    rows: list[RowValues]
    identities: list[Identity]
    sums: list[tuple[int, list[int]]] = field(default_factory=list)  # (parent row, child rows)
    zero_columns: set[int] = field(default_factory=set)
    anchors: dict[int, dict[int, float]] = field(default_factory=dict)  # row -> column -> value
    sum_columns: list[int] | None = None  # columns that add up down the table (default: all)


def solve(problem: Problem) -> list[Placement]:
    options = [row_options(r, problem.identities) for r in problem.rows]
    consistent = [bool(o) or not any(v for _, v in r.groups) for o, r in zip(options, problem.rows, strict=True)]

    def restrict(i: int, keep) -> None:
        kept = [o for o in options[i] if keep(dict(o))]
        if kept:
            options[i] = kept

    for i in range(len(options)):
        if problem.zero_columns:
            restrict(i, lambda cells: not any(cells.get(c) for c in problem.zero_columns))
    for i, known in problem.anchors.items():
        restrict(
            i,
            lambda cells, known=known: all(abs(cells.get(c, 0) - cents(v)) <= 1 for c, v in known.items()),
        )
    columns = problem.sum_columns or list(range(problem.n_columns))
    changed = True
    rounds = 0
    while changed and rounds < 20:
        changed = False
        rounds += 1
        for parent, children in problem.sums:
            if not children or not options[parent] or any(not options[c] for c in children):
                continue
            new = _prune_sum(options, parent, children, columns)
            if new is None:
                continue
            if any(len(a) != len(b) for a, b in zip(new, options, strict=True)):
                changed = True
                options = new
    return [_placement(opts, ok) for opts, ok in zip(options, consistent, strict=True)]


def _placement(options: list[Option], consistent: bool) -> Placement:
    if not options:
        return Placement(consistent=consistent)
    if len(options) == 1:
        return Placement(certain={c: v / 100 for c, v in options[0]}, consistent=consistent)
    # Several placements remain: the k-th value of the row sits in one of several columns.
    per_value: list[set[int]] = [set() for _ in options[0]]
    values = [v for _, v in options[0]]
    for opt in options:
        for k, (col, _) in enumerate(opt):
            per_value[k].add(col)
    placement = Placement(consistent=consistent)
    for k, cols in enumerate(per_value):
        if len(cols) == 1:
            placement.certain[next(iter(cols))] = values[k] / 100
        else:
            placement.ambiguous.append((values[k] / 100, sorted(cols)))
    return placement


def to_ambiguities(placement: Placement, keys: Sequence[str]) -> list[Ambiguity]:
    return [Ambiguity(value=v, candidates=[keys[c] for c in cols]) for v, cols in placement.ambiguous]


def subtotal_identities(members: Iterable[tuple[int, str]]) -> list[Identity]:
    """合计/小计 at the head of a group of columns totals the other members of the group."""
    members = list(members)
    if not members:
        return []
    head, name = members[0]
    if name in ("合计", "小计") or name.endswith("合计"):
        return [Identity(total=head, parts=[i for i, _ in members[1:]])]
    return []
