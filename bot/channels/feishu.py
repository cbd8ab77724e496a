"""飞书 (Feishu / Lark) event subscription (im.message.receive_v1, schema 2.0).

- A request is checked by its verification token and, when an encrypt key is set, by its
  signature: X-Lark-Signature = SHA256(timestamp + nonce + encrypt key + body) in hex. With an
  encrypt key the body is {"encrypt": base64(IV + AES-256-CBC(SHA256(key), PKCS#7))}.
- The URL challenge is answered with the challenge.
- A message is acknowledged at once (Feishu retries a slow or failed callback) and answered
  through the API: reply to the message with a card, the tenant token fetched with the app id
  and secret and kept until it expires. The API base is configurable (Lark, private builds).
In a group the bot only answers messages that mention it. A question back is a card with a button
per reading; a tap (card.action.trigger) turns the card into that reading's answer."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
import time

import httpx
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from knowledge.answer import Answer

from .common import Conversations, as_text, dig, off_loop, text_of

log = logging.getLogger("budgetbot.feishu")
CARD_BYTES = 20_000  # a card may be 30 KB; the answer is kept well within it
MAX_BODY = 64 * 1024
DEFAULT_API_BASE = "https://open.feishu.cn"


class FeishuError(ValueError):
    pass


def decrypt(encrypt_key: str, encrypted: str) -> str:
    key = hashlib.sha256(encrypt_key.encode()).digest()
    try:
        data = base64.b64decode(encrypted, validate=True)
    except ValueError as e:
        raise FeishuError("密文不是 base64") from e
    if len(data) < 32 or len(data) % 16:
        raise FeishuError("密文长度不对")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(data[:16])).decryptor()
    plain = decryptor.update(data[16:]) + decryptor.finalize()
    pad = plain[-1]
    if not 1 <= pad <= 16 or plain[-pad:] != bytes([pad]) * pad:
        raise FeishuError("解密失败")
    return plain[:-pad].decode("utf-8")


def encrypt(encrypt_key: str, plain: str, iv: bytes) -> str:
    """What Feishu sends (for tests and tools)."""
    key = hashlib.sha256(encrypt_key.encode()).digest()
    data = plain.encode()
    pad = 16 - len(data) % 16
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return base64.b64encode(iv + encryptor.update(data + bytes([pad]) * pad) + encryptor.finalize()).decode()


def signature(timestamp: str, nonce: str, encrypt_key: str, body: bytes) -> str:
    return hashlib.sha256(timestamp.encode() + nonce.encode() + encrypt_key.encode() + body).hexdigest()


MAX_BUTTONS = 8


def card(text: str, options: list[str] | None = None) -> dict:
    """An answer as a card; a question back with a button per reading (card.action.trigger)."""
    elements: list[dict] = [{"tag": "markdown", "content": text}]
    if options:
        elements.append({
            "tag": "action",
            "actions": [
                {"tag": "button", "text": {"tag": "plain_text", "content": o[:40]}, "type": "default", "value": {"question": o}}
                for o in options[:MAX_BUTTONS]
            ],
        })
    return {"config": {"wide_screen_mode": True}, "elements": elements}


def card_of(reply: Answer | str) -> dict:
    if isinstance(reply, str):
        return card(reply)
    return card(as_text(reply, CARD_BYTES, markdown=True), reply.options if reply.status == "clarify" else None)


class FeishuFront:
    def __init__(
        self,
        conversations: Conversations,
        *,
        app_id: str,
        app_secret: str,
        verification_token: str,
        encrypt_key: str | None = None,
        api_base: str = DEFAULT_API_BASE,
        client: httpx.AsyncClient | None = None,
    ):
        self.conversations = conversations
        self.app_id, self.app_secret = app_id, app_secret
        self.verification_token, self.encrypt_key = verification_token, encrypt_key
        self.api_base = api_base.rstrip("/")
        self.client = client or httpx.AsyncClient(timeout=10, follow_redirects=False)
        self._token: tuple[str, float] | None = None

    def event(self, headers: dict[str, str], body: bytes) -> tuple[dict | None, tuple[str, str, str, str] | None]:
        """Verify and read a callback: the JSON to respond with (the challenge, a tapped button's
        new card) and, for a message, what to answer after the acknowledgement (user, text,
        delivery id, message id: `reply`). A button's card is computed here: run off the loop."""
        if len(body) > MAX_BODY:
            raise FeishuError("请求太大")
        given = headers.get("x-lark-signature", "")
        if self.encrypt_key and given:
            expected = signature(headers.get("x-lark-request-timestamp", ""), headers.get("x-lark-request-nonce", ""), self.encrypt_key, body)
            if not hmac.compare_digest(expected, given):
                raise FeishuError("签名不对")
        try:
            data = json.loads(body)
            if self.encrypt_key:
                data = json.loads(decrypt(self.encrypt_key, str(data.get("encrypt", ""))))
        except ValueError as e:
            raise FeishuError("不是有效的 JSON") from e
        if not isinstance(data, dict):
            raise FeishuError("不是有效的事件")
        header = dig(data, "header")
        token = data.get("token") if data.get("type") == "url_verification" else dig(header, "token")
        if not hmac.compare_digest(str(token or ""), self.verification_token):
            raise FeishuError("verification token 不对")
        if data.get("type") == "url_verification":
            return {"challenge": text_of(data, "challenge")}, None
        if self.encrypt_key and not given:
            raise FeishuError("缺少签名")  # only the URL challenge comes unsigned
        event_id = text_of(header, "event_id")
        if dig(header, "event_type") == "card.action.trigger":  # a reading's button: the card becomes its answer
            return self._button(event_id, dig(data, "event")), None
        if dig(header, "event_type") != "im.message.receive_v1":
            return None, None
        message = dig(data, "event", "message")
        if dig(message, "message_type") != "text":
            return None, None
        if dig(message, "chat_type") == "group" and not dig(message, "mentions"):
            return None, None  # a group message not meant for the bot
        try:
            text = text_of(json.loads(text_of(message, "content") or "{}"), "text")
        except ValueError:
            return None, None
        text = re.sub(r"@_user_\d+", " ", text)  # mentions are placeholders in the text
        user = text_of(data, "event", "sender", "sender_id", "open_id")
        message_id = text_of(message, "message_id")
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,100}", message_id):
            return None, None  # the id goes into the reply's URL: an id of Feishu's form only
        return None, (f"feishu:{user}", text, event_id or message_id, message_id)

    def reply(self, pending: tuple[str, str, str, str]) -> tuple[str, dict] | None:
        """The card answering a message (None: a replay, a user already told to slow down)."""
        user, text, delivery, message_id = pending
        reply = self.conversations.ask(user, text, delivery or None)
        return None if reply is None else (message_id, card_of(reply))

    async def answer(self, pending: tuple[str, str, str, str]) -> None:
        """After the acknowledgement: the answer, computed off the event loop, sent as a reply."""
        reply = await off_loop(self.reply, pending)
        if reply is not None:
            await self.send(*reply)

    def _button(self, event_id: str, event: object) -> dict | None:
        question = dig(event, "action", "value", "question")
        if not isinstance(question, str):
            return None
        user = text_of(event, "operator", "open_id")
        reply = self.conversations.ask(f"feishu:{user}", question, event_id or None)
        if reply is None:
            return None
        return {"card": {"type": "raw", "data": card_of(reply)}}

    async def tenant_token(self) -> str:
        if self._token and self._token[1] > time.monotonic():
            return self._token[0]
        response = await self.client.post(
            f"{self.api_base}/open-apis/auth/v3/tenant_access_token/internal", json={"app_id": self.app_id, "app_secret": self.app_secret}
        )
        data = response.json()
        if data.get("code") != 0:
            raise FeishuError(f"取 tenant_access_token 失败（code {data.get('code')}）")
        self._token = (data["tenant_access_token"], time.monotonic() + max(60, int(data.get("expire", 7200)) - 300))
        return self._token[0]

    async def send(self, message_id: str, content: dict) -> None:
        try:
            token = await self.tenant_token()
            response = await self.client.post(
                f"{self.api_base}/open-apis/im/v1/messages/{message_id}/reply",
                headers={"Authorization": f"Bearer {token}"},
                json={"msg_type": "interactive", "content": json.dumps(content, ensure_ascii=False)},
            )
            if response.status_code != 200 or response.json().get("code") != 0:
                log.warning("Feishu reply failed: HTTP %s", response.status_code)
        except (httpx.HTTPError, FeishuError, ValueError) as e:
            log.warning("Feishu reply failed: %s", e)
