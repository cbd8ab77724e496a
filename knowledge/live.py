"""The engine over a knowledge base that loads replace while it runs (a bot, a server).

A load swaps a new file in by rename (store/files.py); the file at the path then has another
inode and mtime. On a server base every load's derivation raises `meta.generation`
(store/postgres.py), which is the signature there. `LiveEngine.current()` looks at the file at most once a second and, when it has
changed, opens an engine on the new base and answers from it; if the new base cannot be opened
the old engine keeps answering and the problem is logged. `/reload` forces the same."""

from __future__ import annotations

import gc
import logging
import os
import time
from pathlib import Path

from . import store
from .engine import Engine
from .store import KnowledgeBaseError
from .store.postgres import shown

log = logging.getLogger(__name__)


def signature(kb: Path | str, engine: Engine | None = None) -> tuple[int, ...] | None:
    """What changes when a load changes the base: a file's inode, mtime and size; a server
    base's generation (read through the engine's own session)."""
    if isinstance(kb, str):
        if engine is None:
            return None
        try:
            return (store.postgres.generation(engine.conn),)  # type: ignore[arg-type]
        except KnowledgeBaseError as e:
            log.warning("cannot tell whether the knowledge base changed: %s", e)
            return None
    try:
        st = os.stat(kb)
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def open_for_serving(path: str | Path) -> Engine:  # a file, or a PostgreSQL URL
    """An engine for a process that answers many questions (a bot, a server, `ask` over stdin):
    the process's garbage collector is tuned here, at its entry points, never inside a load.

    What the engine builds (vocabulary, document list) lives as long as it: the collector does not
    run while it is built (collecting while it grows was a quarter of the open), and is kept from
    walking it on every full collection afterwards (gc.freeze; those walks were the 14 ms p99 of
    a 1,000-document base, 1.9 ms without them) and runs less often (answers make little cyclic
    garbage; a full collection over a warm cache of documents took ~8 ms at 10,000)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        engine = Engine.open(path)
    finally:
        if collecting:
            gc.enable()
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
    return engine


class LiveEngine:
    def __init__(self, path: str | Path, check_every: float = 1.0):
        self.path: Path | str = path if store.is_server(path) else Path(path)
        self.check_every = check_every
        self.engine = open_for_serving(self.path)
        self._signature = signature(self.path, self.engine)
        self._checked = time.monotonic()
        self.generation = 1  # how many bases this has answered from

    def current(self) -> Engine:
        """The engine for the base at the path now (reopened when a load replaced it)."""
        now = time.monotonic()
        if now - self._checked >= self.check_every:
            self._checked = now
            found = signature(self.path, self.engine)
            if found is not None and found != self._signature:
                try:
                    self._open(found)
                except KnowledgeBaseError as e:
                    log.warning("knowledge base changed but cannot be opened, still answering from the old one: %s", e)
                    self._signature = found  # do not retry on every question; the next change retries
        return self.engine

    def reload(self) -> Engine:
        """Open the base again now, whatever its file says (raises KnowledgeBaseError)."""
        self._open(signature(self.path, self.engine))  # taken before opening: a load meanwhile is seen next time
        return self.engine

    def _open(self, found: tuple[int, ...] | None) -> None:
        engine = open_for_serving(self.path)
        old, self.engine, self._signature = self.engine, engine, found
        self.generation += 1
        log.info("knowledge base reloaded: %s (%d documents)", shown(self.path), engine.catalog.documents)
        # the old connection is not closed here: an answer thread may still be reading from it; it
        # closes when the last answer using the old engine lets go of it
        del old
        # engines opened for serving are frozen (gc.freeze, open_for_serving); let the collector have the old one's
        gc.unfreeze()
        gc.collect()
        gc.freeze()
