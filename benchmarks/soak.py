"""Soak: many fuzzed questions against the engine and fuzzed Telegram updates against the bot.

    python benchmarks/soak.py [--questions 100000] [--updates 1000] [--seed 1]

Builds a knowledge base of the seed, the generated and the generated_v2 departments (text) in a
temporary folder, then
1. asks the engine `--questions` fuzzed questions in-process — domain words in random order,
   random Unicode (controls, surrogates, emoji, right-to-left marks), bytes that are not UTF-8,
   HTML and SQL, lines up to 3,000 characters — and renders every answer as the CLI text, the
   JSON contract and Telegram HTML. A crash is an exception, an error the engine logs, an answer
   breaking the contract (a figure without a citation, a status outside the three), JSON that is
   not UTF-8, or Telegram HTML that is invalid or over 4,096 units;
2. starts the real Telegram Application against the stand-in Bot API on 127.0.0.1 and sends it
   `--updates` fuzzed updates of every kind it handles or must ignore, checking every message it
   sends the same way and counting errors it logs.
Reports crashes (the target is 0), p50/p99/max per question and per update, and peak memory.
Numbers, not pass/fail: put them in the README when they change.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.config import Config, TelegramConfig  # noqa: E402
from bot.render import render_html, render_text  # noqa: E402
from bot.telegram import build_application  # noqa: E402
from knowledge import build  # noqa: E402
from knowledge.engine import Engine  # noqa: E402
from knowledge.live import open_for_serving  # noqa: E402
from loaders import read_disclosure  # noqa: E402
from tests.botapi import KINDS, FakeBotAPI, fuzzed_update, polling, telegram_html_problems, text_message  # noqa: E402

SHARED = ROOT.parent / "shared" / "disclosures"
WORDS = (
    "望都县 曲阳县 乡村振兴局 卫健局 教育局 文旅局 2021年 2022年 2023年 2024年 去年 今年 本年度 比上年 项目支出 基本支出 "
    "人员经费 公用经费 三公经费 公务用车 招待费 出差 办公费 政府性基金 一般公共预算 财政拨款 收入 支出 合计 占 比例 百分之几 "
    "多少场 几个 哪个部门 最多 最少 和 是什么 包括哪些 多少 实际 年初预算 每月 2130505 30201 上年末 ？ 的 了 吗 呢 请问 "
    "增长 减少 为什么 职责 政府采购 固定资产 绩效目标 名词解释 机关运行经费 扶贫车间 全县 合计 一共"
).split()
ODD = ["<b>", "</i>", "&amp;", "&", "'; DROP TABLE cells; --", "\x00", "\x1b[31m", "\u202e", "\u200b", "🙂", "𠀀", "\ufeff", "\r", "\t", "-", "--json", "%s", "{}", "\\"]


def fuzzed_question(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.55:
        return "".join(rng.choice(WORDS) for _ in range(rng.randint(1, 8)))
    if kind < 0.70:
        return "".join(rng.choice(WORDS + ODD) for _ in range(rng.randint(1, 10)))
    if kind < 0.85:
        return "".join(chr(rng.choice([rng.randint(0, 0x7F), rng.randint(0x4E00, 0x9FFF), rng.randint(0, 0x10FFFF)])) for _ in range(rng.randint(0, 60)))
    if kind < 0.95:
        return rng.randbytes(rng.randint(0, 80)).decode("utf-8", errors="surrogateescape")
    return rng.choice(WORDS) * rng.randint(100, 1000)


def build_kb(folder: Path) -> Path:
    files = sorted(SHARED.glob("475_*.txt")) + sorted(SHARED.glob("generated/dept_*/disclosure.txt"))
    files += sorted(SHARED.glob("generated_v2/dept_*/disclosure.txt"))
    kb = folder / "soak.db"
    build.write(kb, [read_disclosure(f) for f in files])
    return kb


class Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage()[:300])


def percentile(times: list[float], q: float) -> float:
    return sorted(times)[min(len(times) - 1, int(len(times) * q))] * 1000


def soak_engine(kb: Path, n: int, rng: random.Random) -> dict:
    engine = open_for_serving(kb)
    errors = Errors()
    logging.getLogger("knowledge").addHandler(errors)
    crashes: list[str] = []
    times: list[float] = []
    for _ in range(n):
        q = fuzzed_question(rng)
        started = time.perf_counter()
        try:
            a = engine.ask(q)
            times.append(time.perf_counter() - started)
            json.dumps(a.to_dict(), ensure_ascii=False).encode("utf-8")
            render_text(a).encode("utf-8")
            (html,) = render_html(a)
            problems = telegram_html_problems(html)
            if a.status not in ("answered", "clarify", "not_found") or (a.value is not None and not a.citations):
                problems.append(f"contract: {a.status} {a.value} without citations")
            if problems:
                crashes.append(f"{q[:60]!r}: {problems[0]}")
        except Exception as e:  # noqa: BLE001 - a soak counts every crash and goes on
            crashes.append(f"{q[:60]!r}: {type(e).__name__}: {e}")
    logging.getLogger("knowledge").removeHandler(errors)
    crashes += [f"logged: {m}" for m in errors.messages]
    return {"questions": n, "crashes": crashes, "p50": statistics.median(times) * 1000, "p99": percentile(times, 0.99), "max": max(times) * 1000}


def soak_bot(kb: Path, n: int, rng: random.Random) -> dict:
    token = "123456:SOAK-token"
    errors = Errors()
    logging.getLogger().addHandler(errors)
    with FakeBotAPI(token) as api:
        config = Config(telegram=TelegramConfig(token=token, base_url=api.url, admins=[1], rate_limit_per_minute=0))
        application = build_application(config, kb)
        with polling(application):
            times: list[float] = []
            crashes: list[str] = []
            uid = 10_000
            started = time.perf_counter()
            for i in range(n):
                uid += 1
                kind = "private" if i % 4 == 0 else rng.choice(KINDS)
                text = fuzzed_question(rng)[:300].encode("utf-8", "replace").decode("utf-8")
                update = fuzzed_update(kind, text, uid, -uid)
                sent_at = time.perf_counter()
                api.push(update)
                if kind == "private":  # exactly one reply: time it
                    try:
                        api.wait_for("sendMessage", uid, timeout=10)
                        times.append(time.perf_counter() - sent_at)
                    except TimeoutError:
                        crashes.append(f"no reply to the private message {text[:80]!r}")
            sentinel = uid + 1
            api.push(text_message(sentinel, sentinel, "办公费多少"))
            api.wait_for("sendMessage", sentinel, timeout=60)
            total = time.perf_counter() - started
            for method, params in list(api.calls):
                texts = [params["text"]] if method in ("sendMessage", "editMessageText") and params.get("parse_mode") == "HTML" else []
                if method == "answerInlineQuery":
                    texts += [r["input_message_content"]["message_text"] for r in params["results"]]
                for text in texts:
                    problems = telegram_html_problems(text)
                    if problems:
                        crashes.append(f"{method}: {problems[0]}: {text[:80]!r}")
    logging.getLogger().removeHandler(errors)
    crashes += [f"logged: {m}" for m in errors.messages]
    return {"updates": n, "crashes": crashes, "p50": statistics.median(times) * 1000, "p99": percentile(times, 0.99), "max": max(times) * 1000, "per_second": n / total}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--questions", type=int, default=100_000)
    ap.add_argument("--updates", type=int, default=1_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        kb = build_kb(Path(tmp))
        documents = Engine.open(kb).catalog.documents
        started = time.perf_counter()
        engine = soak_engine(kb, args.questions, rng)
        print(
            f"engine: {engine['questions']} fuzzed questions over {documents} disclosures in {time.perf_counter() - started:.0f} s: "
            f"crashes {len(engine['crashes'])}; p50 {engine['p50']:.2f} ms, p99 {engine['p99']:.2f} ms, max {engine['max']:.1f} ms"
        )
        for c in engine["crashes"][:10]:
            print("  ", c)
        bot = soak_bot(kb, args.updates, rng)
        print(
            f"telegram: {bot['updates']} fuzzed updates ({bot['per_second']:.0f}/s): crashes {len(bot['crashes'])}; "
            f"update → reply p50 {bot['p50']:.1f} ms, p99 {bot['p99']:.1f} ms, max {bot['max']:.1f} ms"
        )
        for c in bot["crashes"][:10]:
            print("  ", c)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (RSS): {peak:.0f} MB")


if __name__ == "__main__":
    main()
