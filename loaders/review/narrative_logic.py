"""The narrative against itself: a stated change against the figure it changes (0万元，比上年增加
1421.25万元), a rate against the two figures it relates, a 完成预算 ratio against the base it
names, 决算 大于/小于 预算 against the two figures, a percentage printed without %, and the
income and expenditure of a balanced budget changing by different amounts."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..model import Disclosure
from .findings import ERROR, HINT, Finding
from .sentences import AMOUNT, Sentence, decimals, number, sentences, short

UP, DOWN = ("增加", "增长", "上升", "提高"), ("减少", "下降", "降低")
CHANGE = rf"(?:比|较|与)[^，。；,]{{0,24}}?(?:相比)?[，,]?(增加|增长|上升|提高|减少|下降|降低)了?{AMOUNT}\s*(万元|%|％)"
# V万元，比上年增加X万元(，增长p%)
FIGURE_AND_CHANGE = re.compile(rf"{AMOUNT}\s*万元[，,]?{CHANGE}(?:[，,](?:增长|下降|减少|增加|上升)?{AMOUNT}\s*[%％])?")
# 上年…为P万元，本年…V万元，比…增加p%
TWO_YEARS = re.compile(
    rf"(?:\d{{4}}年|上年)[^，。；,]{{0,16}}?(?:为|是){AMOUNT}\s*万元[，,](?:\d{{4}}年)?[^，。；,]{{0,12}}?(?:安排|为|是){AMOUNT}\s*万元[，,]?{CHANGE}"
)
PERCENT_WITHOUT_SIGN = re.compile(
    r"(增长|下降|增加|减少|上升|占)(\d+\.\d+)(?![\d.]*\s*(?:%|％|万|元|亿|个|人|项|家|辆|台|次|倍|平方米|百分点|户|套|件|天|年|月|吨|公里|米))(?=[，。；,;）)]|$)"
)
RATIO = re.compile(
    rf"年初预算(?:数)?为{AMOUNT}万元[，,](?:全年预算(?:数)?为{AMOUNT}万元[，,])?支出决算(?:数)?为{AMOUNT}万元[，,]"
    rf"完成(年初|全年)预算(?:数)?的{AMOUNT}[%％]"
)
COMPARED = re.compile(r"决算数?(大于|小于|等于|高于|低于)(年初|全年)预算数?")


def review_logic(d: Disclosure) -> list[Finding]:
    out: list[Finding] = []
    for s in sentences(d):
        out += list(change_against_figure(s))
        out += list(change_against_two_years(s))
        out += list(percent_without_sign(s))
        out += list(ratio_against_base(s))
    out += balanced_changes(d)
    return out


def _rate_tolerance(stated: str, base: float, change: float) -> float:
    """How far a printed rate may be from one computed from figures printed to the cent."""
    return 10 ** -decimals(stated) + 100 * 0.02 / max(abs(base), 0.01) * (1 + abs(change) / max(abs(base), 0.01))


def change_against_figure(s: Sentence) -> Iterator[Finding]:
    for m in FIGURE_AND_CHANGE.finditer(s.text):
        value, word, amount, unit, rate = number(m.group(1)), m.group(2), m.group(3), m.group(4), m.group(5)
        change = number(amount)
        up = word in UP
        if unit == "万元":
            prior = value - change if up else value + change
            if up and prior < -0.005:
                yield Finding(
                    "change_vs_figure", ERROR,
                    f"本年 {m.group(1)} 万元，却说比上年{word} {amount} 万元：上年就成了负数（{prior:.2f} 万元）",
                    s.where, s.page, [value, change], short(m.group(0)),
                )
            elif rate is not None and prior > 0 and abs(change / prior * 100 - number(rate)) > _rate_tolerance(rate, prior, change):
                yield Finding(
                    "change_vs_figure", ERROR,
                    f"{word} {amount} 万元、本年 {m.group(1)} 万元，上年应为 {prior:.2f} 万元，变动率应为 {change / prior * 100:.2f}%，文中写 {rate}%",
                    s.where, s.page, [number(rate), round(change / prior * 100, 2)], short(m.group(0)),
                )
            continue
        if up and value == 0 and change > 0:
            yield Finding("change_vs_figure", ERROR, f"本年为 0，却说{word} {amount}%", s.where, s.page, [value, change], short(m.group(0)))
        elif not up and change > 100:
            yield Finding("change_vs_figure", ERROR, f"{word} {amount}%：下降不会超过 100%", s.where, s.page, [change], short(m.group(0)))
        elif not up and value == 0 and 0 < change < 99.5:
            yield Finding("change_vs_figure", ERROR, f"本年为 0，应是下降 100%，文中写{word} {amount}%", s.where, s.page, [change], short(m.group(0)))
        elif not up and value > 0 and change == 100:
            yield Finding("change_vs_figure", HINT, f"本年还有 {m.group(1)} 万元，却说{word} 100%", s.where, s.page, [value, change], short(m.group(0)))


def change_against_two_years(s: Sentence) -> Iterator[Finding]:
    for m in TWO_YEARS.finditer(s.text):
        prior, value, word, amount, unit = number(m.group(1)), number(m.group(2)), m.group(3), m.group(4), m.group(5)
        diff = value - prior
        if diff and (diff > 0) != (word in UP) and abs(diff) > 0.005:
            yield Finding(
                "change_vs_figure", ERROR, f"从 {m.group(1)} 万元到 {m.group(2)} 万元是{'增加' if diff > 0 else '减少'}，文中写{word}",
                s.where, s.page, [prior, value], short(m.group(0)),
            )
        elif unit == "万元" and abs(abs(diff) - number(amount)) > 0.015:
            yield Finding(
                "change_vs_figure", ERROR, f"从 {m.group(1)} 万元到 {m.group(2)} 万元相差 {abs(diff):.2f} 万元，文中写{word} {amount} 万元",
                s.where, s.page, [abs(diff), number(amount)], short(m.group(0)),
            )
        elif unit != "万元" and prior > 0 and abs(abs(diff) / prior * 100 - number(amount)) > _rate_tolerance(amount, prior, diff):
            yield Finding(
                "change_vs_figure", ERROR,
                f"从 {m.group(1)} 万元到 {m.group(2)} 万元的变动率是 {abs(diff) / prior * 100:.2f}%，文中写{word} {amount}%",
                s.where, s.page, [round(abs(diff) / prior * 100, 2), number(amount)], short(m.group(0)),
            )


def percent_without_sign(s: Sentence) -> Iterator[Finding]:
    for m in PERCENT_WITHOUT_SIGN.finditer(s.text):
        yield Finding("percent_sign", HINT, f"“{m.group(1)}{m.group(2)}”后面没有 %（或单位）", s.where, s.page, [number(m.group(2))], short(s.text))


def ratio_against_base(s: Sentence) -> Iterator[Finding]:
    """年初预算为A，全年预算为B，支出决算为C，完成年初预算的p%: p is C over the base it names;
    决算数大于年初预算数 says C > A."""
    for m in RATIO.finditer(s.text):
        first, whole, final = number(m.group(1)), (number(m.group(2)) if m.group(2) else None), number(m.group(3))
        named, stated = m.group(4), m.group(5)
        base = first if named == "年初" else whole
        if base is None:
            continue
        other = whole if named == "年初" else first
        if base == 0 and final > 0:
            said = f"；{final:.2f} ÷ {other:.2f} = {final / other * 100:.2f}%，是按{'全年' if named == '年初' else '年初'}预算算的" if other else ""
            yield Finding("ratio_base", ERROR, f"{named}预算为 0，完成{named}预算的比例无从算起，文中写 {stated}%{said}", s.where, s.page, [base, number(stated)], short(m.group(0)))
            continue
        if base and abs(final / base * 100 - number(stated)) > 10 ** -decimals(stated) + 0.01:
            said = ""
            if other and abs(final / other * 100 - number(stated)) <= 10 ** -decimals(stated) + 0.01:
                said = f"，这是按{'全年' if named == '年初' else '年初'}预算算的"
            yield Finding(
                "ratio_base", ERROR, f"支出决算 {final:.2f} ÷ {named}预算 {base:.2f} = {final / base * 100:.2f}%，文中写 {stated}%{said}",
                s.where, s.page, [round(final / base * 100, 2), number(stated)], short(m.group(0)),
            )
        rest = s.paragraph[s.paragraph.find(m.group(0)) + len(m.group(0)) :]
        c = COMPARED.search(rest[:80])
        if c:
            compared = first if c.group(2) == "年初" else whole
            if compared is None:
                continue
            bigger, smaller = c.group(1) in ("大于", "高于"), c.group(1) in ("小于", "低于")
            if (bigger and not final > compared) or (smaller and not final < compared) or (c.group(1) == "等于" and final != compared):
                yield Finding(
                    "ratio_base", ERROR, f"支出决算 {final:.2f} 万元、{c.group(2)}预算 {compared:.2f} 万元，文中说决算数{c.group(1)}{c.group(2)}预算数",
                    s.where, s.page, [final, compared], short(c.group(0)),
                )


SIDE = re.compile(rf"(财政拨款)(收入|支出)(?:预算)?{AMOUNT}万元[，,]?{CHANGE}")


def balanced_changes(d: Disclosure) -> list[Finding]:
    """A budget balances (收入 = 支出): where the narrative states both 财政拨款 figures with their
    change against the year before, the two changes are one figure."""
    if d.kind != "预算":
        return []
    found: dict[str, tuple[float, float, str, Sentence]] = {}
    for s in sentences(d):
        for m in SIDE.finditer(s.text):
            if m.group(6) != "万元":
                continue
            sign = 1 if m.group(4) in UP else -1
            found.setdefault(m.group(2), (number(m.group(3)), sign * number(m.group(5)), m.group(0), s))
    if "收入" not in found or "支出" not in found:
        return []
    (vi, ci, ti, si), (vo, co, to, _) = found["收入"], found["支出"]
    if abs(vi - vo) > 0.005 or abs(ci - co) <= 0.005:
        return []
    return [
        Finding(
            "balanced_changes", ERROR,
            f"财政拨款收入与支出都是 {vi:.2f} 万元，比上年的变化却不同：收入 {ci:+.2f} 万元，支出 {co:+.2f} 万元",
            si.where, si.page, [ci, co], short(ti) + " / " + short(to),
        )
    ]
