"""The subject catalogue: what people ask about, each subject stated once (data/subjects.toml).

A subject has a name (the row name or narrative key the knowledge base uses), the words people
type for it, the parts it is the sum of, the tables and rows that hold it under other names, and
how its table prints it. The loaders' checks and the engine (vocabulary, parse, figures, listing,
key figures) read the records here; the handful of subjects code must name (the “三公” family,
the totals) are the constants at the end, the only place their names are written in code."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from .template import TableKind


@dataclass(frozen=True)
class Where:
    """Rows of a table kind that hold a subject under their own names (and the column, if one)."""

    table: TableKind
    names: tuple[str, ...]
    column: str | None = None


@dataclass(frozen=True)
class Subject:
    name: str
    words: tuple[str, ...] = ()
    also: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()
    rows: tuple[Where, ...] = ()
    fallback: tuple[Where, ...] = ()
    fact: str | None = None
    whole_item: bool = False
    topic: bool = False
    standing: bool = False


def _where(items: list[dict[str, Any]]) -> tuple[Where, ...]:
    return tuple(Where(TableKind(w["table"]), tuple(w["names"]), w.get("column")) for w in items)


@cache
def _data() -> dict[str, Any]:
    return tomllib.loads(files("loaders.data").joinpath("subjects.toml").read_text(encoding="utf-8"))


@cache
def catalogue() -> dict[str, Subject]:
    """Every subject by name, in the file's order (a word standing for several subjects lists
    them in that order)."""
    out: dict[str, Subject] = {}
    for s in _data()["subject"]:
        if s["name"] in out:
            raise ValueError(f"subjects.toml: {s['name']} is stated twice")
        out[s["name"]] = Subject(
            name=s["name"],
            words=tuple(s.get("words", ())),
            also=tuple(s.get("also", ())),
            parts=tuple(s.get("parts", ())),
            rows=_where(s.get("rows", [])),
            fallback=_where(s.get("fallback", [])),
            fact=s.get("fact"),
            whole_item=s.get("whole_item", False),
            topic=s.get("topic", False),
            standing=s.get("standing", False),
        )
    unknown = {p for s in out.values() for p in s.parts} - set(out)
    if unknown:
        raise ValueError(f"subjects.toml: parts that are no subject: {sorted(unknown)}")
    return out


def subject(name: str) -> Subject:
    return catalogue()[name]


def leaves(name: str) -> tuple[str, ...]:
    """The parts a subject is made of, each part broken into its own parts (三公经费 → 因公出国（境）费,
    公务接待费, 公务用车购置费, 公务用车运行维护费)."""
    s = subject(name)
    if not s.parts:
        return (name,)
    return tuple(leaf for p in s.parts for leaf in leaves(p))


def within(name: str) -> tuple[str, ...]:
    """Every subject inside this one, at any depth, with the other names they are printed by."""
    out: list[str] = []
    for p in subject(name).parts:
        out += [p, *subject(p).also, *within(p)]
    return tuple(dict.fromkeys(out))


def synonyms() -> dict[str, tuple[str, ...]]:
    """What people type → the subjects it stands for."""
    out: dict[str, tuple[str, ...]] = {}
    for s in catalogue().values():
        for w in s.words:
            out[w] = (*out.get(w, ()), s.name)
    return out


def containing() -> dict[str, str]:
    return dict(_data()["containing"])


def table_words() -> dict[str, TableKind]:
    return {word: TableKind(kind) for word, kind in _data()["table_words"].items()}


def ranked() -> tuple[str, ...]:
    return tuple(_data()["ranking"]["measures"])


def narrative_patterns() -> list[tuple[str, str]]:
    """How a narrative names a subject: (pattern, key), tried in the file's order."""
    return [(n["pattern"], n["key"]) for n in _data()["narrative"]]


def topics() -> tuple[str, ...]:
    return tuple(s.name for s in catalogue().values() if s.topic)


def standing() -> tuple[str, ...]:
    return tuple(s.name for s in catalogue().values() if s.standing)


# The subjects code names: the “三公” family (its checks and its list answer) and the totals.
THREE_PUBLIC = subject("三公经费").name
CARS = subject("公务用车购置及运行费").name
RUNNING_COSTS = subject("机关运行经费").name
EXPENSE_TOTAL = subject("支出总计").name
INCOME_TOTAL = subject("收入总计").name
