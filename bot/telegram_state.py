"""What the Telegram bot keeps between updates — per-user limits, the readings offered as
buttons, the token kept out of logs — and how it retries the Bot API."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from knowledge.body_names import short_forms
from knowledge.engine import Engine
from knowledge.live import LiveEngine

log = logging.getLogger("budgetbot.telegram")

MAX_STORED_OPTIONS = 2000
T = TypeVar("T")


class RedactingFactory:
    """A log record factory that takes the bot token out of every log message and argument,
    whoever logs it (httpx logs request URLs, which carry the token)."""

    def __init__(self, token: str, previous: Callable[..., logging.LogRecord]):
        self.token = token
        self.previous = previous

    def __call__(self, *args, **kwargs) -> logging.LogRecord:
        record = self.previous(*args, **kwargs)
        if self.token:
            record.msg = str(record.msg).replace(self.token, "<token>")
            if record.args:
                args_ = record.args if isinstance(record.args, tuple) else (record.args,)
                record.args = tuple(str(a).replace(self.token, "<token>") if self.token in str(a) else a for a in args_)
        return record


def protect_token(token: str) -> None:
    factory = logging.getLogRecordFactory()
    if isinstance(factory, RedactingFactory):
        factory.token = token
    else:
        logging.setLogRecordFactory(RedactingFactory(token, factory))


@dataclass
class BotState:
    """What the handlers share: the engine (swapped on /reload), limits and pending options."""

    live: LiveEngine
    admins: set[int]
    per_minute: int
    history: dict[int, deque] = field(default_factory=dict)
    warned: dict[int, float] = field(default_factory=dict)
    options: OrderedDict[str, list[str]] = field(default_factory=OrderedDict)
    examples: list[str] = field(default_factory=list)

    def allow(self, user_id: int | None) -> bool:
        """Per-user sliding window: at most `per_minute` questions in 60 seconds."""
        if user_id is None or self.per_minute <= 0:
            return True
        now = time.monotonic()
        q = self.history.setdefault(user_id, deque())
        while q and now - q[0] > 60:
            q.popleft()
        if len(q) >= self.per_minute:
            return False
        q.append(now)
        return True

    def should_warn(self, user_id: int) -> bool:
        now = time.monotonic()
        if now - self.warned.get(user_id, -1e9) > 60:
            self.warned[user_id] = now
            return True
        return False

    def remember(self, options: list[str]) -> str:
        key = uuid.uuid4().hex[:12]
        self.options[key] = options
        while len(self.options) > MAX_STORED_OPTIONS:
            self.options.popitem(last=False)
        return key

    @property
    def engine(self) -> Engine:
        """The engine over the base as it is now: a load that replaced it is picked up."""
        return self.live.current()

    def reload(self) -> Engine:
        engine = self.live.reload()
        self.examples = examples_for(engine)
        return engine


async def with_retry(make: Callable[[], Awaitable[T]], attempts: int = 3) -> T:
    """Send again after a network error or a flood wait; give up after `attempts`."""
    for attempt in range(1, attempts + 1):
        try:
            return await make()
        except RetryAfter as e:
            if attempt == attempts:
                raise
            delay = e.retry_after.total_seconds() if hasattr(e.retry_after, "total_seconds") else float(e.retry_after)
            await asyncio.sleep(min(delay, 30))
        except (TimedOut, NetworkError) as e:
            if attempt == attempts or isinstance(e, BadRequest | Forbidden):
                raise
            await asyncio.sleep(0.5 * attempt)
    raise AssertionError("unreachable")


def examples_for(engine: Engine) -> list[str]:
    prefix = ""
    if engine.catalog.bodies > 1:
        first = engine.catalog.first_bodies(1)[0][0]
        forms = sorted(short_forms(first), key=len)
        prefix = forms[1] if len(forms) > 1 else first
    return [
        f"{prefix}项目支出多少",
        "三公经费是什么",
        f"{prefix}基本支出中哪一项最多",
        f"{prefix}的职责是什么" if prefix else "部门职责是什么",
    ]
