"""`budgetbot serve`: every front the config names, from one process and one engine.

One ASGI app (Starlette) under uvicorn: the HTTP API and widget ([web]), the 企业微信, 钉钉 and
飞书 callbacks ([wecom], [wecom_bot], [dingtalk], [feishu]), and the Telegram bot (a token in
TELEGRAM_BOT_TOKEN or [telegram]) started and stopped by the app's lifespan — long polling, or
its webhook on this same server. One read-only knowledge base, picked up anew when a load
replaces it (knowledge/live.py). SIGTERM or Ctrl-C: uvicorn stops taking requests, the lifespan
stops Telegram and closes the HTTP clients, and the process exits."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import os
from collections.abc import AsyncIterator
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from knowledge.live import LiveEngine
from knowledge.store.postgres import shown

from .channels.common import Conversations, TooLarge, bounded_body, off_loop
from .config import Config, ConfigError, secret
from .supervise import Fronts, keep_starting

log = logging.getLogger("budgetbot.server")
TELEGRAM_WEBHOOK_PATH = "/telegram"
NOTHING_CONFIGURED = (
    "没有要运行的前端：请设置环境变量 TELEGRAM_BOT_TOKEN，或在配置文件里加上 [web]、[wecom]、[dingtalk]、[feishu] 中的一节"
    "（见 config.example.toml）"
)


def bad_request(e: Exception) -> Response:
    log.warning("拒绝了一个回调：%s", e)  # the reason, never the request (it may carry secrets)
    return JSONResponse({"error": "请求无效（签名、格式或大小不对）", "status": 400}, status_code=400)


def wecom_routes(
    path: str, kind: type, section: str, token: str, aes_key: str, receive_id: str, conversations: Conversations, window: int
) -> list[Route]:
    """A 企业微信 callback (an application's or an AI bot's): GET verifies the URL, POST takes a
    message and answers in the response — XML for an application, JSON for an AI bot."""
    from .channels.wecom import WeComCrypto, WeComError

    try:
        front = kind(WeComCrypto(token, aes_key, receive_id), conversations, window)
    except (WeComError, ValueError) as e:
        raise ConfigError(f"[{section}] 配置不对：{e}") from e

    async def verify(request: Request) -> Response:
        try:
            return PlainTextResponse(front.verify_url(dict(request.query_params)))
        except WeComError as e:
            return bad_request(e)

    async def message(request: Request) -> Response:
        try:  # 企业微信 takes the answer in the response: computed in an answer thread, the loop stays free
            reply = await off_loop(front.message, dict(request.query_params), await bounded_body(request))
        except (WeComError, TooLarge) as e:
            return bad_request(e)
        if not reply:  # nothing to say (a retry, an event): WeCom's 被动回复 documentation: "不想回复任何内容，
            return Response(status_code=200)  # 可以直接返回200（即以空串为返回包）" — not the 公众号's "success"
        return JSONResponse(reply) if isinstance(reply, dict) else Response(reply, media_type="application/xml")

    return [Route(path, verify, methods=["GET"]), Route(path, message, methods=["POST"])]


def telegram_wanted(config: Config) -> bool:
    return bool(config.telegram_section or os.environ.get("TELEGRAM_BOT_TOKEN") or config.telegram.token)


def build_app(config: Config, kb_path: Path | str) -> Starlette:
    """The app for this config (ConfigError, in Chinese, for what is missing)."""
    live = LiveEngine(kb_path)
    fronts = Fronts()
    routes: list[Route] = [
        Route("/healthz", lambda r: JSONResponse({"ok": True, "documents": live.current().catalog.documents, "fronts": fronts.report()}))
    ]
    closers: list = []

    if config.web is not None:
        from .web import Web

        routes += Web(live, config.web).routes()
        fronts.running("web")

    if config.wecom is not None:
        from .channels.wecom import WeComFront

        wc = config.wecom
        token, aes_key = secret("wecom", "token", wc.token), secret("wecom", "aes_key", wc.aes_key)
        if not (wc.corp_id and token and aes_key):
            raise ConfigError("[wecom] 需要 corp_id，以及环境变量 WECOM_TOKEN、WECOM_AES_KEY（或配置里的 token、aes_key）")
        routes += wecom_routes(wc.path, WeComFront, "wecom", token, aes_key, wc.corp_id, Conversations(live, wc.rate_limit_per_minute), wc.timestamp_window_seconds)
        fronts.running("wecom")

    if config.wecom_bot is not None:
        from .channels.wecom import WeComBotFront

        wb = config.wecom_bot
        token, aes_key = secret("wecom_bot", "token", wb.token), secret("wecom_bot", "aes_key", wb.aes_key)
        if not (token and aes_key):
            raise ConfigError("[wecom_bot] 需要环境变量 WECOM_BOT_TOKEN、WECOM_BOT_AES_KEY（或配置里的 token、aes_key）")
        routes += wecom_routes(wb.path, WeComBotFront, "wecom_bot", token, aes_key, "", Conversations(live, wb.rate_limit_per_minute), wb.timestamp_window_seconds)
        fronts.running("wecom_bot")

    if config.dingtalk is not None:
        from .channels.dingtalk import DingTalkError, DingTalkFront

        dt = config.dingtalk
        app_secret = secret("dingtalk", "app_secret", dt.app_secret)
        if not app_secret:
            raise ConfigError("[dingtalk] 需要环境变量 DINGTALK_APP_SECRET（或配置里的 app_secret）")
        dingtalk = DingTalkFront(app_secret, Conversations(live, dt.rate_limit_per_minute), dt.api_bases)
        closers.append(dingtalk.client.aclose)

        async def dingtalk_post(request: Request) -> Response:
            try:
                msg = dingtalk.accept(dict(request.headers), await bounded_body(request))
            except (DingTalkError, TooLarge) as e:
                return bad_request(e)
            task = BackgroundTask(dingtalk.answer, msg) if msg else None  # acknowledged at once, answered after
            return JSONResponse({"msgtype": "empty"}, background=task)

        routes.append(Route(dt.path, dingtalk_post, methods=["POST"]))
        fronts.running("dingtalk")

    if config.feishu is not None:
        from .channels.feishu import FeishuError, FeishuFront

        fs = config.feishu
        app_secret = secret("feishu", "app_secret", fs.app_secret)
        verification = secret("feishu", "verification_token", fs.verification_token)
        if not (fs.app_id and app_secret and verification):
            raise ConfigError("[feishu] 需要 app_id，以及环境变量 FEISHU_APP_SECRET、FEISHU_VERIFICATION_TOKEN（或配置里的对应项）")
        feishu = FeishuFront(
            Conversations(live, fs.rate_limit_per_minute),
            app_id=fs.app_id,
            app_secret=app_secret,
            verification_token=verification,
            encrypt_key=secret("feishu", "encrypt_key", fs.encrypt_key),
            api_base=fs.api_base,
        )
        closers.append(feishu.client.aclose)

        async def feishu_post(request: Request) -> Response:
            try:
                respond, pending = await off_loop(feishu.event, dict(request.headers), await bounded_body(request))
            except (FeishuError, TooLarge) as e:
                return bad_request(e)
            task = BackgroundTask(feishu.answer, pending) if pending else None  # acknowledged at once, answered after
            return JSONResponse(respond or {}, background=task)

        routes.append(Route(fs.path, feishu_post, methods=["POST"]))
        fronts.running("feishu")

    application = None
    if telegram_wanted(config):
        from telegram import Update

        from .telegram import build_application

        application = build_application(config, kb_path, live)
        if config.telegram.mode == "webhook":
            if not config.telegram.webhook_url:
                raise ConfigError("telegram.mode = 'webhook' 需要同时设置 telegram.webhook_url")
            webhook_secret = os.environ.get("TELEGRAM_WEBHOOK_SECRET", "")
            if not webhook_secret:  # without it anyone could post updates that make the bot write to any chat
                raise ConfigError("telegram.mode = 'webhook' 需要设置环境变量 TELEGRAM_WEBHOOK_SECRET（只接受带这个密钥的 Telegram 调用）")

            async def telegram_post(request: Request) -> Response:
                given = request.headers.get("x-telegram-bot-api-secret-token", "")
                if not hmac.compare_digest(given, webhook_secret):
                    return JSONResponse({"error": "密钥不对，不接受这个请求", "status": 403}, status_code=403)
                try:
                    update = Update.de_json(json.loads(await bounded_body(request, 1024 * 1024)), application.bot)
                except (ValueError, TooLarge) as e:
                    return bad_request(e)
                await application.update_queue.put(update)
                return Response(status_code=200)

            routes.append(Route(TELEGRAM_WEBHOOK_PATH, telegram_post, methods=["POST"]))
        elif config.telegram.mode != "polling":
            raise ConfigError(f"telegram.mode 只能是 'polling' 或 'webhook'，而不是 {config.telegram.mode!r}")

    if len(routes) == 1 and application is None:
        raise ConfigError(NOTHING_CONFIGURED)

    async def start_telegram() -> None:
        from telegram import Update

        assert application is not None
        await application.initialize()  # asks Telegram who the bot is: fails when it is unreachable
        if application.post_init is not None:  # what run_polling does before it starts (the command menu)
            await application.post_init(application)
        if not application.running:
            await application.start()
        if config.telegram.mode == "webhook":
            await application.bot.set_webhook(
                config.telegram.webhook_url or "",
                secret_token=os.environ.get("TELEGRAM_WEBHOOK_SECRET") or None,
                allowed_updates=Update.ALL_TYPES,
            )
        elif application.updater is not None:
            await application.updater.start_polling(allowed_updates=Update.ALL_TYPES)
        log.info("Telegram bot started (%s)", config.telegram.mode)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        starting = None
        if application is not None:  # in the background: Telegram down must not keep the others down
            from telegram.error import TelegramError

            token = application.bot.token
            starting = asyncio.create_task(keep_starting("Telegram", start_telegram, fronts, (TelegramError, OSError), secrets=(token,)))
        try:
            yield
        finally:
            if starting is not None and not starting.done():
                starting.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await starting
            if application is not None:
                if application.updater is not None and application.updater.running:
                    await application.updater.stop()
                if application.running:
                    await application.stop()
                await application.shutdown()
            for close in closers:
                await close()
            log.info("stopped")

    return Starlette(routes=routes, lifespan=lifespan, exception_handlers={HTTPException: http_error})


HTTP_ERRORS = {
    404: "没有这个地址",
    405: "这个地址不接受这种请求方法",
    413: "请求太大",
    429: "请求太频繁，请稍后再试",
}


async def http_error(request: Request, exc: Exception) -> Response:
    """Every HTTP error as JSON in Chinese (an integrator reads the body; a citizen may too)."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    message = HTTP_ERRORS.get(status, "请求没有成功")
    return JSONResponse({"error": message, "status": status}, status_code=status, headers=getattr(exc, "headers", None))


def run(config: Config, kb_path: Path | str) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # request URLs carry credentials (bot token, session webhook)
    app = build_app(config, kb_path)
    where = config.server
    log.info("serving %s on http://%s:%d", shown(kb_path), where.host, where.port)
    server = uvicorn.Server(uvicorn.Config(app, host=where.host, port=where.port, lifespan="on", log_level="info", access_log=False))
    server.run()
    return 0
