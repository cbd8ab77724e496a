"""Peak memory of reading one file, at the sizes loaders/limits.py allows.

    python benchmarks/input_bounds.py

Each file is read in a fresh process (`read_disclosure`, what `budgetbot load` does per file);
the process reports its peak RSS, from which the interpreter's own (importing the loaders and
reading nothing) is subtracted. Files: the sample repeated up to the text limit (read as one
disclosure), the sample followed by other departments up to the limit (refused, after reading),
the largest published PDFs, a generated workbook. Numbers, not pass/fail.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.config import sample_path  # noqa: E402
from loaders.limits import MAX_BYTES  # noqa: E402
from tests.render import workbook_bomb  # noqa: E402  (the test data generator)

SHARED = ROOT.parent / "shared" / "disclosures"
# The peak is the process's own high-water mark (VmHWM), reset at start: ru_maxrss would carry the
# benchmark's own peak over the fork into every child.
PROBE = """
import re, sys
open("/proc/self/clear_refs", "w").write("5")
from loaders import DisclosureFormatError, read_disclosure
if sys.argv[1] != "-":
    try:
        read_disclosure(sys.argv[1])
        print("read", end=" ")
    except DisclosureFormatError as e:
        print("refused", end=" ")
print(int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1)) / 1024)
"""


def peak(path: Path | str) -> tuple[str, float]:
    out = subprocess.run([sys.executable, "-c", PROBE, str(path)], capture_output=True, text=True, cwd=ROOT, check=True).stdout.split()
    return (out[0], float(out[1])) if len(out) == 2 else ("", float(out[0]))


def main() -> None:
    _, base = peak("-")
    print(f"interpreter with the loaders imported: {base:.0f} MB")
    print(f"{'file':<48} {'size':>9} {'result':>8} {'peak above base':>16} {'× size':>7} {'time':>7}")
    sample = sample_path().read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        files: list[Path] = []
        for mb in (1, MAX_BYTES["text"] // 2**20):
            repeated = Path(tmp) / f"sample_repeated_{mb}MB.txt"
            repeated.write_bytes(sample * (mb * 2**20 // len(sample)))
            files.append(repeated)
        text = sample.decode("utf-8")
        mixed = Path(tmp) / "many_departments_5MB.txt"
        copies = MAX_BYTES["text"] // len(sample)
        mixed.write_text("".join(text.replace("望都县乡村振兴局", f"测试第{i}局") for i in range(copies)), encoding="utf-8")
        files.append(mixed)
        files += sorted(SHARED.glob("real/*.pdf"), key=lambda p: -p.stat().st_size)[:3]
        files += sorted(SHARED.glob("generated_v2/dept_*/disclosure.xlsx"))[:1]
        files += [workbook_bomb(Path(tmp) / "declares_a_million_rows.xlsx", 1, b"A1:XFD1048576"), workbook_bomb(Path(tmp) / "a_million_cells.xlsx", 1_000_000, None)]
        for f in files:
            started = time.perf_counter()
            result, rss = peak(f)
            took = time.perf_counter() - started
            size = f.stat().st_size / 2**20
            print(f"{f.name:<48} {size:>7.2f}MB {result:>8} {rss - base:>14.0f}MB {(rss - base) / size:>7.0f} {took:>6.2f}s")


if __name__ == "__main__":
    main()
