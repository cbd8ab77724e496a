"""Scale: knowledge bases of 1, 1,000, 10,000 and 100,000 disclosures, measured.

    python benchmarks/scale.py [--sizes 1,1000,10000,100000] [--cache DIR] [--questions 200]
    python benchmarks/scale.py --store postgresql --server postgresql://… [--sizes …] [--workers 1,2,4 --write 2000]

With `--store postgresql` each size is a database `budgetbot_scale_<n>` on the server (kept and
reused like the files); `--workers` also times writing `--write` disclosures into a new database
by 1, 2, 4 worker processes at once, each writing its share as `budgetbot load` does (one
transaction per document, then the derivation), and reports disclosures per second.

Builds each base once (kept in --cache, default the system temp folder, and reused; 100,000 take
~22 minutes and 9 GB) from the seed and the generated departments as text, under the names of real
counties, then districts (knowledge/data/places.txt) × 25 kinds of bureau, two years each, every
amount scaled a little (so departments do not tie as copies would), written in batches as
`budgetbot load` writes. A cached base derived by other reading rules is derived again first
(~7 minutes at 100,000), as the next load would.
Then, for each size, in a fresh process (so its peak memory is its own):
- engine open time (median of 3) and the cold start of `budgetbot ask` to its first answer;
- p50/p99 per kind of question — figure, typo, definition, list, share, change (each naming a
  document not asked about before: the first question about it), the same again warm, and
  rankings across departments (a year, a place);
- peak RSS; file size per disclosure; `ask --json -` throughput.
Numbers, not pass/fail: put them in the README when they change.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SHARED = ROOT.parent / "shared" / "disclosures"
BUREAUS = (
    "乡村振兴局 教育局 卫生健康局 财政局 民政局 交通运输局 水利局 农业农村局 自然资源和规划局 生态环境局 文化广电和旅游局 "
    "市场监督管理局 应急管理局 人力资源和社会保障局 住房和城乡建设局 统计局 审计局 司法局 林业局 医疗保障局 退役军人事务局 "
    "科学技术局 工业和信息化局 商务局 体育局"
).split()


def places() -> list[str]:
    """Counties (1,391), then districts (enough for 100,000 disclosures)."""
    lines = (ROOT / "knowledge" / "data" / "places.txt").read_text(encoding="utf-8").splitlines()
    named = {ln.strip() for ln in lines if not ln.startswith("#") and len(ln.strip()) >= 3}
    return sorted(p for p in named if p.endswith("县")) + sorted(p for p in named if p.endswith("区"))


def plan(n: int) -> list[tuple[str, str, int]]:
    """n (place, department, year): every bureau of a place, place after place, two years each."""
    out = []
    for place in places():
        for bureau in BUREAUS:
            for year in (2023, 2024):
                out.append((place, f"{place}{bureau}", year))
                if len(out) == n:
                    return out
    raise ValueError(f"not enough names for {n}")


def names(n: int) -> list[tuple[str, int]]:
    return [(department, year) for _, department, year in plan(n)]


def build(path: Path | str, n: int, batch: int = 1000) -> float:
    from knowledge import build
    from loaders import read_disclosure
    from loaders.copies import renamed

    templates = [read_disclosure(f) for f in sorted(SHARED.glob("475_*.txt"))]
    templates += [read_disclosure(f) for f in sorted(SHARED.glob("generated*/dept_*/disclosure.txt"))]
    started = time.perf_counter()
    todo = names(n)
    for at in range(0, n, batch):
        docs = []
        for i, (department, year) in enumerate(todo[at : at + batch], at):
            docs.append(renamed(templates[i % len(templates)], department, year, f"synthetic-{i}", 1 + (i % 997) / 1000))
        build.write(path, docs)
        print(f"  {min(at + batch, n)}/{n} written ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    return time.perf_counter() - started


KINDS = {
    "figure": "{d}{y}年项目支出多少",
    "typo": "{d}{y}年项目支处多少",
    "definition": "{d}什么是基本支出",
    "list": "{d}{y}年基本支出包括哪些",
    "share": "{d}{y}年项目支出占总支出的比例",
    "change": "{d}{y}年支出比上年减少了多少",
}


def measure(kb: str, n: int, questions: int) -> dict:
    """In this (fresh) process: open, ask, and report."""
    from knowledge.live import open_for_serving

    opens = []
    engine = None
    for _ in range(3):
        engine = None  # one engine at a time: peak memory is one engine's
        t = time.perf_counter()
        engine = open_for_serving(kb)
        opens.append(time.perf_counter() - t)
    rng = random.Random(n)
    pool = names(n)
    rng.shuffle(pool)
    result: dict = {"open_ms": statistics.median(opens) * 1000}
    engine.ask("项目支出多少")
    engine.ask("项目支处多少")  # a typo loads jieba's dictionary: once per process (in the cold start)
    engine.ask(f"{pool[-1][0]}{pool[-1][1]}年项目支出多少")  # the first document read warms the reader
    engine.doc.cache_clear()
    for kind, pattern in KINDS.items():
        asked = [pattern.format(d=d, y=y) for d, y in pool[:questions]]
        first, warm = [], []
        for q in asked:  # each question twice: the first reads its document, the second is a conversation going on
            for times in (first, warm):
                t = time.perf_counter()
                a = engine.ask(q)
                times.append(time.perf_counter() - t)
                assert a.status == "answered" or kind != "figure", (q, a.answer)
        result[f"{kind} first"], result[f"{kind} warm"] = first, warm
        engine.doc.cache_clear()
        pool = pool[questions:] + pool[:questions]
    counties = sorted({place for place, _, _ in plan(n)})[:20]
    years = sorted({y for _, y in names(n)})
    across = {
        "across, by year": [f"{y}年哪个部门{m}最{w}" for y in years for m in ("项目支出", "人员经费", "三公经费") for w in "多少"],
        "across, newest": [f"哪个部门{m}最{w}" for m in ("基本支出", "公用经费", "机关运行经费") for w in "多少"],
        "across, a county": [f"{p}哪个部门三公经费最{w}" for p in counties for w in "多少"],
    }
    for kind, asked in across.items():
        times = []
        for q in asked * 5:
            t = time.perf_counter()
            a = engine.ask(q)
            times.append(time.perf_counter() - t)
            assert a.status == "answered", (q, a.answer)
        result[kind] = times
    result["rss_mb"] = peak_rss_mb()
    return result


def stale(kb: Path | str) -> bool:
    from knowledge import store
    from knowledge.build import DERIVE

    try:
        conn = store.open_readonly(kb)
    except store.KnowledgeBaseError:  # of an older schema: the next load upgrades it and derives it whole
        return True
    try:
        return DERIVE.stale(conn)
    finally:
        conn.close()


# ------------------------------------------------------------------------------ a server base


def server_database(server: str, name: str, fresh: bool = False) -> str:
    """The URL of database `name` on the server, created when missing (dropped first when `fresh`)."""
    from urllib.parse import urlsplit

    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'.encode())
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"'.encode())
    return urlsplit(server)._replace(path="/" + name).geturl()


def held(kb: Path | str) -> int:
    """Documents a base holds, of whatever schema version (0: none, or no base yet)."""
    import sqlite3

    import psycopg

    from knowledge.store import postgres

    if isinstance(kb, Path) and not kb.exists():
        return 0
    try:
        conn = postgres.connect(kb, readonly=True) if isinstance(kb, str) else sqlite3.connect(f"file:{kb}?mode=ro", uri=True)
        try:
            return int(conn.execute("SELECT count(*) FROM documents").fetchone()[0])
        finally:
            conn.close()
    except (sqlite3.Error, psycopg.Error):  # no table yet: an empty database
        return 0


def size_of(kb: Path | str) -> int:
    if isinstance(kb, Path):
        return kb.stat().st_size
    import psycopg

    with psycopg.connect(kb) as conn:
        return int(conn.execute("SELECT pg_database_size(current_database())").fetchone()[0])


def write_share(kb: str, n: int, share: int, shares: int, batch: int) -> None:
    """Worker `share` of `shares`: write every `shares`-th of n disclosures, `batch` per load."""
    from knowledge import build
    from loaders import read_disclosure
    from loaders.copies import renamed

    templates = [read_disclosure(f) for f in sorted(SHARED.glob("475_*.txt"))]
    templates += [read_disclosure(f) for f in sorted(SHARED.glob("generated*/dept_*/disclosure.txt"))]
    mine = [(i, d, y) for i, (d, y) in enumerate(names(n)) if i % shares == share]
    for at in range(0, len(mine), batch):
        build.write(kb, [renamed(templates[i % len(templates)], d, y, f"synthetic-{i}", 1 + (i % 997) / 1000) for i, d, y in mine[at : at + batch]])


def workers_throughput(server: str, n: int, counts: list[int], batch: int) -> None:
    """n disclosures written into a new database by w workers at once, for each w."""
    for w in counts:
        kb = server_database(server, f"budgetbot_workers_{w}", fresh=True)
        started = time.perf_counter()
        procs = [
            subprocess.Popen([sys.executable, __file__, "--write-share", f"{i}/{w}", "--sizes", str(n), "--batch", str(batch), "--kb", kb])
            for i in range(w)
        ]
        for proc in procs:
            if proc.wait() != 0:
                raise SystemExit(f"a worker failed ({proc.returncode})")
        seconds = time.perf_counter() - started
        assert held(kb) == n
        print(f"  {w} worker{'s' if w > 1 else ''}: {n} disclosures in {seconds:.1f} s = {n / seconds:.0f}/s")


def peak_rss_mb() -> float:
    """This process's peak RSS since it started running this program. ru_maxrss would also count
    the parent's peak from before the exec (Linux carries it over), VmHWM does not."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def p(times: list[float], q: float) -> float:
    return sorted(times)[min(len(times) - 1, int(len(times) * q))] * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1,1000,10000,100000")
    ap.add_argument("--cache", default=str(Path(tempfile.gettempdir()) / "budgetbot-scale"))
    ap.add_argument("--questions", type=int, default=200)
    ap.add_argument("--measure", help=argparse.SUPPRESS)  # internal: measure KB in this process
    ap.add_argument("--store", choices=("sqlite", "postgresql"), default="sqlite")
    ap.add_argument("--server", default=os.environ.get("BUDGETBOT_PG"), help="a PostgreSQL URL whose user may create databases")
    ap.add_argument("--workers", help="e.g. 1,2,4: time that many load workers writing --write disclosures at once")
    ap.add_argument("--write", type=int, default=2000)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--write-share", help=argparse.SUPPRESS)  # internal: one worker's share, i/w
    ap.add_argument("--kb", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.write_share:
        share, shares = map(int, args.write_share.split("/"))
        write_share(args.kb, int(args.sizes), share, shares, args.batch)
        return
    if args.store == "postgresql" and not args.server:
        raise SystemExit("--store postgresql needs --server postgresql://… (or $BUDGETBOT_PG)")
    if args.workers:
        print(f"load workers writing {args.write} disclosures into one PostgreSQL database ({args.batch} per load):")
        workers_throughput(args.server, args.write, [int(w) for w in args.workers.split(",")], args.batch)
    if args.measure:
        n = int(args.sizes)
        print(json.dumps(measure(args.measure, n, min(args.questions, n))))
        return
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    for n in (int(s) for s in args.sizes.split(",") if s):
        kb: Path | str = cache / f"scale-{n}.db"
        if args.store == "postgresql":
            kb = server_database(args.server, f"budgetbot_scale_{n}")
        if not held(kb):
            print(f"building {n} disclosures…", file=sys.stderr)
            seconds = build(kb, n, batch=min(n, 1000 if n <= 10_000 else 10_000))
            print(f"built {n} disclosures in {seconds:.0f} s ({n / seconds:.0f}/s)")
        elif stale(kb):  # built by other reading rules: derive again, as the next `budgetbot load` would

            started = time.perf_counter()
            from knowledge import build as knowledge_build

            knowledge_build.write(kb, [])
            print(f"derived {n} disclosures again under these rules in {time.perf_counter() - started:.0f} s")
        size = size_of(kb)
        out = subprocess.run(
            [sys.executable, __file__, "--sizes", str(n), "--questions", str(args.questions), "--measure", str(kb)],
            capture_output=True, text=True, check=True,
        ).stdout
        r = json.loads(out.splitlines()[-1])
        colds = []
        for _ in range(3):
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "bot", "ask", "--kb", str(kb), "项目支出多少"], capture_output=True, check=True, cwd=ROOT)
            colds.append(time.perf_counter() - t)
        lines = "\n".join(f"{d}{y}年项目支出多少" for d, y in names(n)[:2000] * (2000 // max(1, n) + 1))[: 2000 * 40]
        t = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "bot", "ask", "--json", "-", "--kb", str(kb)], input=lines, capture_output=True, text=True, check=True, cwd=ROOT,
            env=os.environ,
        ).stdout.count("\n")
        throughput = done / (time.perf_counter() - t)
        print(f"\n== {n} disclosures on {args.store}: {size / 2**20:.0f} MB ({size / n / 1024:.0f} KB per disclosure)")
        print(f"engine open {r['open_ms']:.0f} ms; cold start of `budgetbot ask` {statistics.median(colds):.2f} s; peak RSS {r['rss_mb']:.0f} MB; ask --json - {throughput:.0f} questions/s")
        for kind, times in r.items():
            if isinstance(times, list):
                print(f"  {kind:<20} p50 {p(times, 0.5):6.2f} ms   p99 {p(times, 0.99):6.2f} ms   ({len(times)} questions)")


if __name__ == "__main__":
    main()
