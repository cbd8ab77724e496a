"""Servers on 127.0.0.1 for the front tests: an ASGI app under uvicorn in a thread, and a
recording stand-in for a platform's API (DingTalk's session webhook, Feishu's open API)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import Iterator

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


@contextlib.contextmanager
def serving(app) -> Iterator[str]:
    """Serve `app` on a free loopback port (lifespan included); its base URL."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="on", log_level="warning"))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise TimeoutError("the server did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


class PlatformAPI:
    """Records what the bot posts; answers Feishu's token and reply calls and DingTalk's webhook."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, dict, dict]] = []  # (path, headers, JSON body)
        self.lock = threading.Condition()

        async def record(request: Request):
            body = json.loads(await request.body() or b"{}")
            with self.lock:
                self.posts.append((request.url.path, dict(request.headers), body))
                self.lock.notify_all()
            if request.url.path.endswith("/tenant_access_token/internal"):
                return JSONResponse({"code": 0, "tenant_access_token": "t-test", "expire": 7200})
            return JSONResponse({"code": 0, "errcode": 0})

        self.app = Starlette(routes=[Route("/{path:path}", record, methods=["POST"])])

    def wait(self, path_part: str, count: int = 1, timeout: float = 10) -> list[tuple[str, dict, dict]]:
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                found = [p for p in self.posts if path_part in p[0]]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    return found
                self.lock.wait(left)
