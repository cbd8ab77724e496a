"""The knowledge base survives what happens to its writers and its file: writers killed at any
point, readers asking while loads run, two loads at once, a damaged file, an older version's hot
journal. Every test runs the real `budgetbot` in subprocesses on files written here."""

from __future__ import annotations

import json
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from knowledge import store
from knowledge.engine import Engine

from .conftest import SAMPLE
from .test_store_and_cli import digest

SAMPLE_QUESTION = "望都县乡村振兴局2022年项目支出多少"
SAMPLE_FIGURE = 6357.0
CLI = [sys.executable, "-m", "bot"]


def departments(folder: Path, n: int, start: int = 0) -> list[Path]:
    """n disclosures: the sample under other department names (测试县第i局)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = SAMPLE.read_text(encoding="utf-8")
    files = []
    for i in range(start, start + n):
        f = folder / f"d{i:03d}.txt"
        f.write_text(text.replace("望都县乡村振兴局", f"测试县第{i}局"), encoding="utf-8")
        files.append(f)
    return files


def sound(kb: Path | str) -> None:
    """The base passes its integrity check (SQLite's, or a server base's: nothing left to
    derive) and answers from what it holds."""
    if isinstance(kb, str):
        assert store.postgres.integrity(kb) == []
    else:
        conn = sqlite3.connect(kb)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()
    answer = Engine.open(kb).ask(SAMPLE_QUESTION)
    assert (answer.status, answer.value) == ("answered", SAMPLE_FIGURE)


def temps(kb: Path) -> list[Path]:
    return list(kb.parent.glob(f"{kb.name}.budgetbot-tmp-*"))


def test_a_writer_killed_at_any_point_leaves_the_old_base_or_the_new_one(tmp_path):
    pristine = tmp_path / "pristine.db"
    assert subprocess.run(CLI + ["load", "--kb", str(pristine), str(SAMPLE)], capture_output=True).returncode == 0
    batch = departments(tmp_path / "batch", 10)
    complete = tmp_path / "complete.db"
    shutil.copy(pristine, complete)
    started = time.monotonic()
    subprocess.run(CLI + ["load", "--kb", str(complete), *map(str, batch)], capture_output=True, check=True)
    duration = time.monotonic() - started
    before, after = digest(pristine), digest(complete)
    kb = tmp_path / "kb.db"
    rng = random.Random(20261125)
    outcomes = {"old": 0, "new": 0}
    for point in range(24):
        shutil.copy(pristine, kb)
        writer = subprocess.Popen(CLI + ["load", "--kb", str(kb), *map(str, batch)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0, duration * 1.1))
        writer.send_signal(signal.SIGKILL if point % 2 else signal.SIGTERM)
        writer.wait(30)
        sound(kb)
        now = digest(kb)
        assert now in (before, after), f"kill point {point}: the base is neither the old one nor the new one"
        outcomes["old" if now == before else "new"] += 1
    assert outcomes["old"] > 0  # most kills land before the swap; the rest must be whole loads
    done = subprocess.run(CLI + ["load", "--kb", str(kb), *map(str, batch)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert digest(kb) == after and not temps(kb)  # the next writer cleans up what killed ones left


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"  # a zombie has ended; only its parent's reaping is left


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_a_killed_parallel_load_leaves_no_worker_behind(tmp_path):
    """SIGKILL gives a load no chance to stop its reading processes: they notice their parent
    is gone and end, instead of waiting for work forever."""
    batch = departments(tmp_path / "many", 60)
    writer = subprocess.Popen(CLI + ["load", "-j", "2", "--kb", str(tmp_path / "kb.db"), *map(str, batch)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    children: list[int] = []
    deadline = time.monotonic() + 30
    while not children and time.monotonic() < deadline and writer.poll() is None:
        found = subprocess.run(["pgrep", "-P", str(writer.pid)], capture_output=True, text=True).stdout.split()
        children = [int(c) for c in found]
        time.sleep(0.05)
    assert children, "the load started no worker"
    writer.send_signal(signal.SIGKILL)
    writer.wait(30)
    deadline = time.monotonic() + 10
    while any(alive(c) for c in children) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [c for c in children if alive(c)]


READER_SCRIPT = """
import json, sys
from knowledge.live import LiveEngine
live = LiveEngine(sys.argv[1], check_every=0)
for line in sys.stdin:
    print(json.dumps(live.current().ask(line.strip()).to_dict(), ensure_ascii=False), flush=True)
print(live.generation, file=sys.stderr)
"""


def test_readers_answer_while_400_disclosures_load(tmp_path, any_kb):
    """Four readers × 200 questions during four loads of 100 disclosures each: two are
    `budgetbot ask --json -` (one connection for their whole run), two reopen the base each time
    a load replaces it (what the bot does). Zero errors, zero tracebacks, no wrong figure — on a
    file and on a server base."""
    kb = any_kb
    assert subprocess.run(CLI + ["load", "--kb", str(kb), str(SAMPLE)], capture_output=True).returncode == 0
    batches = [departments(tmp_path / f"batch{b}", 100, start=100 * b) for b in range(4)]
    rng = random.Random(7)
    readers = []
    for r in range(4):
        command = CLI + ["ask", "--json", "-", "--kb", str(kb)] if r < 2 else [sys.executable, "-c", READER_SCRIPT, str(kb)]
        readers.append(subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    asked: list[list[str]] = [[] for _ in readers]
    writer = None
    pending = list(batches)
    for i in range(200):
        if (writer is None or writer.poll() is not None) and pending:
            if writer is not None:
                assert writer.returncode == 0, writer.stderr.read() if writer.stderr else ""
            writer = subprocess.Popen(CLI + ["load", "--kb", str(kb), *map(str, pending.pop(0))], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for r, reader in enumerate(readers):
            q = SAMPLE_QUESTION if (i + r) % 3 == 0 else f"测试县第{rng.randrange(400)}局项目支出多少"
            asked[r].append(q)
            assert reader.stdin is not None
            reader.stdin.write(q + "\n")
            reader.stdin.flush()
        time.sleep(0.08)
    assert writer is not None
    while pending or writer.poll() is None:
        if writer.poll() is not None:
            writer = subprocess.Popen(CLI + ["load", "--kb", str(kb), *map(str, pending.pop(0))], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(0.2)
    assert writer.returncode == 0
    generations = []
    for r, reader in enumerate(readers):
        out, err = reader.communicate(timeout=120)
        assert reader.returncode == 0 and "Traceback" not in err, err
        answers = [json.loads(line) for line in out.splitlines()]
        assert len(answers) == 200
        for q, a in zip(asked[r], answers, strict=True):
            assert a["question"] == q
            if q == SAMPLE_QUESTION:
                assert (a["status"], a["value"]) == ("answered", SAMPLE_FIGURE)
            else:  # loaded by then or not yet: its figure, or no figure at all — never another one
                assert a["value"] is None if a["status"] != "answered" else a["value"] == SAMPLE_FIGURE, a
        if r >= 2:
            generations.append(int(err.strip().splitlines()[-1]))
    assert max(generations) > 1  # the reopening readers did see new bases while they asked
    assert Engine.open(kb).catalog.documents == 401
    sound(kb)


def test_two_loads_at_once_both_land(tmp_path, any_kb):
    kb = any_kb
    a, b = departments(tmp_path / "a", 5), departments(tmp_path / "b", 5, start=5)
    writers = [subprocess.Popen(CLI + ["load", "--kb", str(kb), *map(str, files)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for files in (a, b)]
    for w in writers:
        assert w.wait(120) == 0
    assert Engine.open(kb).catalog.documents == 10


def damage(kb: Path) -> None:
    """Overwrite every second page past the first fifth of the file with noise (the engine reads
    single pages by key: a page it does not need may be damaged without it noticing)."""
    data = bytearray(kb.read_bytes())
    page = 4096
    pages = len(data) // page
    rng = random.Random(1)
    for p in range(pages // 5, pages, 2):
        data[p * page : (p + 1) * page] = rng.randbytes(page)
    kb.write_bytes(bytes(data))


def test_a_damaged_base_is_one_clear_line_everywhere_and_never_loaded_into(tmp_path):
    kb = tmp_path / "kb.db"
    files = departments(tmp_path / "in", 20)
    assert subprocess.run(CLI + ["load", "--kb", str(kb), *map(str, files)], capture_output=True).returncode == 0
    damage(kb)
    damaged = kb.read_bytes()
    for args, stdin in (
        (["ask", "--kb", str(kb), "测试县第3局项目支出多少"], None),
        (["ask", "--json", "-", "--kb", str(kb)], "测试县第3局项目支出多少\n"),
        (["show", "--kb", str(kb)], None),
        (["show", "--kb", str(kb), "支出总表", "-d", "测试县第3局"], None),
        (["chat", "--kb", str(kb)], "测试县第3局项目支出多少\n\n"),
        (["load", "--kb", str(kb), str(SAMPLE)], None),
        (["check", "--kb", str(kb)], None),
    ):
        proc = subprocess.run(CLI + args, input=stdin, capture_output=True, text=True, timeout=120)
        errors = [line for line in proc.stderr.splitlines() if line.strip()]
        assert proc.returncode == 1, (args, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr and errors, args
        assert all(line.startswith("budgetbot: ") for line in errors)
        assert any(word in proc.stderr for word in ("损坏", "有问题", "不能写入"))
        if args[0] != "check":
            assert len(errors) == 1 and "budgetbot check --kb" in errors[0] or "重新 load" in errors[0]
    assert kb.read_bytes() == damaged and not temps(kb)  # the load wrote nothing and left nothing


def test_check_says_a_sound_base_is_sound(tmp_path):
    kb = tmp_path / "kb.db"
    subprocess.run(CLI + ["load", "--kb", str(kb), str(SAMPLE)], capture_output=True, check=True)
    proc = subprocess.run(CLI + ["check", "--kb", str(kb)], capture_output=True, text=True)
    assert proc.returncode == 0 and "完好" in proc.stdout and "1 份公开" in proc.stdout and "154 行" in proc.stdout


KILLED_IN_PLACE = """
import os, sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("PRAGMA cache_size=1")  # spill changed pages into the file before the commit
conn.execute("BEGIN")
conn.execute("DELETE FROM cells")
conn.execute("DELETE FROM table_rows")
os._exit(9)  # killed mid-transaction: the file is half-written and a hot journal is beside it
"""


def test_a_hot_journal_left_by_an_in_place_writer_is_rolled_back_on_open(tmp_path):
    """A base written in place by an older version whose writer was killed: the first reader
    rolls it back (it may write here) instead of failing on every question."""
    kb = tmp_path / "kb.db"
    subprocess.run(CLI + ["load", "--kb", str(kb), str(SAMPLE)], capture_output=True, check=True)
    before = digest(kb)
    subprocess.run([sys.executable, "-c", KILLED_IN_PLACE, str(kb)])
    assert store.needs_recovery(kb)
    proc = subprocess.run(CLI + ["ask", "--json", "--kb", str(kb), SAMPLE_QUESTION], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["value"] == SAMPLE_FIGURE
    assert not store.needs_recovery(kb) and digest(kb) == before
    sound(kb)


def test_a_failed_first_load_leaves_no_file(tmp_path):
    kb = tmp_path / "new" / "kb.db"
    bad = tmp_path / "bad.txt"
    bad.write_text("会议纪要", encoding="utf-8")
    proc = subprocess.run(CLI + ["load", "--kb", str(kb), str(bad)], capture_output=True, text=True)
    assert proc.returncode == 1 and not kb.exists() and not temps(kb)


@pytest.mark.parametrize("unwritable", ["a folder", "not sqlite"])
def test_a_base_path_that_cannot_be_a_base_is_refused_in_chinese(tmp_path, unwritable):
    kb = tmp_path / "kb.db"
    if unwritable == "a folder":
        kb.mkdir()
    else:
        kb.write_text("hello", encoding="utf-8")
    proc = subprocess.run(CLI + ["load", "--kb", str(kb), str(SAMPLE)], capture_output=True, text=True)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "知识库" in proc.stderr


def test_a_running_engine_answers_from_the_base_a_load_swapped_in(tmp_path, caplog):
    """What the bot holds (knowledge/live.py): a load that replaces the base is picked up at the
    next question; a base that cannot be opened leaves the old one answering."""
    from knowledge.live import LiveEngine

    kb = tmp_path / "kb.db"
    subprocess.run(CLI + ["load", "--kb", str(kb), str(SAMPLE)], capture_output=True, check=True)
    live = LiveEngine(kb, check_every=0)
    assert live.current().ask("测试县第1局项目支出多少").status == "not_found"
    subprocess.run(CLI + ["load", "--kb", str(kb), *map(str, departments(tmp_path / "in", 2))], capture_output=True, check=True)
    assert live.current().ask("测试县第1局项目支出多少").value == SAMPLE_FIGURE
    assert live.generation == 2
    broken = tmp_path / "broken.db"
    broken.write_text("not a base", encoding="utf-8")
    broken.replace(kb)  # what a careless copy would do
    assert live.current().ask("测试县第1局项目支出多少").value == SAMPLE_FIGURE
    assert live.generation == 2 and "still answering from the old one" in caplog.text
    with pytest.raises(store.KnowledgeBaseError, match="损坏"):
        live.reload()  # /reload says so; the old engine keeps answering
    assert live.current().ask("测试县第0局项目支出多少").value == SAMPLE_FIGURE


def test_a_reload_lets_the_old_engine_go(tmp_path):
    """Engines freeze what they build out of the garbage collector; a bot that reloads a hundred
    times must not keep a hundred vocabularies."""
    import weakref

    from knowledge.live import LiveEngine

    kb = tmp_path / "kb.db"
    subprocess.run(CLI + ["load", "--kb", str(kb), str(SAMPLE)], capture_output=True, check=True)
    live = LiveEngine(kb)
    live.current().ask(SAMPLE_QUESTION)
    old = weakref.ref(live.engine)
    vocabulary = weakref.ref(live.engine.vocab)
    live.reload()
    assert old() is None and vocabulary() is None
    assert live.current().ask(SAMPLE_QUESTION).value == SAMPLE_FIGURE


def test_a_running_engine_rolls_back_what_a_load_killed_in_place_left(tmp_path, caplog):
    """Loads into a base that exists write in place (store/file_loads.py); one killed while it
    committed leaves a hot journal that a read-only connection cannot roll back. The engine that
    meets it rolls it back (it may write here) and answers from the base as it was."""
    kb = tmp_path / "kb.db"
    subprocess.run(CLI + ["load", "--kb", str(kb), *map(str, departments(tmp_path / "in", 3))], capture_output=True, check=True)
    engine = Engine.open(kb)
    assert engine.ask("测试县第1局项目支出多少").value == SAMPLE_FIGURE
    before = digest(kb)
    subprocess.run([sys.executable, "-c", KILLED_IN_PLACE, str(kb)])
    assert store.needs_recovery(kb)
    engine.doc.cache_clear()  # the next answer reads the file
    assert engine.ask("测试县第2局项目支出多少").value == SAMPLE_FIGURE
    assert not store.needs_recovery(kb) and digest(kb) == before and "rolled back" in caplog.text


def test_a_small_load_into_a_base_writes_in_place_and_a_first_load_swaps(tmp_path):
    """What a load costs follows what it adds: a first load builds a file and renames it in; a
    load of a few documents into a base writes them into the base (same file, no copy beside it)."""
    kb = tmp_path / "kb.db"
    subprocess.run(CLI + ["load", "--kb", str(kb), str(SAMPLE)], capture_output=True, check=True)
    inode = kb.stat().st_ino
    subprocess.run(CLI + ["load", "--kb", str(kb), *map(str, departments(tmp_path / "in", 2))], capture_output=True, check=True)
    assert kb.stat().st_ino == inode and not temps(kb)
    assert not store.needs_recovery(kb)  # committed: no journal left beside it
    assert Engine.open(kb).catalog.documents == 3
    sound(kb)
