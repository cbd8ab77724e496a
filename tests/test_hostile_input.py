"""Input nobody should send, sent anyway: a disclosure twice in one file, two in one file, files
over the size limit, questions that look like options, bytes that are not UTF-8, NUL, 100 KB lines,
and the chat's numbered choices. Through the real CLI on real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.cli import main
from knowledge.engine import Engine
from loaders import DisclosureFormatError, read_disclosure
from loaders.limits import MAX_BYTES

from .conftest import GENERATED, SAMPLE
from .render import workbook_bomb

CLI = [sys.executable, "-m", "bot"]


def test_a_disclosure_repeated_in_one_file_is_read_once_with_a_warning(tmp_path):
    doubled = tmp_path / "doubled.txt"
    doubled.write_bytes(SAMPLE.read_bytes() * 3)
    once, thrice = read_disclosure(SAMPLE), read_disclosure(doubled)
    assert [t.key for t in thrice.tables] == [t.key for t in once.tables]
    assert sum(len(t.rows) for t in thrice.tables) == sum(len(t.rows) for t in once.tables)
    assert len(thrice.definitions) == len(once.definitions) and len(thrice.indicators) == len(once.indicators)
    assert any("不止一次" in w.message for w in thrice.warnings)
    kb = tmp_path / "kb.db"
    assert main(["load", "--kb", str(kb), str(doubled)]) == 0
    assert Engine.open(kb).ask("项目支出多少").value == 6357.0


def test_two_different_disclosures_in_one_file_are_refused(tmp_path):
    if not GENERATED:
        pytest.skip("../shared/disclosures/generated is not there")
    both = tmp_path / "both.txt"
    both.write_bytes(SAMPLE.read_bytes() + (GENERATED[0] / "disclosure.txt").read_bytes())
    with pytest.raises(DisclosureFormatError, match="不止一份公开"):
        read_disclosure(both)
    kb = tmp_path / "kb.db"
    proc = subprocess.run(CLI + ["load", "--kb", str(kb), str(both)], capture_output=True, text=True)
    assert proc.returncode == 1 and "请把它们分成单独的文件" in proc.stderr and not kb.exists()


@pytest.mark.parametrize("kind, head", [("text", b"475 "), ("pdf", b"%PDF-1.7\n"), ("xlsx", b"PK\x03\x04")])
def test_a_file_over_its_format_limit_is_refused_before_reading(tmp_path, kind, head):
    big = tmp_path / f"big.{kind}"
    with big.open("wb") as f:
        f.write(head)
        f.truncate(MAX_BYTES[kind] + 1)  # sparse: nothing this large is ever read
    with pytest.raises(DisclosureFormatError, match="上限，不予载入"):
        read_disclosure(big)


def test_a_workbook_declaring_a_million_rows_is_refused_before_it_is_read(tmp_path):
    """320 KB that declare A1:XFD1048576: refused from the declaration, nothing allocated."""
    bomb = workbook_bomb(tmp_path / "declared.xlsx", 1, b"A1:XFD1048576")
    with pytest.raises(DisclosureFormatError, match="声明了 1048576 行"):
        read_disclosure(bomb)


def test_a_workbook_that_unpacks_to_a_million_cells_is_refused(tmp_path):
    """No declaration, a million cells written: refused by counting cell tags in the unpacked
    stream, before openpyxl builds a cell (time and memory: benchmarks/input_bounds.py)."""
    bomb = workbook_bomb(tmp_path / "written.xlsx", 1_000_000, None)
    assert bomb.stat().st_size < 10 * 2**20  # under the file size limit: only unpacking tells
    with pytest.raises(DisclosureFormatError, match="单元格"):
        read_disclosure(bomb)


def test_a_generated_workbook_is_within_the_bounds(tmp_path):
    d = read_disclosure(GENERATED[0] / "disclosure.xlsx")
    assert d.tables


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.text(st.characters(exclude_characters="\x00"), max_size=30)
        | st.text(st.characters(categories=["Cs"]), min_size=1, max_size=3)
        | st.sampled_from(["-1年项目支出", "--json", "-", "--kb", "-h", "--", "-项目支出", "\udcff\udcfe", "--config=x"]),
        min_size=1,
        max_size=4,
    )
)
def test_any_words_after_ask_are_a_question_or_a_clear_usage_error(sample_kb, capsys, monkeypatch, words):
    """What a shell can pass (no NUL; bytes that are not UTF-8 arrive as surrogates): an answer
    printed as valid UTF-8, or one Chinese usage line with exit 2 — never a traceback."""
    _stdin(monkeypatch, "项目支出多少\n".encode())  # a lone "-" reads questions from stdin
    try:
        code = main(["ask", "--kb", str(sample_kb), *words])
    except SystemExit as e:  # argparse: --help prints help (0), a usage error exits 2
        code = e.code
    out, err = capsys.readouterr()
    out.encode("utf-8")
    assert code in (0, 1, 2) and "Traceback" not in err
    if code == 2:
        assert "用法：" in err
    if code == 1:
        assert err.startswith("budgetbot: ")


def test_a_question_starting_with_a_dash_is_a_question(sample_kb, capsys):
    assert main(["ask", "--kb", str(sample_kb), "-项目支出多少"]) == 0
    assert "6357.00 万元" in capsys.readouterr().out
    assert main(["ask", "--json", "-1年项目支出", "--kb", str(sample_kb)]) == 0
    assert json.loads(capsys.readouterr().out)["question"] == "-1年项目支出"


NASTY_LINES = [
    "项目支出多少".encode(),
    b"\xff\xfe\xfd\xe9\xa1\xb9\xe7\x9b",  # not UTF-8 (and a cut character at the end)
    "项目\x00支出多少".encode(),
    ("项目支出" * 25_000).encode(),  # 100 KB on one line
    b"",
    b"   \t ",
    "办公费多少\r".encode(),
    "\u202e项目支出\u200b多少🙂".encode(),
    b"\x1b[31m\x07\x08",
    b"9" * 5000,
]


def test_ask_json_stdin_answers_every_line_with_valid_utf8_json(sample_kb):
    proc = subprocess.run(
        CLI + ["ask", "--json", "-", "--kb", str(sample_kb)], input=b"\n".join(NASTY_LINES) + b"\n", capture_output=True, timeout=120
    )
    assert proc.returncode == 0 and b"Traceback" not in proc.stderr, proc.stderr
    lines = proc.stdout.decode("utf-8").splitlines()  # strict: the output is UTF-8
    answers = [json.loads(line) for line in lines]
    assert len(answers) == len(NASTY_LINES)
    assert all(a["status"] in ("answered", "clarify", "not_found") for a in answers)
    assert answers[0]["value"] == answers[2]["value"] == 6357.0  # a NUL inside is a space
    assert "\ufffd" in answers[1]["question"]
    assert answers[3]["status"] == "not_found" and "太长" in answers[3]["answer"] and answers[3]["value"] is None
    assert answers[6]["value"] == 7.58
    assert answers[7]["value"] == 6357.0


def test_chat_survives_nul_and_bad_bytes_and_takes_numbered_choices(multi_kb):
    engine = Engine.open(multi_kb)
    clarify = engine.ask("项目支出多少")
    assert clarify.status == "clarify" and len(clarify.options) >= 2
    second = engine.ask(clarify.options[1])
    first = engine.ask(clarify.options[0])
    session = b"\n".join(
        [b"\x00", b"\xff\xfe", "项目支出多少".encode(), b"2", "项目支出多少".encode(), "第一个".encode(), "第九个".encode(), b""]
    )
    proc = subprocess.run(
        CLI + ["chat", "--kb", str(multi_kb)],
        input=session + b"\n",
        capture_output=True,
        timeout=120,
        env=os.environ | {"XDG_CACHE_HOME": str(multi_kb.parent / "cache")},
    )
    out = proc.stdout.decode("utf-8")
    assert proc.returncode == 0 and b"Traceback" not in proc.stderr, proc.stderr.decode(errors="replace")
    assert f"（{clarify.options[1]}）" in out and f"{second.value:.2f} 万元" in out
    assert f"（{clarify.options[0]}）" in out and f"{first.value:.2f} 万元" in out
    assert "（第九个）" not in out  # no ninth option: asked as a question, not picked


def _stdin(monkeypatch, data: bytes) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


LINE = st.binary(max_size=200).map(lambda b: b.replace(b"\n", b" ")) | st.sampled_from(
    ["项目支出多少".encode(), b"\xff\x00\xfe", "第二个".encode(), b"2", ("支出" * 300).encode()]
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(LINE, min_size=1, max_size=6))
def test_any_bytes_on_stdin_give_one_utf8_json_answer_per_line(sample_kb, monkeypatch, capsysbinary, lines):
    _stdin(monkeypatch, b"\n".join(lines) + b"\n")
    assert main(["ask", "--json", "-", "--kb", str(sample_kb)]) == 0
    out = capsysbinary.readouterr().out.decode("utf-8")  # strict
    answers = [json.loads(line) for line in out.splitlines()]
    assert len(answers) == len(lines)
    for a in answers:
        assert a["status"] in ("answered", "clarify", "not_found") and (a["value"] is None or a["citations"])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(LINE, min_size=1, max_size=6))
def test_chat_reads_any_bytes_until_an_empty_line(multi_kb, monkeypatch, tmp_path_factory, capsys, lines):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
    _stdin(monkeypatch, b"\n".join(lines) + b"\n\n")
    assert main(["chat", "--kb", str(multi_kb)]) == 0
    out, err = capsys.readouterr()
    out.encode("utf-8")
    assert "Traceback" not in err


def test_a_password_protected_pdf_is_called_that_not_damaged(tmp_path):
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    locked = tmp_path / "locked.pdf"
    c = canvas.Canvas(str(locked), encrypt=pdfencrypt.StandardEncryption("user-password", canPrint=0))
    c.drawString(100, 700, "2026年部门预算")
    c.save()
    with pytest.raises(DisclosureFormatError, match="密码"):
        read_disclosure(locked)


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        ("cut.pdf", os.urandom(3000), "内容却不是PDF文件"),
        ("saved.xlsx", "<!DOCTYPE html><html><body>页面不存在</body></html>".encode(), "网页"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "旧版 Office"),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_told_so(tmp_path, name, content, said):
    """A download cut short, a web page saved under the file's name, an old .xls: said as such,
    never read as copied text."""
    f = tmp_path / name
    f.write_bytes(content)
    with pytest.raises(DisclosureFormatError, match=said):
        read_disclosure(f)


def test_check_kb_removes_what_a_killed_load_left_and_says_so(sample_kb, tmp_path, capsys):
    import shutil

    kb = tmp_path / "kb.db"
    shutil.copyfile(sample_kb, kb)
    left = kb.with_name(kb.name + ".budgetbot-tmp-4242-deadbeef")
    left.write_bytes(b"x" * 2048)
    assert main(["check", "--kb", str(kb)]) == 0
    out = capsys.readouterr().out
    assert left.name in out and "临时文件" in out and "完好" in out
    assert not left.exists() and kb.exists()
