"""Bar charts of breakdown answers ("钱都花在哪", "支出结构"): a PNG with Chinese labels, drawn with
Pillow and a CJK font found on the machine (Debian's fonts-noto-cjk, which .ci/run and the
Dockerfile install; $BUDGETBOT_FONT names another). Without such a font there is no chart, and the
answer is sent as text alone — never a chart of empty boxes.

The bars are the answer's own cited figures, in its order: the chart adds nothing the answer does
not say, and `Chart.bars` with `Chart.boxes` let a test measure what was drawn."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from knowledge.answer import Answer
from knowledge.numbers import fmt

FONT_ENV = "BUDGETBOT_FONT"
FONTS = [  # (file, index in a collection): Simplified Chinese faces first
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
]
WIDTH = 880  # pixels, when the front does not say how wide the chart is shown
MIN_WIDTH, MAX_WIDTH = 240, 1200  # CSS pixels a widget may ask for
LABEL_SHARE = 0.4  # of the width, for the bar names
LABEL_SIZE = 15  # CSS pixels: readable on a phone (≥ 12 px measured in tests/test_widget_browser.py)
BAR_COLOUR = (37, 99, 181)
MAX_BARS = 20
BREAKDOWN_INTENTS = {"describe"}
TOTALS = ("合计", "总计")


@dataclass
class Chart:
    title: str
    unit: str
    bars: list[tuple[str, float]]
    png: bytes = b""
    boxes: list[tuple[int, int, int, int]] = field(default_factory=list)  # each bar's (x0, y0, x1, y1)
    label_px: int = 0  # the bar names' font size in the image's pixels
    bar_max: int = 0  # the longest bar's length in the image's pixels


@lru_cache(maxsize=1)
def font_file() -> tuple[str, int] | None:
    named = os.environ.get(FONT_ENV)
    for path, index in ([(named, 0)] if named else []) + FONTS:
        if Path(path).is_file():
            return path, index
    return None


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont:
    found = font_file()
    assert found is not None
    return ImageFont.truetype(found[0], size, index=found[1])


def bars_of(answer: Answer) -> Chart | None:
    """The bars a breakdown answer shows: its cited figures (at least two, none negative, all
    from one table of one document), or None for any other answer."""
    if answer.status != "answered" or answer.intent not in BREAKDOWN_INTENTS:
        return None
    cited = [c for c in answer.citations if c.value is not None and c.name and c.name not in TOTALS]  # a total is no bar
    if len(cited) < 2 or len({(c.document, c.table) for c in cited}) != 1 or any((c.value or 0) < 0 for c in cited):
        return None
    first = cited[0]
    title = answer.statement.rstrip("：；。 ")[:40]
    unit = answer.unit or ""
    return Chart(title=title or f"{first.department} {first.year}年", unit=unit, bars=[(c.name or "", c.value or 0.0) for c in cited[:MAX_BARS]])


def draw(answer: Answer, width: int | None = None, pixel_ratio: float = 1.0) -> Chart | None:
    """The chart of a breakdown answer as a PNG, or None (not a breakdown, or no CJK font).
    `width` is the width it is shown at in CSS pixels (a widget on a phone: ~360) and
    `pixel_ratio` the screen's device pixels per CSS pixel: the chart is drawn for that width, its
    labels LABEL_SIZE CSS pixels high, never drawn wide and shrunk to unreadable."""
    chart = bars_of(answer)
    if chart is None or font_file() is None:
        return None
    ratio = min(max(pixel_ratio, 1.0), 3.0)
    css = min(max(width or WIDTH, MIN_WIDTH), MAX_WIDTH)
    px = lambda n: round(n * ratio)  # noqa: E731 — CSS pixels to the image's
    full, label_width = px(css), px(css * LABEL_SHARE)
    row, top_gap = px(LABEL_SIZE * 2.4), px(LABEL_SIZE * 3)
    bar_max = full - label_width - px(LABEL_SIZE * 5.5)  # room for the figure after the longest bar
    height = top_gap + row * len(chart.bars) + px(16)
    image = Image.new("RGB", (full, height), "white")
    pen = ImageDraw.Draw(image)
    title, label, small = _font(px(LABEL_SIZE + 3)), _font(px(LABEL_SIZE)), _font(px(LABEL_SIZE - 1))
    pen.text((px(8), px(10)), chart.title + (f"（{chart.unit}）" if chart.unit else ""), font=title, fill=(20, 20, 20))
    top = max(v for _, v in chart.bars) or 1.0
    for i, (name, value) in enumerate(chart.bars):
        y = top_gap + i * row
        shown = name if pen.textlength(name, font=label) <= label_width - px(12) else _shorten(pen, name, label, label_width - px(12))
        pen.text((label_width - px(6), y + row // 2), shown, font=label, fill=(40, 40, 40), anchor="rm")
        length = round(value / top * bar_max)
        box = (label_width, y + px(6), label_width + length, y + row - px(6))
        if length > 0:
            pen.rectangle((box[0], box[1], box[2] - 1, box[3] - 1), fill=BAR_COLOUR)
        chart.boxes.append(box)
        pen.text((label_width + length + px(4), y + row // 2), fmt(value, "万元").replace(" 万元", ""), font=small, fill=(40, 40, 40), anchor="lm")
    out = io.BytesIO()
    image.save(out, format="PNG")
    chart.png = out.getvalue()
    chart.label_px, chart.bar_max = px(LABEL_SIZE), bar_max
    return chart


def _shorten(pen: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, room: int) -> str:
    while text and pen.textlength(text + "…", font=font) > room:
        text = text[:-1]
    return text + "…"
