"""What adding one disclosure to a large knowledge base costs.

    python benchmarks/incremental_load.py --kb /tmp/budgetbot-scale/scale-100000.db [--repeat 3]
    python benchmarks/incremental_load.py --kb postgresql://…/budgetbot_scale_100000

Into an existing base (benchmarks/scale.py builds them), for each repeat: one disclosure of a
body the base does not have (a new department: its names join the vocabulary), and the next year
of a body it has; each timed in this process as `budgetbot load` writes it (`build.write`, the
file already read), and once end to end as a command (`budgetbot load FILE`: start, read, write).
The base keeps what is added (names no other run uses). Numbers, not pass/fail.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge import build, store  # noqa: E402
from loaders import read_disclosure  # noqa: E402
from loaders.copies import renamed  # noqa: E402

SEED = next((ROOT.parent / "shared" / "disclosures").glob("475_*.txt"))


def a_body_it_has(kb: str | Path) -> tuple[str, int]:
    conn = store.open_readonly(kb)
    try:
        row = conn.execute("SELECT department, max(year) FROM documents WHERE department = (SELECT min(department) FROM documents) GROUP BY department").fetchone()
        return row[0], int(row[1])
    finally:
        conn.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kb", required=True)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    kb: str | Path = args.kb if store.is_server(args.kb) else Path(args.kb)
    template = read_disclosure(SEED)
    conn = store.open_readonly(kb)
    n = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    conn.close()
    print(f"base: {n} disclosures ({kb if isinstance(kb, Path) else store.postgres.shown(kb)})")
    times: dict[str, list[float]] = {"a new body": [], "a new year of a body": []}
    for _ in range(args.repeat):
        tag = uuid.uuid4().hex[:6]
        new_body = renamed(template, f"基准县{tag}档案局", 2024, f"bench-{tag}", 1.003)
        body, year = a_body_it_has(kb)
        next_year = renamed(template, body, year + 1, f"bench-{tag}-y", 1.004)
        for kind, d in (("a new body", new_body), ("a new year of a body", next_year)):
            started = time.perf_counter()
            results = build.write(kb, [d])
            times[kind].append(time.perf_counter() - started)
            assert results[0].status == "added", results
    for kind, seconds in times.items():
        print(f"  {kind:<22} median {statistics.median(seconds):6.2f} s   (each: {', '.join(f'{s:.2f}' for s in seconds)})")
    folder = Path(tempfile.mkdtemp())
    f = folder / "one.txt"
    tag = uuid.uuid4().hex[:6]
    f.write_text(SEED.read_text(encoding="utf-8").replace("望都县乡村振兴局", f"基准县{tag}统计局"), encoding="utf-8")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "bot", "load", "--kb", str(kb), str(f)], check=True, capture_output=True, cwd=ROOT)
    print(f"  `budgetbot load` of one text file, end to end: {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
