"""Every published disclosure in ../shared loads, as the document says it is, and no figure comes
from the wrong table or column (issue: published documents of other provinces and templates).

The documents: `corpus/` (49 部门/单位预算 of 上海, 苏州, 无锡, 珠海, named neutrally), `real/` (江苏,
上海) and `real_more/` (北京 in two files, 深圳, 佛山 决算, 重庆, 杭州, 长沙, 国家信访局 决算), and
`generated_v3/` (other provinces' layouts, three without ruling lines, with truth.json). What each
published file is comes from the folder's own index (index.tsv, SOURCES.md), read here; the
figures asked below were read by hand from the PDFs (the cases in ../shared/eval cite them too)."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from bot.cli_load import read_one
from knowledge import build
from knowledge.engine import Engine
from loaders import read_disclosure
from loaders.model import Disclosure
from loaders.parts import Part, pair
from loaders.template import TableKind, table_kind

from .conftest import SHARED, read_all_of

DISCLOSURES = SHARED / "disclosures"
@pytest.fixture(scope="session")
def published_engine(published, generated_v3, tmp_path_factory) -> Engine:
    wanted = ("suzhou_01", "suzhou_08", "wuxi_05", "wuxi_08", "zhuhai_01", "zhuhai_02", "shanghai_10", "shanghai_19", "shanghai_17")
    docs = [d for name, d in published.items() if isinstance(d, Disclosure) and (name.startswith(wanted) or name[:2] in ("hz", "cq", "sz", "cs", "gj", "fs"))]
    joined, _ = pair([p for p in published.values() if isinstance(p, Part)])
    docs += joined + [d for d in generated_v3.values() if isinstance(d, Disclosure)]
    kb = tmp_path_factory.mktemp("published") / "kb.db"
    build.write(kb, docs)
    return Engine.open(kb)


# ------------------------------------------------------------------------------ identity


def _expected_identities() -> dict[str, tuple[str, int, str, str]]:
    """file → (body as printed, year, 预算/决算, 部门/单位), from each folder's own index."""
    out: dict[str, tuple[str, int, str, str]] = {}
    lines = (DISCLOSURES / "corpus" / "index.tsv").read_text(encoding="utf-8").splitlines()
    head = lines[0].split("\t")
    for line in lines[1:]:
        row = dict(zip(head, line.split("\t"), strict=False))
        out[row["file"]] = (row["body"], int(row["year"]), row["kind"][2:], row["kind"][:2])
    for folder in ("real", "real_more"):
        for line in (DISCLOSURES / folder / "SOURCES.md").read_text(encoding="utf-8").splitlines():
            cells = [c.strip() for c in line.split("|")]
            if len(cells) < 5 or not cells[1].startswith("`") or not cells[1].endswith(".pdf`"):
                continue
            name, body = cells[1].strip("`"), re.sub(r"\s*\(.*$", "", cells[2]).strip("* ")
            described = " ".join(cells[2:6])
            scope, kind = re.search(r"(部门|单位)(预算|决算)", described).groups()  # type: ignore[union-attr]
            alone = [c for c in cells[3:7] if re.fullmatch(r"20\d{2}", c)]  # a year column, else the kind's ("部门预算 2026, …")
            year = int(alone[0] if alone else re.search(r"(20\d{2})", cells[3]).group(1))  # type: ignore[union-attr]
            out[name] = (body, year, kind, scope)
    return out


EXPECTED = _expected_identities()


def test_the_indexes_were_read():
    assert len(EXPECTED) == 49 + 9 + 8
    assert EXPECTED["wuxi_05.pdf"] == ("无锡市教育局（本级）", 2026, "预算", "单位")
    assert EXPECTED["fs_gdjtj_2019_js.pdf"][1:3] == (2019, "决算")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_published_pdf_loads_as_the_document_says_it_is(published, name):
    """Body (as printed, with （本级） or an alias in brackets), year, 预算/决算 and 部门/单位 come
    from the content: covers wrapped over lines, labelled fields in every wording, a year printed
    apart; never the file name. 北京's tables file names no body: it loads with its narrative."""
    got = published[name]
    body, year, kind, scope = EXPECTED[name]
    if name == "bj_tjj_2026_ys_tables.pdf":
        assert isinstance(got, Part) and got.what == "tables"
        return
    if name == "bj_tjj_2026_ys_sm.pdf":
        assert isinstance(got, Part) and got.what == "narrative"
        got = got.disclosure
    assert isinstance(got, Disclosure), got
    assert (got.department, got.year, got.kind) == (body, year, kind)
    if name.startswith(("shanghai", "suzhou", "wuxi", "zhuhai")):  # the corpus index states the scope
        assert got.scope == scope
    assert got.tables or name == "bj_tjj_2026_ys_sm.pdf"
    assert got.identity and got.identity[0].startswith(f"单位：{body}")  # the evidence is kept


def test_the_two_beijing_files_are_one_disclosure(published):
    parts = [published["bj_tjj_2026_ys_tables.pdf"], published["bj_tjj_2026_ys_sm.pdf"]]
    joined, errors = pair([p for p in parts if isinstance(p, Part)])
    assert errors == [] and len(joined) == 1
    d = joined[0]
    assert (d.department, d.year, d.kind) == ("北京市统计局", 2026, "预算")
    assert d.table("收支总表") is not None and d.fact("收入总额") is not None
    assert "bj_tjj_2026_ys_sm.pdf" in d.source and "bj_tjj_2026_ys_tables.pdf" in d.source


def test_parts_whose_figures_disagree_are_not_joined(published):
    """A narrative is joined to a tables file only by the totals both print: with its 收入 and 支出
    changed it belongs to another disclosure, and both files are refused with their reasons."""
    tables = published["bj_tjj_2026_ys_tables.pdf"]
    story = published["bj_tjj_2026_ys_sm.pdf"]
    assert isinstance(tables, Part) and isinstance(story, Part)
    other = replace(story.disclosure, facts=[replace(f, value=f.value + 100) for f in story.disclosure.facts])
    joined, errors = pair([tables, replace(story, disclosure=other)])
    assert joined == [] and len(errors) == 2
    assert any("单位名称" in e for e in errors) and any("报表文件" in e for e in errors)


# ------------------------------------------------------------------------------ tables without lines


def _drawn_cells(truth: dict) -> list[tuple[str, str, str, str, float]]:
    """(title, row key, side, column label, value) for every figure a truth.json table draws."""
    out = []
    for t in truth["layout"]["tables"]:
        title = t["title_lines"][-1]
        if "budget" in t:  # 三公 决算 as one row: 预算数 | 决算数 of each item
            out += [(title, item, stage, "", v) for stage, items in (("预算数", t["budget"]), ("决算数", t["final"])) for item, v in items.items()]
        elif t["rows"] and "income_item" in t["rows"][0]:
            for r in t["rows"]:
                for side, key in (("收入", "income"), ("支出", "expense")):
                    values = r[key] if isinstance(r[key], dict) else {"": r[key]}
                    out += [(title, f"{r['income_item'] or ''}|{r['expense_item'] or ''}", side, col, v) for col, v in values.items()]
        elif len(t["rows"]) == 1 and "code" not in t["rows"][0]:  # one printed row, read as a row per figure
            out += [(title, "wide", "", col, t["rows"][0]["values"].get(col, 0.0)) for col in t["columns"]]
        else:
            out += [(title, f"{r.get('code') or ''}|{r['name']}", "", col, r["values"].get(col, 0.0)) for r in t["rows"] for col in t["columns"]]
    return out


def _read_cell(d: Disclosure, title: str, row: str, side: str, column: str) -> float | None:
    t = next((t for t in d.tables if t.key == table_kind(title)), None)
    if t is None:
        return None
    flat = lambda s: re.sub(r"\s+", "", s or "")  # noqa: E731
    if row == "wide":
        leaf = column.split("/")[-1]
        leaf = column.split("/")[0] if leaf == "小计" else leaf
        r = next((r for r in t.rows if flat(r.name) in (flat(leaf), flat(leaf).replace("预算数", ""))), None)
        return r.values.get("合计", 0.0) if r else None
    if side in ("预算数", "决算数"):
        r = next((r for r in t.rows if flat(r.name) == flat(row)), None)
        return r.values.get(side, 0.0) if r else None
    left, right = row.split("|")
    if side:
        r = next((r for r in t.rows if flat(r.name) == flat(left) and flat(r.name_right) == flat(right)), None)
        keys = [c.key for c in t.columns if c.side == side and (not column or flat(c.label).endswith(flat(column)))]
    else:
        r = next((r for r in t.rows if (r.code or "") == left and flat(r.name) == flat(right)), None)
        keys = [c.key for c in t.columns if flat(c.label) == flat(column) or flat(c.label).endswith("/" + flat(column))]
    return r.values.get(keys[0], 0.0) if r is not None and keys else None


@pytest.mark.parametrize("folder", ["dept_105", "dept_107", "dept_48", "dept_54", "dept_55"])
def test_every_drawn_cell_of_generated_v3_equals_its_truth(generated_v3, folder):
    """Tables with no ruling lines (read by word positions), with horizontal rules only, 类|款|项
    columns, 元 tables, 行次 on both sides and a 栏次 row, empty tables with their note."""
    truth = json.loads((DISCLOSURES / "generated_v3" / folder / "truth.json").read_text(encoding="utf-8"))
    d = generated_v3[folder]
    assert isinstance(d, Disclosure), d
    assert (d.department, d.year) == (truth["department"], truth["year"])
    assert (d.scope + d.kind) == truth["document_type"] or truth["document_type"] == "部门" + d.kind
    wrong = [(c, _read_cell(d, *c[:4])) for c in _drawn_cells(truth)]
    wrong = [(c, got) for c, got in wrong if got is None or abs(got - c[4]) > 0.006]
    assert wrong == []
    empty = [t["title_lines"][-1] for t in truth["layout"]["tables"] if t.get("empty")]
    for title in empty:
        t = next(t for t in d.tables if t.key == table_kind(title))
        assert t.rows == [] and t.note  # an empty fund table keeps its note, and no row


# ------------------------------------------------------------------------------ answers


def ask(engine: Engine, question: str):
    return engine.ask(question)


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("杭州市气象局2026年基本支出是多少", 3745.07),  # its 支出总表 prints 基本支出 as 人员支出 | 日常公用支出 only
        ("重庆市气象局2026年基本支出预算是多少", 5838.39),
        ("珠海市商务局2026年项目支出是多少", 58788.54),
    ],
)
def test_an_empty_fund_table_never_answers_for_the_department(published_engine, question, value):
    """0.00 from the empty 政府性基金 or 国有资本经营 table was the answer; the department's own
    支出 tables (or its narrative) give the figure, and no fund table is cited."""
    a = ask(published_engine, question)
    assert a.status == "answered" and a.value == pytest.approx(value, abs=0.006), a.answer
    assert not any("基金" in c.table or "国有资本" in c.table for c in a.citations)


def test_a_fund_named_is_answered_from_its_table(published_engine):
    a = ask(published_engine, "杭州市气象局2026年政府性基金预算支出多少")
    assert a.status == "answered" and a.value == 0.0 and any("政府性基金" in c.table for c in a.citations)


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("国家信访局2024年本年收入合计多少", 20451.35),
        ("国家信访局2024年年末结转和结余多少", 7494.06),
        ("平南县第一中学2021年度本年收入合计", 2223.71),
        ("瑞金市人力资源和社会保障局2022年度年末结转和结余是多少", 144.46),
    ],
)
def test_a_行次_column_is_never_the_figure(published_engine, question, value):
    """决算 tables number their rows (行次 1, 27, 60) beside the amounts, on both sides, with a 栏次
    row under the header: the amount is answered, in its 决算数 column."""
    a = ask(published_engine, question)
    assert a.status == "answered" and a.value == pytest.approx(value, abs=0.006), a.answer
    assert all(c.column is None or "行次" not in c.column for c in a.citations)


@pytest.mark.parametrize(
    ("body", "department_figure", "unit_figure"),
    [("苏州市自然资源和规划局", 86999.14, 10022.32), ("无锡市教育局", 512434.34, 131349.6)],
)
def test_a_部门预算_and_a_单位预算_of_one_body_are_two_documents(published_engine, body, department_figure, unit_figure):
    """A department's consolidated budget and its own unit's (…（本级）, or the same name) are two
    documents: the question's words choose; without them the bot asks, and each option answers."""
    whole = ask(published_engine, f"{body}2026年部门预算收入总计是多少")
    own = ask(published_engine, f"{body}本级2026年单位预算收入总计是多少")
    assert whole.value == pytest.approx(department_figure) and own.value == pytest.approx(unit_figure)
    asked = ask(published_engine, f"{body}2026年收入总计是多少")
    assert asked.status == "clarify" and len(asked.options) == 2
    answers = [ask(published_engine, o) for o in asked.options]
    assert sorted(a.value for a in answers) == sorted([department_figure, unit_figure])


def test_scopes_of_different_years_are_not_two_versions_of_one_disclosure(published_engine):
    """平南县第一中学: a 2021 部门决算 and a 2022 单位预算 are told apart by year and stage, never asked
    about as 部门 or 单位 (2021年底 is a date, and the 2021 document states it)."""
    a = ask(published_engine, "平南县第一中学2021年底有几辆车")
    assert a.status == "answered" and a.value == 0 and a.unit == "辆"


def test_a_blank_total_is_not_zero_and_a_table_without_its_unit_line_takes_its_neighbours(published_engine):
    """上海市审计局 2026 prints its 收支总表's 收入总计 blank; 上海市数据局 2026 prints its 收入预算总表
    without 单位：元 (every table beside it says 元)."""
    audit = ask(published_engine, "上海市审计局2026年收入预算总计是多少")
    assert audit.value == pytest.approx(19577.43) and "取整" in audit.answer
    data = ask(published_engine, "上海市数据局2026年收入预算总计是多少")
    assert data.status == "answered" and data.value == pytest.approx(47145.21)


def test_a_figure_from_a_table_that_does_not_hold_together_says_so(published_engine):
    """The answer is still given, with the check that failed where the figure stands; a figure
    from a table that adds up carries no such note."""
    doubted = ask(published_engine, "重庆市气象局2026年工资福利支出是多少")
    assert doubted.status == "answered" and doubted.value == pytest.approx(5293.75)
    assert doubted.disagreements and "注意" in doubted.answer and "disagreements" in doubted.to_dict()
    from bot.channels.common import as_text
    from bot.render import render_html, render_text

    assert all("注意" in shown for shown in (render_text(doubted), render_html(doubted)[0], as_text(doubted, 2048)))  # every front says it
    clean = ask(published_engine, "重庆市气象局2026年基本工资是多少")
    assert clean.value == pytest.approx(110.24) and clean.disagreements == []  # its row, not the one above


# ------------------------------------------------------------------------------ warnings


def test_warnings_are_few_and_the_known_false_alarm_kinds_are_gone(published):
    """The kinds of false alarm the loader raised (小计 counted twice, headers wrapped, rounding to
    whole 万元, a 决算's 年初预算数 summed into its 合计): none; what remains is at most a handful per
    folder, and the real contradiction SOURCES.md lists is still reported."""
    docs = [d for d in published.values() if isinstance(d, Disclosure)]
    messages = [w.message for d in docs for w in d.warnings if w.check != "structure"]
    assert not any("小计 ≠ 本年收入各项之和" in m or "合计 ≠ 年初预算数" in m for m in messages)
    narrative = [w for d in docs for w in d.warnings if w.check == "narrative"]
    for w in narrative:  # a narrative figure that rounds the table's is no contradiction
        assert w.expected is not None and w.found is not None and abs(w.expected - w.found) >= 1 or w.expected == 0
    assert len(messages) <= 30
    ghzy = published["sh_putuo_ghzy_2024_js.pdf"]
    assert isinstance(ghzy, Disclosure) and any(w.expected == 4896.98 and w.found == 4884.09 for w in ghzy.warnings)
    # a narrative figure of one fund (（三）财政拨款情况说明：基本支出5,445.39万元) is compared with that
    # fund's table, not the all-funds 支出总表 (重庆 prints 5,838.39 there)
    cq = published["cq_qxj_2026_ys.pdf"]
    assert isinstance(cq, Disclosure) and not any(w.check == "narrative" for w in cq.warnings)


def test_a_column_headed_其中_is_a_part_of_the_column_before_it(published):
    """长沙 prints 公务用车购置及运行费 | 其中：公务用车购置费 | 其中：公务用车运行费 side by side: the two
    are parts of the first, so the 三公 合计 (8.00) is not the sum of all five columns (13.00)."""
    cs = published["cs_xfj_2026_ys.pdf"]
    assert isinstance(cs, Disclosure)
    rows = {r.name: r for r in cs.table("三公经费表").rows}  # type: ignore[union-attr]
    assert rows["公务用车运行费"].parent == rows["公务用车购置及运行费"].number == rows["公务用车购置费"].parent
    assert rows["公务用车购置及运行费"].parent == rows["三公经费"].number
    assert not [w for w in cs.warnings if w.table and "三公" in w.table]


# ------------------------------------------------------------------------------ the load report


def test_the_load_report_says_what_each_file_is_and_what_its_checks_found():
    """`budgetbot check --report --format json` over a folder: one entry per disclosure (北京's two
    files as one), its identity with the evidence, its tables and the standard ones it lacks, the
    document's own contradictions apart from the tables that could not be read, and a summary."""
    import subprocess
    import sys

    files = sorted(str(p) for p in (DISCLOSURES / "real_more").glob("*.pdf"))
    run = subprocess.run([sys.executable, "-m", "bot", "check", "--report", "--format", "json", *files], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["summary"]["files"] == 8 and report["summary"]["loaded"] == 7 and report["refused"] == []
    by_body = {d["department"]: d for d in report["documents"]}
    assert by_body["北京市统计局"]["kind"] == "部门预算" and "+" in by_body["北京市统计局"]["source"]
    assert by_body["国家信访局"]["kind"] == "部门决算" and by_body["佛山市轨道交通局"]["year"] == 2019
    assert all(d["evidence"] and d["tables"] for d in report["documents"])
    assert by_body["北京市统计局"]["missing"] == [] and "三公经费表" in [t["kind"] for t in by_body["北京市统计局"]["tables"]]
    s = report["summary"]
    assert s["contradictions"] == sum(len(d["contradictions"]) for d in report["documents"])
    one = str(DISCLOSURES / "real_more" / "cq_qxj_2026_ys.pdf")
    text = subprocess.run([sys.executable, "-m", "bot", "check", "--report", one], capture_output=True, text=True, timeout=300)
    assert "依据 单位：重庆市气象局" in text.stdout and text.stdout.strip().splitlines()[-1].startswith("共 1 个文件：载入 1")
    alone = subprocess.run([sys.executable, "-m", "bot", "check", "--report", files[0]], capture_output=True, text=True, timeout=300)
    assert "请与它的报表文件一起载入" in alone.stdout and alone.returncode == 1  # half of 北京's disclosure, alone


def test_rankings_compare_like_with_like(published_engine):
    """预算 with 预算, 部门 with 部门 (a 部门预算 holds its own unit's: both would count it twice),
    and the ranking says what it left out; a place in the question is where, never what (无锡市 is
    not the start of a 政府采购 row 无锡市第…)."""
    a = ask(published_engine, "哪个部门项目支出最多")
    assert a.status == "answered" and a.value == pytest.approx(231909.40)  # 无锡市教育局's 部门预算
    listed = [c.document for c in a.citations]
    assert listed and all(d.endswith("/预算") for d in listed)  # no 单位 (…·单位) and no 决算
    assert "无锡市教育局（本级）" not in "".join(a.items) and any("单位预算" in i and "决算" in i for i in a.items)
    place = ask(published_engine, "无锡市哪个部门项目支出最多")
    assert place.value == pytest.approx(231909.40) and all("采购" not in c.table for c in place.citations)
    final = ask(published_engine, "哪个部门项目支出决算最多")
    assert final.status == "answered" and all(c.document.endswith("/决算") for c in final.citations)


@pytest.mark.parametrize(
    ("question", "value"),
    [("北京市统计局2026年因公出国（境）费用预算多少", 45.19), ("长沙市信访局2026年公务接待费预算多少", 3.0), ("北京市统计局2026年三公经费是多少", 73.79)],
)
def test_a_三公_table_printing_its_items_as_columns_answers_each_item(published_engine, question, value):
    """北京 and 长沙 print the 三公 items as columns over one 合计 row (北京 names the total
    三公经费财政拨款预算总额, and says 费用 for 费): each item is answered from its column."""
    a = ask(published_engine, question)
    assert a.status == "answered" and a.value == pytest.approx(value), a.answer
    assert any("三公" in c.table for c in a.citations)


# ------------------------------------------------------------------------------ copied text


@pytest.fixture(scope="session")
def text_engines(tmp_path_factory) -> dict[str, Engine]:
    """real_more's documents as text copied out of their PDFs: `pdftotext -layout`, and `-raw`."""
    engines = {}
    for style in ("layout", "raw"):
        read = read_all_of(sorted((DISCLOSURES / "real_more" / "text").glob(f"*.{style}.txt")))
        kb = tmp_path_factory.mktemp(style) / "kb.db"
        build.write(kb, [d for d in read.values() if isinstance(d, Disclosure)])
        engines[style] = Engine.open(kb)
    return engines


def test_a_text_that_splits_its_figures_is_refused_with_the_reason():
    """重庆's text layer prints 14,770 on one line and .62 under it: no figure can be read from it."""
    got = read_one(DISCLOSURES / "real_more" / "text" / "cq_qxj_2026_ys.layout.txt", None, None)
    assert isinstance(got, str) and "拆到了另一行" in got and "PDF" in got


@pytest.mark.parametrize(
    ("style", "question", "never"),
    [("layout", "杭州市气象局2026年项目支出预算多少", 838.27), ("raw", "国家信访局2024年财政拨款安排的行政运行支出决算是多少", 19572.91)],
)
def test_copied_text_never_places_a_figure_its_table_does_not_confirm(text_engines, style, question, never):
    """杭州's header has 基本支出 over 人员支出 | 日常公用支出: four figures for four known words, but
    not in that order (合计 ≠ the parts); a 收入 figure of the narrative is not a 支出."""
    a = ask(text_engines[style], question)
    assert a.value is None or abs(a.value - never) > 0.01, a.answer


def test_a_change_from_last_year_compares_like_with_like(published_engine):
    """瑞金人社局 has a 2023 预算 and a 2022 决算: 比上年 is the 2023 narrative's own statement (against
    last year's budget, +28.07), never the 2022 决算 subtracted (−325.42); two years named outright
    are refused as unlike."""
    a = ask(published_engine, "瑞金市人力资源和社会保障局2023年预算比上年增加还是减少了，变化多少")
    assert a.status == "answered" and a.value == pytest.approx(28.07)
    b = ask(published_engine, "瑞金市人力资源和社会保障局2023年收支总额比上年增加多少")
    assert b.value == pytest.approx(28.07)
    c = ask(published_engine, "瑞金市人力资源和社会保障局2023年比2022年项目支出多多少")
    assert c.value is None and "不是同一类" in c.answer


def test_a_narrative_laid_out_in_frames_is_read_as_text(published):
    """长沙 2026 frames runs of its narrative in one-row boxes (a figure split `122. | 98`): they are
    prose, and its run-in headings (（一）机关运行经费：… / 122.98万元…) go on over the next line."""
    d = published["cs_xfj_2026_ys.pdf"]
    assert isinstance(d, Disclosure)
    facts = {f.key: f.value for f in d.facts}
    assert facts.get("机关运行经费") == pytest.approx(122.98) and facts.get("三公经费") == pytest.approx(8.0)


@pytest.mark.parametrize(
    ("question", "value"),
    [("重庆市气象局2026年一般公共预算安排的行政运行是多少", 5359.5), ("杭州市气象局2026年一般公共预算安排的气象服务支出多少", 1980.0)],
)
def test_a_fund_named_in_the_question_is_read_from_that_funds_table(published_engine, question, value):
    """The all-funds 支出总表 holds 行政运行 with every fund's money (5,389.50 in 重庆); 一般公共预算安排的
    asks the 一般公共预算 table's row."""
    a = ask(published_engine, question)
    assert a.status == "answered" and a.value == pytest.approx(value), a.answer
    assert all("一般公共预算" in c.table for c in a.citations if c.row is not None)


# ------------------------------------------------------------------------------ narrative sentences


def _lowered_narrative_pdf(path: Path, sentences: list[list[str]]) -> None:
    """A narrative whose figures and punctuation are drawn in another font half a line low, as 重庆's
    generator prints them: each sentence is a list of runs, Chinese on the line, the rest lowered."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path))
    y = 780.0
    for runs in sentences:
        x = 60.0
        for run in runs:
            lowered = not re.search(r"[\u4e00-\u9fff]", run)
            c.setFont("Helvetica" if lowered and run.isascii() else "STSong-Light", 12)
            c.drawString(x, y - (6 if lowered else 0), run)
            x += pdfmetrics.stringWidth(run, "Helvetica" if lowered and run.isascii() else "STSong-Light", 12) + 3
        y -= 22
    c.save()


def _page_facts(path: Path) -> dict[str, float]:
    import pdfplumber

    from loaders.narrative import read_facts, tidy
    from loaders.pdf_grids import page_text_lines

    with pdfplumber.open(path) as pdf:
        text = "".join(ln.text for page in pdf.pages for ln in page_text_lines(page, page.page_number, []))
    return {f.key: f.value for f in read_facts("情况说明", tidy(text))}


def test_figures_printed_half_a_line_low_are_read_in_their_sentence(published, tmp_path):
    """重庆 2026 prints its narrative's figures and punctuation in another font half a line below the
    words (`收入比 年增加 万元` over `2025 2,515.39 ,`): they go back into their sentence."""
    d = published["cq_qxj_2026_ys.pdf"]
    assert isinstance(d, Disclosure)
    facts = {f.key: f.value for f in d.facts}
    assert facts["收入总额"] == pytest.approx(14770.62) and facts["比上年增减"] == pytest.approx(2515.39)
    assert facts["机关运行经费"] == pytest.approx(137.15) and facts["车辆数"] == 5
    assert facts["因公出国（境）费"] == 0 and facts["因公出国（境）费比上年增减"] == pytest.approx(-5)
    drawn = tmp_path / "lowered.pdf"
    _lowered_narrative_pdf(drawn, [["支出预算", "2026", "年", "3,210.50", "万元", ",", "比上年减少", "12.5", "万元", "。"],
                                   ["共有车辆", "7", "辆", "。"]])
    assert _page_facts(drawn) == {"支出总额": 3210.5, "比上年增减": -12.5, "车辆数": 7}


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # a total, then its parts after 其中: a part is never the total's figure
        ("收入预算：2026年年初预算数14,770.62万元，其中：一般公共预算拨款12,672.73万元，事业收入资金388万元。",
         {"收入总额年初预算": 14770.62, "一般公共预算收入": 12672.73, "事业收入": 388}),
        ("收入总额100万元，其中：财政拨款80万元。", {"收入总额": 100}),
        # a list of changes goes on without subjects: not the first subject's again
        ("收入比2025年增加2,515.39万元，主要是一般公共预算拨款增加552.5万元，政府性基金预算资金增加579.89万元。",
         {"比上年增减": 2515.39, "一般公共预算收入比上年增减": 552.5}),
        # one fund's 财政拨款 is not all of it
        ("2026年一般公共预算财政拨款收入12,672.73万元，政府性基金预算财政拨款收入579.89万元。",
         {"一般公共预算收入": 12672.73, "政府性基金预算收入": 579.89}),
        # an item named alone, then its figures (深圳 2026)
        ("1.因公出国（境）费用。2026 年预算数 16.80 万元，较2025 年年初预算减少 27.07 万元。",
         {"因公出国（境）费": 16.8, "因公出国（境）费比上年增减": -27.07}),
        ("（二）公务接待费。本年预算5.20万元。", {"公务接待费": 5.2}),
        ("2026年本单位会议费预算5.6万元，培训费预算10万元。", {"会议费": 5.6, "培训费": 10}),
        ("与2021年预算相比，收支总预算减少192.11万元，下降4.75%。", {"比上年增减": -192.11, "比上年增减率": -4.75}),
        # examples and descriptions name other subjects; the change is still the subject's (国家信访局 2024)
        ("2.其他收入878.44万元，为在财政拨款收入、事业收入之外取得的收入，例如：存款利息收入、非同级财政拨款收入等，"
         "比2023年度决算数增加326.11万元，增长59.04%。",
         {"其他收入": 878.44, "其他收入比上年增减": 326.11, "其他收入比上年增减率": 59.04}),
        ("基本支出5,445.39万元，主要用于保障在职人员工资福利、保障部门正常运转的各项商品服务支出，比2025年增加994.5万元。",
         {"基本支出": 5445.39, "基本支出比上年增减": 994.5}),
        ("1.一般公共服务（类）支出10685.56万元，主要用于开展业务所发生的基本支出和项目支出，比2023年度决算数增加241.21万元。", {}),
        ("2.“农林水支出”科目83万元，主要用于人员经费18万元、公用经费58万元、项目支出7万元。", {}),
        ("支出预算中，用于人员经费和日常公用经费的基本支出为2,997.05万元，用于各类业务项目的项目支出为857.16万元。",
         {"基本支出": 2997.05, "项目支出": 857.16}),
        # vehicles to buy are not the vehicles held; procurement by kind (深圳: 货物类项目)
        ("截至2025年8月31日，本部门共有车辆12辆；2026年部门预算安排购置车辆0辆。", {"车辆数": 12}),
        ("纳入2026年部门预算的政府采购项目共有94.28万元，其中：货物类项目8.00万元、工程类项目0.00万元、服务类项目86.28万元。",
         {"政府采购预算": 94.28, "政府采购货物": 8.0, "政府采购工程": 0.0, "政府采购服务": 86.28}),
        ("（二）公务用车购置及运行费20.5万元，比2025年减少1.5万元。其中：公务用车购置费0万元，与2025年持平；公务用车运行费20.5万元。",
         {"公务用车购置及运行费": 20.5, "公务用车购置及运行费比上年增减": -1.5, "公务用车购置费": 0.0,
          "公务用车购置费比上年增减": 0.0, "公务用车运行维护费": 20.5}),
        # a 决算 states the budget and the 决算数 of one subject
        ("“三公”经费财政拨款支出年初预算为2.85万元，支出决算为0.39万元，完成预算的13.68%。",
         {"三公经费年初预算": 2.85, "三公经费": 0.39}),
    ],
)
def test_a_narrative_sentence_states_each_figure_for_its_own_subject(sentence, expected):
    from loaders.narrative import read_facts, tidy

    assert {f.key: f.value for f in read_facts("情况说明", tidy(sentence))} == pytest.approx(expected)


def test_a_年初预算数_of_a_budget_is_its_figure():
    from loaders.narrative import facts_of_kind, read_facts

    facts = read_facts("情况说明", "收入预算：2026年年初预算数14,770.62万元。")
    assert [f.key for f in facts_of_kind(facts, "预算")] == ["收入总额"]
    assert [f.key for f in facts_of_kind(facts, "决算")] == ["收入总额年初预算"]


@pytest.mark.parametrize(
    ("question", "value", "table"),
    [
        ("重庆市气象局2026年一般公共预算拨款收入多少", 12672.73, "收入总体情况表"),
        ("重庆市气象局2026年政府采购预算多少", 947.0, None),
        ("苏州市自然资源和规划局2026年部门预算政府采购预算多少", None, "政府采购"),
    ],
)
def test_a_procurement_table_answers_only_questions_about_procurement(published_engine, question, value, table):
    """重庆's 政府采购预算明细表 has a column 一般公共预算拨款收入 (the procurement's money): the
    department's 一般公共预算拨款收入 is its 收入 table's; a question about 采购 still reads it."""
    a = ask(published_engine, question)
    assert a.status == "answered", a.answer
    if value is not None:
        assert a.value == pytest.approx(value)
    if table is not None:
        assert any(table in c.table for c in a.citations)


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("国家信访局2024年财政拨款安排的行政运行支出决算是多少", 5757.63),
        ("国家信访局2024年行政运行的年初预算是多少", 5717.32),
        ("重庆市气象局2026年一般公共预算拨款安排的行政运行是多少", 5359.5),
        ("长沙市信访局2026年会议费预算多少", 5.6),
        ("重庆市气象局2026年收入比2025年增加了多少", 2515.39),
    ],
)
def test_a_fund_named_to_say_whose_money_is_the_scope_not_the_subject(published_engine, question, value):
    """财政拨款安排的行政运行: 财政拨款 says whose money, 行政运行 is what is asked (not a clarify
    between a 财政拨款 row and 行政运行); 行政运行的年初预算 is the item's budget stated in the 决算 narrative."""
    a = ask(published_engine, question)
    assert a.status == "answered" and a.value == pytest.approx(value), a.answer


@pytest.mark.parametrize(
    ("body", "year", "spent"),
    [("瑞金市人力资源和社会保障局", 2022, 704.05), ("平南县第一中学", 2021, 653.1)],
)
def test_a_year_loaded_only_as_its_决算_is_asked_before_it_answers_for_a_budget(published_engine, body, year, spent):
    """A body whose budgets are loaded for other years, asked 2022年项目支出 where only the 2022 决算
    is loaded: what was spent is not the budget asked for, so it asks, and its option answers."""
    a = ask(published_engine, f"{body}{year}年项目支出多少")
    assert a.status == "clarify" and "决算" in a.answer and a.value is None
    b = ask(published_engine, a.options[0])
    assert b.status == "answered" and b.value == pytest.approx(spent)
    for said in (f"{body}{year}年度项目支出", f"{body}{year}年项目支出决算", f"{body}{year}年实际花了多少钱（支出决算）"):
        assert ask(published_engine, said).status == "answered", said


def test_a_body_with_only_决算_loaded_is_answered_from_them(published_engine):
    a = ask(published_engine, "国家信访局2024年项目支出多少")
    assert a.status == "answered" and a.value == pytest.approx(3499.42)


def test_a_三公_table_with_years_as_rows_reads_the_documents_year_per_fund(published):
    """深圳 2026 prints its 三公 table as rows 2025年 | 2026年 | 增减变化金额 under item × fund columns:
    the items are read from the 2026 row (never 2025's 59.62 or the change), one column per fund,
    and they add up (16.80 + 11.56 + 4.20 = 32.56)."""
    d = published["sz_tjj_2026_ys.pdf"]
    assert isinstance(d, Disclosure)
    t = d.table("三公经费表")
    assert t is not None
    rows = {r.name: r for r in t.rows}
    assert rows["合计"].values == {"一般公共预算": 32.56, "政府性基金": 0.0, "国有资本经营": 0.0}
    assert rows["因公出国(境)费"].values["一般公共预算"] == pytest.approx(16.8)
    assert rows["公务用车运行维护费"].parent == rows["公务用车购置及运行维护费"].number
    assert not any(59.62 in r.values.values() or -27.07 in r.values.values() for r in t.rows)
    assert not [w for w in d.warnings if w.table and "三公" in w.table]


@pytest.mark.parametrize("name", ["wuxi_07.pdf", "suzhou_05.pdf", "suzhou_04.pdf"])
def test_a_running_head_over_every_page_is_not_part_of_the_sentence_it_interrupts(published, name):
    """无锡 and 苏州 print `某某局2026年度部门预算公开` atop every page: a definition or a narrative figure
    that runs onto the next page reads on without it (…而发生 | 的人员支出和公用支出), and the
    document is still named and dated from its cover."""
    d = published[name]
    assert isinstance(d, Disclosure) and d.department and d.year == 2026
    head = re.compile(r"20\d\d年度(?:部门|单位)预算公开")
    interrupted = [x.term for x in d.definitions if head.search(x.text)]
    interrupted += [f.key for f in d.facts if head.search(f.text)]
    assert not interrupted, interrupted
    assert len(d.definitions) >= 5


@pytest.mark.parametrize("name", ["zhuhai_01.pdf", "zhuhai_02.pdf"])
def test_tables_titled_by_their_classification_and_codes_in_brackets_are_read(published, name):
    """珠海 titles its tables `一般公共预算支出情况表（按功能分类科目）` and prints the code in the
    name cell (`[201]一般公共服务支出`); its columns are `小计 | 其中：基本支出 | 项目支出`. The
    tables were dropped silently: now each is read, coded, and its 合计 is its 类 rows added."""
    d = published[name]
    assert isinstance(d, Disclosure)
    general, basic = d.table(TableKind.GENERAL), d.table(TableKind.BASIC)
    assert general is not None and basic is not None, [t.title for t in d.tables]
    assert "按功能分类科目" in general.title and "按经济分类科目" in basic.title
    classes = [r for r in general.rows if r.code and len(r.code) == 3]
    total = next(r for r in general.rows if r.name == "合计")
    assert classes and all(not r.name.startswith("[") for r in general.rows)
    assert {"合计", "基本支出", "项目支出"} <= {c.key for c in general.columns}
    assert round(sum(r.values.get("合计", 0.0) for r in classes), 2) == total.values["合计"]
    assert total.values["合计"] == pytest.approx(total.values.get("基本支出", 0.0) + total.values.get("项目支出", 0.0), abs=0.011)


@pytest.mark.parametrize("text", sorted(p.name for p in (DISCLOSURES / "real" / "text").glob("*.txt")))
def test_text_copied_out_of_a_pdf_names_the_body_the_pdf_does(published, text):
    """pdftotext -raw puts the page number on the line before the cover's title (`1` /
    `江苏省人大常委会办公厅2018年度部门预算公开`): the number is no part of the body's name."""
    pdf = published[text.split(".")[0] + ".pdf"]
    assert isinstance(pdf, Disclosure)
    d = read_disclosure(DISCLOSURES / "real" / "text" / text)
    assert (d.department, d.year, d.kind) == (pdf.department, pdf.year, pdf.kind)


def test_a_ranking_reads_the_column_the_table_prints(published_engine):
    """珠海's 基本支出 table prints one column, 预算 (not 合计): 基本支出里哪一项最多 ranks by it
    (30102 津贴补贴 2,532.78 on page 15), never by a column it lacks (every item 0.00, a tie of all)."""
    a = published_engine.ask("珠海市商务局基本支出里哪一项最多")
    assert a.status == "answered" and a.value == 2532.78 and "津贴补贴" in a.answer and a.citations[0].column == "预算"
    a = published_engine.ask("珠海市商务局基本支出有哪些")
    assert a.status == "answered" and "30102 津贴补贴 2532.78 万元" in a.items


@pytest.mark.parametrize(
    ("question", "word"),
    [("珠海市商务局人员经费有哪些", "人员经费"), ("珠海市商务局扶贫车间有哪些", "扶贫车间"), ("珠海市政府投资交通市政项目工务中心无人机有哪些", "无人机")],
)
def test_a_list_of_something_no_table_holds_is_not_another_list(published_engine, question, word):
    """A list or ranking question whose subject is not read (of 扶贫车间 only 车 is a term; 无人机
    is no term at all) or that no table there lists (珠海's 基本支出 table prints no 人员经费 column)
    says what it did not find, instead of listing the 支出总表."""
    a = published_engine.ask(question)
    assert a.status == "not_found" and word in a.answer and not a.items, a.answer


def test_lists_read_the_column_of_the_stage_and_the_tables_own_total(published_engine):
    """A 决算's 三公 table prints 预算数 | 决算数 (国家信访局, page 15): its items are listed in the
    决算数 (or the stage asked), never as 0.00 from a 合计 column it does not have; 深圳's 支出总表
    totals in 支出总计, and 钱花在哪 lists its 类 rows by it (it raised KeyError)."""
    a = published_engine.ask("国家信访局三公经费有哪些")
    assert a.status == "answered" and "“三公”经费 46.21 万元" in a.answer and "因公出国（境）费 4.69 万元" in a.items
    budget = published_engine.ask("国家信访局三公经费预算数有哪些")
    assert "因公出国（境）费 30.00 万元" in budget.items
    spent = published_engine.ask("深圳市统计局钱主要花在哪些项目上")
    assert spent.status == "answered" and any(i.startswith("一般公共服务支出 3478.72 万元") for i in spent.items), spent.answer


@pytest.mark.parametrize("body", ["长沙市信访局", "重庆市气象局"])
def test_per_month_of_the_whole_budget(published_engine, body):
    """每月平均花多少钱: the whole budget (支出总计), divided by 12 and said so — it was not found."""
    whole = published_engine.ask(f"{body}2026年支出总计多少")
    a = published_engine.ask(f"{body}2026年每月平均花多少钱")
    assert whole.status == "answered" and whole.value is not None
    assert a.status == "answered" and a.value == round(whole.value / 12, 2) and "÷ 12" in a.answer, a.answer
