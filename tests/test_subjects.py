"""The subject catalogue (loaders/data/subjects.toml) read as the engine and the checks read it,
and what it changes in answers and checks on published documents of two templates."""

from __future__ import annotations

import re

import pytest

from knowledge import build
from knowledge.engine import Engine
from loaders import read_disclosure, subjects
from loaders.checks import check_narrative
from loaders.template import TableKind

from .conftest import SAMPLE, SHARED

CORPUS = SHARED / "disclosures" / "corpus"


def test_every_part_row_and_pattern_of_the_catalogue_is_well_formed():
    cat = subjects.catalogue()
    assert all(p in cat for s in cat.values() for p in s.parts)
    assert all(isinstance(w.table, TableKind) for s in cat.values() for w in (*s.rows, *s.fallback))
    patterns = subjects.narrative_patterns()
    assert len(patterns) > 30 and all(re.compile(p) for p, _ in patterns)
    words = subjects.synonyms()
    assert all(w and targets for w, targets in words.items())


def test_the_three_public_items_are_the_parts_of_their_parts():
    """三公经费 is 因公出国（境）费 + 公务接待费 + 公务用车购置及运行费, the last being 购置费 + 运行维护费:
    leaves() breaks it all the way, within() also names the car item as other templates print it."""
    leaves = subjects.leaves(subjects.THREE_PUBLIC)
    assert len(leaves) == 4 and subjects.CARS not in leaves
    assert set(subjects.leaves(subjects.CARS)) < set(leaves)
    inside = subjects.within(subjects.THREE_PUBLIC)
    assert set(leaves) < set(inside) and subjects.CARS in inside
    assert all(a in inside for a in subjects.subject(subjects.CARS).also)


def test_a_word_listed_under_two_subjects_stands_for_both():
    words = subjects.synonyms()
    several = {w: t for w, t in words.items() if len(t) > 1}
    assert several, "the catalogue has words standing for several subjects (车 → 车辆, 车辆数)"
    for word, targets in several.items():
        assert all(word in subjects.subject(t).words for t in targets)


@pytest.fixture(scope="module")
def engine(tmp_path_factory) -> Engine:
    path = tmp_path_factory.mktemp("subjects") / "kb.db"
    build.write(path, [read_disclosure(f) for f in (SAMPLE, CORPUS / "suzhou_03.pdf", CORPUS / "wuxi_07.pdf")])
    return Engine.open(path)


@pytest.mark.parametrize("body", ["望都县乡村振兴局", "苏州市审计局"])
@pytest.mark.parametrize("asked", ["三公经费包括哪些", "三公经费有哪些"])
def test_the_three_public_items_are_listed_as_the_catalogue_names_them(engine, body, asked):
    """“三公”经费有哪些 lists its items (from its table, or the narrative when the table is empty),
    never the spending by 科目 (it did when 三公经费 was also a row name of a loaded table)."""
    a = engine.ask(f"{body}{asked}")
    assert a.status == "answered" and a.route == "list", a.answer
    named = [leaf for leaf in subjects.leaves(subjects.THREE_PUBLIC) if leaf in a.answer]
    assert len(named) >= 3, a.answer
    assert not re.search(r"(?<!\d)\d{7}(?!\d)", a.answer), a.answer  # no 科目 code: not the 支出总表


@pytest.mark.parametrize("name", ["suzhou_03.pdf", "wuxi_07.pdf"])
def test_the_narrative_three_public_check_reads_the_catalogue_items(name):
    """The narrative's 三公 figure is checked against its items as the catalogue lists them: on these
    documents the items add up, and no warning is raised."""
    d = read_disclosure(CORPUS / name)
    facts = {f.key for f in d.facts}
    assert subjects.THREE_PUBLIC in facts
    assert not [w for w in check_narrative(d) if "三公" in w.message]


@pytest.mark.parametrize("body", ["苏州市审计局", "无锡市统计局"])
def test_a_table_of_三公_会议费_培训费_lists_only_the_三公_items(engine, body):
    """苏州 and 无锡 print 会议费 and 培训费 in the 三公 table: they are not 三公 items."""
    a = engine.ask(f"{body}三公经费有哪些")
    assert a.status == "answered" and a.items
    assert not any(x.startswith(("会议费", "培训费", "三公经费")) for x in a.items), a.items


@pytest.mark.parametrize("body", ["苏州市审计局", "无锡市统计局"])
def test_a_share_of_a_whole_the_part_is_not_in_says_so(engine, body):
    """培训费占三公经费: their ratio (over 100 % here), said to be no share; 公务接待费 is a part."""
    outside = engine.ask(f"{body}培训费占三公经费的比例")
    inside = engine.ask(f"{body}公务接待费占三公经费的比例")
    assert outside.status == "answered" and "培训费不是三公经费的一部分" in outside.answer
    assert inside.status == "answered" and "一部分" not in inside.answer and inside.value is not None and inside.value <= 100
