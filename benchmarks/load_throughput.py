"""Load throughput per format, and answer latency with every shared disclosure loaded.

    python benchmarks/load_throughput.py [--repeat 5]

Also times `budgetbot load` of each format's files with one worker process and with two.
Reads the shared disclosures (the real sample as text; the generated ones as text, PDF and
XLSX) several times each and reports disclosures and pages per second per format; then loads
one of each department into a knowledge base and reports answer latency over the public cases.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge import build  # noqa: E402
from knowledge.engine import Engine  # noqa: E402
from loaders import read_disclosure  # noqa: E402

SHARED = ROOT.parent / "shared"


def pages(d) -> int:
    return max([t.page or 1 for t in d.tables] + [p.page or 1 for p in d.passages] + [1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    generated = sorted((SHARED / "disclosures" / "generated").glob("dept_*"))
    files = {
        "text": [SHARED / "disclosures" / "475_望都县乡村振兴局_2022_部门预算.txt"] + [d / "disclosure.txt" for d in generated],
        "pdf": [d / "disclosure.pdf" for d in generated],
        "xlsx": [d / "disclosure.xlsx" for d in generated],
        "pdf (ruled, generated_v2)": sorted((SHARED / "disclosures" / "generated_v2").glob("dept_*/disclosure.pdf")),
    }
    real = sorted((SHARED / "disclosures" / "real").glob("*.pdf"))
    if real:
        import pdfplumber

        print("published PDFs (one read each; seconds per 20 pages is what the CI machine must keep ≤ 2):")
        for p in real:
            with pdfplumber.open(p) as pdf:
                n_pages = len(pdf.pages)
            t0 = time.perf_counter()
            read_disclosure(p)
            dt = time.perf_counter() - t0
            print(f"  {p.name:<32} {n_pages:3d} pages  {dt:5.2f} s  {dt / n_pages * 20:5.2f} s per 20 pages")
    for fmt, paths in files.items():
        t0 = time.perf_counter()
        n = n_pages = 0
        for _ in range(args.repeat):
            for p in paths:
                d = read_disclosure(p)
                n += 1
                n_pages += pages(d)
        dt = time.perf_counter() - t0
        print(f"{fmt:<26} {n / dt:6.1f} disclosures/s  {n_pages / dt:7.1f} pages/s  ({n} reads in {dt:.2f} s)")
    print("budgetbot load of a folder, 1 worker against 2 (seconds, process start to summary):")
    sets = {
        "text": files["text"] + sorted((SHARED / "disclosures" / "generated_v2").glob("dept_*/disclosure.txt")),
        "PDF": files["pdf"] + files["pdf (ruled, generated_v2)"] + real,
        "XLSX": files["xlsx"] + sorted((SHARED / "disclosures" / "generated_v2").glob("dept_*/disclosure.xlsx")),
    }
    for fmt, paths in sets.items():
        seconds = {}
        for workers in (1, 2):
            with tempfile.TemporaryDirectory() as tmp:
                t0 = time.perf_counter()
                subprocess.run(
                    [sys.executable, "-m", "bot", "load", "-j", str(workers), "--kb", str(Path(tmp) / "kb.db"), *map(str, paths)],
                    capture_output=True, cwd=ROOT,
                )
                seconds[workers] = time.perf_counter() - t0
        print(f"  {fmt:<5} {len(paths):3d} files: 1 worker {seconds[1]:5.2f} s, 2 workers {seconds[2]:5.2f} s ({seconds[1] / seconds[2]:.2f}×)")
    with tempfile.TemporaryDirectory() as tmp:
        kb = Path(tmp) / "kb.db"
        docs = [read_disclosure(files["text"][0])] + [read_disclosure(p) for p in files["pdf"]]
        t0 = time.perf_counter()
        build.write(kb, docs)
        print(f"write {len(docs)} disclosures to a new knowledge base: {time.perf_counter() - t0:.2f} s")
        engine = Engine.open(kb)
        questions = [json.loads(line)["q"] for line in (SHARED / "eval" / "generated_public.jsonl").read_text().splitlines()]
        times = []
        for _ in range(20):
            for q in questions:
                t = time.perf_counter()
                engine.ask(q)
                times.append((time.perf_counter() - t) * 1000)
        times.sort()
        print(
            f"answers with all loaded: p50 {statistics.median(times):.2f} ms  p99 {times[int(len(times) * 0.99) - 1]:.2f} ms "
            f"over {len(times)} questions"
        )


if __name__ == "__main__":
    main()
