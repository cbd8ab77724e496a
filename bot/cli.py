"""The `budgetbot` command line: load · show · ask · chat · serve · check.

Each command is a thin layer over one call into `loaders` or `knowledge`; errors are printed in
one line (`budgetbot: …`) with a non-zero exit code, never as a traceback.

    budgetbot load [--kb PATH] FILE_OR_DIR...     read disclosures into the knowledge base
    budgetbot show [--kb PATH] [TABLE]            list documents and tables, or print one table
    budgetbot ask  [--kb PATH] [--json] QUESTION  answer one question (`-`: one per stdin line)
    budgetbot chat [--kb PATH]                    an interactive prompt for staff
    budgetbot check FILE...                       read files and print the checks, store nothing
    budgetbot serve [--config PATH] [--kb PATH]   run the Telegram bot

Without --kb (or $BUDGETBOT_KB, or `kb` in the config) commands use a knowledge base built from
the bundled sample disclosure in the user's cache directory.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from knowledge import store
from loaders import DisclosureFormatError, read_disclosure
from loaders.model import Disclosure

from .config import Config, ConfigError, load_config, resolve_kb, sample_path

SUFFIXES = (".txt", ".pdf", ".xlsx")


class CliError(Exception):
    pass


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except (CliError, ConfigError, store.KnowledgeBaseError, DisclosureFormatError) as e:
        print(f"budgetbot: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="budgetbot", description="Questions and answers over budget disclosures.")
    p.add_argument("--config", help="config file (TOML); default $BUDGETBOT_CONFIG or the user's config")
    sub = p.add_subparsers(dest="command")

    load = sub.add_parser("load", help="read disclosure files or folders into the knowledge base")
    load.add_argument("--kb", help="knowledge base file")
    load.add_argument("paths", nargs="+", metavar="FILE_OR_DIR")
    load.add_argument("--department", help="单位名称, for files that do not say whose they are")
    load.add_argument("--year", type=int, help="年度, for files that do not say it")
    load.set_defaults(func=cmd_load)

    show = sub.add_parser("show", help="list documents and tables, or print a table")
    show.add_argument("--kb")
    show.add_argument("table", nargs="?", help="table name, e.g. 支出总表 (without: list everything)")
    show.add_argument("--department", "-d", help="department (when several are loaded)")
    show.add_argument("--year", "-y", type=int)
    show.set_defaults(func=cmd_show)

    ask = sub.add_parser("ask", help="answer a question ('-' reads one question per line from stdin)")
    ask.add_argument("--kb")
    ask.add_argument("--json", action="store_true", help="print the answer as JSON")
    ask.add_argument("question", nargs="+")
    ask.set_defaults(func=cmd_ask)

    chat = sub.add_parser("chat", help="interactive questions and answers")
    chat.add_argument("--kb")
    chat.set_defaults(func=cmd_chat)

    check = sub.add_parser("check", help="read files and print what the checks find, without storing")
    check.add_argument("paths", nargs="+", metavar="FILE_OR_DIR")
    check.set_defaults(func=cmd_check)

    serve = sub.add_parser("serve", help="run the Telegram bot")
    serve.add_argument("--kb")
    serve.set_defaults(func=cmd_serve)
    for command in (load, show, ask, chat, check, serve):
        command.add_argument("--config", default=argparse.SUPPRESS, help="config file (TOML)")
    return p


# ---------------------------------------------------------------------------------------- helpers


def config_of(args: argparse.Namespace) -> Config:
    return load_config(getattr(args, "config", None))


def kb_for_reading(args: argparse.Namespace) -> Path:
    """The knowledge base to read; the default one is built from the bundled sample if needed."""
    path, is_default = resolve_kb(getattr(args, "kb", None), config_of(args))
    if is_default and not path.exists():
        build_default_kb(path)
    if not path.exists():
        raise CliError(f"{path}: no knowledge base here (run 'budgetbot load --kb {path} FILE' first)")
    return path


def build_default_kb(path: Path) -> None:
    """Load the bundled sample into `path`, via a temporary file so a reader never sees half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    disclosure = read_disclosure(sample_path())
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".db.tmp")
    os.close(fd)
    os.unlink(tmp)
    try:
        store.write(tmp, [disclosure])
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def expand(paths: list[str]) -> Iterator[Path]:
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES)
            if not found:
                raise CliError(f"{p}: no disclosure files (.txt .pdf .xlsx) in this folder")
            yield from found
        else:
            yield p


def read_all(
    paths: list[str], progress: bool = False, *, department: str | None = None, year: int | None = None
) -> tuple[list[Disclosure], list[str]]:
    """Read every file; a file that fails is reported and does not stop the others."""
    files = list(expand(paths))
    loaded, errors = [], []
    with _progress(progress, len(files)) as advance:
        for path in files:
            try:
                loaded.append(read_disclosure(path, department=department, year=year))
            except DisclosureFormatError as e:
                errors.append(str(e))
            except (OSError, MemoryError) as e:
                errors.append(f"{path}: cannot read ({e})")
            advance(path)
    return loaded, errors


@contextlib.contextmanager
def _progress(show: bool, total: int):
    if not show or total < 2:
        yield lambda path: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("reading"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), TextColumn("{task.description}"))
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("", total=total)
        yield lambda path: bar.update(task, advance=1, description=Path(path).name)


FORMAT_PREFERENCE = {"pdf": 2, "xlsx": 1, "text": 0}


def richness(d: Disclosure) -> tuple[int, int, int]:
    """Which of several files of one department-year to keep: the one with the narrative, then
    the one with fewer uncertain cells, then PDF (positions) over XLSX over copied text."""
    narrative = len(d.facts) + len(d.definitions) + len(d.indicators)
    unsure = sum(len(r.ambiguous) for t in d.tables for r in t.rows)
    return (1 if narrative else 0, -unsure, FORMAT_PREFERENCE.get(d.source_format, 0))


def choose(disclosures: list[Disclosure]) -> tuple[list[Disclosure], list[str]]:
    """One disclosure per department, year and kind, and a sentence for each one set aside."""
    groups: dict[str, list[Disclosure]] = {}
    for d in disclosures:
        groups.setdefault(store.document_id(d), []).append(d)
    kept, notes = [], []
    for docs in groups.values():
        best = max(docs, key=richness)
        kept.append(best)
        for other in docs:
            if other is not best:
                notes.append(f"{best.department} {best.year}年: kept {best.source} over {other.source} ({_why(best, other)})")
    return kept, notes


def _why(best: Disclosure, other: Disclosure) -> str:
    b, o = richness(best), richness(other)
    if b[0] != o[0]:
        return f"it has the narrative: {len(best.facts)} facts, {len(best.definitions)} definitions"
    if b[1] != o[1]:
        return f"{-b[1]} uncertain cells against {-o[1]}"
    if b[2] != o[2]:
        return f"{best.source_format.upper()} places every value by position"
    return "the same content; the first one read"


def cmd_load(args: argparse.Namespace) -> int:
    path, _ = resolve_kb(args.kb, config_of(args))
    read, errors = read_all(args.paths, progress=sys.stderr.isatty(), department=args.department, year=args.year)
    disclosures, notes = choose(read)
    if disclosures:
        results = store.write(path, disclosures)
        print_summary(disclosures, results)
        for d in disclosures:
            for w in d.warnings:
                print(f"  warning: {d.department} {d.year}年: {w.message}")
        for note in notes:
            print(f"  {note}")
        print(f"knowledge base: {path}")
    for e in errors:
        print(f"budgetbot: {e}", file=sys.stderr)
    if errors and len(errors) + len(read) > 1:
        print(f"budgetbot: {len(errors)} of {len(errors) + len(read)} files failed", file=sys.stderr)
    return 1 if errors else 0


def print_summary(disclosures: list[Disclosure], results: list[store.WriteResult]) -> None:
    from rich.console import Console
    from rich.table import Table

    numeric = ("year", "tables", "rows", "facts", "definitions", "indicators", "warnings")
    table = Table(show_edge=False, pad_edge=False, box=None)
    for name in (
        "status",
        "department",
        "year",
        "kind",
        "format",
        "tables",
        "rows",
        "facts",
        "definitions",
        "indicators",
        "warnings",
        "file",
    ):
        table.add_column(name, justify="right" if name in numeric else "left", no_wrap=True)
    for d, r in zip(disclosures, results, strict=True):
        rows = sum(len(t.rows) for t in d.tables)
        table.add_row(
            r.status,
            d.department,
            str(d.year),
            d.kind,
            d.source_format,
            str(len(d.tables)),
            str(rows),
            str(len(d.facts)),
            str(len(d.definitions)),
            str(len(d.indicators)),
            str(len(d.warnings)),
            d.source,
        )
    Console(width=400, highlight=False).print(table)
    counts = {s: sum(r.status == s for r in results) for s in ("added", "replaced", "unchanged")}
    print(f"{len(results)} documents: {counts['added']} added, {counts['replaced']} replaced, {counts['unchanged']} unchanged")


def cmd_check(args: argparse.Namespace) -> int:
    disclosures, errors = read_all(args.paths)
    for e in errors:
        print(f"budgetbot: {e}", file=sys.stderr)
    for d in disclosures:
        print(f"{d.source}: {d.department} {d.year}年 {d.kind}, {len(d.warnings)} warnings")
        for w in d.warnings:
            print(f"  warning: {w.message}")
    return 1 if errors else 0


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, n: int, right: bool = False) -> str:
    space = " " * max(0, n - width(text))
    return space + text if right else text + space


def format_table(data: dict) -> str:
    t = data["table"]
    cols = data["columns"]
    head = ["序号", "科目编码", "科目名称"] + [c["label"] for c in cols]
    lines = []
    body = []
    for r in data["rows"]:
        name = " | ".join(n for n in (r["name"], r["name_right"]) if n)
        cells = [str(r["number"]), r["code"] or "", name]
        for c in cols:
            v = r["values"].get(c["key"])
            cells.append("" if v is None else f"{v:.2f}")
        if r["texts"]:
            cells[-1 if not cols else 2] += "  " + " ".join(f"{k}:{v}" for k, v in json.loads(r["texts"]).items())
        body.append((cells, r["ambiguous"]))
    widths = [max([width(h)] + [width(b[0][i]) for b in body]) for i, h in enumerate(head)]
    lines.append(f"{t['title']}  ({t['document_id']}, page {t['page']})")
    lines.append("  ".join(pad(h, w) for h, w in zip(head, widths, strict=True)))
    for cells, amb in body:
        lines.append("  ".join(pad(c, w, right=i >= 3) for i, (c, w) in enumerate(zip(cells, widths, strict=True))))
        for value, candidates in amb:
            lines.append(f"      ? {value:.2f} — column not certain: one of {'、'.join(candidates)}")
    if t["note"]:
        lines.append(t["note"])
    if not data["rows"] and not t["note"]:
        lines.append("(no rows)")
    return "\n".join(lines)


def cmd_show(args: argparse.Namespace) -> int:
    conn = store.open_readonly(kb_for_reading(args))
    docs = store.list_documents(conn)
    if args.department:
        docs = [d for d in docs if args.department in d["department"]]
    if args.year:
        docs = [d for d in docs if d["year"] == args.year]
    if not docs:
        raise CliError(
            "no loaded document matches"
            + (f" {args.department}" if args.department else "")
            + (f" {args.year}" if args.year else "")
        )
    if not args.table:
        for d in docs:
            print(
                f"{d['department']} {d['year']}年 {d['kind']}  (单位：{d['unit']}, {d['source_name']}, {d['warnings']} warnings)"
            )
            for t in store.list_tables(conn, d["id"]):
                printed = f"  （表中单位：{t['unit']}，已折算为万元）" if t["unit"] and t["unit"] != "万元" else ""
                print(f"  {t['key']:<12} {t['title']}  {t['n_rows']} rows{printed}" + (f"  {t['note']}" if t["note"] else ""))
        return 0
    wanted = args.table.replace(" ", "")
    shown = 0
    for d in docs:
        tables = store.list_tables(conn, d["id"])
        match = [t for t in tables if wanted in (t["key"], t["title"])] or [
            t for t in tables if wanted in t["title"] or wanted in t["key"]
        ]
        if len(match) > 1:
            raise CliError(f"'{args.table}' names several tables: {'、'.join(t['title'] for t in match)}")
        for t in match:
            print(format_table(store.read_table(conn, t["id"])))
            shown += 1
    if not shown:
        names = "、".join(t["key"] for t in store.list_tables(conn, docs[0]["id"]))
        raise CliError(f"no table '{args.table}'; tables: {names}")
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from knowledge.engine import Engine

    from .render import render_text

    engine = Engine.open(kb_for_reading(args))
    questions = args.question
    stream = (line.rstrip("\n") for line in sys.stdin) if questions == ["-"] else iter([" ".join(questions)])
    for q in stream:
        answer = engine.ask(q)
        if args.json:
            print(json.dumps(answer.to_dict(), ensure_ascii=False), flush=True)
        else:
            print(render_text(answer), flush=True)
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from knowledge.engine import Engine

    from .render import render_text

    engine = Engine.open(kb_for_reading(args))
    remember, save_history = _open_history()
    print(f"budgetbot — {engine.describe_sources()}. 输入问题，空行或 Ctrl-D 退出。")
    try:
        while True:
            try:
                q = input("问> ")
            except EOFError:
                print()
                return 0
            if not q.strip():
                return 0
            remember(q)
            print(render_text(engine.ask(q)))
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
            readline.write_history_file(path)

    def remember(question: str) -> None:
        if not sys.stdin.isatty():  # input() only records what it read from a terminal
            readline.add_history(question)

    return remember, save


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        from .telegram import run
    except ImportError as e:
        raise CliError("the Telegram bot is not part of this version yet") from e
    return run(config_of(args), kb_for_reading(args))
