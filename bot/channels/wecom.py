"""企业微信 (WeCom): the callback protocol of a self-built application (自建应用), and of the
智能机器人 (AI bot) that answers in groups (`WeComBotFront`, at the end).

The platform calls the application's callback URL:
- GET  ?msg_signature&timestamp&nonce&echostr — URL verification: echostr decrypted, returned.
- POST ?msg_signature&timestamp&nonce with `<xml><Encrypt>…</Encrypt></xml>` — a message; the
  reply goes back in the HTTP response as an encrypted passive reply (被动回复), so no API call
  or access token is needed.

Cryptography (WXBizMsgCrypt): signature = SHA1 of the sorted token, timestamp, nonce and
ciphertext; AES-256-CBC with key = base64(EncodingAESKey + "="), IV = its first 16 bytes,
PKCS#7 padding to 32 bytes; plaintext = 16 random bytes + 4-byte length + message + corp id.
A passive text reply carries at most 2,048 bytes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import struct
import time
from xml.etree import ElementTree

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from .common import Conversations, as_text, text_of

REPLY_BYTES = 2048
MAX_BODY = 64 * 1024
TIMESTAMP_WINDOW = 300  # seconds a signed request stays valid


class WeComError(ValueError):
    pass


class WeComCrypto:
    def __init__(self, token: str, encoding_aes_key: str, receive_id: str):
        if len(encoding_aes_key) != 43:
            raise WeComError("EncodingAESKey 应为 43 个字符")
        self.token = token
        self.key = base64.b64decode(encoding_aes_key + "=")
        self.receive_id = receive_id

    def signature(self, timestamp: str, nonce: str, encrypted: str) -> str:
        return hashlib.sha1("".join(sorted([self.token, timestamp, nonce, encrypted])).encode()).hexdigest()

    def verify(self, signature: str, timestamp: str, nonce: str, encrypted: str) -> None:
        if not hmac.compare_digest(self.signature(timestamp, nonce, encrypted), signature or ""):
            raise WeComError("签名不对")

    def decrypt(self, encrypted: str) -> str:
        try:
            data = base64.b64decode(encrypted, validate=True)
        except ValueError as e:
            raise WeComError("密文不是 base64") from e
        if not data or len(data) % 16:
            raise WeComError("密文长度不对")
        decryptor = Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16])).decryptor()
        plain = decryptor.update(data) + decryptor.finalize()
        pad = plain[-1]
        if not 1 <= pad <= 32 or plain[-pad:] != bytes([pad]) * pad:
            raise WeComError("解密失败（填充不对）")
        plain = plain[:-pad]
        if len(plain) < 20:  # 16 random bytes and the length come first: shorter is not WeCom's
            raise WeComError("解密结果太短")
        (length,) = struct.unpack(">I", plain[16:20])
        message, receive_id = plain[20 : 20 + length], plain[20 + length :]
        if len(message) != length or receive_id.decode("utf-8", "replace") != self.receive_id:
            raise WeComError("解密结果不属于本企业")
        try:
            return message.decode("utf-8")
        except UnicodeDecodeError as e:
            raise WeComError("解密结果不是 UTF-8 文本") from e

    def encrypt(self, message: str, random16: bytes | None = None) -> str:
        body = message.encode("utf-8")
        plain = (random16 or os.urandom(16)) + struct.pack(">I", len(body)) + body + self.receive_id.encode()
        pad = 32 - len(plain) % 32
        plain += bytes([pad]) * pad
        encryptor = Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16])).encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def parse_xml(text: str | bytes) -> dict[str, str]:
    """The fields of a flat callback XML. DOCTYPE/ENTITY declarations are refused (no entity
    expansion, no external entities)."""
    raw = text.encode() if isinstance(text, str) else text
    if b"<!DOCTYPE" in raw.upper() or b"<!ENTITY" in raw.upper():
        raise WeComError("XML 里不允许声明")
    try:
        root = ElementTree.fromstring(raw)
    except ElementTree.ParseError as e:
        raise WeComError("不是有效的 XML") from e
    return {child.tag: (child.text or "") for child in root}


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


class WeComFront:
    """One application's callback: verify, decrypt, answer, encrypt the passive reply."""

    def __init__(self, crypto: WeComCrypto, conversations: Conversations, window: int = TIMESTAMP_WINDOW):
        self.crypto = crypto
        self.conversations = conversations
        self.window = window

    def _check(self, params: dict[str, str], encrypted: str) -> None:
        timestamp = params.get("timestamp", "")
        if not timestamp.isdigit():
            raise WeComError("请求没有时间戳")
        drift = int(time.time() - int(timestamp))
        if abs(drift) > self.window:  # a replay, or this server's clock is off: say which to look at
            raise WeComError(
                f"时间戳与本机时钟相差 {drift} 秒，超过允许的 {self.window} 秒：若每个请求都这样，请检查服务器时钟（NTP），"
                f"或在配置里调大 timestamp_window_seconds"
            )
        self.crypto.verify(params.get("msg_signature", ""), timestamp, params.get("nonce", ""), encrypted)

    def verify_url(self, params: dict[str, str]) -> str:
        echo = params.get("echostr", "")
        self._check(params, echo)
        return self.crypto.decrypt(echo)

    def message(self, params: dict[str, str], body: bytes) -> str:
        """The HTTP response body for a callback: an encrypted passive reply, or "" (nothing to
        say: an event, a replay, a user already told to slow down)."""
        if len(body) > MAX_BODY:
            raise WeComError("请求太大")
        encrypted = parse_xml(body).get("Encrypt", "")
        self._check(params, encrypted)
        msg = parse_xml(self.crypto.decrypt(encrypted))
        if msg.get("MsgType") != "text":
            return ""
        user = msg.get("FromUserName", "")
        delivery = msg.get("MsgId") or f"{user}:{msg.get('CreateTime')}"
        reply = self.conversations.ask(f"wecom:{user}", msg.get("Content", ""), delivery)
        if reply is None:
            return ""
        text = reply if isinstance(reply, str) else as_text(reply, REPLY_BYTES)
        return self.passive_reply(user, msg.get("ToUserName", ""), text)

    def passive_reply(self, to_user: str, from_corp: str, text: str, timestamp: str | None = None, nonce: str | None = None) -> str:
        timestamp = timestamp or str(int(time.time()))
        nonce = nonce or str(secrets.randbelow(10**9))
        inner = (
            f"<xml><ToUserName>{cdata(to_user)}</ToUserName><FromUserName>{cdata(from_corp)}</FromUserName>"
            f"<CreateTime>{timestamp}</CreateTime><MsgType><![CDATA[text]]></MsgType><Content>{cdata(text)}</Content></xml>"
        )
        encrypted = self.crypto.encrypt(inner)
        signature = self.crypto.signature(timestamp, nonce, encrypted)
        return (
            f"<xml><Encrypt>{cdata(encrypted)}</Encrypt><MsgSignature>{cdata(signature)}</MsgSignature>"
            f"<TimeStamp>{timestamp}</TimeStamp><Nonce>{cdata(nonce)}</Nonce></xml>"
        )


STREAM_BYTES = 20_000  # a stream reply's content may be 20,480 bytes


class WeComBotFront:
    """企业微信 智能机器人 (AI bot), the bot type that answers in groups (when @-mentioned) and
    in single chats. Its callbacks are JSON: {"encrypt": …} with the same signature and AES as
    an application's, an empty receive id, and the message as JSON (msgid, chattype, from.userid,
    text.content). The reply is a finished stream message in markdown, encrypted in the HTTP
    response."""

    def __init__(self, crypto: WeComCrypto, conversations: Conversations, window: int = TIMESTAMP_WINDOW):
        self.crypto = crypto
        self.conversations = conversations
        self.app = WeComFront(crypto, conversations, window)  # the same URL verification and checks

    def verify_url(self, params: dict[str, str]) -> str:
        return self.app.verify_url(params)

    def message(self, params: dict[str, str], body: bytes) -> dict | None:
        """The encrypted JSON reply for a callback, or None when there is nothing to say."""
        import json

        if len(body) > MAX_BODY:
            raise WeComError("请求太大")
        try:
            encrypted = str(json.loads(body).get("encrypt", ""))
        except (ValueError, AttributeError) as e:
            raise WeComError("不是有效的 JSON") from e
        self.app._check(params, encrypted)
        try:
            msg = json.loads(self.crypto.decrypt(encrypted))
        except ValueError as e:
            raise WeComError("解密结果不是 JSON") from e
        if not isinstance(msg, dict) or msg.get("msgtype") != "text":
            return None
        text = text_of(msg, "text", "content")
        if msg.get("chattype") == "group":
            text = text.split(maxsplit=1)[1] if text.startswith("@") and " " in text.strip() else text  # "@预算问答 项目支出多少"
        user = text_of(msg, "from", "userid")
        reply = self.conversations.ask(f"wecom-bot:{user}", text, text_of(msg, "msgid") or None)
        if reply is None:
            return None
        content = reply if isinstance(reply, str) else as_text(reply, STREAM_BYTES, markdown=True)
        plain = json.dumps({"msgtype": "stream", "stream": {"id": secrets.token_hex(8), "finish": True, "content": content}}, ensure_ascii=False)
        timestamp, nonce = str(int(time.time())), secrets.token_hex(8)
        sealed = self.crypto.encrypt(plain)
        return {"encrypt": sealed, "msgsignature": self.crypto.signature(timestamp, nonce, sealed), "timestamp": int(timestamp), "nonce": nonce}
