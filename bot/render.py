"""Answer → text for the terminal, and → Telegram HTML messages. Rendering only: no lookups."""

from __future__ import annotations

import html
from collections.abc import Callable

from knowledge.answer import Answer

TELEGRAM_LIMIT = 4096
MAX_ITEMS = 30  # a list or ranking shows its first entries and how many more there are
MAX_TEXT = 400  # characters of a statement or source shown in a chat before "…"


def tg_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: an emoji counts twice)."""
    return len(text.encode("utf-16-le")) // 2


def shown_items(items: list[str], limit: int = MAX_ITEMS) -> tuple[list[str], str | None]:
    """The entries a chat shows, and the line that counts the rest."""
    if len(items) <= limit:
        return items, None
    return items[:limit], more_line(len(items) - limit, len(items))


def more_line(left: int, total: int) -> str:
    return f"……另有 {left} 项未列出（共 {total} 项）"


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + f"…（共 {len(text)} 字）"


def emphasised(answer: Answer, statement: str, start: str, end: str, escape: Callable[[str], str] = str) -> str:
    """The statement (as clipped for a front) escaped for its markup, with the answer's figure
    between `start` and `end` where the statement prints it (`Answer.figure_span`)."""
    span = answer.figure_span()
    if span is None or span[1] > len(statement.split("\n", 1)[0]):
        return escape(statement)
    a, b = span
    return escape(statement[:a]) + start + escape(statement[a:b]) + end + escape(statement[b:])


def render_text(answer: Answer) -> str:
    items, more = shown_items(answer.items)
    lines = [answer.statement.rstrip("：；。") + "：" if items else answer.statement]
    lines += [f"  · {item}" for item in items]
    if more:
        lines.append(f"  {more}")
    if answer.source:
        lines.append(f"来源：{answer.source}")
    if answer.disagreements:
        lines.append(answer.caution())
    if answer.status == "clarify" and answer.options:
        lines += [f"  {i}. {o}" for i, o in enumerate(answer.options, 1)]
    return "\n".join(lines)


def render_html(answer: Answer, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """One Telegram HTML message for an answer, from its fields: the statement with the figure in
    bold, a list's items one per line (the first MAX_ITEMS, then a count), the source in italics
    on a line of its own. Never over `limit`: entries are dropped from the end (and counted) and a
    statement too long for a chat is cut with "…" and its length."""
    statement = emphasised(answer, clip(answer.statement, limit * 3 // 8), "<b>", "</b>", lambda s: html.escape(s, quote=False))
    head = statement.split("\n")
    tail = [f"<i>来源：{html.escape(clip(answer.source, limit // 8), quote=False)}</i>"] if answer.source else []
    if answer.disagreements:
        tail.append(f"⚠️ {html.escape(clip(answer.caution(), limit // 8), quote=False)}")
    keep = min(len(answer.items), MAX_ITEMS)
    while True:
        items, more = shown_items(answer.items, keep)
        lines = head + [f"• {html.escape(clip(item, MAX_TEXT), quote=False)}" for item in items]
        lines += [html.escape(more, quote=False)] if more else []
        text = "\n".join(lines + tail)
        if tg_len(text) <= limit:
            return [text]
        if keep == 0:  # escaping made it longer (& → &amp;): plain text within a sixth of the limit
            return [html.escape(clip(answer.statement, limit // 6), quote=False)]
        keep = max(0, keep - max(1, keep // 4))


def pack(lines: list[str], limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Join lines into messages of at most `limit` characters. A line longer than that (plain
    escaped text, never a tag) is cut between characters, never inside an entity."""
    pieces: list[str] = []
    for line in lines:
        while tg_len(line) > limit:
            cut = limit
            while tg_len(line[:cut]) > limit:
                cut -= max(1, tg_len(line[:cut]) - limit)
            amp = line.rfind("&", 0, cut)
            if amp >= 0 and ";" not in line[amp:cut]:
                cut = amp
            pieces.append(line[:cut])
            line = line[cut:]
        pieces.append(line)
    messages: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}\n{piece}" if current else piece
        if tg_len(candidate) > limit:
            messages.append(current)
            current = piece
        else:
            current = candidate
    if current or not messages:
        messages.append(current or "…")
    return messages


def citation_line(answer: Answer) -> str:
    """Where an answer's figures stand, in one line a citizen can read: the engine's own source for
    a figure; for a breakdown or list, every row it shows, grouped by table and page."""
    rows = [c for c in answer.citations if c.row is not None]
    if not answer.items or len(rows) < 2:
        return answer.source or "；".join(c.label() for c in answer.citations)
    groups: dict[tuple[str, int | None, str | None], list[str]] = {}
    for c in rows:
        groups.setdefault((c.table, c.page, c.column), []).append(c.name or c.code or f"第{c.row}行")
    return "；".join(
        f"{table}{f' 第{page}页' if page else ''}：{'、'.join(names)}" + (f"（{column}列）" if column else "")
        for (table, page, column), names in groups.items()
    )
