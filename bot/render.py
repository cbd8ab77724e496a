"""Answer → text for the terminal (and, in telegram.py, Telegram HTML). Rendering only."""

from __future__ import annotations

from knowledge.answer import Answer


def render_text(answer: Answer) -> str:
    lines = [answer.answer]
    if answer.status == "clarify" and answer.options:
        lines += [f"  {i}. {o}" for i, o in enumerate(answer.options, 1)]
    return "\n".join(lines)
