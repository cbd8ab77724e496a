"""Everyday questions as people type them, on two templates: the Hebei county sample and the
generated Hebei departments, and published 部门预算 of 苏州 and 无锡 (corpus/). The figures are not
written here: a question typed with a homophone must get what the correctly spelt one gets."""

from __future__ import annotations

import re

import pytest

from knowledge import build
from knowledge.engine import Engine
from loaders import read_disclosure

from .conftest import GENERATED, SAMPLE, SHARED

CORPUS = SHARED / "disclosures" / "corpus"
BODIES = ("望都县乡村振兴局", "苏州市审计局")


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> Engine:
    files = [SAMPLE, *(d / "disclosure.txt" for d in GENERATED), CORPUS / "suzhou_03.pdf", CORPUS / "wuxi_07.pdf"]
    path = tmp_path_factory.mktemp("everyday") / "kb.db"
    build.write(path, [read_disclosure(f) for f in files])
    return Engine.open(path)


@pytest.mark.parametrize("body", BODIES)
@pytest.mark.parametrize(
    ("typed", "meant"),
    [("基本值出", "基本支出"), ("公务接代费", "公务接待费"), ("人员经废", "人员经费"), ("项目知出", "项目支出")],
)
def test_a_word_typed_by_sound_is_read_as_the_word_it_sounds_like(engine, body, typed, meant):
    """A pinyin input method offers homophones: 基本值出 is 基本支出, and the answer says how it read it."""
    right = engine.ask(f"{body}{meant}多少")
    typo = engine.ask(f"{body}{typed}多少")
    assert right.status == "answered" and right.value is not None
    assert typo.status == "answered" and typo.value == right.value, typo.answer
    assert f"按“{meant}”理解" in typo.answer or meant in typo.answer


def test_a_sound_alike_of_a_word_that_is_not_a_subject_finds_nothing(engine):
    """Sound is a way to find a word the vocabulary holds, not a licence to guess: 基本指数 sounds
    like no subject and is not answered with a figure."""
    a = engine.ask("望都县乡村振兴局基本指数是多少")
    assert a.value is None


@pytest.mark.parametrize("body", BODIES)
def test_a_share_asked_as_百分之几_is_computed_from_both_figures(engine, body):
    a = engine.ask(f"{body}项目支出占支出总计的百分之几")
    part, whole = engine.ask(f"{body}项目支出多少"), engine.ask(f"{body}支出总计多少")
    assert a.status == "answered" and a.unit == "%"
    assert a.value == pytest.approx(round(part.value / whole.value * 100, 2), abs=0.01)  # type: ignore[operator]


@pytest.mark.parametrize(
    ("question", "place"),
    [("望都县项目支出最少的部门是哪个", "望都县"), ("苏州市基本支出最多的单位是哪家", "苏州市"), ("项目支出最多的部门是哪一个", None)],
)
def test_which_body_asked_after_the_subject_is_a_ranking(engine, question, place):
    """…最少的部门是哪个 asks for a ranking, not for the body the question is about."""
    a = engine.ask(question)
    assert a.status == "answered" and a.items, a.answer
    if place:
        assert all(place in line for line in a.items if "（" in line)


@pytest.mark.parametrize("question", ["哪个部门政府采购最多", "哪个单位政府采购最少", "各部门政府采购预算哪个最多"])
def test_部门_and_单位_before_a_subject_are_never_read_as_a_body(engine, question):
    """哪个部门政府采购最多 was read as a body named 部门政府 (政府 ends bodies' names): "没有部门政府的
    数据". 部门 and 单位 stand for any body; the ranking is answered, from each body's figure."""
    a = engine.ask(question)
    assert a.status == "answered" and a.items and "没有部门政府" not in a.answer, a.answer
    figures = [float(line.split("）")[1].split()[0]) for line in a.items if "）" in line]
    assert figures == sorted(figures, reverse="最多" in question) and len(figures) >= 2


@pytest.mark.parametrize("question", ["哪个部门支出最多", "哪个部门花钱最多", "支出最少的是哪个单位"])
def test_spending_ranked_without_a_subject_is_each_bodys_whole_budget(engine, question):
    """哪个部门支出最多 (no subject but spending) ranks each body's 支出总计, as 支出多少 of one body
    states it; it was "没有找到这一项" on every base."""
    a = engine.ask(question)
    assert a.status == "answered" and a.answer.startswith("支出总计"), a.answer
    figures = [float(line.split("）")[1].split()[0]) for line in a.items if "）" in line]
    assert figures == sorted(figures, reverse="最多" in question) and len(figures) >= 2
    body, figure = a.items[0].split("（")[0], figures[0]
    alone = engine.ask(f"{body}支出总计多少")
    assert alone.value == figure  # each body's figure is the one it states alone


@pytest.mark.parametrize("question", ["曲阳县项目支出最少的部门是哪个", "昆山市哪个部门三公经费最多"])
def test_a_ranking_in_a_place_where_no_body_is_loaded_names_none(engine, question):
    """No body of 曲阳县 is loaded here: the ranking of the others is not its answer."""
    a = engine.ask(question)
    assert a.status == "not_found" and a.value is None and not a.items


def test_a_not_found_says_how_much_is_loaded_instead_of_listing_it(engine):
    a = engine.ask("北京市教育局的办公费")
    assert a.status == "not_found" and "5 份公开文件" in a.answer and "苏州市审计局2026年" not in a.answer


def test_a_tie_at_the_top_of_a_ranking_names_every_body_in_it(engine):
    """Several bodies with the same least figure: none is named the single winner."""
    a = engine.ask("哪个部门三公经费最少")
    assert a.status == "answered"
    tied = [line for line in a.items if line.endswith(f"）{a.value:.2f} 万元")]
    if len(tied) > 1:
        assert "并列" in a.answer and all(line.split("（")[0].strip("· ") in a.answer for line in tied)
    else:
        assert "并列" not in a.answer


def test_a_fund_named_with_spending_reads_that_funds_table(engine):
    """政府性基金项目支出 in a Hebei county budget whose 政府性基金 table is printed empty: 0 from that
    table (its note cited), never the department's 项目支出 or a 收入 row."""
    a = engine.ask("望都县乡村振兴局政府性基金项目支出多少")
    assert a.status == "answered" and a.value == 0
    assert all("基金" in c.table for c in a.citations), a.answer
    everything = engine.ask("望都县乡村振兴局项目支出多少")
    assert everything.value and everything.value > 0


@pytest.fixture(scope="module")
def chongqing(tmp_path_factory) -> Engine:
    path = tmp_path_factory.mktemp("cq") / "kb.db"
    build.write(path, [read_disclosure(SHARED / "disclosures" / "real_more" / "cq_qxj_2026_ys.pdf")])
    return Engine.open(path)


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("重庆市气象局2026年政府性基金项目支出多少", 579.89),
        ("重庆市气象局2026年政府性基金基本支出多少", 0.0),
        ("重庆市气象局2026年政府性基金收入多少", 579.89),
        ("重庆市气象局2026年政府性基金安排的水利支出多少", 579.89),
    ],
)
def test_a_fund_named_is_answered_from_that_fund_only(chongqing, question, value):
    """重庆 2026 has 579.89 万元 of 政府性基金, all 项目支出 (水利支出): a question naming the fund gets
    that fund's figure — never the department's 项目支出 (8,932.23) or the narrative's 收入 total."""
    a = chongqing.ask(question)
    assert a.status == "answered" and a.value == pytest.approx(value), a.answer
    assert all("基金" in f"{c.table}{c.column}{c.name}" for c in a.citations)


def test_a_share_of_one_funds_spending_in_the_whole(chongqing):
    """政府性基金支出占支出总计的比重: the fund names the part only; the whole is all the money."""
    a = chongqing.ask("重庆市气象局2026年政府性基金支出占支出总计的比重")
    part, whole = chongqing.ask("重庆市气象局2026年政府性基金支出多少"), chongqing.ask("重庆市气象局2026年支出总计多少")
    assert a.status == "answered" and a.unit == "%", a.answer
    assert a.value == pytest.approx(round(part.value / whole.value * 100, 2), abs=0.01)  # type: ignore[operator]


@pytest.mark.parametrize("question", ["重庆市气象局2026年支出总计多少", "重庆市气象局2026年总支出多少", "重庆市气象局2026年收入总计多少"])
def test_the_whole_budget_is_a_subject_whatever_its_total_rows_are_called(chongqing, question):
    """重庆 prints its totals as 合计 | 合计: 支出总计 and 总支出 are still asked and answered (the help
    text suggests 支出总计多少, so it must answer on every template)."""
    a = chongqing.ask(question)
    assert a.status == "answered" and a.value == pytest.approx(14770.62), a.answer


@pytest.mark.parametrize("question", ["办公费多少", "审计局和统计局哪个项目支出多", "项目支出多少"])
def test_every_option_of_a_question_back_is_a_question_that_answers(engine, question):
    """A question back offers options a user can tap: each is a well-formed question that answers."""
    a = engine.ask(question)
    if a.status != "clarify":
        pytest.skip(f"answered without asking: {a.answer}")
    assert a.options
    for option in a.options:
        b = engine.ask(option)
        assert b.status == "answered", (option, b.answer)


def test_an_option_replaces_the_short_name_the_question_used(tmp_path):
    """卫健局 loaded for two counties: the options name each body once (望都县卫生健康局项目支出),
    not the short name after the full one."""
    from .conftest import GENERATED_V2

    docs = [read_disclosure(d / "disclosure.txt") for d in GENERATED + GENERATED_V2]
    if len({d.department for d in docs if "卫生健康" in d.department}) < 2:
        pytest.skip("needs two 卫生健康局 in the generated folders")
    build.write(tmp_path / "kb.db", docs)
    a = Engine.open(tmp_path / "kb.db").ask("卫健局项目支出")
    assert a.status == "clarify" and all("卫健局" not in o and o.endswith("项目支出") for o in a.options), a.options


def test_a_count_asked_in_another_unit_is_not_answered_with_this_one(engine):
    """雨露计划受益多少户: the indicator counts 人 (500 人); no figure is given for 户, and the answer
    says what unit the document counts in."""
    a = engine.ask("望都县乡村振兴局雨露计划受益多少户")
    assert a.value is None and "按人计" in a.answer
    b = engine.ask("望都县乡村振兴局雨露计划受益多少人")
    assert b.status == "answered" and b.unit == "人"
    cars = engine.ask("苏州市审计局2026年有几台车")
    assert cars.status == "answered" and cars.unit == "辆"  # 台 and 辆 count the same things


def test_a_share_is_like_with_like(chongqing):
    """人员经费 is printed only in the 一般公共预算 基本支出 table (5,308.05): its share of the 基本支出
    is over that fund's 基本支出 (5,445.39, 97.48 %), never over all the money's (5,838.39: 90.92 %);
    and 基本支出 / 合计 | 人员经费 | 公用经费 is its 合计, never the three added (10,890.78)."""
    a = chongqing.ask("重庆市气象局人员经费占基本支出的比例")
    assert a.status == "answered" and a.value == 97.48, a.answer
    assert "10890.78" not in chongqing.ask("重庆市气象局一般公共预算基本支出多少").answer


@pytest.mark.parametrize("pair", [("望都县乡村振兴局", "苏州市审计局"), ("苏州市审计局", "无锡市统计局")])
@pytest.mark.parametrize("asked", ["{a}和{b}哪个支出多", "{a}和{b}支出哪个更多", "{a}和{b}哪个花钱少"])
def test_two_bodies_compared_by_spending_compare_their_whole_budgets(engine, pair, asked):
    """哪个支出多 of two named bodies, no subject: each body's 支出总计, compared (it was "没有找到
    这一项"); each figure is the one the body states alone, in the order asked."""
    a = engine.ask(asked.format(a=pair[0], b=pair[1]))
    assert a.status == "answered" and a.answer.startswith("支出总计"), a.answer
    figures = {line.split("（")[0]: float(line.split("）")[1].split()[0]) for line in a.items if "）" in line}
    assert set(figures) == set(pair)
    for body, figure in figures.items():
        assert engine.ask(f"{body}支出总计多少").value == figure
    assert list(figures.values()) == sorted(figures.values(), reverse="少" not in asked)


def test_a_body_with_no_one_figure_is_never_left_out_of_a_comparison_quietly(tmp_path):
    """A body whose narrative says other figures than its tables (each scaled by 1.1 here) has no
    one 支出总计: comparing it with another body says so, instead of calling the other the larger."""
    sample = read_disclosure(SAMPLE)
    odd = read_disclosure(SAMPLE)
    odd.department, odd.source_sha256 = "测试县审计局", "odd"
    for f in odd.facts:
        if f.unit == "万元" and f.value:
            f.value = round(f.value * 1.1, 2)
    path = tmp_path / "kb.db"
    build.write(path, [sample, odd])
    engine = Engine.open(path)
    assert engine.ask("测试县审计局支出总计多少").status != "answered"  # asked alone it says the two disagree
    a = engine.ask("望都县乡村振兴局和测试县审计局哪个支出多")
    assert a.status != "answered" and a.value is None and "测试县审计局" in a.answer and "无法比较" in a.answer


def test_a_narratives_rounded_figure_agrees_with_its_table_in_a_ranking_as_in_an_answer(tmp_path):
    """上海市数据局's 支出总计: 47,145.21 万元 in its table, 47145 万元 (rounded) in its narrative —
    one figure when asked alone, and so in a comparison and a ranking (it was left out of both,
    and 上海市哪个部门支出最多 named another body)."""
    path = tmp_path / "kb.db"
    build.write(path, [read_disclosure(CORPUS / f) for f in ("shanghai_19.pdf", "suzhou_02.pdf", "shanghai_10.pdf")])
    engine = Engine.open(path)
    alone = engine.ask("上海市数据局支出总计多少")
    assert alone.status == "answered" and "取整" in (alone.source or "")
    for q in ("上海市数据局和苏州市数据局哪个支出多", "上海市哪个部门支出最多", "上海市哪个单位花钱最少"):
        a = engine.ask(q)
        figures = {m[1]: float(m[2]) for m in (re.match(r"(.+?)（\d{4}年）([\d.]+)", line) for line in a.items) if m}
        assert a.status == "answered" and figures.get("上海市数据局") == alone.value, (q, a.answer)


@pytest.mark.parametrize("question", ["北京市统计局支出总计", "南京市审计局支出多少", "上海市教育厅经费多少"])
def test_a_body_of_another_place_is_said_not_loaded_whatever_money_word_follows(engine, question):
    """北京市统计局支出总计 with 无锡市统计局 loaded: 局 followed by 支出 ends a body's name, so the
    body is not loaded (it was "这个问题对应N个部门", a list of every body)."""
    a = engine.ask(question)
    body = question[: question.index("局" if "局" in question else "厅") + 1]
    assert a.status == "not_found" and a.value is None and f"没有{body}的数据" in a.answer, a.answer


SHANGHAI_FIVE = ["shanghai_10.pdf", "shanghai_18.pdf", "shanghai_19.pdf", "shanghai_13.pdf", "shanghai_15.pdf"]


@pytest.fixture(scope="module")
def shanghai_five(tmp_path_factory) -> Engine:
    path = tmp_path_factory.mktemp("sh5") / "kb.db"
    build.write(path, [read_disclosure(CORPUS / f) for f in SHANGHAI_FIVE])
    return Engine.open(path)


@pytest.mark.parametrize("item", ["办公费", "物业管理费", "租赁费"])
def test_a_ranking_counts_the_bodies_it_leaves_out_and_each_is_one_with_no_figure(shanghai_five, item):
    """上海市哪个部门办公费最多 over five published 单位预算: every body is ranked or counted as left
    out ("另有N个部门…未列入": 租赁费 two of them), and a body left out has no one figure when asked
    alone either — a ranking never drops a body a single answer would give a figure for."""
    engine, files = shanghai_five, SHANGHAI_FIVE
    a = engine.ask(f"上海市哪个部门{item}最多")
    assert a.status == "answered"
    ranked = {m[1]: float(m[2]) for m in (re.match(r"(.+?)（\d{4}年）([\d.]+)", line) for line in a.items) if m}
    left = re.search(r"另有(\d+)个部门的文件没有这一项", a.answer + "".join(a.items))
    assert len(ranked) + (int(left[1]) if left else 0) == engine.catalog.bodies == len(files)
    for body in {d["department"] for d in engine.catalog.every()}:
        alone = engine.ask(f"{body}{item}多少")
        if body in ranked:
            assert alone.value is not None and round(alone.value, 2) == ranked[body], body
        else:
            assert alone.status != "answered" or alone.value is None, (body, alone.answer)


@pytest.mark.parametrize("place", ["苏州市", "无锡"])
def test_a_place_named_without_a_body_asks_which_of_that_places_bodies(engine, place):
    """苏州市项目支出多少 with bodies of several places loaded: the question back offers the bodies
    of that place (it listed every body loaded), each option a question of its own that is
    answered (无锡市统计局项目支出多少, not 无锡市统计局无锡项目支出多少)."""
    a = engine.ask(f"{place}项目支出多少")
    full = engine.vocab.find_place(place)
    assert full is not None
    bodies = engine.departments_of(full)
    assert a.status == "clarify" and f"对应{len(bodies)}个部门" in a.answer and a.options
    for option, body in zip(a.options, bodies, strict=False):
        assert option == f"{body}项目支出多少"
        assert engine.ask(option).status == "answered"
