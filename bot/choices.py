"""Numbered options, as a chat without buttons shows them, and the reply that picks one
(`2`, `第二个`, `选2`, `②`) — for the CLI chat and any front that has no buttons."""

from __future__ import annotations

import re
import unicodedata

CN_NUMBERS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
CHOICE = re.compile(r"^(?:选|要|选择|就)?(?:第)?(?P<n>\d{1,2}|[一二两三四五六七八九十])(?:个|项|条|种|号)?(?:吧|的)?[。.!！]?$")


def numbered(options: list[str]) -> list[str]:
    return [f"{i}. {o}" for i, o in enumerate(options, 1)]


def choice(reply: str, options: list[str]) -> str | None:
    """The option a short reply picks, or None when the reply is not a choice among them."""
    text = unicodedata.normalize("NFKC", reply).strip().replace(" ", "")
    m = CHOICE.match(text)
    if not m or not options:
        return None
    n = m.group("n")
    index = int(n) if n.isdigit() else CN_NUMBERS[n]
    return options[index - 1] if 1 <= index <= len(options) else None
