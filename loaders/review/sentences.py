"""The narrative as sentences with their page and section, and the amounts in them: what the
narrative checks read."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..model import Disclosure

AMOUNT = r"(-?\d[\d,]*(?:\.\d+)?)"
WAN = re.compile(AMOUNT + r"\s*万元")
SENTENCE_END = re.compile(r"(?<=[。；;])")


@dataclass(frozen=True)
class Sentence:
    text: str  # without spaces (PDF text breaks words apart)
    section: str
    page: int | None
    paragraph: str  # the whole paragraph it is in

    @property
    def where(self) -> str:
        return f"情况说明 · {self.section}" if self.section else "情况说明"


def number(text: str) -> float:
    return float(text.replace(",", ""))


def decimals(text: str) -> int:
    return len(text.split(".", 1)[1]) if "." in text else 0


def paragraphs(d: Disclosure) -> Iterator[Sentence]:
    """Each paragraph of the narrative, once, as one Sentence (paragraph == text)."""
    seen: set[str] = set()
    for p in d.passages:
        text = re.sub(r"\s+", "", p.text)
        if text and text not in seen:
            seen.add(text)
            yield Sentence(text, p.section, p.page, text)


def sentences(d: Disclosure) -> Iterator[Sentence]:
    for p in paragraphs(d):
        for s in SENTENCE_END.split(p.text):
            if s:
                yield Sentence(s, p.section, p.page, p.text)


def short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
