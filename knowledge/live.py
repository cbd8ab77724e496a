"""The engine over a knowledge base that loads replace while it runs (a bot, a server).

A load swaps a new file in by rename (store/files.py); the file at the path then has another
inode and mtime. `LiveEngine.current()` looks at the file at most once a second and, when it has
changed, opens an engine on the new base and answers from it; if the new base cannot be opened
the old engine keeps answering and the problem is logged. `/reload` forces the same."""

from __future__ import annotations

import gc
import logging
import os
import time
from pathlib import Path

from .engine import Engine
from .store import KnowledgeBaseError

log = logging.getLogger(__name__)


def signature(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


class LiveEngine:
    def __init__(self, path: str | Path, check_every: float = 1.0):
        self.path = Path(path)
        self.check_every = check_every
        self._signature = signature(self.path)
        self.engine = Engine.open(self.path)
        self._checked = time.monotonic()
        self.generation = 1  # how many bases this has answered from

    def current(self) -> Engine:
        """The engine for the base at the path now (reopened when a load replaced it)."""
        now = time.monotonic()
        if now - self._checked >= self.check_every:
            self._checked = now
            found = signature(self.path)
            if found is not None and found != self._signature:
                try:
                    self._open(found)
                except KnowledgeBaseError as e:
                    log.warning("knowledge base changed but cannot be opened, still answering from the old one: %s", e)
                    self._signature = found  # do not retry on every question; the next change retries
        return self.engine

    def reload(self) -> Engine:
        """Open the base again now, whatever its file says (raises KnowledgeBaseError)."""
        self._open(signature(self.path))
        return self.engine

    def _open(self, found: tuple[int, int, int] | None) -> None:
        engine = Engine.open(self.path)
        old, self.engine, self._signature = self.engine, engine, found
        self.generation += 1
        log.info("knowledge base reloaded: %s (%d documents)", self.path, len(engine.documents))
        # the old connection is not closed here: an answer thread may still be reading from it; it
        # closes when the last answer using the old engine lets go of it
        del old
        # engines freeze what they build (gc.freeze, base.py); let the collector have the old one's
        gc.unfreeze()
        gc.collect()
        gc.freeze()
