"""What is loaded, for every front (Telegram /sources, the HTTP API): the first documents with
their source and counts, and how many there are in all — never the whole list of a large base."""

from __future__ import annotations

from knowledge import store
from knowledge.engine import Engine

from .render import MAX_ITEMS, more_line


def sources(engine: Engine, limit: int = MAX_ITEMS) -> list[dict]:
    """The first `limit` loaded documents with their source and counts (document order)."""
    return [dict(d) for d in store.list_documents(engine.conn, limit)]


def sources_lines(engine: Engine) -> list[str]:
    """What is loaded, as a chat shows it: the first entries and a count of the rest."""
    total = engine.catalog.documents
    if not total:
        return ["知识库是空的。"]
    entries = [f"{d['department']} {d['year']}年{d['kind']}：{d['source_name']}（{d['tables']}张表，{d['rows']}行）" for d in sources(engine)]
    more = [more_line(total - len(entries), total)] if total > len(entries) else []
    return [f"已载入 {total} 份公开文件："] + entries + more
