"""What an engine reads by key instead of at start (issue 21): the bodies a question's words name,
the bodies of a place, each body's documents. The same answers however the base was built (at
once, one body at a time, or by an engine that builds the bodies' index itself from a base
derived by other rules), and an engine that opens without reading any of it."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from knowledge import build, store
from knowledge.engine import Engine
from knowledge.vocabulary import Vocabulary
from loaders import read_disclosure
from loaders.copies import renamed
from loaders.model import Disclosure

from .conftest import SAMPLE

# bodies whose names hold their place in different ways: at the start, after 中共, in the middle
# (国家税务总局曲阳县税务局: loaded first, before any body tells 曲阳县 is a place)
BODIES = ["国家税务总局曲阳县税务局", "曲阳县教育局", "中共曲阳县委办公室", "曲阳县卫生健康局", "望都县卫生健康局", "望都县乡村振兴局"]
QUESTIONS = [
    "曲阳县哪个部门项目支出最多",
    "曲阳县有哪些部门",
    "曲阳县卫建局项目支出多少",  # misspelt, under its place
    "曲阳卫建局项目支出多少",  # and its place without 县
    "望都县卫建局项目支出多少",
    "卫建局项目支出多少",  # misspelt, of no place: which one
    "卫健局项目支出多少",  # two bodies' form
    "曲阳税务局项目支出多少",
    "县委办公室项目支出多少",
    "唐县卫生健康局项目支出多少",  # another place's body: not loaded
    "有哪些部门",
    "项目支出多少",
]


def bodies() -> list[Disclosure]:
    """The sample under each name, every amount scaled a little (no two bodies tie)."""
    sample = read_disclosure(SAMPLE)
    return [renamed(sample, name, sample.year, f"body-{i}", 1 + i / 10) for i, name in enumerate(BODIES)]


@pytest.fixture(scope="module")
def bases(tmp_path_factory) -> tuple[Path, Path]:
    at_once, in_steps = tmp_path_factory.mktemp("whole") / "kb.db", tmp_path_factory.mktemp("steps") / "kb.db"
    build.write(at_once, bodies())
    for d in bodies():
        build.write(in_steps, [d])
    return at_once, in_steps


def index_rows(kb: Path) -> dict[str, list[tuple[str, ...]]]:
    conn = store.open_readonly(kb)
    try:
        return {t: [tuple(r) for r in conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2")] for t in ("body_forms", "body_places")}
    finally:
        conn.close()


def test_a_body_added_adds_its_forms_and_places_as_a_whole_build_would(bases):
    at_once, in_steps = bases
    rows = index_rows(at_once)
    assert rows == index_rows(in_steps)
    of_place = {d for p, d in rows["body_places"] if p == "曲阳县"}
    assert of_place == {b for b in BODIES if "曲阳县" in b}  # the tax bureau loaded before 曲阳县 was known too
    assert ("卫健局", "曲阳县卫生健康局") in rows["body_forms"] and ("卫健局", "望都县卫生健康局") in rows["body_forms"]


def test_bodies_are_found_alike_however_the_base_was_built(bases):
    at_once, in_steps = bases
    engines = [Engine.open(at_once), Engine.open(in_steps), Engine.open(at_once)]
    engines[2].vocab = Vocabulary.from_sources(store.vocabulary_sources(engines[2].conn))  # as from a base derived by other rules
    for q in QUESTIONS:
        answers = [e.ask(q).to_dict() for e in engines]
        assert answers[0] == answers[1] == answers[2], q
    engine = engines[0]
    ranked = engine.ask("曲阳县哪个部门项目支出最多")
    assert ranked.status == "answered" and {c.department for c in ranked.citations} == {b for b in BODIES if "曲阳县" in b}
    listed = engine.ask("曲阳县有哪些部门")
    assert [item.split("（")[0] for item in listed.items] == sorted(b for b in BODIES if "曲阳县" in b)
    for misspelt, body in (("曲阳县卫建局", "曲阳县卫生健康局"), ("曲阳卫建局", "曲阳县卫生健康局"), ("望都县卫建局", "望都县卫生健康局")):
        a, right = engine.ask(f"{misspelt}项目支出多少"), engine.ask(f"{body}项目支出多少")
        assert a.status == right.status == "answered" and a.value == right.value and a.citations[0].department == body, misspelt
    both = engine.ask("卫建局项目支出多少")
    assert both.status == "clarify" and {o.split("项目")[0] for o in both.options} == {"曲阳县卫生健康局", "望都县卫生健康局"}
    assert engine.ask("唐县卫生健康局项目支出多少").status != "answered"


def test_an_engine_opens_without_reading_any_body_or_document(bases):
    """At start an engine reads counts and derived values — nothing that grows with the bodies or
    documents loaded; a question naming a body reads that body's forms and documents, by key."""
    at_once, _ = bases
    conn = store.open_readonly(at_once)
    said: list[str] = []
    assert isinstance(conn, sqlite3.Connection)
    conn.set_trace_callback(said.append)
    engine = Engine(conn, at_once)
    rows_read = re.compile(r"FROM (body_forms|body_places|documents|vocabulary_sources)\b")
    assert said and not [s for s in said if rows_read.search(s)]
    assert (engine.catalog.documents, engine.catalog.bodies) == (len(BODIES), len(BODIES))
    said.clear()
    a = engine.ask("曲阳县教育局项目支出多少")
    assert a.status == "answered" and a.citations[0].department == "曲阳县教育局"
    assert any(re.search(r"FROM body_forms WHERE form IN", s) for s in said)
    assert any(re.search(r"FROM documents WHERE department IN \('曲阳县教育局'\)", s) for s in said)
    said.clear()
    assert engine.ask("曲阳县教育局基本支出多少").status == "answered"
    assert not [s for s in said if "FROM documents" in s]  # its documents' entries were kept


def test_a_form_many_bodies_share_is_read_only_when_a_question_uses_it(tmp_path):
    """卫健局 of twelve counties: a common form (more than COMMON bodies). The engine knows how many
    it names, not which, until a question names a body by it alone; then it asks which, as an
    engine holding every body's forms does, and a county's own 卫健局 is answered."""
    from knowledge.bodies import COMMON

    counties = ["望都县", "曲阳县", "唐县", "易县", "涞源县", "阜平县", "顺平县", "博野县", "蠡县", "高阳县", "安新县", "雄县"]
    assert len(counties) > COMMON
    docs = []
    for i, county in enumerate(counties):
        d = read_disclosure(SAMPLE)
        d.department, d.source_sha256 = f"{county}卫生健康局", f"county-{i}"
        docs.append(d)
    kb = tmp_path / "kb.db"
    build.write(kb, docs)
    stored = Engine.open(kb)
    in_memory = Engine.open(kb)
    in_memory.vocab = Vocabulary.from_sources(store.vocabulary_sources(in_memory.conn))
    assert stored.vocab.bodies.lookup(["卫健局", "望都县卫健局"]) == {"卫健局": len(counties), "望都县卫健局": ["望都县卫生健康局"]}
    for q in ("卫健局项目支出多少", "望都县卫健局项目支出多少", "雄县卫生健康局项目支出多少", "卫建局项目支出多少", "唐县卫健局的职责"):
        assert stored.ask(q).to_dict() == in_memory.ask(q).to_dict(), q
    which = stored.ask("卫健局项目支出多少")
    assert which.status == "clarify" and f"对应{len(counties)}个部门" in which.answer
    assert stored.ask("雄县卫健局项目支出多少").citations[0].department == "雄县卫生健康局"
