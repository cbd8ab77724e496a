"""A stand-in Telegram Bot API server on 127.0.0.1 for the bot's end-to-end tests.

It speaks the HTTP methods the bot uses (getMe, getUpdates, sendMessage, editMessageText,
answerCallbackQuery, answerInlineQuery, setMyCommands, deleteWebhook…), hands out the updates
a test pushes, and records every call so the test can check what the bot sent. Standard library
only; it runs in a thread and listens on loopback only.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

BOT_ID = 999000
BOT_USERNAME = "budget_test_bot"


def _decode(value: str):
    if value[:1] in "{[":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _multipart(ctype: str, body: bytes) -> dict:
    from email import policy
    from email.parser import BytesParser

    message = BytesParser(policy=policy.default).parsebytes(f"Content-Type: {ctype}\r\n\r\n".encode() + body)
    params: dict = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True) or b""
        params[str(name)] = data if part.get_filename() else _decode(data.decode("utf-8"))
    return params


class FakeBotAPI:
    def __init__(self, token: str):
        self.token = token
        self.updates: list[dict] = []
        self.calls: list[tuple[str, dict]] = []
        self.flood: dict[int, int] = {}  # chat id → how many sendMessage calls to refuse with 429
        self.lock = threading.Condition()
        self.update_ids = itertools.count(1)
        self.message_ids = itertools.count(1000)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/bot"

    def __enter__(self) -> FakeBotAPI:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    # ------------------------------------------------------------------------ the API itself

    def _handler(self):
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                ctype = self.headers.get("Content-Type", "")
                if "multipart/form-data" in ctype:  # sendPhoto: the file as bytes
                    params = _multipart(ctype, body)
                else:
                    raw = body.decode("utf-8")
                    params = json.loads(raw or "{}") if "json" in ctype else {k: _decode(v[0]) for k, v in parse_qs(raw).items()}
                prefix = f"/bot{api.token}/"
                if not self.path.startswith(prefix):
                    self._send(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                    return
                method = self.path[len(prefix) :]
                chat = str(params.get("chat_id", ""))
                chat_id = int(chat) if chat.lstrip("-").isdigit() else 0
                if method == "sendMessage" and api.flood.get(chat_id, 0) > 0:
                    api.flood[chat_id] -= 1
                    with api.lock:
                        api.calls.append(("429", params))
                    self._send(
                        429,
                        {
                            "ok": False,
                            "error_code": 429,
                            "description": "Too Many Requests: retry after 1",
                            "parameters": {"retry_after": 1},
                        },
                    )
                    return
                result = api.handle(method, params)
                self._send(200, {"ok": True, "result": result})

            do_GET = do_POST

            def _send(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the bot hung up (it is stopping)
                    self.wfile.write(data)

        return Handler

    def bot_user(self) -> dict:
        return {
            "id": BOT_ID,
            "is_bot": True,
            "first_name": "Budget",
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
        }

    def handle(self, method: str, params: dict):
        if method == "getUpdates":
            offset = int(params.get("offset") or 0)
            deadline = time.monotonic() + min(float(params.get("timeout") or 0), 0.5)
            with self.lock:
                while True:
                    ready = [u for u in self.updates if u["update_id"] >= offset]
                    if ready or time.monotonic() >= deadline:
                        return ready
                    self.lock.wait(0.05)
        with self.lock:
            self.calls.append((method, params))
            self.lock.notify_all()
        if method == "getMe":
            return self.bot_user()
        if method in ("sendMessage", "editMessageText", "sendPhoto"):
            chat_id = int(params.get("chat_id") or 0)
            return {
                "message_id": int(params.get("message_id") or next(self.message_ids)),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "group"},
                "from": self.bot_user(),
                "text": params.get("text", ""),
            }
        return True

    # --------------------------------------------------------------------------- for tests

    def push(self, update: dict) -> int:
        with self.lock:
            update = {"update_id": next(self.update_ids), **update}
            self.updates.append(update)
            self.lock.notify_all()
            return update["update_id"]

    def sent(self, method: str = "sendMessage", chat_id: int | None = None) -> list[dict]:
        with self.lock:
            return [p for m, p in self.calls if m == method and (chat_id is None or int(p.get("chat_id", 0)) == chat_id)]

    def wait_for(self, method: str, chat_id: int | None = None, count: int = 1, timeout: float = 10.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        with self.lock:
            while True:
                found = [p for m, p in self.calls if m == method and (chat_id is None or int(p.get("chat_id", 0)) == chat_id)]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"the bot did not call {method} {count}× (chat {chat_id}); calls: {[m for m, _ in self.calls][-10:]}"
                    )
                self.lock.wait(remaining)


_messages = itertools.count(1)


def user(uid: int) -> dict:
    return {"id": uid, "is_bot": False, "first_name": f"user{uid}"}


def text_message(
    chat_id: int, uid: int, text: str, chat_type: str = "private", entities=None, reply_to: dict | None = None
) -> dict:
    message = {
        "message_id": next(_messages),
        "date": int(time.time()),
        "chat": {"id": chat_id, "type": chat_type, **({"title": "预算群"} if chat_type != "private" else {})},
        "from": user(uid),
        "text": text,
    }
    if entities:
        message["entities"] = entities
    if text.startswith("/"):
        command = text.split()[0]
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    if reply_to:
        message["reply_to_message"] = reply_to
    return {"message": message}


def mention_entities(text: str) -> list[dict]:
    word = f"@{BOT_USERNAME}"
    at = text.index(word)
    return [{"type": "mention", "offset": len(text[:at].encode("utf-16-le")) // 2, "length": len(word)}]


TELEGRAM_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "tg-spoiler", "span", "blockquote"}


class _TelegramHTML(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in TELEGRAM_TAGS:
            self.problems.append(f"<{tag}> is not a Telegram tag")
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.problems.append(f"</{tag}> closes nothing open")

    def handle_entityref(self, name):
        if name not in ("lt", "gt", "amp", "quot"):
            self.problems.append(f"&{name}; is not an entity Telegram knows")


def telegram_html_problems(text: str) -> list[str]:
    """What Telegram would refuse in a message sent with parse_mode=HTML: unknown tags, tags not
    closed, entities it does not know, or more than 4,096 UTF-16 units."""
    check = _TelegramHTML()
    check.feed(text)
    check.close()
    problems = check.problems + [f"<{t}> is never closed" for t in check.stack]
    if len(text.encode("utf-16-le")) // 2 > 4096:
        problems.append(f"{len(text)} characters: longer than one message")
    if not text.strip():
        problems.append("an empty message")
    return problems


def fuzzed_update(kind: str, text: str, uid: int, chat: int) -> dict:
    me = {"message_id": 1, "date": int(time.time()), "chat": {"id": uid, "type": "private"}, "from": {"id": 999000, "is_bot": True, "first_name": "B"}, "text": "…"}
    if kind == "private":
        return text_message(uid, uid, text or " ")
    if kind == "command":
        return text_message(uid, uid, f"/{['ask', 'define', 'start', 'help', 'sources', 'reload'][len(text) % 6]} {text}")
    if kind == "group_mention":
        said = f"@{BOT_USERNAME} {text}"
        return text_message(chat, uid, said, chat_type="group", entities=mention_entities(said))
    if kind == "group_reply":
        return text_message(chat, uid, text or " ", chat_type="supergroup", reply_to=me | {"chat": {"id": chat, "type": "supergroup"}})
    if kind == "group_silent":
        return text_message(chat, uid, text or " ", chat_type="group")
    if kind == "callback":
        return {"callback_query": {"id": f"cb{uid}", "from": user(uid), "chat_instance": "x", "data": text.encode()[:64].decode(errors="ignore") or "x", "message": me}}
    if kind == "inline":
        return {"inline_query": {"id": f"iq{uid}", "from": user(uid), "query": text[:256], "offset": ""}}
    if kind == "edited":
        return {"edited_message": text_message(uid, uid, text or " ")["message"]}
    if kind == "channel":
        return {"channel_post": text_message(chat, uid, text or " ", chat_type="channel")["message"] | {"from": None}}
    if kind == "caption":
        message = text_message(uid, uid, "")["message"]
        message.pop("text")
        return {"message": message | {"caption": text or " ", "photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]}}
    message = text_message(uid, uid, "")["message"]  # a sticker: no text at all
    message.pop("text")
    return {"message": message | {"sticker": {"file_id": "s", "file_unique_id": "s", "width": 1, "height": 1, "is_animated": False, "is_video": False, "type": "regular"}}}


# Every kind of update the bot handles or must ignore.
KINDS = ["private", "command", "group_mention", "group_reply", "group_silent", "callback", "inline", "edited", "channel", "caption", "sticker"]


@contextlib.contextmanager
def polling(application):
    """Run a built PTB Application with long polling in a thread of its own (what run_polling
    does, without taking over the main thread); stopped on leaving the block."""
    import asyncio

    ready = threading.Event()
    stop: dict = {}

    async def main():
        stop["event"] = asyncio.Event()
        stop["loop"] = asyncio.get_running_loop()
        async with application:
            await application.post_init(application)  # what run_polling does before it starts
            await application.start()
            await application.updater.start_polling(poll_interval=0.0, timeout=1)
            ready.set()
            await stop["event"].wait()
            await application.updater.stop()
            await application.stop()

    thread = threading.Thread(target=lambda: asyncio.run(main()), daemon=True)
    thread.start()
    if not ready.wait(30):
        raise TimeoutError("the bot did not start")
    try:
        yield
    finally:
        stop["loop"].call_soon_threadsafe(stop["event"].set)
        thread.join(30)
