"""The fronts of `budgetbot serve` under load, on loopback: request → answer latency and
throughput for the HTTP API and a 企业微信 callback (signature, AES both ways, passive reply).

    python benchmarks/fronts.py [--kb PATH] [--requests 2000]

One client, one request at a time (what one busy group sends), then 8 clients at once. Numbers,
not pass/fail: put them in the README when they change.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from tests.servers import serving  # noqa: E402
from tests.test_platforms import VECTOR, WeComClient  # noqa: E402

QUESTIONS = ["项目支出多少", "三公经费是什么", "基本支出中哪一项最多", "钱都花在哪", "办公费多少", "人员经费占基本支出的比例"]


def p(times: list[float], q: float) -> float:
    return sorted(times)[min(len(times) - 1, int(len(times) * q))] * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kb")
    ap.add_argument("--requests", type=int, default=2000)
    args = ap.parse_args()
    from bot.config import Config, WebConfig, WeComConfig
    from bot.server import build_app
    from knowledge import build
    from loaders import read_disclosure

    kb = Path(args.kb) if args.kb else Path(tempfile.mkdtemp()) / "kb.db"
    if not kb.exists():
        build.write(kb, [read_disclosure(ROOT / "loaders" / "samples" / "475_望都县乡村振兴局_2022_部门预算.txt")])
    os.environ["WECOM_TOKEN"], os.environ["WECOM_AES_KEY"] = VECTOR["token"], VECTOR["aes_key"]
    config = Config(web=WebConfig(per_ip_per_minute=0), wecom=WeComConfig(corp_id=VECTOR["corp_id"], rate_limit_per_minute=0))
    n = args.requests
    with serving(build_app(config, kb)) as base:

        def api(i: int, client: httpx.Client) -> float:
            t = time.perf_counter()
            r = client.post(base + "/api/ask", json={"question": QUESTIONS[i % len(QUESTIONS)]})
            assert r.status_code == 200
            return time.perf_counter() - t

        def wx(i: int, client: httpx.Client) -> float:
            t = time.perf_counter()
            sender = WeComClient(base, client=client)
            assert sender.reply_text(sender.send(QUESTIONS[i % len(QUESTIONS)], user=f"u{i % 50}"))
            return time.perf_counter() - t

        for name, call in (("POST /api/ask", api), ("企业微信 callback", wx)):
            with httpx.Client() as client:
                call(0, client)
                started = time.perf_counter()
                times = [call(i, client) for i in range(n)]
                rate = n / (time.perf_counter() - started)
            print(f"{name:<18} 1 client : p50 {p(times, 0.5):5.2f} ms  p99 {p(times, 0.99):5.2f} ms  {rate:6.0f} requests/s")
            with ThreadPoolExecutor(8) as pool, httpx.Client(limits=httpx.Limits(max_connections=8)) as client:
                started = time.perf_counter()
                times = list(pool.map(call, range(n), [client] * n))
                rate = n / (time.perf_counter() - started)
            print(f"{name:<18} 8 clients: p50 {p(times, 0.5):5.2f} ms  p99 {p(times, 0.99):5.2f} ms  {rate:6.0f} requests/s")


if __name__ == "__main__":
    main()
