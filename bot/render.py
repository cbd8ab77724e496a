"""Answer → text for the terminal, and → Telegram HTML messages. Rendering only: no lookups."""

from __future__ import annotations

import html

from knowledge.answer import Answer
from knowledge.numbers import fmt

TELEGRAM_LIMIT = 4096


def render_text(answer: Answer) -> str:
    lines = [answer.statement.rstrip("：；。") + "：" if answer.items else answer.statement]
    lines += [f"  · {item}" for item in answer.items]
    if answer.source:
        lines.append(f"来源：{answer.source}")
    if answer.status == "clarify" and answer.options:
        lines += [f"  {i}. {o}" for i, o in enumerate(answer.options, 1)]
    return "\n".join(lines)


def render_html(answer: Answer, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Telegram HTML messages for an answer, from its fields: the statement with the figure in
    bold, a list's items one per line, the source in italics on a line of its own; split at line
    boundaries so no message exceeds `limit`."""
    lines: list[str] = []
    figure = fmt(answer.value, answer.unit or "万元") if answer.value is not None else None
    for i, raw in enumerate(answer.statement.split("\n")):
        escaped = html.escape(raw, quote=False)
        if i == 0 and figure and html.escape(figure) in escaped and len(escaped) < limit - 7:
            escaped = escaped.replace(html.escape(figure), f"<b>{html.escape(figure)}</b>", 1)
        lines.append(escaped)
    lines += [f"• {html.escape(item, quote=False)}" for item in answer.items]
    if answer.source:
        lines.append(f"<i>来源：{html.escape(answer.source, quote=False)}</i>")
    return pack(lines, limit)


def pack(lines: list[str], limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Join lines into messages of at most `limit` characters. A line longer than that (plain
    escaped text, never a tag) is cut between characters, never inside an entity."""
    pieces: list[str] = []
    for line in lines:
        while len(line) > limit:
            cut = limit
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
        if len(candidate) > limit:
            messages.append(current)
            current = piece
        else:
            current = candidate
    if current or not messages:
        messages.append(current or "…")
    return messages
