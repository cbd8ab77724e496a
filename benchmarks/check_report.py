"""How long the staff check report takes over a folder (default: the 49 corpus PDFs), reading on
every core as `budgetbot check DIR` does: wall time, documents, findings.

    python benchmarks/check_report.py [FOLDER]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.cli_load import default_workers, read_all  # noqa: E402
from bot.cli_review import review_batch  # noqa: E402

FOLDER = Path(__file__).resolve().parents[2] / "shared" / "disclosures" / "corpus"


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else FOLDER
    t0 = time.perf_counter()
    disclosures, refused = read_all([str(folder)], workers=default_workers())
    read = time.perf_counter() - t0
    batch = review_batch(disclosures, refused)
    total = time.perf_counter() - t0
    s = batch["summary"]
    print(f"{folder}: {s['documents']} documents ({s['refused']} refused) on {default_workers()} workers")
    print(f"read {read:.1f} s, review {total - read:.2f} s, total {total:.1f} s")
    print(f"错误 {s['errors']}, 提示 {s['hints']}, tables not checked {s['unchecked']}")


if __name__ == "__main__":
    main()
