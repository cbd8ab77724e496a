"""The text loader on the real sample and the generated disclosures: every cell, every fact."""

from __future__ import annotations

import json
import re

import pytest

from loaders import DisclosureFormatError, read_disclosure
from loaders.text import NUMBER, parse_text

from .conftest import GENERATED, KEYMAP, SAMPLE, SHARED_SAMPLE

NINE = [
    "收支总表",
    "收入总表",
    "支出总表",
    "财政拨款收支总表",
    "一般公共预算支出表",
    "基本支出表",
    "政府性基金支出表",
    "国有资本经营支出表",
    "三公经费表",
]


def test_bundled_sample_is_the_shared_disclosure():
    if SHARED_SAMPLE.exists():
        assert SAMPLE.read_bytes() == SHARED_SAMPLE.read_bytes()


def test_document_line_is_read(sample):
    assert (sample.department_code, sample.department, sample.year, sample.kind, sample.unit) == (
        "475",
        "望都县乡村振兴局",
        2022,
        "预算",
        "万元",
    )


def test_all_nine_tables_with_their_titles_and_rows(sample):
    assert [t.key for t in sample.tables[:9]] == NINE
    rows = {t.key: len(t.rows) for t in sample.tables}
    assert rows["收支总表"] == 33 and rows["财政拨款收支总表"] == 36
    assert rows["收入总表"] == rows["支出总表"] == rows["一般公共预算支出表"] == rows["基本支出表"] == 19
    for key in ("政府性基金支出表", "国有资本经营支出表", "三公经费表"):
        t = sample.table(key)
        assert t.rows == [] and t.note.startswith("注：无") and t.note.endswith("空表列示。")


def _row_numbers_in_file(text: str, title: str) -> dict[int, list[float]]:
    """The numbers each row carries in the file, read independently of the loader: from the
    row's 序号 line up to the next 序号 line, skipping repeated page headers."""
    start = text.index(title)
    end = min(
        (
            text.find(t, start + len(title))
            for t in ("\n 部门预算", "\n部门预算", "第一部分")
            if text.find(t, start + len(title)) > 0
        ),
        default=len(text),
    )
    body = text[start:end]
    rows: dict[int, list[float]] = {}
    current = 0
    in_header = True
    for line in body.splitlines()[1:]:
        line = line.strip()
        if "预算年度" in line:
            in_header = True
            continue
        if line.startswith("栏次"):
            in_header = False
            continue
        if in_header or not line or line.startswith("注"):
            continue
        tokens = line.split()
        if tokens[0] == str(current + 1) and len(tokens) > 1:
            current += 1
            tokens = tokens[1:]
            if re.fullmatch(r"\d{3}(\d{2}){0,2}", tokens[0]) and "收支" not in title:
                tokens = tokens[1:]
            rows[current] = []
        if current:  # before the first row only page numbers stand alone
            rows[current].extend(float(t) for t in tokens if NUMBER.match(t))
    return rows


@pytest.mark.parametrize("key", NINE)
def test_every_number_of_every_row_is_placed_in_order_and_certain(sample, key):
    text = SAMPLE.read_text(encoding="utf-8")
    table = sample.table(key)
    in_file = _row_numbers_in_file(text, table.title)
    assert sorted(in_file) == [r.number for r in table.rows]
    order = [c.key for c in table.columns]
    for row in table.rows:
        assert row.ambiguous == [], f"{key} row {row.number} left ambiguous"
        placed = [row.values[k] for k in order if k in row.values]
        assert placed == in_file[row.number], f"{key} row {row.number}"


def test_columns_are_placed_by_arithmetic(sample):
    expense = sample.table("支出总表")
    assert expense.row_by_number(1).values == {"合计": 6490.30, "基本支出": 133.30, "项目支出": 6357.00}
    assert expense.row_by_number(2).values == {"合计": 11.85, "基本支出": 11.85}
    assert expense.row_by_number(14).values == {"合计": 265.00, "项目支出": 265.00}
    income = sample.table("收入总表")
    assert income.row_by_number(10).values == {"合计": 6466.60, "小计": 6466.60, "财政拨款收入": 6466.60}
    basic = sample.table("基本支出表")
    assert basic.row_by_number(1).values == {"合计": 133.30, "人员经费": 110.12, "公用经费": 23.18}
    assert basic.row_by_number(13).values == {"合计": 7.58, "公用经费": 7.58}
    fiscal = sample.table("财政拨款收支总表")
    assert fiscal.row_by_number(8).values == {"支出合计": 11.85, "一般公共预算财政拨款": 11.85}
    assert fiscal.row_by_number(1).values == {"收入金额": 6490.30}


def test_wrapped_names_are_joined(sample):
    income = sample.table("收入总表")
    assert income.row_by_number(2).name == "社会保障和就业支出"
    assert income.row_by_number(4).name == "机关事业单位基本养老保险缴费支出"
    assert income.row_by_number(4).code == "2080505"


def test_two_sided_rows_keep_both_items(sample):
    t = sample.table("收支总表")
    assert (t.row_by_number(1).name, t.row_by_number(1).name_right) == ("一、一般公共预算拨款收入", "一、一般公共服务支出")
    assert (t.row_by_number(13).name, t.row_by_number(13).name_right) == ("", "十三、农林水支出")
    assert t.row_by_number(13).values == {"支出预算数": 6466.60}


def test_headers_are_flattened_with_their_column_numbers(sample):
    income = sample.table("收入总表")
    labels = {c.key: (c.label, c.number) for c in income.columns}
    assert labels["财政拨款收入"] == ("本年收入/财政拨款收入", 6)
    assert labels["合计"] == ("合计", 3)
    fiscal = sample.table("财政拨款收支总表")
    assert [c.side for c in fiscal.columns] == ["收入", "支出", "支出", "支出", "支出"]


def test_narrative_figures(sample):
    facts = {f.key: f for f in sample.facts}
    expected = {
        "收入总额": 6490.3,
        "一般公共预算收入": 6490.3,
        "政府性基金预算收入": 0,
        "支出总额": 6490.3,
        "基本支出": 133.3,
        "人员经费": 110.12,
        "日常公用经费": 23.18,
        "项目支出": 6357,
        "比上年增减": -314.63,
        "基本支出比上年增减": 17.37,
        "项目支出比上年增减": -332,
        "机关运行经费": 23.18,
        "三公经费": 0,
        "公务用车运行维护费": 1.0,
        "公务接待费": 0,
        "政府采购预算": 265,
        "固定资产总额": 46.21,
        "拟购置固定资产总额": 0,
    }
    for key, value in expected.items():
        assert facts[key].value == pytest.approx(value), key
    assert facts["基本支出比上年增减"].reason == "主要为人员经费增长"
    assert facts["项目支出比上年增减"].reason == "主要为上级提前下达专款减少"
    assert facts["三公经费比上年增减率"].value == -100 and facts["三公经费比上年增减率"].unit == "%"
    assert facts["公务用车运行维护费比上年增减率"].reason == "原因为厉行节约，公务用车处置"
    for f in sample.facts:  # every figure comes from its own sentence
        assert re.sub(r"\.0+$", "", f"{abs(f.value):g}") in f.text.replace(" ", "") or f.value == 0


def test_duties_units_procurement_assets(sample):
    assert len(sample.duties) == 11 and sample.duties[0].startswith("（一）贯彻执行")
    units = sample.table("机构设置表")
    assert units.rows[0].name == "望都县乡村振兴局本级" and units.rows[0].texts["单位性质"] == "行政"
    procurement = sample.table("政府采购表")
    item = next(r for r in procurement.rows if r.code)
    assert (item.code, item.name, item.values["合计"]) == ("B99", "其他建筑工程", 265.0)
    assets = sample.table("固定资产表")
    cars = next(r for r in assets.rows if r.name.startswith("2、车辆"))
    assert cars.values == {"数量": 1, "价值": 13.11}
    assert next(r for r in assets.rows if "其他固定资产" in r.name).values == {"价值": 33.10}


def test_all_ten_definitions(sample):
    terms = [d.term for d in sample.definitions]
    assert terms == [
        "一般公共预算拨款收入",
        "事业收入",
        "其他收入",
        "基本支出",
        "项目支出",
        "上缴上级支出",
        "“三公”经费",
        "机关运行费",
        "上年结转",
        "事业单位经营支出",
    ]
    assert sample.definitions[6].text.endswith("公务接待费反映单位按规定开支的各类公务接待（含外宾接待）支出。")


def test_four_performance_tables(sample):
    projects = []
    for i in sample.indicators:
        if i.project not in projects:
            projects.append(i.project)
    assert len(projects) == 4
    assert projects[2] == "乡村振兴衔接资金县级配套" and projects[3] == "专项公用经费"
    assert all(sum(1 for i in sample.indicators if i.project == p) == 5 for p in projects)
    rain = next(i for i in sample.indicators if i.level3 == "雨露计划受益学生数")
    assert (rain.value, rain.unit, rain.level1, rain.level2, rain.basis) == (500, "人", "效益指标", "社会效益指标", "2022年方案")
    wrapped = next(i for i in sample.indicators if i.level3 == "资金及时支出率")
    assert wrapped.description == "按时间进度要求资金及时支出比例" and wrapped.value_text == "≥98"


def test_the_sample_contradiction_is_a_warning_not_an_error(sample):
    messages = [w.message for w in sample.warnings]
    assert len(messages) == 1 and "三公" in messages[0] and "0.00" in messages[0] and "1.00" in messages[0]


@pytest.mark.parametrize("fmt", ["txt", "pdf", "xlsx"])
@pytest.mark.parametrize("folder", GENERATED, ids=lambda p: p.name)
def test_generated_disclosures_match_their_truth(folder, fmt):
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    d = read_disclosure(folder / f"disclosure.{fmt}")
    assert d.source_format == ("text" if fmt == "txt" else fmt)
    assert (d.department, d.year, d.department_code) == (truth["department"], truth["year"], truth["code"])
    for tt in truth["tables"]:
        t = next(x for x in d.tables if x.title == tt["title"])
        assert len(t.rows) == len(tt["rows"])
        assert (t.note or None) == (tt["note"] or None)
        for want, row in zip(tt["rows"], t.rows, strict=True):
            assert (row.number, row.code, row.full_name) == (want["row"], want["code"], want["name"])
            assert row.values == {KEYMAP.get(k, k): v for k, v in want["values"].items()}
            assert row.ambiguous == []
    if fmt == "xlsx":  # the workbook holds the nine tables only
        assert d.facts == [] and d.warnings == []
        return
    facts = {f.key: f.value for f in d.facts}
    assets = d.table("固定资产表")
    cars = next(r for r in assets.rows if "车辆" in r.name)
    other = next(r for r in assets.rows if "其他固定资产" in r.name)
    from_tables = {
        "车辆数": cars.values.get("数量"),
        "车辆价值": cars.values.get("价值"),
        "其他固定资产": other.values.get("价值"),
    }
    for key, value in truth["narrative"].items():
        assert facts.get(key, from_tables.get(key)) == pytest.approx(value), key
    assert d.warnings == []


def _rewrap(text: str) -> str:
    """The sample re-laid: tables in another order, rows on one line or broken differently,
    page breaks in other places. The cells must not change."""
    lines = text.splitlines()
    starts = [i for i, ln in enumerate(lines) if re.match(r"^\s*部门预算.*表\s*$", ln)]
    narrative = next(i for i, ln in enumerate(lines) if ln.startswith("第一部分"))
    blocks = [lines[a:b] for a, b in zip(starts, starts[1:] + [narrative], strict=True)]
    out: list[str] = []
    for block in reversed(blocks):
        joined: list[str] = []
        for ln in block:
            if (
                ln.strip()
                and not re.match(r"^\s*\d+\s", ln)
                and joined
                and re.match(r"^\s*\d+\s", joined[-1])
                and "预算年度" not in joined[-1]
                and not ln.strip().startswith(("栏次", "注"))
            ):
                joined[-1] += " " + ln.strip()  # a wrapped name back on one line
            elif ln.strip():
                joined.append(ln.strip())
        rewrapped = []
        for ln in joined:
            m = re.match(r"^(\d+ \d{3,7}) (\S{6,}) (.*)$", ln)
            if m:  # break a long name after three characters, values on their own line
                rewrapped += [m.group(1), m.group(2)[:3], m.group(2)[3:], m.group(3)]
            else:
                rewrapped.append(ln)
        out += rewrapped
    return "\n".join(out + lines[narrative:])


def test_reordered_and_rewrapped_variant_gives_the_same_cells(sample):
    variant = parse_text(_rewrap(SAMPLE.read_text(encoding="utf-8")), source="variant")
    assert [t.key for t in variant.tables[:9]] == list(reversed(NINE))
    for t in sample.tables[:9]:
        v = variant.table(t.key)
        assert [(r.number, r.code, r.full_name, r.values) for r in v.rows] == [
            (r.number, r.code, r.full_name, r.values) for r in t.rows
        ], t.key


def test_a_changed_figure_is_reported_with_table_row_and_numbers():
    text = SAMPLE.read_text(encoding="utf-8").replace(
        "15 2130505 生产发展 5946.19 5946.19", "15 2130505 生产发展 5946.91 5946.91"
    )
    d = parse_text(text, source="changed")
    messages = [w.message for w in d.warnings]
    assert any("部门预算支出总表" in m and "5946.91" in m or "5946.91" in m for m in messages), messages


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "文件是空的"),
        (b"hello world\nthis is not a budget\n", "没有找到预算表"),
        (b"\x00\x01\x02binary\x00" * 50, "不是文本文件"),
        ("这是一份普通的文件。\n没有任何表格。".encode(), "没有找到预算表"),
    ],
)
def test_bad_input_is_one_clear_error(tmp_path, content, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(DisclosureFormatError) as err:
        read_disclosure(path)
    assert str(path) in str(err.value) and reason in str(err.value)


def test_truncated_disclosure_is_rejected_or_warned(tmp_path):
    text = SAMPLE.read_text(encoding="utf-8")
    path = tmp_path / "truncated.txt"
    path.write_text(text[: text.index("栏次 1 2 3 4 5 6 7 8 9 10 11 12")], encoding="utf-8")
    with pytest.raises(DisclosureFormatError) as err:
        read_disclosure(path)
    assert "收入总表" in str(err.value) and "栏次" in str(err.value)
    cut = tmp_path / "cut.txt"
    cut.write_text(text[: text.index("第一部分")], encoding="utf-8")
    d = read_disclosure(cut)
    assert any("不完整" in w.message for w in d.warnings)


def test_missing_path_and_folder(tmp_path):
    with pytest.raises(DisclosureFormatError, match="文件不存在"):
        read_disclosure(tmp_path / "nope.txt")
    with pytest.raises(DisclosureFormatError, match="文件夹"):
        read_disclosure(tmp_path)


def test_an_unreadable_header_falls_back_to_the_template_when_the_column_count_fits(sample):
    text = SAMPLE.read_text(encoding="utf-8").replace("上解上级\n\n支出", "上交上级\n\n款项")
    d = parse_text(text, source="odd header")
    assert [c.key for c in d.table("支出总表").columns] == [c.key for c in sample.table("支出总表").columns]
    assert cells_of(d, "支出总表") == cells_of(sample, "支出总表")
    assert any(w.check == "header" and "支出总表" in w.message for w in d.warnings)
    broken = SAMPLE.read_text(encoding="utf-8").replace("栏次 1 2 3 4 5 6 7 8\n", "栏次 1 2 3 4 5 6 7 8 9\n")
    with pytest.raises(DisclosureFormatError, match="支出总表"):
        parse_text(broken, source="nine columns")


def cells_of(d, key):
    return [(r.number, r.code, r.name, r.values) for r in d.table(key).rows]
