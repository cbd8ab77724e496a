"""The chat widget in a real browser (Debian's chromium driven by Playwright): a portal page on
another local port embeds it, a question typed and sent gets its cited answer (and a breakdown its
chart); a portal not in the allow-list gets no answer. A screenshot is written for people to look
at ($BUDGETBOT_SCREENSHOTS, else the test's temporary folder)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from bot.config import Config, WebConfig
from bot.server import build_app

from .servers import serving

CHROMIUM = os.environ.get("BUDGETBOT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def label_heights(png: bytes) -> list[int]:
    """The ink height of each bar name in a screenshot of the chart: the dark runs of rows in the
    label column, the title's (the first) left out."""
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("L")
    width, height = image.size
    dark = [any(image.getpixel((x, y)) < 120 for x in range(int(width * 0.38))) for y in range(height)]
    runs, start = [], None
    for y, is_dark in enumerate([*dark, False]):
        if is_dark and start is None:
            start = y
        elif not is_dark and start is not None:
            runs.append(y - start)
            start = None
    assert len(runs) >= 3, runs
    return runs[1:]


def portal_page(api: str) -> str:
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>某县人民政府 · 预算公开</title></head>
<body style="margin:16px"><h1 style="font-size:20px">某县人民政府门户网站 · 预算公开</h1>
<div id="budgetbot"></div><script src="{api}/widget.js" data-target="budgetbot" defer></script></body></html>"""


def portal(pages: dict[str, str], name: str) -> Starlette:
    """A portal site; its page is written once the API's address is known."""
    return Starlette(routes=[Route("/", lambda r: HTMLResponse(pages[name]))])


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("no chromium (apt-get install chromium; .ci/run does)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def test_the_widget_answers_with_its_citation_and_refuses_other_portals(browser, sample_kb, tmp_path):
    pages: dict[str, str] = {}
    with serving(portal(pages, "allowed")) as allowed_base, serving(portal(pages, "other")) as other_base:
        config = Config(web=WebConfig(allowed_origins=[allowed_base], per_ip_per_minute=100))
        with serving(build_app(config, sample_kb)) as api:
            pages["allowed"] = pages["other"] = portal_page(api)
            page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")  # a phone
            page.goto(allowed_base + "/")
            box = page.get_by_role("textbox", name="您的问题")
            box.fill("项目支出多少")
            box.press("Enter")
            answer = page.locator(".bb-a").first
            answer.wait_for(timeout=15_000)
            assert "6357.00 万元" in answer.inner_text()
            assert answer.locator("strong").inner_text() == "6357.00"  # the figure in bold, from the answer's fields
            assert "部门预算支出总表" in page.locator(".bb-cite").first.inner_text()
            assert page.get_by_role("log").count() == 1
            first = page.locator(".bb-entry").first
            assert first.locator(".bb-cite").count() == 1 and "来源：" not in first.locator(".bb-a").inner_text()  # one citation line
            box.fill("钱都花在哪")
            page.get_by_role("button", name="提问").click()
            chart = page.locator(".bb-entry img").first
            chart.wait_for(timeout=15_000)
            assert chart.evaluate("img => img.complete && img.naturalWidth") > 0
            breakdown = page.locator(".bb-entry").nth(1)
            cite = breakdown.locator(".bb-cite").inner_text()
            shown = [li.split(" ")[0].removeprefix("其中") for li in breakdown.locator(".bb-items li").all_inner_texts()]
            assert len(shown) >= 2 and all(name in cite for name in shown), (shown, cite)  # every row shown is cited
            assert min(label_heights(chart.screenshot())) >= 12  # the chart's labels, as the phone shows them
            box.fill("<img src=x onerror=alert(1)>三公经费多少")  # inserted as text, never as HTML
            box.press("Enter")
            page.locator(".bb-q").nth(2).wait_for(timeout=15_000)
            assert page.locator(".bb-q img").count() == 0
            shots = Path(os.environ.get("BUDGETBOT_SCREENSHOTS") or tmp_path)
            shots.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shots / "widget.png"), full_page=True)
            page.close()

            other = browser.new_page()
            other.goto(other_base + "/")
            other.get_by_role("textbox", name="您的问题").fill("项目支出多少")
            other.get_by_role("textbox", name="您的问题").press("Enter")
            other.locator(".bb-a").first.wait_for(timeout=15_000)
            text = other.locator(".bb-a").first.inner_text()
            assert "6357" not in text and "连接不上" in text
            other.close()
