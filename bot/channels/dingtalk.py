"""钉钉 (DingTalk) robots, incl. government builds (浙政钉/专有钉钉): an enterprise robot's HTTP
callback. Each request carries `timestamp` and `sign` headers: sign = base64(HMAC-SHA256(app
secret, f"{timestamp}\\n{app secret}")), and the timestamp must be within an hour of now. The
answer is posted to the message's `sessionWebhook`, which must be under one of the configured
API bases (a callback cannot send the bot's reply anywhere else). In a group, the robot only
receives the messages that @ it. A question back comes as an ActionCard whose buttons send the
reading chosen as the user's next message (and its numbers work too)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
from urllib.parse import quote, urlsplit

import httpx

from .common import Conversations, as_text, off_loop, text_of

log = logging.getLogger("budgetbot.dingtalk")
TIMESTAMP_WINDOW_MS = 3600 * 1000
MARKDOWN_BYTES = 18_000  # a markdown message's text is limited to 20,000 bytes
MAX_BODY = 64 * 1024
MAX_BUTTONS = 8
DEFAULT_API_BASES = ["https://oapi.dingtalk.com", "https://api.dingtalk.com"]


class DingTalkError(ValueError):
    pass


def sign(secret: str, timestamp: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def buttons(options: list[str]) -> list[dict]:
    """A clarify's readings as buttons: tapping one sends it into the chat as the user's message
    (DingTalk's client link), which the bot then answers."""
    return [{"title": o[:40], "actionURL": "dtmd://dingtalkclient/sendMessage?content=" + quote(o)} for o in options[:MAX_BUTTONS]]


class DingTalkFront:
    def __init__(self, app_secret: str, conversations: Conversations, api_bases: list[str] | None = None, client: httpx.AsyncClient | None = None):
        self.secret = app_secret
        self.conversations = conversations
        self.api_bases = [b.rstrip("/") for b in (api_bases or DEFAULT_API_BASES)]
        self.client = client or httpx.AsyncClient(timeout=10, follow_redirects=False)

    def check(self, headers: dict[str, str]) -> None:
        timestamp = headers.get("timestamp", "")
        if not timestamp.isdigit() or abs(time.time() * 1000 - int(timestamp)) > TIMESTAMP_WINDOW_MS:
            raise DingTalkError("时间戳过期")
        if not hmac.compare_digest(sign(self.secret, timestamp), headers.get("sign", "")):
            raise DingTalkError("签名不对")

    def allowed_webhook(self, url: str) -> bool:
        parts = urlsplit(url)
        return any(url.startswith(base + "/") and parts.scheme in ("https", "http") for base in self.api_bases)

    def accept(self, headers: dict[str, str], body: bytes) -> dict | None:
        """Verify a callback (DingTalkError when it is not DingTalk's): the message to answer, or
        None when there is nothing to answer (not a text). Cheap: done before the acknowledgement."""
        if len(body) > MAX_BODY:
            raise DingTalkError("请求太大")
        self.check(headers)
        try:
            msg = json.loads(body)
        except ValueError as e:
            raise DingTalkError("不是有效的 JSON") from e
        if not isinstance(msg, dict) or msg.get("msgtype") != "text":
            return None
        webhook = str(msg.get("sessionWebhook", ""))
        if not self.allowed_webhook(webhook):
            raise DingTalkError("sessionWebhook 不在允许的地址内")
        return msg

    def reply(self, msg: dict) -> tuple[str, dict] | None:
        """The session webhook and the reply to post there (None: nothing to send — a replay, a
        user already told to slow down). Computes the answer: run in an answer thread."""
        webhook = str(msg.get("sessionWebhook", ""))
        user = text_of(msg, "senderStaffId") or text_of(msg, "senderId")
        text = text_of(msg, "text", "content")
        reply = self.conversations.ask(f"dingtalk:{user}", text, text_of(msg, "msgId") or None)
        if reply is None:
            return None
        content = reply if isinstance(reply, str) else as_text(reply, MARKDOWN_BYTES, markdown=True)
        payload: dict = {"msgtype": "markdown", "markdown": {"title": "预算问答", "text": content}}
        if not isinstance(reply, str) and reply.status == "clarify" and reply.options:
            payload = {"msgtype": "actionCard", "actionCard": {"title": "预算问答", "text": content, "btnOrientation": "0", "btns": buttons(reply.options)}}
        if msg.get("conversationType") == "2" and user:
            payload["at"] = {"atUserIds": [user]}
        return webhook, payload

    async def answer(self, msg: dict) -> None:
        """After the acknowledgement: the answer, computed off the event loop, posted back."""
        reply = await off_loop(self.reply, msg)
        if reply is not None:
            await self.send(*reply)

    async def send(self, webhook: str, payload: dict) -> None:
        try:
            response = await self.client.post(webhook, json=payload)
            if response.status_code != 200:
                log.warning("DingTalk reply failed: HTTP %s", response.status_code)
        except httpx.HTTPError as e:
            log.warning("DingTalk reply failed: %s", type(e).__name__)
