"""Building a knowledge base: the store writes the documents (all or nothing, knowledge/store),
and this step derives, in the same transaction, what an engine needs at start — the vocabulary
snapshot, which documents define each term, the document index and every document's key
figures — under the rules version (key_figures.rules: the catalogue, the places and the rule
modules). A base derived by other rules is derived again on the next write.

The store never calls up into the engine: the derivation is handed to it (`build.write(...,
derive=DERIVE)`), and `write` here is what every loader of a base calls."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

from loaders.model import Disclosure

from . import store
from .key_figures import Prepared, prepare, rebuild, rules
from .store.read import document_index_rows, first_definers, vocabulary_sources
from .store.write import WriteResult
from .vocabulary import Vocabulary


class Derivation:
    """What a load derives (a `store.Deriver`), keyed by the rules version."""

    def stale(self, conn: store.Connection) -> bool:
        """Whether the base was derived by other rules (then everything is derived again)."""
        row = conn.execute("SELECT data FROM derived WHERE key = 'vocabulary'").fetchone()
        return row is not None and json.loads(zlib.decompress(row[0])).get("rules") != rules()

    def prepare(self, conn: store.Connection, written: list[str]) -> Prepared | None:
        """What a worker computes of its documents before the derivation, outside its lock."""
        return prepare(conn, written)

    def __call__(self, conn: store.Connection, written: list[str], prepared: object = None) -> None:
        derived = {
            "vocabulary": Vocabulary.from_sources(vocabulary_sources(conn)).snapshot() | {"rules": rules()},
            "first_definers": first_definers(conn),
            "documents": document_index_rows(conn),
        }
        conn.execute("DELETE FROM derived WHERE key = 'definitions'")  # what schema 7 bases stored before first_definers
        for key, value in derived.items():
            store.put_derived(conn, key, value)
        rebuild(conn, written, prepared if isinstance(prepared, Prepared) else None)


DERIVE = Derivation()


def write(kb: str | Path, disclosures: list[Disclosure]) -> list[WriteResult]:
    """Store the disclosures and derive what they change (see `store.write`): `kb` a file, or a
    PostgreSQL URL."""
    return store.write(kb, disclosures, derive=DERIVE)
