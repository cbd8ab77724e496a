"""The HTTP API and the widget a portal embeds: `POST /api/ask` answers with the answer JSON
contract (plus `chart`, a PNG data URL, for a breakdown), `GET /api/sources` lists what is loaded
(the first entries and the total), `GET /widget.js` is the widget. Browsers may call the API
only from the portals allowed in the config (CORS, and a request from any other origin is
refused outright); each client address has a rate limit. `POST /api/check` (web_check.py) is
the staff check report for an uploaded file."""

from __future__ import annotations

import base64
import json
from importlib import resources

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from knowledge.answer import Answer
from knowledge.live import LiveEngine

from .channels.common import SlidingWindow, TooLarge, bounded_body, off_loop
from .chart import Chart, draw
from .config import WebConfig
from .render import citation_line
from .sources import sources

MAX_BODY = 4096


class Web:
    def __init__(self, live: LiveEngine, config: WebConfig):
        self.live = live
        self.config = config
        self.allowed = {o.rstrip("/") for o in config.allowed_origins}
        self.limiter = SlidingWindow(config.per_ip_per_minute)

    # ------------------------------------------------------------------ origins and limits

    def origin_allowed(self, request: Request) -> bool:
        origin = request.headers.get("origin")
        if origin is None:
            return True  # not a browser's cross-site call (curl, a server)
        own = f"{request.url.scheme}://{request.url.netloc}"
        return origin.rstrip("/") in self.allowed or origin == own

    def cors(self, request: Request, response: Response) -> Response:
        origin = request.headers.get("origin")
        if origin and origin.rstrip("/") in self.allowed:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Vary"] = "Origin"
        return response

    def client(self, request: Request) -> str:
        forwarded = request.headers.get("x-forwarded-for") if self.config.trust_forwarded_for else None
        if forwarded:
            return forwarded.split(",")[-1].strip()
        return request.client.host if request.client else "?"

    def refuse(self, request: Request) -> Response | None:
        if not self.origin_allowed(request):
            return JSONResponse({"error": "这个网站没有被允许使用问答接口"}, status_code=403)
        if not self.limiter.allow(self.client(request)):
            return self.cors(request, JSONResponse({"error": f"提问太快了：每分钟最多 {self.config.per_ip_per_minute} 个问题，请稍后再问。"}, status_code=429))
        return None

    # ------------------------------------------------------------------ endpoints

    async def preflight(self, request: Request) -> Response:
        if request.headers.get("origin", "").rstrip("/") not in self.allowed:
            return Response(status_code=403)
        response = Response(status_code=204)
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = "600"
        return self.cors(request, response)

    async def ask(self, request: Request) -> Response:
        refused = self.refuse(request)
        if refused is not None:
            return refused
        try:
            body = await bounded_body(request, MAX_BODY)
        except TooLarge:
            return self.cors(request, JSONResponse({"error": "问题太长了"}, status_code=413))
        try:
            data = json.loads(body or b"{}")
            question = data.get("question") if isinstance(data, dict) else None
        except ValueError:
            question = None
        if not isinstance(question, str) or not question.strip():
            return self.cors(request, JSONResponse({"error": "请用 JSON 写问题，例如 {\"question\": \"项目支出多少\"}"}, status_code=400))
        width, ratio = _number(data, "chart_width"), _number(data, "pixel_ratio") or 1.0  # how the page shows a chart
        answer, chart = await off_loop(self._answer, question, int(width) if width else None, ratio)
        out = answer.to_dict()
        # what a page shows, as fields: the statement, its entries, and one citation line
        out |= {"statement": answer.statement, "items": answer.items, "cite": citation_line(answer), "figure_span": answer.figure_span()}
        if chart is not None:
            out["chart"] = "data:image/png;base64," + base64.b64encode(chart.png).decode()
            out["chart_title"] = chart.title
        return self.cors(request, JSONResponse(out))

    def _answer(self, question: str, width: int | None, ratio: float) -> tuple[Answer, Chart | None]:
        answer = self.live.current().ask(question)
        return answer, draw(answer, width, ratio)

    async def list_sources(self, request: Request) -> Response:
        refused = self.refuse(request)
        if refused is not None:
            return refused
        engine = self.live.current()
        keep = ("department", "year", "kind", "source_name", "source_format", "tables", "rows")
        documents = [{k: d[k] for k in keep} for d in sources(engine)]
        return self.cors(request, JSONResponse({"total": engine.catalog.documents, "documents": documents}))

    async def widget(self, request: Request) -> Response:
        script = resources.files("bot.static").joinpath("widget.js").read_text(encoding="utf-8")
        return Response(script, media_type="text/javascript; charset=utf-8", headers={"Cache-Control": "max-age=300"})

    def routes(self) -> list[Route]:
        from .web_check import CheckAPI

        return CheckAPI(self).routes() + [
            Route("/api/ask", self.ask, methods=["POST"]),
            Route("/api/ask", self.preflight, methods=["OPTIONS"]),
            Route("/api/sources", self.list_sources, methods=["GET"]),
            Route("/api/sources", self.preflight, methods=["OPTIONS"]),
            Route("/api/check", self.preflight, methods=["OPTIONS"]),
            Route("/widget.js", self.widget, methods=["GET"]),
        ]


def _number(data: object, key: str) -> float | None:
    value = data.get(key) if isinstance(data, dict) else None
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < 10_000 else None
