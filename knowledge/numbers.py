"""Normalising questions: width, script, noise; years in every spelling; formatting figures."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

CN_DIGITS = {
    "〇": "0",
    "零": "0",
    "○": "0",
    "Ｏ": "0",
    "一": "1",
    "二": "2",
    "三": "3",
    "四": "4",
    "五": "5",
    "六": "6",
    "七": "7",
    "八": "8",
    "九": "9",
}
CN_YEAR = re.compile(r"([〇零○一二三四五六七八九]{4})年")
CN_SHORT_YEAR = re.compile(r"(?<![〇零○一二三四五六七八九十])([〇零○一二三四五六七八九]{2})年")


@lru_cache(maxsize=1)
def _converter() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return str(_converter().convert(text))


def normalize(question: str) -> str:
    """NFKC (full-width → half-width), traditional → simplified, no control characters, emoji
    or decorative symbols; runs of white space become one space. Chinese punctuation that
    separates clauses is kept as a plain comma."""
    text = unicodedata.normalize("NFKC", question or "")
    text = "".join(ch if unicodedata.category(ch)[0] in "LNZ" or ch in "%.-()（）：:,，、?？" else " " for ch in text)
    text = to_simplified(text)
    text = re.sub(r"[?？]+", " ", text)
    text = re.sub(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])", "", text)  # quotes and emoji between words
    text = re.sub(r"\s+", " ", text).strip()
    return text.lower()


def cn_years_to_digits(text: str) -> str:
    text = CN_YEAR.sub(lambda m: "".join(CN_DIGITS[c] for c in m.group(1)) + "年", text)
    return CN_SHORT_YEAR.sub(lambda m: "".join(CN_DIGITS[c] for c in m.group(1)) + "年", text)


YEAR = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?:年|年度)?(?!\d)")
# A date inside a document (截至2022年底, 2022年12月31日): not the year of the document asked about.
DATE = re.compile(r"(?:截至|截止|截止到|截至到)?\s*(?:19|20)\d{2}年(?:底|末|\d{1,2}月(?:\d{1,2}日)?)|(?:截至|截止)\s*(?:19|20)\d{2}年")
SHORT_YEAR = re.compile(r"(?<!\d)(\d{2})年")
RELATIVE = [("今年", 0), ("明年", 1), ("去年", -1), ("上一年", -1), ("前年", -2)]
# 本年度 / 本年 / 当年 name the document's own year, whichever it is: no year of their own.
OWN_YEAR = re.compile(r"本年度|本年(?!收入|支出)|当年(?!收入|支出)")


def as_of_year(text: str) -> int | None:
    """The year of a date a question names inside a document (截至2022年底 → 2022)."""
    m = DATE.search(cn_years_to_digits(text))
    return int(re.search(r"(?:19|20)\d{2}", m.group()).group()) if m else None  # type: ignore[union-attr]


def find_year(text: str, newest: int | None) -> tuple[int | None, str]:
    """The year a question names, and the text without it. 上年 is not a year when it is the
    comparison in 比上年/较上年/与上年."""
    text = DATE.sub(" ", OWN_YEAR.sub(" ", cn_years_to_digits(text)))
    m = YEAR.search(text)
    if m:
        return int(m.group(1)), text[: m.start()] + " " + text[m.end() :]
    m = SHORT_YEAR.search(text)
    if m:
        return 2000 + int(m.group(1)), text[: m.start()] + " " + text[m.end() :]
    if newest is not None:
        for word, delta in RELATIVE:
            idx = text.find(word)
            if idx >= 0 and text[max(0, idx - 1) : idx] not in ("比", "较", "与", "同"):
                return newest + delta, text[:idx] + " " + text[idx + len(word) :]
        idx = text.find("上年")
        period = text[idx + 2 : idx + 3] in ("末", "底")  # 上年末固定资产: a date inside this year's document
        if idx >= 0 and not period and text[max(0, idx - 1) : idx] not in ("比", "较", "与", "同") and "结转" not in text[idx : idx + 4]:
            return newest - 1, text[:idx] + " " + text[idx + 2 :]
    return None, text


def fmt(value: float, unit: str = "万元") -> str:
    """A figure as people read it: two decimals for money and percentages, whole counts as such."""
    if unit in ("万元", "元", "%"):
        return f"{value:,.2f}".replace(",", "")
    if float(value).is_integer():
        return str(int(value))
    return f"{value:g}"
