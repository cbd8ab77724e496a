"""The Telegram bot: python-telegram-bot v22 handlers over the answer engine.

Run it with a token from @BotFather:

    TELEGRAM_BOT_TOKEN=123:ABC budgetbot serve [--config config.toml] [--kb budget.db]

Private chats: every text is a question. Groups and channels: the bot answers `/ask 问题`,
messages that mention it and replies to it, and stays silent otherwise. Inline mode:
`@bot 问题` in any chat. Commands: /start /help /ask /sources /define /reload (admins).

Handlers only render `Answer`s (bot/render.py); the engine does the parsing and the lookups and
opens the knowledge base read-only. `build_application()` wires everything; `budgetbot serve`
(bot/server.py) starts it beside the other fronts, by long polling or, with
`telegram.mode = "webhook"`, on the server's /telegram.
"""

from __future__ import annotations

import logging
import os
import uuid
from functools import partial
from pathlib import Path

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)

from knowledge.answer import Answer
from knowledge.live import LiveEngine
from knowledge.store import KnowledgeBaseError

from .channels.common import off_loop
from .chart import draw
from .config import Config, ConfigError
from .render import pack, render_html
from .sources import sources_lines
from .telegram_state import BotState, examples_for, protect_token, with_retry

log = logging.getLogger("budgetbot.telegram")
# PTB 22 reads this when a flood wait's `retry_after` is used: opting in to the timedelta it will
# return in v23 (with_retry handles both) instead of a deprecation warning on every flood wait.
os.environ.setdefault("PTB_TIMEDELTA", "true")

TOKEN_ENV = "TELEGRAM_BOT_TOKEN"
BASE_URL_ENV = "TELEGRAM_API_BASE_URL"
SORRY = "抱歉，处理这条消息时出了点问题，请稍后再试，或换个说法。"


def state_of(context: ContextTypes.DEFAULT_TYPE) -> BotState:
    return context.application.bot_data["state"]


def keyboard(state: BotState, answer: Answer) -> InlineKeyboardMarkup | None:
    if answer.status != "clarify" or not answer.options:
        return None
    key = state.remember(answer.options)
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(o[:60], callback_data=f"opt:{key}:{i}")] for i, o in enumerate(answer.options)]
    )


async def reply_answer(message: Message, state: BotState, answer: Answer) -> None:
    chunks = render_html(answer)
    markup = keyboard(state, answer)
    for i, chunk in enumerate(chunks):
        last = i == len(chunks) - 1
        await with_retry(
            partial(
                message.reply_text,
                chunk,
                parse_mode=ParseMode.HTML,
                reply_markup=markup if last else None,
                do_quote=message.chat.type != ChatType.PRIVATE,
            )
        )


async def answer_question(update: Update, context: ContextTypes.DEFAULT_TYPE, question: str) -> None:
    message = update.effective_message
    if message is None:
        return
    state = state_of(context)
    user = update.effective_user
    if not state.allow(user.id if user else None):
        if user and state.should_warn(user.id):
            await with_retry(lambda: message.reply_text(f"提问太快了：每分钟最多 {state.per_minute} 个问题，请稍后再问。"))
        return
    question = question.strip()  # the engine refuses a message too long to be one question
    if not question:
        await with_retry(lambda: message.reply_text("请在命令后面写上问题，例如：/ask 项目支出多少"))
        return
    answer = await off_loop(state.engine.ask, question)
    await reply_answer(message, state, answer)
    chart = draw(answer)
    if chart is not None:  # a breakdown: its bar chart under the answer
        await with_retry(partial(message.reply_photo, chart.png, caption=chart.title[:200]))


# ------------------------------------------------------------------------------------ handlers


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    state = state_of(context)
    message = update.effective_message
    if message is None:
        return
    text = (
        "我是部门预算问答机器人：回答部门预算公开里的数字，每个数字都注明出自哪张表、哪一行、哪一栏；"
        "拿不准时会反问，不会猜。\n\n"
        f"{state.engine.describe_sources()}。\n\n"
        "在私聊里直接提问；在群里用 /ask 问题，或 @我。命令：/sources 数据来源，/define 术语 名词解释。\n"
        "可以试试："
    )
    buttons = [[InlineKeyboardButton(q, callback_data=f"ex:{i}")] for i, q in enumerate(state.examples)]
    await with_retry(lambda: message.reply_text(text, reply_markup=InlineKeyboardMarkup(buttons)))


async def ask_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await answer_question(update, context, " ".join(context.args or []))


async def define_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    term = " ".join(context.args or []).strip()
    if not term:
        message = update.effective_message
        if message is not None:
            await with_retry(lambda: message.reply_text("用法：/define 术语，例如 /define 三公经费"))
        return
    await answer_question(update, context, f"什么是{term}")


async def sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    state = state_of(context)
    message = update.effective_message
    if message is None:
        return
    text = pack(sources_lines(state.engine))[0]
    await with_retry(partial(message.reply_text, text))


async def reload_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    state = state_of(context)
    message = update.effective_message
    user = update.effective_user
    if message is None:
        return
    if user is None or user.id not in state.admins:
        await with_retry(lambda: message.reply_text("只有管理员可以重新载入知识库。"))
        return
    try:
        engine = state.reload()
    except KnowledgeBaseError as e:
        log.error("reload failed: %s", e)
        await with_retry(lambda: message.reply_text("重新载入失败，仍在使用原来的知识库。"))
        return
    await with_retry(lambda: message.reply_text(f"已重新载入：{engine.catalog.documents} 份公开文件。"))


def addressed_to_bot(message: Message, username: str, bot_id: int) -> str | None:
    """The question in a group message when it is meant for the bot (a mention of it, or a reply
    to it); None otherwise."""
    text = message.text or message.caption or ""
    mentioned = False
    for entity in message.entities or ():
        if entity.type == MessageEntity.MENTION:
            word = message.parse_entity(entity)
            if word.lower() == f"@{username}".lower():
                mentioned = True
                text = text.replace(word, " ")
        elif entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot_id:
            mentioned = True
    replied = bool(
        message.reply_to_message and message.reply_to_message.from_user and message.reply_to_message.from_user.id == bot_id
    )
    return text if (mentioned or replied) else None


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None or not (message.text or message.caption):
        return
    if message.chat.type == ChatType.PRIVATE:
        await answer_question(update, context, message.text or message.caption or "")
        return
    question = addressed_to_bot(message, context.bot.username, context.bot.id)
    if question is not None:
        await answer_question(update, context, question)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command the bot does not have, in a private chat (in groups it may be another bot's)."""
    message = update.effective_message
    if message is not None:
        await with_retry(lambda: message.reply_text("没有这个命令。可以直接提问，例如“项目支出多少”，或发 /help 查看用法。"))


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    state = state_of(context)
    data = query.data or ""
    question = None
    if data.startswith("ex:"):
        index = data[3:]
        if index.isdigit() and int(index) < len(state.examples):
            question = state.examples[int(index)]
    elif data.startswith("opt:"):
        parts = data.split(":")
        options = state.options.get(parts[1]) if len(parts) == 3 else None
        if options and parts[2].isdigit() and int(parts[2]) < len(options):
            question = options[int(parts[2])]
    if question is None:
        await with_retry(lambda: query.answer("这个选项已过期，请重新提问。"))
        return
    await with_retry(lambda: query.answer())
    user = update.effective_user
    if not state.allow(user.id if user else None):
        return
    answer = await off_loop(state.engine.ask, question)
    chunks = render_html(answer)
    message = query.message
    if data.startswith("opt:") and isinstance(message, Message):
        # the clarify message becomes the answer
        await with_retry(
            lambda: query.edit_message_text(chunks[0], parse_mode=ParseMode.HTML, reply_markup=keyboard(state, answer))
        )
        for chunk in chunks[1:]:
            await with_retry(partial(message.reply_text, chunk, parse_mode=ParseMode.HTML))
    elif isinstance(message, Message):
        await reply_answer(message, state, answer)


async def on_inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.inline_query
    if query is None:
        return
    state = state_of(context)
    text = query.query.strip()
    if not text or not state.allow(query.from_user.id if query.from_user else None):
        await with_retry(lambda: query.answer([], cache_time=5))
        return
    answer = await off_loop(state.engine.ask, text)
    answers = [answer]
    if answer.status == "clarify":
        answers = [await off_loop(state.engine.ask, o) for o in answer.options[:8]]
    results = []
    for i, a in enumerate(answers):
        body = render_html(a, limit=4000)[0]
        title = a.statement[:80]
        description = a.citations[0].label() if a.citations else None
        results.append(
            InlineQueryResultArticle(
                id=f"{i}-{uuid.uuid4().hex[:8]}",
                title=title,
                description=description,
                input_message_content=InputTextMessageContent(body, parse_mode=ParseMode.HTML),
            )
        )
    await with_retry(lambda: query.answer(results, cache_time=60))


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    log.error("update failed: %s", context.error, exc_info=context.error)
    if isinstance(update, Update) and update.effective_message is not None:
        try:
            await update.effective_message.reply_text(SORRY)
        except Exception:  # the polite reply is best effort
            log.warning("could not send the apology")


async def post_init(application: Application) -> None:
    await application.bot.set_my_commands(
        [
            BotCommand("ask", "提问，例如 /ask 项目支出多少"),
            BotCommand("define", "名词解释，例如 /define 三公经费"),
            BotCommand("sources", "已载入的公开文件"),
            BotCommand("help", "怎么用"),
        ]
    )


# ----------------------------------------------------------------------------------- assembly


def settings(config: Config) -> tuple[str, str | None]:
    token = os.environ.get(TOKEN_ENV) or config.telegram.token
    if not token:
        raise ConfigError(f"没有机器人 token：请设置环境变量 {TOKEN_ENV}（或配置文件里的 telegram.token）")
    base = os.environ.get(BASE_URL_ENV) or config.telegram.base_url
    if base and not base.rstrip("/").endswith("/bot"):
        base = base.rstrip("/") + "/bot"
    return token, base


def build_application(config: Config, kb_path: Path | str, live: LiveEngine | None = None) -> Application:
    """The bot's handlers over the engine (`live`, shared with the other fronts of `serve`).
    `budgetbot serve` (bot/server.py) starts and stops it."""
    token, base = settings(config)
    protect_token(token)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    builder = Application.builder().token(token).rate_limiter(AIORateLimiter(max_retries=3)).post_init(post_init)
    if base:
        builder = builder.base_url(base).base_file_url(base.replace("/bot", "/file/bot"))
    application = builder.build()
    live = live or LiveEngine(kb_path)
    engine = live.current()
    application.bot_data["state"] = BotState(
        live=live,
        admins=set(config.telegram.admins),
        per_minute=config.telegram.rate_limit_per_minute,
        examples=examples_for(engine),
    )
    application.add_handler(CommandHandler(["start", "help"], start))
    application.add_handler(CommandHandler("ask", ask_command))
    application.add_handler(CommandHandler("define", define_command))
    application.add_handler(CommandHandler("sources", sources))
    application.add_handler(CommandHandler("reload", reload_command))
    application.add_handler(
        MessageHandler((filters.TEXT | filters.CAPTION) & ~filters.COMMAND & ~filters.UpdateType.EDITED, on_text)
    )
    application.add_handler(MessageHandler(filters.COMMAND & filters.ChatType.PRIVATE & ~filters.UpdateType.EDITED, unknown_command))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(InlineQueryHandler(on_inline))
    application.add_error_handler(on_error)
    return application
