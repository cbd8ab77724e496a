"""The `budgetbot` command line: load · show · ask · chat · check · serve.

Each command is a thin layer over one call into `loaders` or `knowledge`; errors are printed in
one Chinese line (`budgetbot: …`) with a non-zero exit code, never as a traceback.

    budgetbot load [--kb PATH] FILE_OR_DIR...     read disclosures into the knowledge base
    budgetbot show [--kb PATH] [TABLE]            list documents and tables, or print one table
    budgetbot ask  [--kb PATH] [--json] QUESTION  answer one question (`-`: one per stdin line)
    budgetbot chat [--kb PATH]                    an interactive prompt for staff
    budgetbot check FILE... | --kb PATH           check files without storing them, or a knowledge base
    budgetbot serve [--config PATH] [--kb PATH]   run the bot's fronts (Telegram, 企业微信, 钉钉, 飞书, HTTP API)

Without --kb (or $BUDGETBOT_KB, or `kb` in the config) commands use a knowledge base built from
the bundled sample disclosure in the user's cache directory.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sqlite3
import sys
import tempfile
from pathlib import Path

from knowledge import build, store
from loaders import DisclosureFormatError, read_disclosure

from . import cli_text
from .choices import choice
from .cli_load import CliError, cmd_check, cmd_load
from .cli_show import cmd_show
from .config import Config, ConfigError, load_config, resolve_kb, sample_path

# Options of `ask` that come before the question; anything else starts the question, so a
# question may begin with "-" (`budgetbot ask -1年项目支出`).
ASK_OPTIONS_WITH_VALUE = ("--kb", "--config")
ASK_FLAGS = ("--json", "-h", "--help")


def main(argv: list[str] | None = None) -> int:
    cli_text.install()
    for stream in (sys.stdout, sys.stderr):  # a path or word that was not UTF-8 is shown escaped, never a crash
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    parser = build_parser()
    args = parser.parse_args(question_after_options(list(sys.argv[1:] if argv is None else argv)))
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except (CliError, ConfigError, store.KnowledgeBaseError, DisclosureFormatError) as e:
        print(f"budgetbot: {e}", file=sys.stderr)
        return 1
    except sqlite3.DatabaseError as e:  # anything SQLite says of a base that slipped past the store
        print(f"budgetbot: {store.damaged(getattr(args, 'kb', None) or '知识库', e)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - the interpreter closes it at exit
        return 0


def question_after_options(argv: list[str]) -> list[str]:
    """`ask`'s own options (before or after the question) first, then `--`, then the question's
    words: argparse never reads a question as an option (`budgetbot ask -1年项目支出`)."""
    if "ask" not in argv or "--" in argv:
        return argv
    start = argv.index("ask") + 1
    options, words = [], []
    i = start
    while i < len(argv):
        word = argv[i]
        if word in ASK_OPTIONS_WITH_VALUE:
            options += argv[i : i + 2]
            i += 2
            continue
        if word in ASK_FLAGS or any(word.startswith(o + "=") for o in ASK_OPTIONS_WITH_VALUE):
            options.append(word)
        else:
            words.append(word)
        i += 1
    return argv[:start] + options + (["--"] + words if words else [])


def year_type(text: str) -> int:
    if not text.isdigit() or not 1949 <= int(text) <= 2100:
        raise argparse.ArgumentTypeError(f"“{text}”不是年度（例如 2024）")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="budgetbot", description="部门预算、决算公开的问答：每个数字都注明出处。")
    p.add_argument("--config", metavar="路径", help="配置文件（TOML）；默认 $BUDGETBOT_CONFIG 或用户配置目录里的 config.toml")
    sub = p.add_subparsers(dest="command", title="命令", metavar="命令")

    load = sub.add_parser("load", help="把公开文件（PDF、XLSX、文本）或整个文件夹载入知识库", description="把公开文件载入知识库")
    load.add_argument("--kb", metavar="路径", help="知识库文件")
    load.add_argument("paths", nargs="+", metavar="文件或文件夹")
    load.add_argument("--department", metavar="单位名称", help="文件里没有写明单位时，指明是哪个单位的")
    load.add_argument("--year", type=year_type, metavar="年度", help="文件里没有写明年度时，指明年度")
    load.add_argument("--workers", "-j", type=int, metavar="N", help="同时读取文件的进程数（默认：CPU 核数，最多 8）")

    show = sub.add_parser("show", help="列出已载入的文件和表，或显示一张表", description="列出已载入的文件和表，或显示一张表")
    show.add_argument("--kb", metavar="路径", help="知识库文件")
    show.add_argument("table", nargs="?", metavar="表名", help="例如 支出总表（不写则列出全部）")
    show.add_argument("--department", "-d", metavar="部门", help="载入了多个部门时，指明部门")
    show.add_argument("--year", "-y", type=year_type, metavar="年度")

    ask = sub.add_parser("ask", help="回答一个问题（问题写 - 则从标准输入每行读一个）", description="回答一个问题")
    ask.add_argument("--kb", metavar="路径", help="知识库文件")
    ask.add_argument("--json", action="store_true", help="以 JSON 输出（格式见 shared/eval/README.md）")
    ask.add_argument("question", nargs="+", metavar="问题")

    chat = sub.add_parser("chat", help="交互式问答", description="交互式问答：输入问题，空行或 Ctrl-D 退出")
    chat.add_argument("--kb", metavar="路径", help="知识库文件")

    check = sub.add_parser("check", help="检查公开文件（不载入），或用 --kb 检查知识库是否完好", description="检查公开文件或知识库")
    check.add_argument("paths", nargs="*", metavar="文件或文件夹")
    check.add_argument("--kb", metavar="路径", help="检查这个知识库：SQLite 完整性检查、版本和内容")
    check.add_argument("--report", action="store_true", help="改为输出载入报告：单位、年度、类型及其依据，找到和缺少的标准表，未能读取的表")
    check.add_argument("--format", choices=("text", "json", "html"), default="text", help="报告的格式：文本、JSON 或 HTML 网页")
    check.add_argument("--out", metavar="文件", help="把报告写入这个文件（例如 报告.html），而不是输出到屏幕")

    serve = sub.add_parser("serve", help="运行机器人（Telegram、企业微信、钉钉、飞书、网页问答）", description="按配置文件运行各个前端：Telegram、企业微信、钉钉、飞书和网页问答接口")
    serve.add_argument("--kb", metavar="路径", help="知识库文件")
    serve.add_argument("--host", metavar="地址", help="监听的地址（默认配置里 [server] 的 host，即 127.0.0.1）")
    serve.add_argument("--port", metavar="端口", type=int, help="监听的端口（默认配置里 [server] 的 port，即 8080）")

    for command, func in ((load, run_load), (show, run_show), (ask, cmd_ask), (chat, cmd_chat), (check, run_check), (serve, cmd_serve)):
        command.add_argument("--config", metavar="路径", default=argparse.SUPPRESS, help="配置文件（TOML）")
        command.set_defaults(func=func)
    return p


# ---------------------------------------------------------------------------------------- helpers


def config_of(args: argparse.Namespace) -> Config:
    return load_config(getattr(args, "config", None))


def kb_for_reading(args: argparse.Namespace) -> Path | str:
    """The knowledge base to read; the default one is built from the bundled sample if needed. A
    server base says for itself whether it is there, when it is opened."""
    path, is_default = resolve_kb(getattr(args, "kb", None), config_of(args))
    if isinstance(path, str):
        return path
    if is_default and not path.exists():
        build_default_kb(path)
    if not path.exists():
        raise CliError(f"{path}：这里没有知识库（请先运行 budgetbot load --kb {path} 文件）")
    return path


def build_default_kb(path: Path) -> None:
    """Load the bundled sample into `path` (written beside it and swapped in, like every load)."""
    build.write(path, [read_disclosure(sample_path())])


def run_load(args: argparse.Namespace) -> int:
    return cmd_load(args, config_of(args))


def run_check(args: argparse.Namespace) -> int:
    return cmd_check(args, config_of(args))


def run_show(args: argparse.Namespace) -> int:
    return cmd_show(args, kb_for_reading(args))


def questions_from_stdin():
    """One question per line of standard input, whatever its bytes: invalid UTF-8 becomes U+FFFD,
    so the JSON printed for it is always valid UTF-8."""
    for raw in sys.stdin.buffer:
        yield raw.decode("utf-8", errors="replace").rstrip("\r\n")


def cmd_ask(args: argparse.Namespace) -> int:
    from knowledge.live import open_for_serving

    from .render import render_text

    engine = open_for_serving(kb_for_reading(args))
    questions = args.question
    stream = questions_from_stdin() if questions == ["-"] else iter([" ".join(questions)])
    for q in stream:
        answer = engine.ask(q)
        if args.json:
            print(json.dumps(answer.to_dict(), ensure_ascii=False), flush=True)
        else:
            print(render_text(answer), flush=True)
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from knowledge.live import open_for_serving

    from .render import render_text

    engine = open_for_serving(kb_for_reading(args))
    with contextlib.suppress(AttributeError, ValueError):
        sys.stdin.reconfigure(errors="replace")  # type: ignore[union-attr]
    remember, save_history = _open_history()
    print(f"budgetbot — {engine.describe_sources()}。输入问题，空行或 Ctrl-D 退出；有编号的选项可回复编号。")
    pending: list[str] = []
    try:
        while True:
            try:
                q = input("问> ")
            except EOFError:
                print()
                return 0
            if not q.strip():
                return 0
            q = q.replace("\x00", " ")
            remember(q)
            picked = choice(q, pending)
            if picked is not None:
                print(f"（{picked}）")
            answer = engine.ask(picked or q)
            pending = answer.options if answer.status == "clarify" else []
            print(render_text(answer))
    finally:
        save_history()


def _open_history():
    """Line editing and a question history kept between sessions (in the user's cache dir);
    returns (remember a question, save the history)."""
    try:
        import readline
    except ImportError:
        return (lambda q: None), (lambda: None)
    import platformdirs

    path = Path(platformdirs.user_cache_dir("budgetbot")) / "chat_history"
    with contextlib.suppress(OSError):
        readline.read_history_file(path)
    readline.set_history_length(1000)

    def save() -> None:
        with contextlib.suppress(OSError):
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent)
            os.close(fd)
            readline.write_history_file(tmp)
            os.replace(tmp, path)

    def remember(question: str) -> None:
        if not sys.stdin.isatty():  # input() only records what it read from a terminal
            readline.add_history(question)

    return remember, save


def cmd_serve(args: argparse.Namespace) -> int:
    from .server import run

    config = config_of(args)
    config.server.host = args.host or config.server.host
    config.server.port = args.port or config.server.port
    return run(config, kb_for_reading(args))
