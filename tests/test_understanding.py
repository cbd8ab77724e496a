"""Kinds of question that once got wrong figures, each tried on more than one department.

The knowledge base holds the seed, ../shared/disclosures/generated and generated_v2 (text): eight
department-years in three counties, two of them named alike (乡村振兴局, 卫生健康局). Expected
figures are read from each department's truth.json, not written here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from knowledge import build
from knowledge.engine import Engine
from loaders import read_disclosure

from .conftest import GENERATED, GENERATED_V2, SAMPLE


def truth(folder: str) -> dict:
    path = next(p for p in GENERATED_V2 if p.name == folder) / "truth.json"
    return json.loads(Path(path).read_text(encoding="utf-8"))


def table_total(folder: str, title_part: str, column: str) -> float:
    t = next(x for x in truth(folder)["tables"] if title_part in x["title"])
    return t["rows"][0]["values"].get(column, 0.0)


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> Engine:
    if not GENERATED_V2:
        pytest.skip("../shared/disclosures/generated_v2 is not there")
    path = tmp_path_factory.mktemp("kb") / "three-counties.db"
    files = [SAMPLE] + [d / "disclosure.txt" for d in GENERATED + GENERATED_V2]
    build.write(path, [read_disclosure(f) for f in files])
    return Engine.open(path)


def figure(engine: Engine, question: str) -> float | None:
    a = engine.ask(question)
    assert a.status == "answered", (question, a.answer)
    return a.value


@pytest.mark.parametrize(
    ("question", "folder"),
    [("文旅局一般公共预算财政拨款的项目支出是多少", "dept_20"), ("曲阳一中一般公共预算拨款安排的项目支出是多少", "dept_34")],
)
def test_a_fund_named_with_spending_is_that_funds_table_not_the_whole_total(engine, question, folder):
    """一般公共预算…的项目支出 is the 一般公共预算 table's, not the department's 项目支出 (which also
    holds 政府性基金 or 事业收入 money in these two)."""
    expected = table_total(folder, "一般公共预算财政拨款支出表", "项目支出")
    assert expected != truth(folder)["narrative"]["项目支出"]
    assert figure(engine, question) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("question", "folder", "unit"),
    [("望都县文旅局举办群众文化活动多少场", "dept_20", "场"), ("曲阳一中保障教学班级数量目标是多少个", "dept_34", "个")],
)
def test_a_count_question_is_answered_in_its_unit_from_the_indicators(engine, question, folder, unit):
    goal = truth(folder)["performance"]["sub_goals"][0]
    a = engine.ask(question)
    assert (a.status, a.value, a.unit) == ("answered", goal["value"], unit)


@pytest.mark.parametrize("question", ["曲阳县乡村振兴局建成多少公里道路桥梁", "顺平县卫健局2023年有多少辆救护车出车", "曲阳一中有多少名教师"])
def test_a_count_question_without_such_a_count_never_gets_money(engine, question):
    a = engine.ask(question)
    assert a.unit not in ("万元", "元"), (question, a.answer)


def test_a_percent_question_gets_a_rate_computed_from_both_years(engine):
    a = engine.ask("顺平县卫健局2024年项目支出比2023年增长百分之几")
    new, old = truth("dept_22_2024")["narrative"]["项目支出"], truth("dept_22")["narrative"]["项目支出"]
    assert (a.status, a.unit) == ("answered", "%")
    assert a.value == pytest.approx(round((new - old) / old * 100, 2))
    assert len(a.citations) == 2


@pytest.mark.parametrize(
    "question",
    ["唐县卫健局项目支出多少", "满城教育局基本支出是多少", "曲阳县教育局项目支出", "顺平县文旅局三公经费", "望都县第一中学的人员经费"],
)
def test_a_body_of_another_place_is_not_answered_from_a_loaded_one(engine, question):
    a = engine.ask(question)
    assert a.status == "not_found" and a.value is None, (question, a.answer)


@pytest.mark.parametrize(("question", "place"), [("曲阳县哪个部门项目支出最多", "曲阳县"), ("望都县哪个部门基本支出最多", "望都县")])
def test_a_place_limits_a_ranking_to_its_bodies(engine, question, place):
    a = engine.ask(question)
    assert a.status == "answered"
    assert a.citations and all(place in c.department for c in a.citations)


@pytest.mark.parametrize(
    ("question", "department"),
    [
        ("曲阳乡村振兴局的基本支出是多少", "曲阳县乡村振兴局"),
        ("曲阳一中的人员经费", "曲阳县第一中学"),
        ("望都文旅局的项目支出", "望都县文化广电和旅游局"),
        ("顺平卫健局2024年人员经费", "顺平县卫生健康局"),
    ],
)
def test_short_names_and_places_without_their_level(engine, question, department):
    a = engine.ask(question)
    assert a.status == "answered" and a.citations[0].department == department, a.answer


@pytest.mark.parametrize(("question", "folder"), [("望都县文旅局招待费一年多少", "dept_20"), ("顺平县卫健局2024年招待费多少", "dept_22_2024")])
def test_colloquial_names_reach_the_row(engine, question, folder):
    assert figure(engine, question) == pytest.approx(truth(folder)["narrative"]["公务接待费"])


@pytest.mark.parametrize("question", ["乡村振兴局项目支出多少", "卫健局人员经费多少"])
def test_one_name_that_fits_several_bodies_asks_which(engine, question):
    a = engine.ask(question)
    assert a.status == "clarify" and a.value is None and len(a.options) >= 2


def test_a_name_that_fits_several_bodies_with_a_year_that_decides_answers(engine):
    assert figure(engine, "卫健局2023年基本支出是多少") == pytest.approx(truth("dept_22")["narrative"]["基本支出"])


@pytest.mark.parametrize(
    ("question", "folder", "key"),
    [("曲阳县第一中学本年度拟购置固定资产多少", "dept_34", "本年度拟购置固定资产总额"), ("曲阳县乡村振兴局上年末固定资产金额", "dept_18", "固定资产总额")],
)
def test_dates_inside_a_document_are_not_the_year_asked(engine, question, folder, key):
    """本年度 is the document's year; 上年末 is a date its figures are stated at."""
    assert figure(engine, question) == pytest.approx(truth(folder)["narrative"][key])


def test_which_bodies_of_a_place_are_loaded(engine):
    a = engine.ask("曲阳县有哪些部门的预算")
    assert a.status == "answered" and "曲阳县乡村振兴局" in a.answer and "曲阳县第一中学" in a.answer
    assert "望都县" not in a.answer


def _row_value(folder: str, title_part: str, name: str, column: str = "合计") -> float:
    t = next(x for x in truth(folder)["tables"] if title_part in x["title"])
    return next(r["values"].get(column, 0.0) for r in t["rows"] if r["name"] == name)


@pytest.mark.parametrize(
    ("question", "folder"), [("曲阳一中的办公费和差旅费一共多少", "dept_34"), ("顺平卫健局2023年办公费和差旅费一共多少", "dept_22")]
)
def test_a_sum_of_two_named_items_is_computed_and_both_cited(engine, question, folder):
    office = _row_value(folder, "基本支出表", "办公费")
    travel = _row_value(folder, "基本支出表", "差旅费")
    a = engine.ask(question)
    assert a.value == pytest.approx(round(office + travel, 2)) and len(a.citations) == 2


@pytest.mark.parametrize(
    ("question", "folder"), [("曲阳一中办公费比差旅费多多少", "dept_34"), ("顺平卫健局2023年办公费比差旅费多多少", "dept_22")]
)
def test_a_difference_of_two_named_items(engine, question, folder):
    office = _row_value(folder, "基本支出表", "办公费")
    travel = _row_value(folder, "基本支出表", "差旅费")
    assert figure(engine, question) == pytest.approx(round(office - travel, 2))


@pytest.mark.parametrize(
    ("question", "folder"), [("曲阳一中办公费和差旅费哪个多", "dept_34"), ("顺平卫健局2023年差旅费和办公费哪个多", "dept_22")]
)
def test_which_of_two_is_more_compares_those_two_not_the_whole_table(engine, question, folder):
    office = _row_value(folder, "基本支出表", "办公费")
    travel = _row_value(folder, "基本支出表", "差旅费")
    a = engine.ask(question)
    assert a.value == pytest.approx(max(office, travel)) and {c.code for c in a.citations} == {"30201", "30211"}


@pytest.mark.parametrize(
    ("question", "folder", "months"),
    [("望都文旅局人员经费每月多少", "dept_20", 12), ("曲阳一中项目支出平均每季度多少", "dept_34", 4)],
)
def test_a_figure_per_month_or_quarter_is_divided(engine, question, folder, months):
    key = "人员经费" if "人员经费" in question else "项目支出"
    assert figure(engine, question) == pytest.approx(round(truth(folder)["narrative"][key] / months, 2))


@pytest.mark.parametrize("question", ["曲阳乡村振兴局扶贫车间花了多少", "顺平卫健局2023年公共卫生大楼多少钱", "乡振局扶贫车间多少"])
def test_a_subject_narrower_than_any_item_is_not_given_the_broader_figure(engine, question):
    a = engine.ask(question)
    assert a.value is None and a.status in ("clarify", "not_found"), a.answer


@pytest.mark.parametrize(("question", "folder"), [("曲阳一中有几项绩效指标", "dept_34"), ("望都文旅局有几项绩效指标", "dept_20")])
def test_how_many_indicators_is_a_count_not_money(engine, question, folder):
    goals = truth(folder)["performance"]["sub_goals"]
    a = engine.ask(question)
    assert (a.status, a.unit) == ("answered", "项") and a.value is not None and a.value >= len(goals)


@pytest.mark.parametrize(
    ("question", "folder", "row"), [("曲阳一中项目支出中教育支出占多少", "dept_34", "教育支出"), ("顺平卫健局2023年项目支出里卫生健康支出占多少", "dept_22", "卫生健康支出")]
)
def test_a_share_of_a_part_in_a_named_whole(engine, question, folder, row):
    part = _row_value(folder, "部门预算支出总表", row, "项目支出")
    whole = truth(folder)["narrative"]["项目支出"]
    assert figure(engine, question) == pytest.approx(round(part / whole * 100, 2))


def test_a_share_of_something_not_in_the_document_is_not_computed(engine):
    a = engine.ask("曲阳一中项目支出里食堂改造占多少")
    assert a.value is None, a.answer


@pytest.mark.parametrize(("question", "folder"), [("曲阳一中公用经费中的办公费是多少", "dept_34"), ("顺平卫健局2023年公用经费里的差旅费", "dept_22")])
def test_an_item_within_a_named_column_is_answered_not_asked(engine, question, folder):
    """公用经费中的办公费: the question decides (the 办公费 row in the 公用经费 column), no clarify."""
    item = "办公费" if "办公费" in question else "差旅费"
    assert figure(engine, question) == pytest.approx(_row_value(folder, "基本支出表", item, "公用经费"))


@pytest.mark.parametrize(
    ("question", "folder", "key", "unit"),
    [("望都文旅局办公用房面积多少平方米", "dept_20", "办公用房面积", "平方米"), ("曲阳一中车辆价值多少", "dept_34", "车辆价值", "万元")],
)
def test_a_column_named_after_the_item_is_read_in_that_column(engine, question, folder, key, unit):
    a = engine.ask(question)
    assert (a.status, a.unit) == ("answered", unit) and a.value == pytest.approx(truth(folder)["narrative"][key])


@pytest.mark.parametrize("question", ["望都县乡村振兴局单价在20万元以上的设备有几台", "望都县乡村振兴局办公用房多少平方米"])
def test_a_blank_count_is_not_stated_not_zero(engine, question):
    a = engine.ask(question)
    assert a.value is None, a.answer


@pytest.mark.parametrize(
    ("question", "folder", "row"),
    [
        ("曲阳一中对个人和家庭的补助一共多少", "dept_34", "对个人和家庭的补助"),  # 一共 qualifies the row, it is not the 合计 row
        ("顺平卫健局2023年对个人和家庭的补助一共多少", "dept_22", "对个人和家庭的补助"),
        ("曲阳一中绩效工资多少", "dept_34", "绩效工资"),  # a row named 绩效…, not 绩效目标
        ("顺平卫健局2024年绩效工资多少", "dept_22_2024", "绩效工资"),
        ("曲阳一中出差花了多少", "dept_34", "差旅费"),
        ("顺平卫健局2023年出差花多少钱", "dept_22", "差旅费"),
    ],
)
def test_the_words_around_a_row_do_not_change_which_row_it_is(engine, question, folder, row):
    assert figure(engine, question) == pytest.approx(_row_value(folder, "基本支出表", row))


@pytest.mark.parametrize(("question", "folder"), [("曲阳一中公车的运行费用是多少", "dept_34"), ("望都文旅局公车的运行费用是多少", "dept_20")])
def test_a_cars_running_cost_is_not_the_cars_value(engine, question, folder):
    assert figure(engine, question) == pytest.approx(truth(folder)["narrative"]["公务用车运行维护费"])


@pytest.mark.parametrize(("folder", "body"), [("dept_18", "曲阳县乡村振兴局"), ("dept_20", None)])
@pytest.mark.parametrize(("whole", "part"), [("基本支出中", "人员经费"), ("基本支出中的", "公用经费"), ("基本支出里", "人员经费")])
def test_a_whole_named_to_scope_its_part_answers_the_part(engine, folder, body, whole, part):
    name = body or truth(folder)["department"]
    expected = table_total(folder, "基本支出表", part)
    assert figure(engine, f"{name}{whole}{part}多少") == pytest.approx(expected, abs=0.01)


@pytest.mark.parametrize(
    ("question", "folder", "item"),
    [("顺平卫健局2024年三公经费里面的公务接待费", "dept_22_2024", "公务接待费"), ("望都文旅局三公经费中的公务接待费", "dept_20", "公务接待费")],
)
def test_an_item_of_the_sangong_named_inside_it_is_the_item(engine, question, folder, item):
    t = next(x for x in truth(folder)["tables"] if "三公" in x["title"])
    expected = next(r["values"].get("合计", 0.0) for r in t["rows"] if r.get("item") == item)
    assert figure(engine, question) == pytest.approx(expected, abs=0.01)


@pytest.mark.parametrize("question", ["顺平卫健局2023年和2024年项目支出哪年多", "顺平卫健局2023年和2024年人员经费哪一年少"])
def test_which_year_is_more_is_answered_with_the_year(engine, question):
    a = engine.ask(question)
    assert a.status == "answered" and len(a.citations) == 2
    later, earlier = a.citations
    winner = later if (later.value >= earlier.value) == ("多" in question[-3:]) else earlier
    assert a.value == winner.value and a.answer.rstrip("。").split("；")[0].count("年") >= 2


@pytest.mark.parametrize("question", ["曲阳县第一中学车辆数", "曲阳一中有几辆车"])
def test_a_count_of_vehicles_is_never_their_value(engine, question):
    a = engine.ask(question)
    assert a.unit != "万元" and (a.value is None or a.unit in ("辆", "台"))


@pytest.mark.parametrize(("question", "folder"), [("曲阳一中的一般公共预算拨款是多少", "dept_34"), ("望都文旅局一般公共预算拨款", "dept_20")])
def test_an_income_item_of_a_two_sided_table_is_its_own_figure(engine, question, folder):
    """Not the 支出 item printed beside it (一般公共服务支出 0.00 was given), nor the same name again
    under the 结转 lines (which asked which)."""
    t = next(x for x in truth(folder)["tables"] if "财政拨款收支总表" in x["title"])
    expected = next(r["values"]["收入金额"] for r in t["rows"] if "一般公共预算拨款" in (r.get("name") or ""))
    assert figure(engine, question) == pytest.approx(expected, abs=0.01)


@pytest.mark.parametrize(("question", "folder", "column"), [("望都文旅局2024年一般公共预算财政拨款基本支出中的人员经费", "dept_20", "人员经费"), ("顺平卫健局2024年财政拨款基本支出的公用经费", "dept_22_2024", "公用经费")])
def test_the_basic_expenditure_table_named_in_words_scopes_its_columns(engine, question, folder, column):
    assert figure(engine, question) == pytest.approx(table_total(folder, "基本支出表", column), abs=0.01)


def test_a_one_character_county_is_not_a_longer_county_that_starts_with_it(tmp_path):
    """唐县 and 唐河县 are two counties: with only 唐河县's bodies loaded (and many of them, as in a
    province), 唐县乡村振兴局 is not loaded — never 唐河县's figure, never a list of every 乡村振兴局."""
    docs = []
    for i, county in enumerate(["唐河县", "望都县", "易县", "曲阳县"]):
        d = read_disclosure(SAMPLE)
        d.department, d.source_sha256 = f"{county}乡村振兴局", f"copy-{i}"
        docs.append(d)
    build.write(tmp_path / "kb.db", [docs[0], docs[1], docs[3]])
    engine = Engine.open(tmp_path / "kb.db")
    for q in ("唐县乡村振兴局项目支出多少", "唐县乡村振兴局2022年项目支出多少", "易县乡村振兴局项目支出多少"):
        a = engine.ask(q)
        assert a.status == "not_found" and a.value is None and not a.options, (q, a.answer)
    for q in ("唐河县乡村振兴局项目支出多少", "唐河乡村振兴局项目支出多少"):
        a = engine.ask(q)
        assert a.status == "answered" and a.citations[0].department == "唐河县乡村振兴局", (q, a.answer)
    build.write(tmp_path / "kb.db", [docs[2]])
    a = Engine.open(tmp_path / "kb.db").ask("易县乡村振兴局项目支出多少")
    assert a.status == "answered" and a.citations[0].department == "易县乡村振兴局"

