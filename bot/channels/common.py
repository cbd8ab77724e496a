"""What every chat platform front shares: a question from a user becomes one reply. Replays and
retries of a delivery are answered once; each user has a rate limit; a clarify's options are
numbered and the user's next short reply (`2`, `第二个`) picks one; answers are plain text or
markdown cut to the platform's size limit in UTF-8 bytes, never inside a character."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

from knowledge.answer import Answer
from knowledge.engine import Engine
from knowledge.live import LiveEngine

from ..choices import choice, numbered
from ..render import MAX_ITEMS, emphasised, shown_items

# Answers are computed in worker threads, never on the event loop: while one is computed every front
# still takes requests, acknowledges callbacks and answers from another thread. The engine reads a
# SQLite base in serialized mode, so the threads share one connection safely.
ANSWER_THREADS = 4
_answers = ThreadPoolExecutor(ANSWER_THREADS, thread_name_prefix="budgetbot-answer")
T = TypeVar("T")


async def off_loop(fn: Callable[..., T], *args: object) -> T:
    """`fn(*args)` in an answer thread, awaited without holding up the event loop."""
    return await asyncio.get_running_loop().run_in_executor(_answers, partial(fn, *args))


SLOW_DOWN = "提问太快了：每分钟最多 {n} 个问题，请稍后再问。"
EMPTY = "请直接写问题，例如：项目支出多少"


def dig(data: object, *keys: str) -> object:
    """data[k1][k2]… of a callback's JSON, or None where a level is missing or not an object (a
    platform's JSON is read as it comes, never trusted to have the shape its documentation says)."""
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def text_of(data: object, *keys: str) -> str:
    value = dig(data, *keys)
    return value if isinstance(value, str) else "" if value is None else str(value)


MAX_BODY = 64 * 1024  # no platform sends a callback near this


class TooLarge(ValueError):
    pass


async def bounded_body(request, limit: int = MAX_BODY) -> bytes:
    """A request's body, read no further than `limit` bytes (uvicorn sets no limit of its own:
    a client could otherwise make the server hold any amount)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise TooLarge("请求太大")
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > limit:
            raise TooLarge("请求太大")
    return bytes(data)


class SlidingWindow:
    """At most `per_minute` events per key in any 60 seconds (0 or less: no limit)."""

    def __init__(self, per_minute: int, max_keys: int = 100_000):
        self.per_minute = per_minute
        self.max_keys = max_keys
        self.events: OrderedDict[str, deque[float]] = OrderedDict()

    def allow(self, key: str) -> bool:
        if self.per_minute <= 0:
            return True
        now = time.monotonic()
        q = self.events.pop(key, None) or deque()
        self.events[key] = q  # most recent last: the oldest keys are dropped first
        while q and now - q[0] > 60:
            q.popleft()
        while len(self.events) > self.max_keys:
            self.events.popitem(last=False)
        if len(q) >= self.per_minute:
            return False
        q.append(now)
        return True


class Seen:
    """Delivery ids answered in the last `ttl` seconds: a platform that retries (or an attacker
    who replays a signed request) gets no second answer."""

    def __init__(self, ttl: float = 3600, max_ids: int = 100_000):
        self.ttl, self.max_ids = ttl, max_ids
        self.ids: OrderedDict[str, float] = OrderedDict()

    def first_time(self, delivery: str) -> bool:
        now = time.monotonic()
        while self.ids and (len(self.ids) >= self.max_ids or now - next(iter(self.ids.values())) > self.ttl):
            self.ids.popitem(last=False)
        if delivery in self.ids:
            return False
        self.ids[delivery] = now
        return True


def cut_utf8(text: str, max_bytes: int) -> str:
    """The text within `max_bytes` of UTF-8, cut between characters, with "…" when cut."""
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    return data[: max_bytes - 3].decode("utf-8", errors="ignore") + "…"


def as_text(answer: Answer, max_bytes: int, markdown: bool = False) -> str:
    """An answer for a chat without buttons: the statement (the figure in bold in markdown), a
    list's first entries and a count, the source, and a clarify's options numbered. Entries are
    dropped from the end (and counted) until it fits `max_bytes`."""
    statement = emphasised(answer, answer.statement, "**", "**") if markdown else answer.statement
    tail = [f"来源：{answer.source}"] if answer.source else []
    if answer.disagreements:
        tail.append(answer.caution())
    if answer.status == "clarify" and answer.options:
        tail += ["请回复序号选择："] + numbered(answer.options)
    keep = min(len(answer.items), MAX_ITEMS)
    bullet = "- " if markdown else "· "
    while True:
        items, more = shown_items(answer.items, keep)
        listed = "\n".join([bullet + i for i in items] + ([more] if more else []))
        blocks = [statement] + ([listed] if listed else []) + tail
        text = ("\n\n" if markdown else "\n").join(blocks)  # markdown needs a blank line to break one
        if len(text.encode("utf-8")) <= max_bytes or keep == 0:
            return cut_utf8(text, max_bytes)
        keep = max(0, keep - max(1, keep // 4))


@dataclass
class Conversations:
    """One platform's users: their rate limit, replays, and the options last offered to each."""

    live: LiveEngine
    per_minute: int = 20
    limiter: SlidingWindow = field(init=False)
    seen: Seen = field(default_factory=Seen)
    offered: OrderedDict[str, list[str]] = field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)  # answers come from several threads

    def __post_init__(self) -> None:
        self.limiter = SlidingWindow(self.per_minute)

    @property
    def engine(self) -> Engine:
        return self.live.current()

    def ask(self, user: str, text: str, delivery: str | None = None) -> Answer | str | None:
        """The reply to a user's message: an Answer, a message (slow down, empty), or None when
        nothing is to be sent (a delivery already answered, a user already told to slow down)."""
        with self.lock:
            if delivery is not None and not self.seen.first_time(delivery):
                return None
            if not self.limiter.allow(user):
                return SLOW_DOWN.format(n=self.per_minute)
            text = text.strip()
            if not text:
                return EMPTY
            picked = choice(text, self.offered.get(user, []))
        answer = self.engine.ask(picked or text)
        with self.lock:
            self.offered.pop(user, None)
            if answer.status == "clarify" and answer.options:
                self.offered[user] = answer.options
                while len(self.offered) > 10_000:
                    self.offered.popitem(last=False)
        return answer
