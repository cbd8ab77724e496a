"""What is loaded, as an engine reads it: how many documents and bodies, the newest year, and the
documents' index entries (id, department, year, kind, scope) of the bodies a question names,
read from the store by key (store/catalog.py) and kept for the next question, a bounded number.

An engine opens by reading a few counts, whatever the size of the base: at 100,000 disclosures
every entry read at start was 0.4 s and tens of MB in every answerer (issue 21)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from . import store
from .store import catalog as stored
from .store.read import kind_bodies, kind_counts

BODIES_KEPT = 4096  # bodies whose entries an engine keeps


class Catalog:
    def __init__(self, conn: store.Connection, pending: bool):
        self.conn = conn
        summary = None if pending else store.derived(conn, "catalog")  # counted by the load
        if summary is None:  # a base written, not yet derived (or from before the catalog)
            summary = stored.summary(conn)
        self.documents: int = summary["documents"]
        self.bodies: int = summary["bodies"]
        self.newest_year: int | None = summary["newest_year"]
        self._entries: dict[str, list[dict[str, Any]]] = {}
        self._kinds: list[list[Any]] | None = None if pending else store.derived(conn, "kinds")
        self._kind_bodies: list[list[Any]] | None = None if pending else store.derived(conn, "kind_bodies")

    def of_bodies(self, bodies: Iterable[str]) -> list[dict[str, Any]]:
        """The documents of these bodies, in document order (department, year)."""
        names = sorted(set(bodies))
        missing = [b for b in names if b not in self._entries]
        if missing:
            if len(self._entries) + len(missing) > BODIES_KEPT:
                self._entries.clear()
            found = stored.entries_of(self.conn, missing)
            for b in missing:
                self._entries[b] = found.get(b, [])
        return [d for b in names for d in self._entries.get(b, [])]

    def entry(self, doc_id: str) -> dict[str, Any] | None:
        return stored.entry(self.conn, doc_id)

    def every(self) -> Iterator[dict[str, Any]]:
        """Every document's entry, in document order: for what reads every document anyway."""
        return stored.every_entry(self.conn)

    def named_from(self, name: str) -> list[dict[str, Any]]:
        """The documents of a body and of its names with a bracket after (…（本级）)."""
        return stored.of_prefix(self.conn, name)

    def first_bodies(self, limit: int, year: int | None = None) -> tuple[list[str], int]:
        """The first bodies in name order (of a year), and how many there are."""
        names = stored.first_bodies(self.conn, limit, year)
        return names, self.bodies if year is None else stored.count_bodies(self.conn, year)

    def only_body(self) -> list[str]:
        """The one body loaded, when only one is ([] otherwise)."""
        return stored.first_bodies(self.conn, 1) if self.bodies == 1 else []

    def bodies_of_kind(self) -> dict[tuple[str, str], int]:
        """How many bodies have a document of each kind and scope: counted by the load, else once here."""
        if self._kind_bodies is None:
            self._kind_bodies = kind_bodies(self.conn)
        return {(kind, scope): n for kind, scope, n in self._kind_bodies}

    def kinds(self) -> list[list[Any]]:
        """(year, kind, scope, documents) of every year: counted by the load, else once here."""
        if self._kinds is None:
            self._kinds = kind_counts(self.conn)
        return self._kinds
