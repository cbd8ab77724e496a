"""Place names of China (provinces, cities, counties, districts), to tell a body of another place.

A question about `满城教育局` or `唐县卫健局` names a place; when it is not the place of the loaded
body with that name, the answer is not that body's. The list (`data/places.txt`) comes from
cpca's administrative division codes; a place is also known without its level (满城区 → 满城,
曲阳县 → 曲阳) when what is left has two characters or more.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

LEVEL = re.compile(r"(?:特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|自治州|自治县|地区|盟|省|市|区|县|旗)$")


@lru_cache(maxsize=1)
def place_names() -> dict[str, str]:
    """Every place form → the full name (满城 → 满城区, 满城区 → 满城区)."""
    text = resources.files("knowledge").joinpath("data/places.txt").read_text(encoding="utf-8")
    forms: dict[str, str] = {}
    for line in text.splitlines():
        name = line.strip()
        if not name or name.startswith("#"):
            continue
        forms.setdefault(name, name)
        short = LEVEL.sub("", name)
        if len(short) >= 2 and short != name:
            forms.setdefault(short, name)
    return forms


def place_before(text: str) -> str | None:
    """The place name that `text` ends with (the words just before a body's name), if any."""
    names = place_names()
    for size in range(min(len(text), 9), 1, -1):
        if text[-size:] in names:
            return names[text[-size:]]
    return None


PLACE_WITH_LEVEL = re.compile(r"[\u4e00-\u9fff]{1,8}?(?:省|市|县|区|旗|州)")


def place_in(text: str) -> str | None:
    """A place of China a question names with its level (曲阳县, 苏州市), loaded or not."""
    names = place_names()
    for m in PLACE_WITH_LEVEL.finditer(text):
        word = m.group()
        for start in range(len(word) - 2, -1, -1):  # the longest name ending there: 保定市曲阳县 → 曲阳县
            if word[start:] in names and LEVEL.search(word[start:]):
                return names[word[start:]]
    return None
