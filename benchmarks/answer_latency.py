"""Answer latency and cold start, on the sample and on a knowledge base of many disclosures.

    python benchmarks/answer_latency.py [--departments 1000] [--questions 2000]

Builds (once, in a temporary folder) a knowledge base of the bundled sample under many
department names and two years, then reports in-process answer latency p50/p99 over many
questions, and the cold start of `budgetbot ask` from process start to first answer.
Numbers, not pass/fail: put them in the README when they change.
"""

from __future__ import annotations

import argparse
import copy
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.config import sample_path  # noqa: E402
from knowledge import store  # noqa: E402
from knowledge.engine import Engine  # noqa: E402
from loaders import read_disclosure  # noqa: E402

QUESTIONS = [
    "项目支出多少",
    "基本支出是多少",
    "支出总计多少",
    "人员经费多少",
    "公用经费是多少",
    "农林水支出多少",
    "住房公积金多少钱",
    "2130505生产发展预算多少",
    "农村基础设施建设的项目支出",
    "办公费多少",
    "30207是什么",
    "三公经费多少",
    "项目支出占总支出的比例是多少",
    "支出比上年减少了多少",
    "基本支出中哪一项最多",
    "商品和服务支出包括哪些",
    "什么是基本支出",
    "机关运行经费多少",
    "有几辆车",
    "雨露计划受益学生多少人",
    "项目支处多少",
    "今天天气怎么样",
]
COUNTIES = [
    "望都",
    "清苑",
    "满城",
    "徐水",
    "定兴",
    "唐县",
    "高阳",
    "容城",
    "涞源",
    "安新",
    "易县",
    "曲阳",
    "蠡县",
    "顺平",
    "博野",
    "雄县",
    "涞水",
    "阜平",
    "定州",
    "安国",
]
BUREAUS = [
    "乡村振兴局",
    "教育局",
    "卫生健康局",
    "财政局",
    "民政局",
    "交通运输局",
    "水利局",
    "农业农村局",
    "自然资源局",
    "生态环境局",
    "文化广电和旅游局",
    "市场监督管理局",
    "应急管理局",
    "人力资源和社会保障局",
    "住房和城乡建设局",
    "统计局",
    "审计局",
    "司法局",
    "林业局",
    "医疗保障局",
    "退役军人事务局",
    "科学技术局",
    "工业和信息化局",
    "商务局",
    "体育局",
]


def department_names(n: int) -> list[str]:
    names = [f"{c}县{b}" for c in COUNTIES for b in BUREAUS]
    k = 2
    while len(names) < n:
        names += [f"{c}{k}区{b}" for c in COUNTIES for b in BUREAUS]
        k += 1
    return names[:n]


def build(path: Path, departments: int) -> float:
    base = read_disclosure(sample_path())
    docs = []
    for i, name in enumerate(department_names(departments)):
        d = copy.deepcopy(base)
        d.department = name
        d.year = 2022 if i % 2 == 0 else 2023
        d.source_sha256 = f"synthetic-{i}"
        docs.append(d)
    t0 = time.perf_counter()
    store.write(path, docs)
    return time.perf_counter() - t0


def latency(engine: Engine, questions: list[str]) -> tuple[float, float, float]:
    times = []
    for q in questions:
        t0 = time.perf_counter()
        engine.ask(q)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.99) - 1], sum(times) / len(times)


def cold_start(kb: Path, runs: int = 5) -> float:
    best = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "bot", "ask", "--kb", str(kb), "项目支出多少"], check=True, capture_output=True, cwd=ROOT
        )
        best.append(time.perf_counter() - t0)
    return statistics.median(best)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--departments", type=int, default=1000)
    ap.add_argument("--questions", type=int, default=2000)
    args = ap.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "sample.db"
        store.write(small, [read_disclosure(sample_path())])
        engine = Engine.open(small)
        engine.ask("项目支出多少")
        qs = [rng.choice(QUESTIONS) for _ in range(args.questions)]
        p50, p99, mean = latency(engine, qs)
        print(f"sample (1 disclosure): p50 {p50:.2f} ms  p99 {p99:.2f} ms  mean {mean:.2f} ms  over {len(qs)} questions")
        print(f"cold start, sample: {cold_start(small):.2f} s (process start to first answer, median of 5)")

        big = Path(tmp) / "many.db"
        seconds = build(big, args.departments)
        print(f"built {args.departments} disclosures in {seconds:.1f} s ({args.departments / seconds:.0f}/s)")
        t0 = time.perf_counter()
        engine = Engine.open(big)
        print(f"engine open at {args.departments} disclosures: {(time.perf_counter() - t0) * 1000:.0f} ms")
        names = department_names(args.departments)
        qs = []
        for _ in range(args.questions):
            i = rng.randrange(len(names))
            qs.append(f"{names[i]}{2022 if i % 2 == 0 else 2023}年{rng.choice(QUESTIONS)}")
        p50, p99, mean = latency(engine, qs)
        print(
            f"{args.departments} disclosures, first touch: p50 {p50:.2f} ms  p99 {p99:.2f} ms  mean {mean:.2f} ms  "
            f"over {len(qs)} questions naming a department"
        )
        p50, p99, mean = latency(engine, qs)
        print(
            f"{args.departments} disclosures, warm: p50 {p50:.2f} ms  p99 {p99:.2f} ms  mean {mean:.2f} ms  "
            f"(every document read once already)"
        )
        print(f"cold start, {args.departments} disclosures: {cold_start(big):.2f} s")


if __name__ == "__main__":
    main()
