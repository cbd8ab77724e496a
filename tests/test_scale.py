"""What lets a base hold a province: answers across departments from key figures computed at load
time (the same answers as reading every document), kept right as loads add and replace
documents; long rankings cut to their top; documents read from their stored record."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from knowledge import build, store
from knowledge.engine import Engine
from knowledge.key_figures import MEASURES
from knowledge.vocabulary import canon
from loaders import read_disclosure

from .conftest import GENERATED, GENERATED_V2, SAMPLE


@pytest.fixture(scope="module")
def county_kb(tmp_path_factory):
    if not GENERATED_V2:
        pytest.skip("../shared/disclosures/generated_v2 is not there")
    path = tmp_path_factory.mktemp("kb") / "counties.db"
    files = [SAMPLE] + [d / "disclosure.txt" for d in GENERATED + GENERATED_V2]
    build.write(path, [read_disclosure(f) for f in files])
    return path


def questions() -> list[str]:
    out = []
    for m in MEASURES:
        out += [f"哪个部门{m}最多", f"2023年哪个部门{m}最少", f"曲阳县各部门{m}", f"各部门的{m}是多少", f"2024年哪个单位{m}最高"]
    return out


def test_rankings_from_key_figures_equal_reading_every_document(county_kb):
    fast = Engine.open(county_kb)
    slow = Engine.open(county_kb)
    slow.key_measures = {}  # no key figures: every document is read
    used = 0
    for q in questions():
        a, b = fast.ask(q), slow.ask(q)
        assert a.to_dict() == b.to_dict(), q
        used += a.status == "answered" and len(a.citations) > 1
    assert used >= 40  # most of them rank several departments


def test_key_figures_stay_right_as_loads_add_and_replace_documents(tmp_path):
    files = [SAMPLE] + [d / "disclosure.txt" for d in GENERATED + GENERATED_V2[:3]]
    one_go, in_steps = tmp_path / "one.db", tmp_path / "steps.db"
    build.write(one_go, [read_disclosure(f) for f in files])
    for f in files:
        build.write(in_steps, [read_disclosure(f)])
    replacement = read_disclosure(GENERATED[0] / "disclosure.txt")  # other figures under the sample's name
    replacement.department, replacement.year = "望都县乡村振兴局", 2022
    for path in (in_steps, one_go):
        build.write(path, [replacement])

    def figures(path):
        conn = sqlite3.connect(path)
        return sorted(conn.execute("SELECT measure, document_id, department, year, figure, data, chosen, newest FROM key_figures"))

    assert figures(in_steps) == figures(one_go) and len(figures(one_go)) > 50
    engine = Engine.open(in_steps)
    own = engine.ask("望都县乡村振兴局2022年项目支出多少")
    assert own.status == "answered" and own.value != 6357.0
    ranking = engine.ask("2022年各部门项目支出")
    assert f"望都县乡村振兴局（2022年）{own.value:.2f} 万元" in ranking.items


def test_a_ranking_of_many_departments_shows_its_top_and_a_count(tmp_path):
    text = SAMPLE.read_text(encoding="utf-8")
    docs = []
    for i in range(45):
        d = read_disclosure(SAMPLE)
        d.department = f"测试县第{i:02d}局"
        d.source_sha256 = f"copy-{i}"
        docs.append(d)
    assert text  # the copies share the sample's figures: ties are in department order
    kb = tmp_path / "kb.db"
    build.write(kb, docs)
    a = Engine.open(kb).ask("哪个部门项目支出最多")
    assert a.status == "answered" and a.value == 6357.0 and len(a.citations) == 30
    assert a.items[0].startswith("测试县第00局") and a.items[29].startswith("测试县第29局")
    assert a.items[30] == "……共 45 个部门，以上是最多的 30 个"


def test_a_document_read_from_its_record_equals_one_assembled_from_its_tables(county_kb):
    conn = store.open_readonly(county_kb)
    for d in store.list_documents(conn):
        stored, assembled = store.load_document(conn, d["id"]), store.assemble_document(conn, d["id"])
        assert stored == assembled  # tables and facts
        assert (stored.definitions, stored.indicators, stored.passages) == (assembled.definitions, assembled.indicators, assembled.passages)
        assert stored.passages or "tables" in d["source_name"]


def test_places_whose_characters_a_question_converts_are_still_found(tmp_path):
    """Questions are converted to simplified characters, which turns 乾 into 干: 乾安县's bodies
    must be found under the question's spelling, and never answered for another county."""
    docs = []
    for name in ("乾安县科学技术局", "望都县科学技术局"):
        d = read_disclosure(SAMPLE)
        d.department, d.source_sha256 = name, name
        docs.append(d)
    docs[1].tables = [t for t in docs[1].tables if t.key != "支出总表"]  # they differ: no common figure
    kb = tmp_path / "kb.db"
    build.write(kb, docs)
    engine = Engine.open(kb)
    for q in ("乾安县科学技术局项目支出多少", "乾安科技局项目支出多少", "乾安县科技局的项目支出"):
        a = engine.ask(q)
        assert a.status == "answered" and a.citations[0].department == "乾安县科学技术局", (q, a.answer)
    assert engine.ask("乾安县哪个部门项目支出最多").items[0].startswith("乾安县科学技术局")


def test_key_figures_from_other_reading_rules_are_not_used(county_kb, tmp_path):
    """After an upgrade changes how figures are read, a base's stored key figures are stale: the
    engine reads the documents instead (same answers) until a load computes them again."""
    import shutil

    copy = tmp_path / "old.db"
    shutil.copy(county_kb, copy)
    conn = sqlite3.connect(copy)
    stored = store.derived(conn, "key_measures")
    store.put_derived(conn, "key_measures", {m: "0" * 16 + sig[16:] for m, sig in stored.items()})
    conn.commit()
    conn.close()
    old, current = Engine.open(copy), Engine.open(county_kb)
    assert old.key_measures == {} and len(current.key_measures) == len(MEASURES)
    for q in ("哪个部门项目支出最多", "2023年哪个部门三公经费最少"):
        assert old.ask(q).to_dict() == current.ask(q).to_dict()


def test_a_base_loaded_by_another_version_is_read_right_and_brought_up_to_date_by_the_next_load(tmp_path):
    """The vocabulary and key figures computed at load time follow the rules of the version that
    loaded them (its lexicon too). Another version opens such a base by building its vocabulary from
    the base, and its next load — even of unchanged files — recomputes them."""
    kb = tmp_path / "kb.db"
    build.write(kb, [read_disclosure(SAMPLE)])
    conn = sqlite3.connect(kb)
    snapshot = store.derived(conn, "vocabulary")
    snapshot["rules"] = "0" * 16
    snapshot["terms"] = {}  # what an older lexicon would have known: nothing
    store.put_derived(conn, "vocabulary", snapshot)
    store.put_derived(conn, "derived_by", store.derived(conn, "derived_by") | {"rules": "0" * 16})  # as that version records it
    conn.commit()
    conn.close()
    assert Engine.open(kb).ask("项目支出多少").value == 6357.0  # built from the base, not the stale snapshot
    build.write(kb, [read_disclosure(SAMPLE)])  # unchanged file
    conn = sqlite3.connect(kb)
    from knowledge.key_figures import rules

    assert store.derived(conn, "vocabulary")["rules"] == rules() and store.derived(conn, "vocabulary")["terms"]


def test_what_an_engine_reads_at_start_is_what_the_documents_table_holds(county_kb, tmp_path):
    """An engine opens on the counts a load stores and reads documents' entries by key: they must
    be the table's (same documents, same order); a base without the counts or the definers is
    read from the tables, with the same answers."""
    conn = store.open_readonly(county_kb)
    table = [{k: d[k] for k in ("id", "department", "year", "kind", "scope")} for d in store.list_documents(conn)]
    engine = Engine.open(county_kb)
    assert list(engine.catalog.every()) == table and len(table) > 5
    bodies = sorted({d["department"] for d in table})
    assert engine.of_departments(reversed(bodies)) == table  # any order asked, document order given
    assert (engine.catalog.documents, engine.catalog.bodies, engine.newest_year) == (len(table), len(bodies), max(d["year"] for d in table))
    assert store.derived(conn, "catalog") is not None and store.derived(conn, "documents") is None  # no entry of every document
    bare = tmp_path / "bare.db"
    shutil.copy(county_kb, bare)
    with sqlite3.connect(bare) as c:
        c.execute("DELETE FROM derived WHERE key IN ('catalog', 'first_definers', 'kinds')")
    opened = Engine.open(bare)
    assert (opened.catalog.documents, opened.catalog.bodies, opened.newest_year) == (engine.catalog.documents, engine.catalog.bodies, engine.newest_year)
    for q in ("什么是基本支出", "名词解释里三公经费是什么意思", "望都县乡村振兴局什么是项目支出", "哪个部门项目支出最多"):
        a, b = opened.ask(q), engine.ask(q)
        assert a.status == "answered" and (a.answer, a.citations) == (b.answer, b.citations), q


def test_a_definition_asked_of_no_body_comes_from_the_first_document_defining_it(county_kb):
    engine = Engine.open(county_kb)
    for term in ("基本支出", "项目支出", "三公经费"):
        a = engine.ask(f"什么是{term}")
        first = next(d for d in engine.catalog.every() if any(canon(x["term"]) == term for x in engine.doc(d["id"]).definitions))
        assert a.status == "answered" and a.citations[0].document == first["id"], term


def test_what_is_loaded_shows_the_first_entries_and_a_count(tmp_path):
    from bot.sources import sources_lines

    docs = []
    for i in range(45):
        d = read_disclosure(SAMPLE)
        d.department, d.source_sha256 = f"测试县第{i:02d}局", f"copy-{i}"
        docs.append(d)
    build.write(tmp_path / "kb.db", docs)
    lines = sources_lines(Engine.open(tmp_path / "kb.db"))
    assert lines[0] == "已载入 45 份公开文件：" and lines[1].startswith("测试县第00局 2022年预算")
    assert len(lines) == 32 and lines[-1] == "……另有 15 项未列出（共 45 项）"


def test_the_kinds_a_load_counts_are_the_documents_it_holds(published, tmp_path):
    """What a ranking compares (预算/决算, 部门/单位 of a year) is counted by the load; on the
    published documents, where both kinds and both scopes are loaded, it is what the documents say."""
    from bot.cli_load import choose
    from loaders.model import Disclosure

    kb = tmp_path / "kb.db"
    build.write(kb, choose([d for d in published.values() if isinstance(d, Disclosure)])[0])
    engine = Engine.open(kb)
    assert store.derived(engine.conn, "kinds") == engine.catalog.kinds()  # from the load, not counted at the first ranking
    documents = list(engine.catalog.every())
    years = {d["year"] for d in documents}
    kinds = {(d["kind"], d.get("scope") or "部门") for d in documents}
    assert len(kinds) >= 3
    for year in [None, *sorted(years)]:
        expected: dict[tuple[str, str], int] = {}
        for d in documents:
            if year is None or d["year"] == year:
                expected[(d["kind"], d.get("scope") or "部门")] = expected.get((d["kind"], d.get("scope") or "部门"), 0) + 1
        assert engine.kinds_in(year, None) == expected
