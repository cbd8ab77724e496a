"""The HTTP API (answer contract, sources, allowed origins, per-address limit) and the bar charts
of breakdown answers (a PNG whose bars measure the answer's own figures)."""

from __future__ import annotations

import base64
import io
import re

import httpx
import pytest
from PIL import Image

from bot import chart
from bot.config import Config, WebConfig
from bot.server import build_app
from knowledge import build
from knowledge.engine import Engine
from loaders import read_disclosure

from .conftest import GENERATED, REAL, SAMPLE
from .servers import serving

PORTAL = "https://portal.example.gov.cn"


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    kb = tmp_path_factory.mktemp("web") / "kb.db"
    build.write(kb, [read_disclosure(SAMPLE)])
    config = Config(web=WebConfig(allowed_origins=[PORTAL], per_ip_per_minute=8))
    with serving(build_app(config, kb)) as base:
        yield base


def test_the_api_answers_with_the_contract_from_an_allowed_origin_only(api):
    ok = httpx.post(api + "/api/ask", json={"question": "项目支出多少"}, headers={"Origin": PORTAL})
    assert ok.status_code == 200 and ok.headers["access-control-allow-origin"] == PORTAL
    data = ok.json()
    assert data["status"] == "answered" and data["value"] == 6357.0 and data["citations"][0]["table"] == "部门预算支出总表"
    assert "chart" not in data  # one figure is no breakdown
    a, b = data["figure_span"]  # where the figure stands, for a page to set it in bold
    assert data["statement"][a:b] == "6357.00" and data["statement"][b:].startswith(" 万元")

    refused = httpx.post(api + "/api/ask", json={"question": "项目支出多少"}, headers={"Origin": "https://elsewhere.example"})
    assert refused.status_code == 403 and "6357" not in refused.text and "access-control-allow-origin" not in refused.headers
    preflight = httpx.options(api + "/api/ask", headers={"Origin": PORTAL, "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 204 and preflight.headers["access-control-allow-origin"] == PORTAL
    assert httpx.options(api + "/api/ask", headers={"Origin": "https://elsewhere.example"}).status_code == 403

    bad = httpx.post(api + "/api/ask", content=b"not json", headers={"Origin": PORTAL})
    assert bad.status_code == 400 and "question" in bad.json()["error"]
    assert httpx.post(api + "/api/ask", json={"question": "长" * 5000}).status_code == 413

    sources = httpx.get(api + "/api/sources").json()
    assert sources["total"] == 1 and sources["documents"][0]["source_name"] == SAMPLE.name

    breakdown = httpx.post(api + "/api/ask", json={"question": "钱都花在哪"}).json()
    png = base64.b64decode(breakdown["chart"].split(",", 1)[1])
    assert Image.open(io.BytesIO(png)).format == "PNG"

    for _ in range(8):  # 8 a minute from one address: this one is over
        last = httpx.post(api + "/api/ask", json={"question": "基本支出多少"})
    assert last.status_code == 429 and "每分钟最多 8 个" in last.json()["error"]
    assert httpx.get(api + "/healthz").json() == {"ok": True, "documents": 1, "fronts": {"web": "running"}}


def measured(drawn: chart.Chart) -> list[float]:
    """The bars' lengths as the PNG shows them, in the chart's scale (the largest is its value)."""
    image = Image.open(io.BytesIO(drawn.png)).convert("RGB")
    lengths = []
    for x0, y0, _, y1 in drawn.boxes:
        y = (y0 + y1) // 2
        lengths.append(sum(1 for x in range(x0, x0 + drawn.bar_max + 1) if image.getpixel((x, y)) == chart.BAR_COLOUR))
    top = max(v for _, v in drawn.bars)
    return [n / drawn.bar_max * top for n in lengths]


@pytest.mark.parametrize(
    ("files", "question"),
    [
        ([SAMPLE], "钱都花在哪"),
        ([d / "disclosure.txt" for d in GENERATED[:1]], "支出结构"),
        ([REAL / "text" / "sh_putuo_wanli_2025_ys.layout.txt"], "万里街道支出结构是怎样的"),
    ],
)
@pytest.mark.parametrize(("width", "ratio"), [(None, 1.0), (360, 3.0), (300, 1.0)])
def test_a_breakdown_chart_draws_the_answers_figures(files, question, width, ratio, tmp_path):
    if not all(f.exists() for f in files):
        pytest.skip("../shared/disclosures is not there")
    assert chart.font_file() is not None, "no CJK font: install fonts-noto-cjk (.ci/run does)"
    build.write(tmp_path / "kb.db", [read_disclosure(f) for f in files])
    answer = Engine.open(tmp_path / "kb.db").ask(question)
    drawn = chart.draw(answer, width, ratio)
    assert drawn is not None, answer.answer
    cited = [(c.name, c.value) for c in answer.citations if c.value is not None and c.name not in chart.TOTALS]  # the total is cited, not drawn
    assert drawn.bars == cited[: chart.MAX_BARS] and len(cited) >= 2
    image = Image.open(io.BytesIO(drawn.png))
    assert image.format == "PNG" and image.size[0] == round((width or chart.WIDTH) * ratio)  # drawn for the width it is shown at
    assert drawn.label_px == round(chart.LABEL_SIZE * ratio)
    top = max(v for _, v in drawn.bars)
    for (name, value), seen in zip(drawn.bars, measured(drawn), strict=True):
        assert abs(seen - value) <= top / drawn.bar_max, (name, value, seen)  # within one pixel
    assert f"{answer.citations[0].value:.2f}" in answer.answer  # the bars are the answer's figures


def test_answers_that_are_no_breakdown_get_no_chart(engine):
    for q in ("项目支出多少", "三公经费是什么", "基本支出中哪一项最多", "哪个部门项目支出最多"):
        assert chart.draw(engine.ask(q)) is None, q


def test_every_http_error_is_json_in_chinese(sample_kb):
    with serving(build_app(Config(web=WebConfig()), sample_kb)) as base:
        for method, path, status in (("get", "/nope", 404), ("get", "/api/ask", 405), ("delete", "/healthz", 405)):
            r = httpx.request(method.upper(), base + path)
            assert r.status_code == status and r.headers["content-type"].startswith("application/json")
            assert re.search(r"[\u4e00-\u9fff]", r.json()["error"])
