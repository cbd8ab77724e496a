"""`budgetbot serve` as an operator runs it: Telegram (against a stand-in Bot API), 企业微信 and the
web API from one process and one base; SIGTERM (systemd, docker stop) or Ctrl-C stops it cleanly:
Telegram stopped, the lifespan finished, no task left running, no traceback. After SIGTERM the
process ends by that signal as uvicorn does (systemd counts it a clean stop); Ctrl-C exits 130."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest

from .botapi import FakeBotAPI, text_message
from .conftest import ROOT
from .test_platforms import VECTOR, WeComClient

TOKEN = "123456:SERVE-TEST"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_process(tmp_path, sample_kb, port: int, telegram_api: str, web: str = "") -> subprocess.Popen:
    """`budgetbot serve` in its own process with Telegram (its API at `telegram_api`), the web API
    and 企业微信 configured, as an operator starts it."""
    config = tmp_path / "config.toml"
    config.write_text(
        f"""
[server]
port = {port}
[telegram]
mode = "polling"
[web]
{web}
[wecom]
corp_id = "{VECTOR['corp_id']}"
""",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BUDGETBOT_"))}
    env |= {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": telegram_api, "WECOM_TOKEN": VECTOR["token"], "WECOM_AES_KEY": VECTOR["aes_key"]}
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--config", str(config), "--kb", str(sample_kb)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        # as from a terminal: a test run started in the background (`cmd &` in a script) has SIGINT
        # ignored, and a child would inherit that and never see its Ctrl-C
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


@pytest.mark.parametrize(("stop", "status"), [(signal.SIGTERM, -signal.SIGTERM), (signal.SIGINT, 130)])
def test_serve_runs_every_front_and_stops_cleanly(stop, status, sample_kb, tmp_path):
    port = free_port()
    with FakeBotAPI(TOKEN) as api:
        proc = serve_process(tmp_path, sample_kb, port, api.url, web='allowed_origins = ["https://portal.example.gov.cn"]')
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(base + "/healthz").json()["ok"]:
                        break
                except httpx.HTTPError:
                    pass
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.poll() is not None else "no start"
                time.sleep(0.1)
            api.push(text_message(4242, 4242, "项目支出多少"))
            assert "6357.00" in api.wait_for("sendMessage", 4242, timeout=20)[0]["text"]
            wecom = WeComClient(base)
            assert "6357.00 万元" in (wecom.reply_text(wecom.send("项目支出多少")) or "")
            assert httpx.post(base + "/api/ask", json={"question": "基本支出多少"}).json()["value"] == 133.3
        finally:
            proc.send_signal(stop)
            out, err = proc.communicate(timeout=30)
    assert proc.returncode == status, err
    assert "Traceback" not in err and "Task was destroyed" not in err and "never awaited" not in err, err
    assert "Telegram bot started (polling)" in err and "budgetbot.server: stopped" in err and "Application shutdown complete" in err
    assert TOKEN not in out + err  # the token never reaches the log


def test_telegram_webhook_mode_takes_updates_on_the_server(sample_kb, monkeypatch):
    """telegram.mode = "webhook": the webhook is set at start, Telegram's calls come to /telegram
    with the secret token, and anything without it is refused."""
    from bot.config import Config, ConfigError, TelegramConfig
    from bot.server import build_app

    from .servers import serving

    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "s3cret-token")
    with FakeBotAPI(TOKEN) as api:
        config = Config(telegram=TelegramConfig(token=TOKEN, base_url=api.url, mode="webhook", webhook_url="https://bot.example.gov.cn/telegram"))
        with serving(build_app(config, sample_kb)) as base:
            webhook = api.wait_for("setWebhook")[0]
            assert webhook["url"] == "https://bot.example.gov.cn/telegram" and webhook["secret_token"] == "s3cret-token"
            update = {"update_id": 1, **text_message(777, 777, "项目支出多少")}
            assert httpx.post(base + "/telegram", json=update).status_code == 403
            assert httpx.post(base + "/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}).status_code == 403
            ok = httpx.post(base + "/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"})
            assert ok.status_code == 200
            assert "6357.00" in api.wait_for("sendMessage", 777)[0]["text"]
            assert len([c for c in api.calls if c[0] == "sendMessage" and str(c[1].get("chat_id")) == "777"]) == 1
        monkeypatch.delenv("TELEGRAM_WEBHOOK_SECRET")
        with pytest.raises(ConfigError, match="TELEGRAM_WEBHOOK_SECRET"):
            build_app(config, sample_kb)


def test_telegram_unreachable_does_not_take_the_other_fronts_down(sample_kb, tmp_path):
    """Telegram configured and its API unreachable at start (a closed port here; from a government
    network in mainland China, a connection that never answers): one Chinese log line, a retry in
    the background, /healthz saying so — and 企业微信 and the web API answer meanwhile."""
    port, closed = free_port(), free_port()
    proc = serve_process(tmp_path, sample_kb, port, f"http://127.0.0.1:{closed}/bot")
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        health: dict = {}
        while not str(health.get("fronts", {}).get("Telegram", "")).startswith("retrying"):
            with contextlib.suppress(httpx.HTTPError):
                health = httpx.get(base + "/healthz").json()
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < deadline, health
            time.sleep(0.2)
        assert health["ok"] and health["fronts"]["wecom"] == "running" and health["fronts"]["web"] == "running"
        wecom = WeComClient(base)
        assert "6357.00 万元" in (wecom.reply_text(wecom.send("项目支出多少")) or "")
        assert httpx.post(base + "/api/ask", json={"question": "基本支出多少"}).json()["value"] == 133.3
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert "Telegram 启动失败" in err and "其他前端照常服务" in err, err
    assert "Traceback" not in err and "Task was destroyed" not in err and "never awaited" not in err, err
    assert TOKEN not in out + err
