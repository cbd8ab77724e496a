"""`POST /api/check`: the staff check report for one uploaded disclosure (PDF, XLSX or text, up
to the loaders' size limits — not the small limit on questions), as JSON or, with `?format=html`,
the report page. The file is read in a temporary folder and deleted; nothing is stored. Uploads
have their own per-address limit (`[web] checks_per_ip_per_minute`), and one file is read at a
time so that questions keep their answers quick."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from loaders.limits import MAX_BYTES
from loaders.model import Disclosure

from .channels.common import SlidingWindow, TooLarge, bounded_body, off_loop
from .cli_load import read_one
from .cli_review import render_html, review_batch

if TYPE_CHECKING:
    from .web import Web

MAX_UPLOAD = max(MAX_BYTES.values())


def suffix_of(data: bytes) -> str | None:
    """What the upload is, by its content (a file name is no evidence): PDF, XLSX (a zip) or text."""
    if data.startswith(b"%PDF"):
        return ".pdf"
    if data.startswith(b"PK\x03\x04"):
        return ".xlsx"
    try:
        data[:4096].decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < 4090:  # not a character cut at the edge of the sample
            return None
    return ".txt"


def check_upload(data: bytes, name: str) -> dict:
    """The review batch for one uploaded file (refused with its reason when it cannot be read)."""
    suffix = suffix_of(data)
    if suffix is None:
        return review_batch([], [f"{name}：不是 PDF、XLSX 或文本文件"])
    with tempfile.TemporaryDirectory(prefix="budgetbot-check-") as folder:
        path = Path(folder) / ("upload" + suffix)
        path.write_bytes(data)
        read = read_one(path, None, None)
    if isinstance(read, Disclosure):
        read.source = name
        return review_batch([read], [])
    if isinstance(read, str):
        return review_batch([], [read.replace(str(path), name)])
    return review_batch([], [f"{name}：这是一份分成两个文件的公开文件中的一个（情况说明或报表），请在命令行用 budgetbot check 同时检查两个文件"])


class CheckAPI:
    """The upload endpoint of a `Web` front: its allowed origins, CORS and client address are the
    web front's; its rate limit is its own."""

    def __init__(self, web: Web):
        self.web = web
        self.limiter = SlidingWindow(web.config.checks_per_ip_per_minute)
        self.one_at_a_time = asyncio.Semaphore(1)

    async def check(self, request: Request) -> Response:
        web = self.web
        if not web.origin_allowed(request):
            return JSONResponse({"error": "这个网站没有被允许使用检查接口"}, status_code=403)
        if not self.limiter.allow(web.client(request)):
            return web.cors(request, JSONResponse({"error": f"检查太频繁：每分钟最多 {web.config.checks_per_ip_per_minute} 个文件"}, status_code=429))
        try:
            data = await bounded_body(request, MAX_UPLOAD)
        except TooLarge:
            return web.cors(request, JSONResponse({"error": f"文件太大：最多 {MAX_UPLOAD // 2**20} MB"}, status_code=413))
        if not data:
            return web.cors(request, JSONResponse({"error": "请把文件内容作为请求体上传（例如 curl --data-binary @文件.pdf）"}, status_code=400))
        name = Path(request.query_params.get("name", "上传的文件")).name[:200]
        async with self.one_at_a_time:
            batch = await off_loop(check_upload, data, name)
        if request.query_params.get("format") == "html":
            return web.cors(request, HTMLResponse(render_html(batch)))
        return web.cors(request, JSONResponse(batch, status_code=200 if batch["documents"] else 422))

    def routes(self) -> list[Route]:
        return [Route("/api/check", self.check, methods=["POST"])]
