"""Where the names of loaded bodies are looked up: each form a question may name a body by
(body_names.short_forms, as a question writes it) → the bodies, the bodies of each place, and
the forms that name no place (what a misspelt mention is compared with).

Two lookups answer alike. `BodyIndex` holds them in memory: what a load builds and stores, and
what an engine builds for itself from a base derived by other rules. `StoredBodies` reads them
from the store by key (store/catalog.py) when a question needs them: an engine on a base of
any size opens without reading any, and keeps what it read (bounded)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Protocol

from .body_names import index_bodies, placeless_forms, places_held

if TYPE_CHECKING:
    from .store import Connection

PLACES_KEPT = 4096  # places whose bodies an engine keeps
# A form naming more bodies than this (乡村振兴局, 县教育局: every county's) is common: an engine
# knows how many it names and reads them only when a question names a body by it. There are as
# many such forms as kinds of bodies (141 at 100,000 disclosures), and they were half the rows a
# question's lookup returned.
COMMON = 8


class Bodies(Protocol):
    lengths: tuple[int, int]  # the shortest and longest form
    edges: tuple[str, str]  # the characters forms start with, and those they end with

    def named(self, forms: Iterable[str]) -> dict[str, list[str]]:
        """Of these forms, those that name loaded bodies → the bodies, in name order."""
        ...

    def lookup(self, forms: Iterable[str]) -> dict[str, list[str] | int]:
        """Of these forms, those that name loaded bodies → the bodies, or how many they are for a
        common form (read them with `named` when it is used)."""
        ...

    def of_place(self, place: str) -> list[str]:
        """The loaded bodies whose name holds a place (its full name), in name order."""
        ...

    def placeless(self) -> list[str]:
        """The forms that name no place, longest first."""
        ...

    def __len__(self) -> int: ...


def longest_first(forms: Iterable[str]) -> list[str]:
    return sorted(forms, key=lambda f: (-len(f), f))


def edges(forms: Iterable[str], given: Iterable[str] = ("", "")) -> tuple[str, str]:
    """The characters forms start with and end with (with those `given`), each in one string:
    a part of a question that does not start and end so names no body, and is not looked up (of a
    question's ~250 parts, the ~5 that end in 局…). As many as the characters, not the forms."""
    starts, ends = (set(s) for s in given)
    for f in forms:
        starts.add(f[0])
        ends.add(f[-1])
    return "".join(sorted(starts)), "".join(sorted(ends))


@dataclass
class BodyIndex:
    """Every body's forms and places in memory (`build`)."""

    forms: dict[str, list[str]] = field(default_factory=dict)
    places: dict[str, list[str]] = field(default_factory=dict)  # full place name → bodies
    placeless_forms: list[str] = field(default_factory=list)
    lengths: tuple[int, int] = (0, 0)
    edges: tuple[str, str] = ("", "")
    common: dict[str, int] = field(default_factory=dict)  # form → bodies, of the common forms

    @classmethod
    def build(cls, departments: Iterable[str], place_forms: dict[str, str], as_asked: Callable[[str], str]) -> BodyIndex:
        """The index of these bodies; `place_forms` (曲阳 and 曲阳县 → 曲阳县) is filled as well."""
        index = cls()
        departments = sorted(set(departments))
        index_bodies(departments, index.forms, place_forms, as_asked)
        index.add_places(departments, set(place_forms.values()))
        index.placeless_forms = longest_first({as_asked(f) for d in departments for f in placeless_forms(d)})
        index.lengths = (min(map(len, index.forms)), max(map(len, index.forms))) if index.forms else (0, 0)
        index.common = {f: len(bodies) for f, bodies in index.forms.items() if len(bodies) > COMMON}
        index.edges = edges(index.forms)
        return index

    def add_places(self, departments: Iterable[str], places: set[str]) -> None:
        for d in departments:
            for p in places_held(d, places):
                self.places.setdefault(p, []).append(d)
        for bodies in self.places.values():
            bodies.sort()

    def named(self, forms: Iterable[str]) -> dict[str, list[str]]:
        return {f: self.forms[f] for f in forms if f in self.forms}

    def lookup(self, forms: Iterable[str]) -> dict[str, list[str] | int]:
        return {f: self.forms[f] for f in forms if f in self.forms}

    def of_place(self, place: str) -> list[str]:
        return self.places.get(place, [])

    def placeless(self) -> list[str]:
        return self.placeless_forms

    def __len__(self) -> int:
        return len(self.forms)


class StoredBodies:
    """The same lookups, read from the store by key when asked."""

    def __init__(self, conn: Connection, lengths: tuple[int, int], edges: tuple[str, str], count: int, common: dict[str, int]):
        from .store import catalog

        self.lengths = lengths
        self.edges = edges
        self._count = count
        self._common = common
        self._conn = conn
        # the cache calls the store, not a method: no cycle through the engine (see Library.doc)
        self._of_place = lru_cache(maxsize=PLACES_KEPT)(partial(catalog.bodies_of_place, conn))
        self._placeless: list[str] | None = None

    def named(self, forms: Iterable[str]) -> dict[str, list[str]]:
        from .store import catalog

        return catalog.bodies_named(self._conn, forms)

    def lookup(self, forms: Iterable[str]) -> dict[str, list[str] | int]:
        from .store import catalog

        forms = set(forms)
        found: dict[str, list[str] | int] = {f: self._common[f] for f in forms & self._common.keys()}
        found.update(catalog.bodies_named(self._conn, forms - self._common.keys()))
        return found

    def of_place(self, place: str) -> list[str]:
        return list(self._of_place(place))

    def placeless(self) -> list[str]:
        if self._placeless is None:  # read at the first misspelt mention, not at every start
            from .store import derived

            self._placeless = derived(self._conn, "placeless_forms") or []
        return self._placeless

    def __len__(self) -> int:
        return self._count
