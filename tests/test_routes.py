"""The engine's routes (knowledge/routes.py): each rule reached by the questions of its kind on two
templates (the Hebei county documents and the published 苏州/无锡 部门预算), each answerable on its
own, and every answer saying which rule gave it. The figures are not written here: a route is
checked by the rule that answered and by what the handler alone gives."""

from __future__ import annotations

import json

import pytest

from bot.cli import main
from knowledge import build, routes
from knowledge.answer import Answer
from knowledge.engine import Engine
from knowledge.parse import parse
from loaders import read_disclosure

from .conftest import GENERATED, SAMPLE, SHARED

GENERATED_V2 = sorted((SHARED / "disclosures" / "generated_v2").glob("dept_*"))
CORPUS = SHARED / "disclosures" / "corpus"

# question → the route that answers it (a body of each template where the kind allows)
CASES = [
    ("卫建局项目支出", "body guessed"),
    ("火星局项目支出", "body not loaded"),
    ("什么是项目支出", "definition"),
    ("石家庄市哪个部门项目支出最多", "place not loaded"),
    ("苏州市有哪些部门", "bodies of a place"),
    ("列出所有部门的名单", "bodies of a place"),
    ("哪个部门项目支出最多", "across bodies"),
    ("望都县乡村振兴局和苏州市审计局的项目支出", "bodies named"),
    ("顺平县卫生健康局2023年和2024年项目支出哪个多", "which year more"),
    ("顺平县卫生健康局2024年比2023年项目支出增加多少", "change between years"),
    ("顺平县卫生健康局项目支出比上年增加多少", "change between years"),
    ("项目支出多少", "document not chosen"),
    ("苏州市审计局2022年项目支出", "document not chosen"),
    ("望都县乡村振兴局的职责", "describe"),
    ("苏州市审计局收入来源", "describe"),
    ("望都县乡村振兴局扶贫车间支出", "narrower than found"),
    ("望都县乡村振兴局每月项目支出多少", "operation"),
    ("苏州市审计局每月项目支出多少", "operation"),
    ("望都县乡村振兴局项目支出占比", "share"),
    ("苏州市审计局项目支出占比", "share"),
    ("望都县教育局项目支出比上年增加多少", "change"),
    ("望都县乡村振兴局基本支出哪一项最多", "ranking"),
    ("苏州市审计局基本支出哪一项最多", "ranking"),
    ("望都县乡村振兴局项目支出和基本支出", "several figures"),
    ("苏州市审计局2026年的支出总计和收入总计", "several figures"),
    ("望都县乡村振兴局基本支出有哪些", "list"),
    ("苏州市审计局基本支出有哪些", "list"),
    ("望都县乡村振兴局项目支出是什么意思", "definition"),
    ("无锡市统计局项目支出指的是什么", "definition"),
    ("望都县乡村振兴局项目支出", "figure"),
    ("上海市普陀区规划和自然资源局2024年公务接待费预算和决算分别多少", "both stages"),
    ("苏州市审计局项目支出", "figure"),
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> Engine:
    files = [SAMPLE, *(d / "disclosure.txt" for d in GENERATED + GENERATED_V2), CORPUS / "suzhou_03.pdf", CORPUS / "wuxi_07.pdf"]
    files.append(SHARED / "disclosures" / "real" / "sh_putuo_ghzy_2024_js.pdf")  # a 决算
    path = tmp_path_factory.mktemp("routes") / "kb.db"
    build.write(path, [read_disclosure(f) for f in files])
    return Engine.open(path)


@pytest.mark.parametrize(("question", "route"), CASES)
def test_each_kind_of_question_is_answered_by_its_route(engine, question, route):
    a = engine.ask(question)
    assert a.route == route, (a.route, a.answer)
    assert a.reading["intent"]  # the reading travels with the answer


def test_every_route_has_a_question_that_reaches_it():
    """A route added without a question of its kind fails here (the empty question and the
    what-a-term-covers route are reached in test_a_route_alone…)."""
    named = {r.name for r in routes.QUESTION_ROUTES} | {r.name for r in routes.DOCUMENT_ROUTES} | {"document not chosen"}
    reached = {route for _, route in CASES} | {"empty question", "what a term covers", "definition asked as such"}
    assert named == reached


@pytest.mark.parametrize(("question", "route"), [c for c in CASES if c[1] not in ("document not chosen",)])
def test_a_route_alone_gives_what_the_engine_gives(engine, question, route):
    """Each rule is a plain function over the library and the query: called by itself, on the
    question read and settled as the engine reads it, it gives the engine's answer."""
    q = parse(question, engine.vocab, engine.newest_year)
    routes.settle_years(engine, q)
    found = next((r for r in routes.QUESTION_ROUTES if r.name == route), None)
    if found is not None:
        assert found.when(engine, q)
        alone = found.answer(engine, q)
    else:
        doc = routes.resolve(engine, q)
        assert not isinstance(doc, Answer), doc
        d = next(r for r in routes.DOCUMENT_ROUTES if r.name == route)
        assert d.when(engine, q, doc)
        alone = d.answer(engine, q, doc)
    assert alone is not None and alone.answer == engine.ask(question).answer


def test_several_subjects_joined_by_和_are_each_answered(engine):
    """项目支出和基本支出 (without 分别) is two figures, each with its own citation, not a clarify."""
    for body in ("望都县乡村振兴局", "苏州市审计局"):
        both = engine.ask(f"{body}项目支出和基本支出")
        one, other = engine.ask(f"{body}项目支出"), engine.ask(f"{body}基本支出")
        assert both.status == "answered" and both.route == "several figures", both.answer
        assert {c.value for c in both.citations} >= {one.value, other.value}


def test_an_empty_question_and_a_term_asked_of_no_body(engine):
    assert engine.ask("   ").route == "empty question"
    a = engine.ask("财政拨款包括哪些")
    assert a.route == "what a term covers" and a.status == "answered" and "名词解释" in a.answer


def test_ask_json_names_the_route_and_the_reading(engine, capsys):
    main(["ask", "--kb", str(engine.path), "--json", "苏州市审计局2026年项目支出"])
    out = json.loads(capsys.readouterr().out)
    assert out["route"] == "figure"
    assert out["reading"]["year"] == 2026 and out["reading"]["bodies"] == ["苏州市审计局"]
    assert out["reading"]["subjects"] == ["项目支出"]


def test_a_misspelt_short_name_that_fits_two_bodies_asks_which(engine):
    """卫建局 with 望都县 and 顺平县卫生健康局 loaded: both offered, each as a question of its own."""
    a = engine.ask("卫建局项目支出")
    assert a.status == "clarify" and a.value is None
    assert sorted(a.options) == ["望都县卫生健康局项目支出", "顺平县卫生健康局项目支出"]


@pytest.mark.parametrize(("question", "route"), CASES)
def test_every_front_sets_the_answers_own_figure_in_bold(engine, question, route):
    """The fronts render from the answer's fields: the figure's place in the statement comes from
    the answer (figure_text, figure_span), never from searching the prose for a number."""
    from bot.channels.common import as_text
    from bot.render import render_html

    a = engine.ask(question)
    span = a.figure_span()
    html, markdown = render_html(a)[0], as_text(a, 4096, markdown=True)
    if span is None:
        assert "<b>" not in html.split("\n")[0] and "**" not in markdown
        return
    start, end = span
    assert a.statement[start:end] == a.figure_text and float(a.figure_text) == pytest.approx(a.value)
    assert f"<b>{a.figure_text}</b>" in html and f"**{a.figure_text}**" in markdown


def test_both_stages_of_a_决算_are_answered_each_cited(engine):
    """预算和决算分别多少 of one subject: the 年初预算 and the 决算数, each cited to its column —
    not the 决算数 alone, and not a list of the 支出决算表."""
    a = engine.ask("上海市普陀区规划和自然资源局2024年公务接待费预算和决算分别多少")
    assert a.status == "answered" and "年初预算 2.85 万元，决算数 0.39 万元" in a.answer, a.answer
    assert [c.column for c in a.citations[:1]] == ["预算数"] and any(c.column == "决算数" for c in a.citations)


@pytest.mark.parametrize("body", ["苏州市审计局", "无锡市统计局"])
def test_a_word_typed_by_sound_is_heard_whole_even_when_it_starts_with_a_term(engine, body):
    """项目知出: 项目 is a term of its own, but the whole is 项目支出 typed by sound — answered as
    项目支出 and said back (按“项目支出”理解), never read as 项目 with 知出 left over."""
    typed, right = engine.ask(f"{body}的项目知出多少"), engine.ask(f"{body}项目支出多少")
    assert right.status == "answered" and typed.value == right.value, typed.answer
    assert "按“项目支出”理解" in typed.answer and "按" not in right.answer


@pytest.mark.parametrize("body", ["苏州市审计局", "无锡市统计局"])
def test_a_change_asked_in_percent_is_the_rate_the_narrative_states(engine, body):
    """增长百分之几: the rate (%), not the amount in 万元 stated beside it."""
    rate, amount = engine.ask(f"{body}收入预算比上年增长百分之几"), engine.ask(f"{body}收入预算比上年增加多少")
    assert rate.status == amount.status == "answered"
    assert rate.unit == "%" and amount.unit == "万元" and rate.value != amount.value, (rate.answer, amount.answer)
