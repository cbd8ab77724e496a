"""Words typed by sound: a pinyin input method offers homophones, so 基本值出 is 基本支出 mistyped
and 办事除 is 办事处. A vocabulary term is found by its syllables (pypinyin, toneless, each
character's common reading) where its characters are not."""

from __future__ import annotations

import os
from functools import lru_cache

MIN_CHARS = 3  # a two-character word matched by sound alone is too often another word
MAX_CHARS = 12


@lru_cache(maxsize=20000)
def syllable(char: str) -> str:
    # one character's reading needs pypinyin's table of characters, not its table of phrases
    # (45 MB of every answerer's memory); the readings of every character are the same without it
    os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")
    from pypinyin import Style, lazy_pinyin

    return lazy_pinyin(char, style=Style.NORMAL, errors=lambda c: c)[0]


def syllables(text: str) -> tuple[str, ...]:
    return tuple(syllable(c) for c in text)


class SoundIndex:
    """Surfaces by their syllables; a span of a question is looked up at every start and length."""

    def __init__(self, surfaces: list[str]) -> None:
        self._by_sound: dict[tuple[str, ...], list[str]] = {}
        for s in surfaces:
            if MIN_CHARS <= len(s) <= MAX_CHARS and all("\u4e00" <= c <= "\u9fff" for c in s):
                self._by_sound.setdefault(syllables(s), []).append(s)
        self._lengths = sorted({len(k) for k in self._by_sound}, reverse=True)

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, surface) of words in `text` that sound like one surface and only one,
        longest first, not overlapping; a span that is the surface itself is not a typo."""
        sounds = syllables(text)
        out: list[tuple[int, int, str]] = []
        i = 0
        while i < len(text):
            for n in self._lengths:
                found = self._by_sound.get(sounds[i : i + n]) if i + n <= len(text) else None
                if found and len(found) == 1 and found[0] != text[i : i + n]:
                    out.append((i, i + n, found[0]))
                    i += n
                    break
            else:
                i += 1
        return out
