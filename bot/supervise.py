"""Fronts that stay up on their own: a front that cannot start — Telegram unreachable from a
government network, its API slow to answer — must not take 企业微信, 钉钉, 飞书 and the web API
down with it. It is started in the background, retried with a growing pause, and `/healthz` says
where each front stands."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger("budgetbot.server")

FIRST_RETRY = 5.0  # seconds before the first retry; doubled each time
MOST_RETRY = 300.0  # the longest pause between two tries
RUNNING = "running"
STARTING = "starting"


class Fronts:
    """Each front's state, as `/healthz` reports it: running, starting, or why it is being retried."""

    def __init__(self) -> None:
        self.state: dict[str, str] = {}

    def running(self, name: str) -> None:
        self.state[name] = RUNNING

    def report(self) -> dict[str, str]:
        return dict(self.state)


def _reason(e: BaseException, secrets: tuple[str, ...]) -> str:
    text = f"{type(e).__name__}: {e}"[:200]
    for s in secrets:
        if s:
            text = text.replace(s, "***")  # a rejected token is quoted in the library's message
    return text


async def keep_starting(
    name: str,
    start: Callable[[], Awaitable[None]],
    fronts: Fronts,
    retried: tuple[type[BaseException], ...],
    *,
    secrets: tuple[str, ...] = (),
    first: float = FIRST_RETRY,
    most: float = MOST_RETRY,
) -> None:
    """Run `start` until it succeeds. The errors in `retried` (the network's, the platform's) are
    said in one Chinese log line and tried again; any other error is a bug and is raised."""
    pause = first
    fronts.state[name] = STARTING
    while True:
        try:
            await start()
        except retried as e:
            why = _reason(e, secrets)
            fronts.state[name] = f"retrying: {why}"
            log.warning("%s 启动失败（%s）；其他前端照常服务，%d 秒后重试", name, why, pause)
            await asyncio.sleep(pause)
            pause = min(pause * 2, most)
            continue
        fronts.running(name)
        return
