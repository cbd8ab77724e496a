"""The Telegram bot end to end: the real Application, over HTTP, against a Bot API on loopback."""

from __future__ import annotations

import itertools
import logging
import re
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import Config, TelegramConfig
from bot.render import pack, render_html
from bot.telegram import build_application
from knowledge.answer import Answer

from .botapi import (
    BOT_USERNAME,
    KINDS,
    FakeBotAPI,
    fuzzed_update,
    mention_entities,
    polling,
    telegram_html_problems,
    text_message,
    user,
)

TOKEN = "123456:TEST-token-never-logged"
ADMIN = 4242
_ids = itertools.count(10_000)


class LogCollector(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture(scope="module")
def bot(sample_kb):
    logs = LogCollector()
    root = logging.getLogger()
    old_level = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(logs)
    with FakeBotAPI(TOKEN) as api:
        config = Config(telegram=TelegramConfig(token=TOKEN, base_url=api.url, admins=[ADMIN], rate_limit_per_minute=5))
        application = build_application(config, sample_kb)
        with polling(application):
            api.logs = logs
            yield api
    root.removeHandler(logs)
    root.setLevel(old_level)


def new_chat() -> int:
    return next(_ids)


def test_start_shows_help_and_example_buttons(bot):
    chat = new_chat()
    bot.push(text_message(chat, chat, "/start"))
    sent = bot.wait_for("sendMessage", chat)[0]
    assert "拿不准时会反问" in sent["text"] and "望都县乡村振兴局2022年预算" in sent["text"]
    buttons = [b for row in sent["reply_markup"]["inline_keyboard"] for b in row]
    assert any("项目支出" in b["text"] for b in buttons)
    # tapping an example answers it
    bot.push(
        {
            "callback_query": {
                "id": "cb-ex",
                "from": user(chat),
                "chat_instance": "x",
                "data": buttons[0]["callback_data"],
                "message": {
                    "message_id": 1,
                    "date": int(time.time()),
                    "chat": {"id": chat, "type": "private"},
                    "from": bot.bot_user(),
                    "text": sent["text"],
                },
            }
        }
    )
    answer = bot.wait_for("sendMessage", chat, count=2)[1]
    assert "<b>6357.00</b>" in answer["text"]


def test_private_question_gets_the_figure_in_bold_and_its_citation(bot):
    chat = new_chat()
    bot.push(text_message(chat, chat, "2022年项目支出多少"))
    sent = bot.wait_for("sendMessage", chat)[0]
    assert sent["parse_mode"] == "HTML"
    first, *rest = sent["text"].split("\n")
    assert "<b>6357.00</b> 万元" in first
    assert rest and rest[-1].startswith("<i>来源：部门预算支出总表 第5页 第1行")


def test_an_unknown_command_in_a_private_chat_points_to_help_and_in_a_group_is_left_alone(bot):
    chat = new_chat()
    bot.push(text_message(chat, chat, "/预算 项目支出"))
    assert "/help" in bot.wait_for("sendMessage", chat)[0]["text"]
    group = -new_chat()
    bot.push(text_message(group, chat, "/otherbot_command", chat_type="group"))
    bot.push(text_message(group, chat, f"@{BOT_USERNAME} 办公费多少", chat_type="group", entities=mention_entities(f"@{BOT_USERNAME} 办公费多少")))
    sent = bot.wait_for("sendMessage", group)
    assert len(sent) == 1 and "7.58" in sent[0]["text"]


def test_group_message_without_mention_gets_no_reply_and_with_mention_does(bot):
    chat = -new_chat()
    member = new_chat()
    bot.push(text_message(chat, member, "今天开会讨论项目支出", chat_type="group"))
    text = f"@{BOT_USERNAME} 基本支出是多少"
    bot.push(text_message(chat, member, text, chat_type="group", entities=mention_entities(text)))
    sent = bot.wait_for("sendMessage", chat)
    time.sleep(0.3)
    sent = bot.sent("sendMessage", chat)
    assert len(sent) == 1 and "<b>133.30</b>" in sent[0]["text"]


def test_reply_to_the_bot_in_a_group_is_a_question(bot):
    chat = -new_chat()
    bot_message = {
        "message_id": 5,
        "date": int(time.time()),
        "chat": {"id": chat, "type": "supergroup"},
        "from": bot.bot_user(),
        "text": "…",
    }
    bot.push(text_message(chat, new_chat(), "人员经费呢", chat_type="supergroup", reply_to=bot_message))
    assert "<b>110.12</b>" in bot.wait_for("sendMessage", chat)[0]["text"]


def test_ask_command_in_a_group(bot):
    chat = -new_chat()
    bot.push(text_message(chat, new_chat(), "/ask 办公费多少", chat_type="group"))
    assert "<b>7.58</b>" in bot.wait_for("sendMessage", chat)[0]["text"]


def test_a_breakdown_is_followed_by_its_chart(bot):
    import io

    from PIL import Image

    chat = new_chat()
    bot.push(text_message(chat, chat, "钱都花在哪"))
    assert "农林水支出" in bot.wait_for("sendMessage", chat)[0]["text"]
    photo = bot.wait_for("sendPhoto", chat)[0]
    image = Image.open(io.BytesIO(photo["photo"]))
    assert image.format == "PNG" and image.width == 880 and "支出按功能分类" in photo["caption"]
    bot.push(text_message(chat, chat, "项目支出多少"))  # one figure: no chart
    bot.wait_for("sendMessage", chat, count=2)
    time.sleep(0.3)
    assert sum(1 for method, p in bot.calls if method == "sendPhoto" and str(p.get("chat_id")) == str(chat)) == 1


def test_define_and_sources(bot):
    chat = new_chat()
    bot.push(text_message(chat, chat, "/define 三公经费"))
    assert "因公出国" in bot.wait_for("sendMessage", chat)[0]["text"]
    bot.push(text_message(chat, chat, "/sources"))
    assert "475_望都县乡村振兴局_2022_部门预算.txt" in bot.wait_for("sendMessage", chat, count=2)[1]["text"]


def test_inline_query_returns_an_article_with_its_citation(bot):
    uid = new_chat()
    bot.push({"inline_query": {"id": "iq1", "from": user(uid), "query": "项目支出多少", "offset": ""}})
    call = next(c for c in bot.wait_for("answerInlineQuery") if c["inline_query_id"] == "iq1")
    article = call["results"][0]
    assert article["type"] == "article" and "6357.00" in article["title"]
    assert "来源" in article["input_message_content"]["message_text"]


def test_clarify_flow_through_the_keyboard(bot):
    chat = new_chat()
    bot.push(text_message(chat, chat, "公务用车运行维护费多少"))
    sent = bot.wait_for("sendMessage", chat)[0]
    buttons = [b for row in sent["reply_markup"]["inline_keyboard"] for b in row]
    assert len(buttons) == 2 and "<b>" not in sent["text"]
    narrative = next(b for b in buttons if "情况说明" in b["text"])
    bot.push(
        {
            "callback_query": {
                "id": "cb1",
                "from": user(chat),
                "chat_instance": "c",
                "data": narrative["callback_data"],
                "message": {
                    "message_id": 77,
                    "date": int(time.time()),
                    "chat": {"id": chat, "type": "private"},
                    "from": bot.bot_user(),
                    "text": "…",
                },
            }
        }
    )
    edited = bot.wait_for("editMessageText", chat)[0]
    assert int(edited["message_id"]) == 77 and "<b>1.00</b>" in edited["text"]
    assert any(c.get("callback_query_id") == "cb1" for c in bot.sent("answerCallbackQuery"))


def test_expired_option_is_answered_politely(bot):
    chat = new_chat()
    bot.push(
        {
            "callback_query": {
                "id": "cb-old",
                "from": user(chat),
                "chat_instance": "c",
                "data": "opt:nosuchkey:0",
                "message": {
                    "message_id": 78,
                    "date": int(time.time()),
                    "chat": {"id": chat, "type": "private"},
                    "from": bot.bot_user(),
                    "text": "…",
                },
            }
        }
    )
    deadline = time.time() + 10
    while time.time() < deadline and not any(c.get("callback_query_id") == "cb-old" for c in bot.sent("answerCallbackQuery")):
        time.sleep(0.05)
    call = next(c for c in bot.sent("answerCallbackQuery") if c.get("callback_query_id") == "cb-old")
    assert "过期" in call["text"]


def test_long_message_and_emoji_garbage_do_not_stop_the_bot(bot):
    chat = new_chat()
    bot.push(text_message(chat, chat, "预算" * 2500))
    bot.push(text_message(chat, chat, "🙂🙃🤔💰" * 50))
    bot.push(text_message(chat, chat, "项目支出多少"))
    sent = bot.wait_for("sendMessage", chat, count=3)
    assert all(len(s["text"]) <= 4096 for s in sent)
    assert "<b>6357.00</b>" in sent[2]["text"]


def test_rate_limit_per_user(bot):
    chat = new_chat()
    for _ in range(7):
        bot.push(text_message(chat, chat, "办公费多少"))
    sent = bot.wait_for("sendMessage", chat, count=6)
    time.sleep(0.3)
    sent = bot.sent("sendMessage", chat)
    assert len(sent) == 6  # five answers, one friendly warning, then silence
    assert "每分钟最多 5 个问题" in sent[5]["text"]


def test_reload_is_for_admins_only(bot):
    chat = new_chat()
    bot.push(text_message(chat, chat, "/reload"))
    assert "只有管理员" in bot.wait_for("sendMessage", chat)[0]["text"]
    bot.push(text_message(ADMIN, ADMIN, "/reload"))
    assert "已重新载入：1 份" in bot.wait_for("sendMessage", ADMIN)[0]["text"]


def test_token_never_appears_in_logs(bot):
    bot.push(text_message(new_chat(), 1, "项目支出"))
    bot.wait_for("sendMessage", count=1)
    logging.getLogger("httpx").warning("HTTP Request: POST %s", f"{bot.url}{TOKEN}/getMe")
    logging.getLogger("budgetbot").error(f"failed for bot{TOKEN}")
    assert bot.logs.lines, "nothing was logged"
    assert not any(TOKEN in line for line in bot.logs.lines)
    assert sum("<token>" in line for line in bot.logs.lines) >= 2


def test_commands_are_registered(bot):
    commands = bot.wait_for("setMyCommands")[0]["commands"]
    assert {c["command"] for c in commands} >= {"ask", "define", "sources", "help"}


def test_a_long_answer_is_one_message_cut_with_a_count():
    answer = Answer(question="q", status="answered", answer="a<b>&c " + "数" * 9000, source="表 <x>")
    (message,) = render_html(answer)
    assert len(message) <= 4096 and "&lt;b&gt;&amp;c" in message and "<x>" not in message
    assert "…（共 9007 字）" in message and message.endswith("</i>")
    assert not re.search(r"&[a-z]*$", pack(["&amp;" * 1000], limit=4096)[0])
    ranking = Answer(question="q", status="answered", answer="各部门项目支出：", items=[f"第{i}名 某某局 {i}.00 万元" for i in range(1, 402)])
    (message,) = render_html(ranking)
    lines = message.split("\n")
    assert sum(line.startswith("• ") for line in lines) == 30 and lines[1] == "• 第1名 某某局 1.00 万元"
    assert "……另有 371 项未列出（共 401 项）" in message
    worst = Answer(question="q", status="answered", answer="&" * 5000, items=["&" * 3000] * 50, source="&" * 3000)
    (message,) = render_html(worst)
    assert len(message) <= 4096


def test_token_and_base_url_come_from_the_environment_first(monkeypatch):
    from bot.telegram import settings

    config = Config(telegram=TelegramConfig(token="from-config", base_url="http://127.0.0.1:1/bot"))
    assert settings(config) == ("from-config", "http://127.0.0.1:1/bot")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "from-env")
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", "http://127.0.0.1:8081")
    assert settings(config) == ("from-env", "http://127.0.0.1:8081/bot")


def test_serve_without_a_front_or_a_token_is_one_clear_line(sample_kb, tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "BUDGETBOT_CONFIG")}
    env["XDG_CONFIG_HOME"] = str(tmp_path)
    serve = [sys.executable, "-m", "bot", "serve", "--kb", str(sample_kb)]
    proc = subprocess.run(serve, capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 1
    assert proc.stderr.strip() == (
        "budgetbot: 没有要运行的前端：请设置环境变量 TELEGRAM_BOT_TOKEN，或在配置文件里加上 [web]、[wecom]、[dingtalk]、[feishu] 中的一节"
        "（见 config.example.toml）"
    )
    config = tmp_path / "c.toml"
    config.write_text('[telegram]\nmode = "polling"\n', encoding="utf-8")
    proc = subprocess.run(serve + ["--config", str(config)], capture_output=True, text=True, timeout=60, env=env)
    assert proc.returncode == 1
    assert proc.stderr.strip() == "budgetbot: 没有机器人 token：请设置环境变量 TELEGRAM_BOT_TOKEN（或配置文件里的 telegram.token）"


def test_channel_posts_are_answered_only_when_addressed(bot):
    chat = -new_chat()
    channel = {"id": chat, "type": "channel", "title": "预算公开"}
    bot.push({"channel_post": {"message_id": 1, "date": int(time.time()), "chat": channel, "text": "本周发布了部门预算"}})
    text = f"@{BOT_USERNAME} 三公经费多少"
    bot.push(
        {
            "channel_post": {
                "message_id": 2,
                "date": int(time.time()),
                "chat": channel,
                "text": text,
                "entities": mention_entities(text),
            }
        }
    )
    bot.wait_for("sendMessage", chat)
    time.sleep(0.3)
    sent = bot.sent("sendMessage", chat)
    assert len(sent) == 1 and "<b>0.00</b>" in sent[0]["text"]


def test_edited_messages_are_not_answered_twice(bot):
    chat = new_chat()
    message = text_message(chat, chat, "办公费多少")["message"]
    bot.push({"message": message})
    bot.wait_for("sendMessage", chat)
    bot.push({"edited_message": {**message, "edit_date": int(time.time()), "text": "差旅费多少"}})
    bot.push(text_message(chat, chat, "印刷费多少"))
    sent = bot.wait_for("sendMessage", chat, count=2)
    time.sleep(0.3)
    assert len(bot.sent("sendMessage", chat)) == 2 and "<b>2.50</b>" in sent[1]["text"]


def test_flood_wait_is_retried(bot):
    chat = new_chat()
    bot.flood[chat] = 1
    bot.push(text_message(chat, chat, "差旅费多少"))
    sent = bot.wait_for("sendMessage", chat, timeout=15)
    assert "<b>0.80</b>" in sent[0]["text"]
    assert len(bot.sent("429", chat)) == 1


def test_lists_are_one_item_per_line(engine):
    chunks = render_html(engine.ask("商品和服务支出包括哪些"))
    lines = chunks[0].split("\n")
    assert sum(line.startswith("• ") for line in lines) == 7
    assert lines[-1].startswith("<i>来源：")


# ------------------------------------------------------------------------- every update, fuzzed

TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=120) | st.sampled_from(
    ["项目支出多少", "基本支出中哪一项最多", "三公经费是什么", "商品和服务支出包括哪些", "<b>&amp;", "\x00项目\x00支出", "项目支出" * 300]
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(KINDS), TEXT), min_size=1, max_size=8))
def test_every_update_type_gets_valid_html_under_the_limit_or_silence(bot, updates):
    start = len(bot.calls)
    for kind, text in updates:
        uid = new_chat()
        bot.push(fuzzed_update(kind, text, uid, -uid))
    sentinel = new_chat()
    bot.push(text_message(sentinel, sentinel, "办公费多少"))
    bot.wait_for("sendMessage", sentinel, timeout=30)  # updates are handled in order: all done
    with bot.lock:
        calls = bot.calls[start:]
    for method, params in calls:
        texts = []
        if method in ("sendMessage", "editMessageText"):
            texts.append(params["text"])
        elif method == "answerInlineQuery":
            texts += [r["input_message_content"]["message_text"] for r in params["results"]]
        for text in texts:
            problems = telegram_html_problems(text) if params.get("parse_mode") == "HTML" or method == "answerInlineQuery" else []
            assert not problems and len(text.encode("utf-16-le")) // 2 <= 4096, (method, problems, text[:200])
    failures = [line for line in bot.logs.lines if "update failed" in line or "question failed" in line]
    assert not failures, failures[0][:500]
