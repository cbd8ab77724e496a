"""Building a knowledge base: the store writes the documents (all or nothing, knowledge/store),
and this step derives, in the same transaction, what an engine reads — the vocabulary snapshot,
the bodies' forms and places (rows an engine looks up by key), which documents define each term,
the counts of what is loaded and every document's key figures — under the rules version (key_figures.rules: the catalogue, the places and the rule
modules). A base derived by other rules is derived again on the next write.

The store never calls up into the engine: the derivation is handed to it (`build.write(...,
derive=DERIVE)`), and `write` here is what every loader of a base calls."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from loaders.model import Disclosure

from . import store
from .bodies import COMMON, BodyIndex, edges, longest_first
from .body_names import index_bodies, placeless_forms
from .key_figure_table import Prepared, prepare, rebuild
from .key_figures import rules
from .store import catalog
from .store.read import first_definers, kind_bodies, kind_counts, vocabulary_sources
from .store.schema import fill_sources
from .store.write import WriteResult
from .vocabulary import Vocabulary, as_asked


class Derivation:
    """What a load derives (a `store.Deriver`), keyed by the rules version. A load pays for what it
    adds: the vocabulary is derived again only when the load added a name it did not have (from
    the vocabulary sources, a few thousand values, not the rows), which documents first define
    each term only for the documents written; a base derived by other rules is derived whole."""

    def stale(self, conn: store.Connection) -> bool:
        """Whether the base was derived by other rules, or by unrecorded ones (then everything is
        derived again)."""
        by = store.derived(conn, "derived_by")
        if by is not None:
            return bool(by.get("rules") != rules())
        # derived with no record of by what: before the record, or upgraded since (schema.upgrade)
        return conn.execute("SELECT 1 FROM derived WHERE key = 'vocabulary'").fetchone() is not None

    def prepare(self, conn: store.Connection, written: list[str]) -> Prepared | None:
        """What a worker computes of its documents before the derivation, outside its lock."""
        return prepare(conn, written)

    def __call__(self, conn: store.Connection, written: list[str], prepared: object = None) -> None:
        whole = self.stale(conn) or store.derived(conn, "derived_by") is None
        if whole:
            fill_sources(conn)  # exactly what the base holds now (a write only ever adds sources)
        sources = store.sources_count(conn)
        by = store.derived(conn, "derived_by") or {}
        if whole:
            self._whole(conn)
        elif by.get("terms") != sources["terms"] or by.get("bodies") != sources["bodies"]:
            self._added(conn, by, sources, written)
        definers = None if whole else store.derived(conn, "first_definers")
        store.put_derived(conn, "first_definers", first_definers(conn) if definers is None else self._definers(conn, definers, written))
        store.put_derived(conn, "catalog", catalog.summary(conn))
        store.put_derived(conn, "kinds", kind_counts(conn))
        store.put_derived(conn, "kind_bodies", kind_bodies(conn))
        store.put_derived(conn, "derived_by", {"rules": rules(), **sources})
        # what older versions stored: the definitions (schema 7), every document's entry (schema 9)
        conn.execute("DELETE FROM derived WHERE key IN ('definitions', 'documents')")
        rebuild(conn, written, prepared if isinstance(prepared, Prepared) else None)

    @staticmethod
    def _whole(conn: store.Connection) -> None:
        """The vocabulary and the bodies' index, from every source."""
        vocab = Vocabulary.from_sources(vocabulary_sources(conn))
        bodies = vocab.bodies
        assert isinstance(bodies, BodyIndex)
        catalog.write_bodies(conn, bodies.forms, bodies.places, whole=True)
        store.put_derived(conn, "placeless_forms", bodies.placeless_forms)
        lengths = list(bodies.lengths)
        forms = {"form_lengths": lengths, "form_edges": list(bodies.edges), "common_forms": bodies.common}
        store.put_derived(conn, "vocabulary", vocab.snapshot() | {"rules": rules(), **forms})

    def _added(self, conn: store.Connection, by: dict[str, Any], sources: dict[str, int], written: list[str]) -> None:
        """The stored vocabulary with what the written documents added: its terms built again
        when a name was added (from the names, a few thousand: terms never depend on bodies),
        and the forms and places of the bodies they brought added to the stored ones — not every
        body's again (18 s at 100,000) — unless a place form would change meaning or the bodies
        added are not all the written documents' (then the whole vocabulary)."""
        snapshot = store.derived(conn, "vocabulary")
        if "form_edges" not in snapshot:  # derived before the bodies' index was stored
            return self._whole(conn)
        if by.get("terms") != sources["terms"]:
            names = vocabulary_sources(conn)
            names.departments = []
            snapshot["terms"] = Vocabulary.from_sources(names).snapshot()["terms"]
        if by.get("bodies") != sources["bodies"]:
            bodies = {department for department, _, _ in store.document_order(conn, written).values()}
            known = catalog.bodies_named(conn, [as_asked(b) for b in bodies])
            new = sorted(b for b in bodies if b not in known.get(as_asked(b), []))
            places = snapshot["places"]
            before = set(places.values())
            index = BodyIndex()
            if by.get("bodies", -1) + len(new) != sources["bodies"] or not index_bodies(new, index.forms, places, as_asked, adding=True):
                return self._whole(conn)
            index.add_places(new, set(places.values()))
            for place in set(places.values()) - before:  # a place come to be known: the bodies loaded before that hold it
                index.places.setdefault(place, []).extend(b for b in catalog.bodies_holding(conn, place) if b not in new)
            catalog.write_bodies(conn, index.forms, index.places, whole=False)
            placeless = set(store.derived(conn, "placeless_forms") or []) | {as_asked(f) for d in new for f in placeless_forms(d)}
            store.put_derived(conn, "placeless_forms", longest_first(placeless))
            lengths = [len(f) for f in index.forms] + [n for n in snapshot["form_lengths"] if n]
            common = snapshot["common_forms"] | {f: n for f, n in catalog.forms_counted(conn, index.forms).items() if n > COMMON}
            snapshot |= {
                "places": dict(sorted(places.items())),
                "form_lengths": [min(lengths), max(lengths)],
                "form_edges": list(edges(index.forms, snapshot["form_edges"])),
                "common_forms": dict(sorted(common.items())),
            }
        store.put_derived(conn, "vocabulary", snapshot)

    @staticmethod
    def _definers(conn: store.Connection, current: dict[str, str], written: list[str]) -> dict[str, str]:
        """The first definer of each term, given the documents written: a written document
        that comes earlier in document order (department, year, id) than a term's definer now
        takes its place (what `first_definers` over the whole base gives)."""
        found = first_definers(conn, among=written)
        order = store.document_order(conn, sorted(set(current.values()) | set(found.values())))
        for term, doc in found.items():
            if term not in current or order[doc] < order.get(current[term], order[doc]):
                current[term] = doc
        return current


DERIVE = Derivation()


def write(kb: str | Path, disclosures: list[Disclosure]) -> list[WriteResult]:
    """Store the disclosures and derive what they change (see `store.write`): `kb` a file, or a
    PostgreSQL URL."""
    return store.write(kb, disclosures, derive=DERIVE)
