"""`budgetbot load` and `budgetbot check`: reading files into the knowledge base, choosing one file
per department-year, the summary people read afterwards, and the integrity check of a base."""

from __future__ import annotations

import argparse
import contextlib
import os
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

from knowledge import build, store
from loaders import DisclosureFormatError, read_disclosure
from loaders.model import Disclosure
from loaders.parts import Part, PartOfDisclosure, pair
from loaders.version import file_sha256

from .config import kb_location, resolve_kb

SUFFIXES = (".txt", ".pdf", ".xlsx")
STATUS = {"added": "新增", "replaced": "替换", "unchanged": "未变"}
FORMAT_NAMES = {"pdf": "PDF", "xlsx": "XLSX", "text": "文本"}


class CliError(Exception):
    """A mistake in what the user asked the command line to do (said in one Chinese line)."""


def expand(paths: list[str]) -> Iterator[Path]:
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES)
            if not found:
                raise CliError(f"{p}：文件夹里没有公开文件（.txt .pdf .xlsx）")
            yield from found
        else:
            yield p


def read_one(path: Path, department: str | None, year: int | None) -> Disclosure | Part | str:
    """One file read, one part of a disclosure split over two files, or the one line that says
    why it could not be read (run in worker processes: the error travels back as text)."""
    try:
        return read_disclosure(path, department=department, year=year)
    except PartOfDisclosure as e:
        return e.part
    except DisclosureFormatError as e:
        return str(e)
    except MemoryError:
        return f"{path}：文件太大，内存不够，未载入"
    except OSError as e:
        return f"{path}：无法读取（{e.strerror or e}）"


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def read_all(
    paths: list[str],
    progress: bool = False,
    *,
    department: str | None = None,
    year: int | None = None,
    workers: int = 1,
) -> tuple[list[Disclosure], list[str]]:
    """Read every file, on `workers` processes (PDF parsing is nearly all CPU); a file that fails
    is reported and does not stop the others. Results come back in the order of the files."""
    files = list(expand(paths))
    results: list[Disclosure | Part | str] = []
    if workers > 1 and len(files) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        # the pool is made before the progress bar starts its thread, so forking is safe
        context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
        pool_size = min(workers, len(files))
        with ProcessPoolExecutor(pool_size, mp_context=context, initializer=exit_with_parent, initargs=(os.getpid(),)) as pool:
            futures = [pool.submit(read_one, f, department, year) for f in files]
            with _progress(progress, len(files)) as advance:
                for f, future in zip(files, futures, strict=True):
                    try:
                        results.append(future.result())
                    except BrokenProcessPool:
                        results.append(f"{f}：读取时进程意外退出（内存不足？），未载入")
                    advance(f)
    else:
        with _progress(progress, len(files)) as advance:
            for f in files:
                results.append(read_one(f, department, year))
                advance(f)
    loaded = [r for r in results if isinstance(r, Disclosure)]
    errors = [r for r in results if isinstance(r, str)]
    joined, unpaired = pair([r for r in results if isinstance(r, Part)])  # 情况说明 + 报表 of one disclosure
    return loaded + joined, errors + unpaired


def exit_with_parent(parent: int) -> None:
    """In a reading worker: end when the load that started it is gone (killed, even by SIGKILL,
    which leaves no chance to stop its pool), instead of waiting for work forever."""
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()


@contextlib.contextmanager
def _progress(show: bool, total: int):
    if not show or total < 2:
        yield lambda path: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("读取"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), TextColumn("{task.description}"))
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
                notes.append(f"{best.department} {best.year}年：采用 {best.source}，未采用 {other.source}（{_why(best, other)}）")
    return kept, notes


def _why(best: Disclosure, other: Disclosure) -> str:
    b, o = richness(best), richness(other)
    if b[0] != o[0]:
        return f"前者有情况说明：{len(best.facts)} 个数字、{len(best.definitions)} 个名词解释"
    if b[1] != o[1]:
        return f"不确定栏目的数字 {-b[1]} 个，少于 {-o[1]} 个"
    if b[2] != o[2]:
        return f"{FORMAT_NAMES.get(best.source_format, best.source_format)} 按位置确定每个数字的栏目"
    return "内容相同，采用先读到的一份"


def cmd_load(args: argparse.Namespace, config) -> int:
    path, _ = resolve_kb(args.kb, config)
    workers = args.workers or default_workers()
    paths, skipped = _new_files(path, args.paths, bool(args.department or args.year))
    read, errors = read_all(paths, progress=sys.stderr.isatty(), department=args.department, year=args.year, workers=workers)
    disclosures, notes = choose(read)
    if skipped:
        print(f"未变 {len(skipped)} 个文件：内容与已载入的相同，按同样的规则读过，不再读取")
        if not disclosures:
            build.write(path, [])  # what the base derives is brought up to date all the same
    if disclosures:
        results = build.write(path, disclosures)
        print_summary(disclosures, results)
        for d in disclosures:
            for w in d.warnings:
                print(f"  提示：{d.department} {d.year}年：{w.message}")
        for note in notes:
            print(f"  {note}")
        print(f"知识库：{store.postgres.shown(path)}")
    for e in errors:
        print(f"budgetbot: {e}", file=sys.stderr)
    if errors and len(errors) + len(read) > 1:
        print(f"budgetbot: {len(errors) + len(read)} 个文件中有 {len(errors)} 个未能载入", file=sys.stderr)
    return 1 if errors else 0


def _new_files(kb: Path | str, paths: list[str], named: bool) -> tuple[list[str], list[str]]:
    """The files to read: not those whose content these reading rules already read into the base
    (a folder loaded again, a file repeated under other names), each content once. Files named
    with --department/--year are always read (the name given may differ)."""
    files = [str(f) for f in expand(paths)]
    if named:
        return files, []
    known: dict[str, str] = {}
    if isinstance(kb, str) or kb.is_file():
        try:
            with contextlib.closing(store.open_readonly(kb)) as conn:
                known = store.read_by_current_rules(conn)
        except (store.KnowledgeBaseError, sqlite3.DatabaseError):
            known = {}  # none yet, another version's or a damaged base: the write says so; read every file
    fresh, skipped, seen = [], [], set()
    for f in files:
        if not Path(f).is_file():
            fresh.append(f)  # reading it says what is wrong
            continue
        sha = file_sha256(f)
        if sha in known or sha in seen:
            skipped.append(f)
        else:
            seen.add(sha)
            fresh.append(f)
    return fresh, skipped


SUMMARY_COLUMNS = ("状态", "部门", "年度", "类型", "格式", "表", "行", "数字", "名词", "指标", "提示", "文件")


def print_summary(disclosures: list[Disclosure], results: list[store.WriteResult]) -> None:
    from rich.console import Console
    from rich.table import Table

    numeric = {"年度", "表", "行", "数字", "名词", "指标", "提示"}
    table = Table(show_edge=False, pad_edge=False, box=None)
    for name in SUMMARY_COLUMNS:
        table.add_column(name, justify="right" if name in numeric else "left", no_wrap=True)
    for d, r in zip(disclosures, results, strict=True):
        rows = sum(len(t.rows) for t in d.tables)
        table.add_row(
            STATUS[r.status],
            d.department,
            str(d.year),
            d.kind,
            FORMAT_NAMES.get(d.source_format, d.source_format),
            str(len(d.tables)),
            str(rows),
            str(len(d.facts)),
            str(len(d.definitions)),
            str(len(d.indicators)),
            str(len(d.warnings)),
            d.source,
        )
    Console(width=400, highlight=False).print(table)
    counts = {s: sum(r.status == s for r in results) for s in STATUS}
    print(f"共 {len(results)} 份：新增 {counts['added']}，替换 {counts['replaced']}，未变 {counts['unchanged']}")


def cmd_check(args: argparse.Namespace, config) -> int:
    """Files: read them and print what the checks find. --kb: SQLite's integrity check, the schema
    version and what the base holds (and roll back what an old in-place writer left)."""
    if args.kb:
        kb = kb_location(args.kb)
        return check_server_kb(kb) if isinstance(kb, str) else check_kb(kb)
    if not args.paths:
        raise CliError("请给出要检查的文件，或用 --kb 知识库 检查知识库")
    disclosures, errors = read_all(args.paths, workers=default_workers())
    fmt = getattr(args, "format", "text")
    if getattr(args, "report", False):
        from .cli_report import build_report, render_report

        text = render_report(build_report(disclosures, errors), fmt == "json")
    else:
        from .cli_review import render, review_batch

        text = render(review_batch(disclosures, errors), fmt)
    out = getattr(args, "out", None)
    if out:
        try:
            Path(out).write_text(text + "\n", encoding="utf-8")
        except OSError as e:
            raise CliError(f"{out}：写不进去（{e.strerror or e}）") from e
        print(f"报告已写入 {out}")
    else:
        print(text)
    return 1 if errors else 0


def check_server_kb(url: str) -> int:
    """A PostgreSQL base: its schema version, derivation left to do, and what it holds."""
    problems = store.postgres.integrity(url)
    if problems:
        for p in problems:
            print(f"budgetbot: {p}", file=sys.stderr)
        return 1
    with contextlib.closing(store.open_readonly(url)) as conn:
        counts = store.counts(conn)
    print(f"{store.postgres.shown(url)}：完好（PostgreSQL，版本 {store.SCHEMA_VERSION}）：{_held(counts)}")
    return 0


def _held(counts: dict[str, int]) -> str:
    return (
        f"{counts['documents']} 份公开，{counts['disclosure_tables']} 张表，{counts['table_rows']} 行，"
        f"{counts['cells']} 个数字，{counts['facts']} 个说明中的数字"
    )


def check_kb(path: Path) -> int:
    if not path.is_file():
        raise CliError(f"{path}：没有这个知识库文件")
    if store.needs_recovery(path):
        store.recover(path)
        print(f"{path}：上次写入被中断，已恢复到写入前的状态")
    stale = store.clear_stale_temps(path)
    if stale is None:
        print(f"{path}：有一个载入正在进行（它的临时文件不动）")
    for f, leftover in stale or []:
        print(f"{path}：删除了中断的载入留下的临时文件 {f.name}（{leftover / 2**20:.1f} MB）；知识库本身没有受影响")
    problems = store.integrity(path)
    if problems:
        for p in problems:
            print(f"budgetbot: {path}：{p}", file=sys.stderr)
        print(f"budgetbot: {path}：知识库有问题。请删除它，再用 budgetbot load 重新载入原文件", file=sys.stderr)
        return 1
    conn = store.open_readonly(path)
    try:
        counts = store.counts(conn)
    finally:
        conn.close()
    size = path.stat().st_size / 2**20
    print(f"{path}：完好（SQLite 完整性检查通过，版本 {store.SCHEMA_VERSION}，{size:.1f} MB）：{_held(counts)}")
    return 0
