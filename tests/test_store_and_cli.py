"""The knowledge base and the command line: atomic, idempotent loads; clear errors; show."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from knowledge import build, store

from .conftest import GENERATED, SAMPLE


def content(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, sorted: the knowledge base's content, independent of pages."""
    conn = sqlite3.connect(path)
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE '%_fts%'")]
    out = {n: sorted(map(repr, conn.execute(f"SELECT * FROM [{n}]"))) for n in names}
    conn.close()
    return out


def digest(path: Path) -> str:
    return hashlib.sha256(repr(content(path)).encode()).hexdigest()


def run(*args: str) -> tuple[int, str, str]:
    proc = subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


def test_load_prints_what_it_loaded(tmp_path):
    kb = tmp_path / "kb.db"
    code, out, err = run("load", "--kb", str(kb), str(SAMPLE))
    assert code == 0, err
    header = next(line for line in out.splitlines() if line.startswith("状态"))
    assert header.split() == ["状态", "部门", "年度", "类型", "格式", "表", "行", "数字", "名词", "指标", "提示", "文件"]
    row = next(line for line in out.splitlines() if line.startswith("新增"))
    assert row.split()[:11] == ["新增", "望都县乡村振兴局", "2022", "预算", "文本", "12", "154", "28", "10", "20", "1"]
    assert "共 1 份：新增 1，替换 0，未变 0" in out and "提示：望都县乡村振兴局 2022年：情况说明：“三公”经费" in out


def test_loading_twice_changes_nothing(tmp_path):
    kb = tmp_path / "kb.db"
    assert main(["load", "--kb", str(kb), str(SAMPLE)]) == 0
    first = content(kb)
    assert main(["load", "--kb", str(kb), str(SAMPLE)]) == 0
    assert content(kb) == first
    conn = store.open_readonly(kb)
    counts = store.counts(conn)
    assert counts["documents"] == 1 and counts["definitions"] == 10 and counts["table_rows"] == 154


def test_a_changed_file_replaces_its_document(tmp_path):
    kb = tmp_path / "kb.db"
    main(["load", "--kb", str(kb), str(SAMPLE)])
    changed = tmp_path / "changed.txt"
    changed.write_text(
        SAMPLE.read_text(encoding="utf-8").replace("30201 办公费 7.58 7.58", "30201 办公费 7.58 7.58 "), encoding="utf-8"
    )
    before = content(kb)
    main(["load", "--kb", str(kb), str(changed)])
    after = content(kb)
    assert len(after["table_rows"]) == len(before["table_rows"])
    assert after["cells"] == before["cells"]
    assert after["documents"] != before["documents"]  # the source and its hash


@pytest.mark.parametrize("bad", ["empty", "binary", "missing", "not_disclosure", "truncated"])
def test_bad_input_leaves_the_knowledge_base_as_it_was(tmp_path, bad, capsys):
    kb = tmp_path / "kb.db"
    main(["load", "--kb", str(kb), str(SAMPLE)])
    before = digest(kb)
    path = tmp_path / f"{bad}.txt"
    text = SAMPLE.read_text(encoding="utf-8")
    if bad == "empty":
        path.write_bytes(b"")
    elif bad == "binary":
        path.write_bytes(bytes(range(256)) * 10)
    elif bad == "not_disclosure":
        path.write_text("会议纪要\n今天讨论了三件事。\n", encoding="utf-8")
    elif bad == "truncated":
        path.write_text(text[: text.index("栏次 1 2 3 4 5 6 7 8")], encoding="utf-8")
    code = main(["load", "--kb", str(kb), str(path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code != 0
    assert len(err) == 1 and err[0].startswith("budgetbot: ") and str(path) in err[0]
    assert "Traceback" not in err[0]
    assert digest(kb) == before


def test_a_write_that_fails_halfway_is_rolled_back(tmp_path):
    """The second document makes the database refuse the write (a read-only file system
    would do the same); the first one must not stay behind."""
    from loaders import read_disclosure

    kb = tmp_path / "kb.db"
    build.write(kb, [read_disclosure(SAMPLE)])
    before = digest(kb)
    good = read_disclosure(GENERATED[0] / "disclosure.txt") if GENERATED else read_disclosure(SAMPLE)
    good.department = "另一个局"
    broken = read_disclosure(SAMPLE)
    broken.department = "坏局"
    broken.tables[0].rows[0].values = {"收入预算数": object()}  # sqlite cannot store it
    with pytest.raises(sqlite3.Error):
        build.write(kb, [good, broken])
    assert digest(kb) == before


def test_show_lists_and_prints_tables(tmp_path, capsys):
    kb = tmp_path / "kb.db"
    main(["load", "--kb", str(kb), str(SAMPLE)])
    capsys.readouterr()
    assert main(["show", "--kb", str(kb)]) == 0
    listing = capsys.readouterr().out
    assert "望都县乡村振兴局 2022年 预算" in listing and "部门预算支出总表  19 行  第5页" in listing
    assert main(["show", "--kb", str(kb), "支出总表"]) == 0
    table = capsys.readouterr().out
    assert "部门预算支出总表" in table
    line = next(ln for ln in table.splitlines() if "农林水支出" in ln)
    assert line.split()[-3:] == ["6466.60", "109.60", "6357.00"]
    assert main(["show", "--kb", str(kb), "三公"]) == 0
    assert "空表列示" in capsys.readouterr().out
    assert main(["show", "--kb", str(kb), "不存在的表"]) == 1


def test_default_knowledge_base_is_built_from_the_bundled_sample(tmp_path):
    env_cache = tmp_path / "cache"
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "show"],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            "XDG_CACHE_HOME": str(env_cache),
            "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
        },
    )
    assert proc.returncode == 0, proc.stderr
    assert "望都县乡村振兴局 2022年 预算" in proc.stdout
    assert list(env_cache.rglob("sample-*.db"))


def test_a_file_that_is_not_a_knowledge_base_is_a_clear_error(tmp_path, capsys):
    fake = tmp_path / "fake.db"
    fake.write_text("not sqlite")
    assert main(["show", "--kb", str(fake)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "知识库文件已损坏或不是 budgetbot 的知识库" in err[0] and f"budgetbot check --kb {fake}" in err[0]


def test_ask_json_batch_answers_every_line_in_order(sample_kb):
    questions = "2022年项目支出多少\n\n今天天气怎么样\n什么是基本支出\n"
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json", "-", "--kb", str(sample_kb)],
        input=questions,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    import json

    answers = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [a["status"] for a in answers] == ["answered", "not_found", "not_found", "answered"]
    first = answers[0]
    assert (first["value"], first["unit"]) == (6357.0, "万元")
    assert first["citations"][0] | {"document": None} == {
        "document": None,
        "department": "望都县乡村振兴局",
        "year": 2022,
        "table": "部门预算支出总表",
        "row": 1,
        "code": None,
        "name": "合计",
        "column": "项目支出",
        "value": 6357.0,
        "page": 5,
    }


def test_chat_answers_until_an_empty_line(sample_kb):
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--kb", str(sample_kb)],
        input="办公费多少\n\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0
    assert "7.58 万元" in proc.stdout


def test_loading_a_folder_keeps_going_past_bad_files_and_keeps_the_richest_format(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for d in GENERATED:
        for fmt in ("txt", "pdf", "xlsx"):
            (folder / f"{d.name}.{fmt}").write_bytes((d / f"disclosure.{fmt}").read_bytes())
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 nothing")
    (folder / "notes.txt").write_text("会议纪要", encoding="utf-8")
    kb = tmp_path / "kb.db"
    code, out, err = run("load", "--kb", str(kb), str(folder))
    assert code == 1
    assert "broken.pdf" in err and "notes.txt" in err and "8 个文件中有 2 个未能载入" in err
    assert f"共 {len(GENERATED)} 份：新增 {len(GENERATED)}" in out
    assert out.count("未采用 ") == 2 * len(GENERATED)
    assert "（前者有情况说明" in out and "（PDF 按位置确定每个数字的栏目）" in out
    conn = store.open_readonly(kb)
    assert {r["source_format"] for r in store.list_documents(conn)} == {"pdf"}


def test_chat_keeps_its_history_between_sessions(sample_kb, tmp_path):
    env = {"XDG_CACHE_HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    for question in ("办公费多少", "差旅费多少"):
        subprocess.run(
            [sys.executable, "-m", "bot", "chat", "--kb", str(sample_kb)],
            input=f"{question}\n\n",
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            check=True,
        )
    history = next(tmp_path.rglob("chat_history")).read_text(encoding="utf-8")
    assert "办公费多少" in history and "差旅费多少" in history


def test_the_engine_opens_the_knowledge_base_read_only(engine):
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        engine.conn.execute("DELETE FROM documents")


def test_reading_on_several_processes_gives_the_same_base_and_the_same_errors(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a_sample.txt").write_bytes(SAMPLE.read_bytes())
    for d in GENERATED:
        (folder / f"{d.name}.pdf").write_bytes((d / "disclosure.pdf").read_bytes())
    (folder / "b_broken.pdf").write_bytes(b"%PDF-1.4 nothing")
    (folder / "c_notes.txt").write_text("会议纪要", encoding="utf-8")
    outputs = {}
    for workers in ("1", "2"):
        kb = tmp_path / f"kb{workers}.db"
        code, out, err = run("load", "-j", workers, "--kb", str(kb), str(folder))
        assert code == 1
        outputs[workers] = (digest(kb), [line for line in err.splitlines()], out.replace(str(kb), "KB"))
    assert outputs["1"] == outputs["2"]
    assert "b_broken.pdf" in outputs["2"][1][0] and "c_notes.txt" in outputs["2"][1][1]


def test_a_file_already_read_by_these_rules_is_not_read_again(tmp_path, capsys):
    """A folder loaded again, or one file under two names: each content is read once; a document
    an older reader read (other rules) is read again, even from an unchanged file."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_bytes(SAMPLE.read_bytes())
    (folder / "same_under_another_name.txt").write_bytes(SAMPLE.read_bytes())
    kb = tmp_path / "kb.db"
    assert main(["load", "--kb", str(kb), str(folder)]) == 0
    first = capsys.readouterr().out
    assert "新增" in first and "未变 1 个文件" in first  # the copy is not read
    before = kb.read_bytes()
    assert main(["load", "--kb", str(kb), str(folder)]) == 0
    assert "未变 2 个文件" in capsys.readouterr().out and kb.read_bytes() == before  # nothing read, nothing written
    with sqlite3.connect(kb) as c:  # as if an older reader had read it
        c.execute("UPDATE documents SET loader = 'older-rules'")
    assert main(["load", "--kb", str(kb), str(folder / "a.txt")]) == 0
    assert "替换" in capsys.readouterr().out


def test_the_store_writes_and_never_calls_up_into_the_engine():
    """The store (knowledge/store) reads and writes documents; what a load derives (vocabulary,
    key figures) is handed to it by knowledge/build.py. No module of the store imports the engine,
    its rules or the build step."""
    import ast

    above = {"engine", "library", "key_figures", "figures", "candidates", "routes", "build", "parse", "live"}
    for path in (Path(__file__).resolve().parents[1] / "knowledge" / "store").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level >= 2:
                module = (node.module or "").split(".")[0]
                names = {a.name for a in node.names} if not module else {module}
                assert not names & above, (path.name, node.module, names)


def test_loading_and_opening_leave_the_processs_garbage_collector_alone(tmp_path):
    """Only entry points that serve (open_for_serving: a bot, a server, ask) tune the collector;
    a load (which opens an engine to derive key figures) and Engine.open do not."""
    import gc

    from knowledge.engine import Engine
    from loaders import read_disclosure

    before = (gc.get_threshold(), gc.get_freeze_count(), gc.isenabled())
    kb = tmp_path / "kb.db"
    build.write(kb, [read_disclosure(SAMPLE)] + [read_disclosure(d / "disclosure.txt") for d in GENERATED[:2]])
    assert Engine.open(kb).ask("项目支出多少").status in ("answered", "clarify")
    assert (gc.get_threshold(), gc.isenabled()) == (before[0], before[2])
    # nothing frozen (a freeze moves every live object: hundreds of thousands); the count may fall
    # by the few objects an engine an earlier test froze lets go of meanwhile
    assert gc.get_freeze_count() <= before[1]
