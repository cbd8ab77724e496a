"""Disclosures drawn from specs (tests/render.py) in every format, loaded and compared with
their truth: other departments, subjects and layouts than ../shared holds."""

from __future__ import annotations

import pytest

from knowledge import build as kb_build
from knowledge.engine import Engine
from loaders import read_disclosure

from .render import build, render_pdf, render_text, render_xlsx, specs

FORMATS = ["txt", "wrapped.txt", "pdf", "xlsx", "merged.xlsx"]
SPECS = specs()
IDS = [f"{s.department}{s.year}" for s in SPECS]


def assert_consistent(row, truth: dict[str, float]) -> None:
    """Text that lost its empty cells may leave a value's column open (when the arithmetic allows
    two); then every certain cell is right, and the open value is the truth in one of its
    candidates — never a wrong column."""
    for key, value in row.values.items():
        assert truth.get(key) == value, (row.number, key)
    for a in row.ambiguous:
        assert any(truth.get(c) == a.value for c in a.candidates), (row.number, a)
    covered = set(row.values) | {c for a in row.ambiguous for c in a.candidates if truth.get(c) == a.value}
    assert set(truth) <= covered, row.number


@pytest.fixture(scope="session")
def rendered(tmp_path_factory):
    out = {}
    for spec, name in zip(SPECS, IDS, strict=True):
        folder = tmp_path_factory.mktemp(name)
        truth = build(spec)
        (folder / "d.txt").write_text(render_text(spec, truth), encoding="utf-8")
        (folder / "d.wrapped.txt").write_text(render_text(spec, truth, rows_per_page=5, wrap=5), encoding="utf-8")
        render_pdf(spec, truth, folder / "d.pdf")
        render_xlsx(spec, truth, folder / "d.xlsx")
        render_xlsx(spec, truth, folder / "d.merged.xlsx", merged=True)
        out[name] = (truth, folder)
    return out


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", IDS)
def test_every_cell_matches_the_truth(rendered, name, fmt):
    truth, folder = rendered[name]
    d = read_disclosure(folder / f"d.{fmt}")
    assert (d.department, d.year) == (truth["department"], truth["year"])
    for want in truth["tables"]:
        t = d.table(want["key"])
        assert t is not None, want["key"]
        assert [c.key for c in t.columns] == want["columns"], want["key"]
        got = [(r.number, r.code, r.full_name) for r in t.rows]
        assert got == [(w["row"], w["code"], w["name"]) for w in want["rows"]], want["key"]
        for row, w in zip(t.rows, want["rows"], strict=True):
            if fmt.endswith("txt") and row.ambiguous:
                assert_consistent(row, w["values"])
            else:
                assert (row.values, row.ambiguous) == (w["values"], []), (want["key"], row.number)
        assert (t.note or None) == want["note"]
    arithmetic = [w for w in d.warnings if w.check != "structure"]
    assert arithmetic == [], [w.message for w in arithmetic]


@pytest.mark.parametrize("fmt", ["txt", "pdf"])
@pytest.mark.parametrize("name", IDS)
def test_narrative_figures_match_the_truth(rendered, name, fmt):
    truth, folder = rendered[name]
    d = read_disclosure(folder / f"d.{fmt}")
    facts = {f.key: f.value for f in d.facts}
    for key, value in truth["facts"].items():
        assert facts.get(key) == pytest.approx(value), key
    assert len(d.indicators) == 2 and [x.term for x in d.definitions] == ["基本支出", "项目支出"]


@pytest.fixture(scope="session")
def rendered_engine(rendered, tmp_path_factory, sample):
    kb = tmp_path_factory.mktemp("kb") / "rendered.db"
    docs = [read_disclosure(folder / "d.pdf") for _, folder in rendered.values()]
    kb_build.write(kb, docs + [sample])
    return Engine.open(kb)


def test_questions_across_departments_and_years(rendered_engine):
    e = rendered_engine
    a = e.ask("满城县水利局2023年比2022年项目支出增加多少")
    assert a.status == "answered" and a.value == pytest.approx(2038.0 - 2414.3)
    assert {c.year for c in a.citations} == {2022, 2023} and "减少" in a.answer
    assert e.ask("水利局项目支出比上年增加多少").value == pytest.approx(2038.0 - 2414.3)
    assert e.ask("水利局项目支出多少").status == "clarify"  # two years loaded
    assert e.ask("水利局2022年政府性基金预算拨款收入多少").value == 830.0
    assert e.ask("清苑县财政局一般行政管理事务多少").value == 128.5
    assert e.ask("财政局公务接待费").value == 3.2
    assert e.ask("城市管理服务中心事业收入是多少").value == 160.5
    assert e.ask("城管中心事业收入是多少").value == 160.5
    typo = e.ask("财正局的办公费")  # a misspelt department is asked about, not answered for
    assert typo.status == "clarify" and "清苑县财政局" in typo.answer
    assert e.ask(typo.options[0]).value == 38.1
    other = e.ask("民政局的办公费")  # not loaded: never answered with 财政局's figure
    assert other.status != "answered" and other.value is None
    which = e.ask("办公费多少")
    assert which.status == "clarify" and len(which.options) == 4
    top = e.ask("哪个部门基本支出最多")
    assert top.value == 496.0 and "清苑县财政局" in top.answer


def test_tables_only_workbook_still_answers_from_its_tables(rendered, tmp_path):
    truth, folder = rendered[IDS[0]]
    kb = tmp_path / "xlsx.db"
    kb_build.write(kb, [read_disclosure(folder / "d.merged.xlsx")])
    e = Engine.open(kb)
    running = e.ask("机关运行经费多少")  # no narrative: the 公用经费 is shown, never passed off as it
    assert running.status == "clarify" and running.value is None and "公用经费" in running.options[0]
    assert "基本支出表" in running.citations[0].table and running.citations[0].value == truth["facts"]["机关运行经费"]
    assert e.ask("项目支出比上年增加多少").value is None  # nothing states it
