"""The knowledge base on PostgreSQL: the same base and the same answers as on SQLite, for every
public set; several load workers at once; a killed worker; loading again. Every test runs on a
real server (tests/postgres_server.py), never a stand-in."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.cli_load import choose, read_all
from knowledge import build, store
from knowledge.engine import Engine
from knowledge.store import postgres
from loaders import read_disclosure

from .conftest import DISCLOSURES, GENERATED, SAMPLE, SHARED
from .test_storage_safety import SAMPLE_FIGURE, SAMPLE_QUESTION, departments

CLI = [sys.executable, "-m", "bot"]
EVAL = SHARED / "eval"
# what only a server base has: its migrations, the derivation queue, the generation in meta
SERVER_ONLY = {"schema_migrations", "derive_queue", "meta"}


def content(kb: Path | str) -> dict[str, list[str]]:
    """Every row of every table the two stores share, sorted: what the base holds."""
    conn = store.open_readonly(kb)
    try:
        tables = ["documents", *store.DOCUMENT_TABLES, "key_figures", "derived", "vocabulary_sources", "body_forms", "body_places"]
        return {t: sorted(repr(tuple(r)) for r in conn.execute(f'SELECT * FROM "{t}"')) for t in tables}
    finally:
        conn.close()


def load(kb: Path | str, *files: Path, workers: int = 1) -> subprocess.Popen[str]:
    return subprocess.Popen(CLI + ["load", "-j", str(workers), "--kb", str(kb), *map(str, files)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def loaded(kb: Path | str, *files: Path) -> str:
    proc = load(kb, *files)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    return out


def test_the_same_base_on_both_stores(tmp_path, pg_kb):
    """Every row of every table, byte for byte: documents, cells, records, key figures and the
    derived vocabulary — the store is a place, not a reading."""
    disclosures = [read_disclosure(SAMPLE)] + [read_disclosure(d / "disclosure.txt") for d in GENERATED[:4]]
    for kb in (tmp_path / "kb.db", pg_kb):  # in two loads: the second one's key figures a worker prepares (PostgreSQL)
        build.write(kb, disclosures[:2])
        build.write(kb, disclosures[2:])
    on_file, on_server = content(tmp_path / "kb.db"), content(pg_kb)
    assert on_file["documents"] and on_file["key_figures"] and on_file["cells"]
    assert on_server == on_file


# Each public set as ../shared/eval/run_public.sh loads it: its questions and its files.
def _sets() -> dict[str, tuple[str, list[Path]]]:
    d = DISCLOSURES
    seed = [d / "475_望都县乡村振兴局_2022_部门预算.txt"]
    out = {
        "seed": ("seed_public.jsonl", seed),
        "generated": ("generated_public.jsonl", seed + sorted(d.glob("generated/*/disclosure.pdf"))),
        "generated_v3": ("generated_v3_public.jsonl", sorted(d.glob("generated_v3/*/disclosure.pdf"))),
        "real": ("real_public.jsonl", sorted(d.glob("real/*.pdf"))),
        "real_more": ("real_more_public.jsonl", sorted(d.glob("real_more/*.pdf"))),
        "corpus": ("corpus_public.jsonl", sorted(d.glob("corpus/*.pdf"))),
    }
    for f in ("txt", "pdf", "xlsx"):
        files = seed + sorted(d.glob(f"generated/*/disclosure.{f}")) + sorted(d.glob(f"generated_v2/*/disclosure.{f}"))
        out[f"generated_v2_{f}"] = ("generated_v2_public.jsonl", files)
    return out


PUBLIC_SETS = _sets()


def _score_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("eval_score", EVAL / "score.py")
    if spec is None or spec.loader is None or not (EVAL / "score.py").exists():
        return None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


score = _score_module()


@pytest.mark.parametrize("name", sorted(PUBLIC_SETS))
def test_every_public_set_answers_alike_on_both_stores(name, tmp_path, pg_kb):
    """Every question of the set, asked of the set loaded into SQLite and into PostgreSQL: the
    same answer, word for word (status, figure, citations, options, route)."""
    cases, files = PUBLIC_SETS[name]
    if score is None or not (EVAL / cases).exists() or not files:
        pytest.skip(f"{cases} or its files are not in ../shared")
    read, _ = read_all([str(f) for f in files], workers=2)  # as `budgetbot load` reads them
    disclosures = choose(read)[0]
    build.write(tmp_path / "kb.db", disclosures)
    build.write(pg_kb, disclosures)
    fmt = name.rsplit("_", 1)[-1] if name.startswith("generated_v2") else None
    lines = (EVAL / cases).read_text(encoding="utf-8").splitlines()
    asked = [c for c in map(json.loads, filter(None, lines)) if fmt is None or fmt in c.get("formats", [fmt])]
    on_file, on_server = Engine.open(tmp_path / "kb.db"), Engine.open(pg_kb)
    assert on_server.catalog.documents == on_file.catalog.documents == len(disclosures)
    answers = [(on_file.ask(c["q"]).to_dict(), on_server.ask(c["q"]).to_dict()) for c in asked]
    differ = [c["q"] for c, (a, b) in zip(asked, answers, strict=True) if a != b]
    assert not differ, f"{len(differ)} of {len(asked)} answered differently, e.g. {differ[:3]}"
    judged = [score.judge(c, b) for c, (_, b) in zip(asked, answers, strict=True)]  # the eval's own judge
    right, wrong_figures = sum(ok for ok, _, _ in judged), sum(wrong for _, wrong, _ in judged)
    assert wrong_figures == 0 and right >= 0.9 * len(asked), f"{name}: {right}/{len(asked)}, wrong_figures={wrong_figures}"


def test_loading_the_same_files_again_changes_nothing(tmp_path, pg_kb):
    files = departments(tmp_path / "in", 3)
    loaded(pg_kb, SAMPLE, *files)
    before = content(pg_kb)
    with postgres.connect(pg_kb, readonly=True) as conn:
        generation = postgres.generation(conn)
    results = build.write(pg_kb, [read_disclosure(f) for f in [SAMPLE, *files]])
    assert {r.status for r in results} == {"unchanged"}
    assert content(pg_kb) == before
    with postgres.connect(pg_kb, readonly=True) as conn:
        assert postgres.generation(conn) == generation  # nothing derived, answerers not reopened


def test_workers_loading_at_once_make_the_base_one_worker_makes(tmp_path, pg_kb, pg_server):
    """Three `budgetbot load` processes into one database, their files overlapping: the same
    documents, key figures and vocabulary as one process loading them all."""
    from .postgres_server import drop_database, new_database

    files = departments(tmp_path / "in", 12)
    shares = [[SAMPLE, *files[0:6]], [*files[4:10]], [*files[8:12], files[0]]]
    workers = [load(pg_kb, *share) for share in shares]
    for w in workers:
        out, err = w.communicate(timeout=300)
        assert w.returncode == 0, err
    reference = new_database(pg_server)
    try:
        loaded(reference, SAMPLE, *files)
        assert content(pg_kb) == content(reference)
    finally:
        drop_database(pg_server, reference)
    engine = Engine.open(pg_kb)
    assert store.pending(engine.conn) == 0
    ranked = engine.ask("哪个部门项目支出最多")
    assert ranked.status == "answered" and ranked.value == SAMPLE_FIGURE and engine.key_measures


def test_a_killed_worker_leaves_whole_documents_and_the_next_load_derives_them(tmp_path, pg_kb, pg_server):
    """SIGKILL at random points of a load: every document in the base is whole (its rows equal a
    complete load's), never half; what it wrote and did not derive is derived by the next load,
    which ends with the base a load that was never killed makes."""
    from .postgres_server import drop_database, new_database

    files = departments(tmp_path / "in", 16)
    reference = new_database(pg_server)
    try:
        started = time.monotonic()
        loaded(reference, SAMPLE, *files)
        duration = time.monotonic() - started
        complete = content(reference)
    finally:
        drop_database(pg_server, reference)
    whole = {t: set(rows) for t, rows in complete.items() if t not in ("key_figures", "derived")}
    rng = random.Random(20261203)
    for _ in range(6):
        worker = load(pg_kb, SAMPLE, *files)
        time.sleep(rng.uniform(0.3, duration))
        worker.send_signal(signal.SIGKILL)
        worker.wait(30)
        now = content(pg_kb)
        for table, rows in now.items():
            if table in whole:
                assert set(rows) <= whole[table], f"{table}: a row no complete load has"
        with postgres.connect(pg_kb, readonly=True) as conn:
            docs = [r[0] for r in conn.execute("SELECT id FROM documents")]
        assert len(docs) <= 17
        for doc in docs:  # each document present has every row a complete load gives it
            for table in whole:
                mine = [r for r in now[table] if r.startswith(f"('{doc}")]
                assert mine == [r for r in complete[table] if r.startswith(f"('{doc}")], f"{doc}: {table} is not whole"
    loaded(pg_kb, SAMPLE, *files)
    assert content(pg_kb) == complete
    with postgres.connect(pg_kb, readonly=True) as conn:
        assert postgres.pending(conn) == 0


def test_an_answerer_sees_a_load_within_a_second(tmp_path, pg_kb):
    from knowledge.live import LiveEngine

    loaded(pg_kb, SAMPLE)
    live = LiveEngine(pg_kb, check_every=0)
    assert live.current().ask("测试县第1局项目支出多少").status == "not_found"
    loaded(pg_kb, *departments(tmp_path / "in", 2))
    assert live.current().ask("测试县第1局项目支出多少").value == SAMPLE_FIGURE
    assert live.generation == 2
    assert live.current().ask(SAMPLE_QUESTION).value == SAMPLE_FIGURE and live.generation == 2  # no change: no reopen


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(CLI + list(args), capture_output=True, text=True, timeout=120)


def test_a_server_that_is_not_there_or_holds_no_base_is_one_chinese_line(pg_kb):
    gone = "postgresql://nobody:secret@127.0.0.1:1/none?connect_timeout=2"
    for args in (["ask", "--kb", gone, "项目支出多少"], ["show", "--kb", gone], ["check", "--kb", gone]):
        done = run(*args)
        assert done.returncode == 1 and "连接不上 PostgreSQL 知识库" in done.stderr and "Traceback" not in done.stderr, done.stderr
        assert "secret" not in done.stderr  # a password is never printed
    empty = run("ask", "--kb", pg_kb, "项目支出多少")
    assert empty.returncode == 1 and "没有知识库" in empty.stderr and "budgetbot load --kb" in empty.stderr


def test_check_reports_a_server_base_and_what_is_left_to_derive(tmp_path, pg_kb):
    loaded(pg_kb, SAMPLE)
    done = run("check", "--kb", pg_kb)
    assert done.returncode == 0 and "完好（PostgreSQL" in done.stdout and "1 份公开" in done.stdout
    with postgres.connect(pg_kb, readonly=False) as conn:  # what a worker killed after its write leaves
        postgres.queue_for_derivation(conn, "望都县乡村振兴局/2022/预算")
    done = run("check", "--kb", pg_kb)
    assert done.returncode == 1 and "派生数据" in done.stderr
    assert Engine.open(pg_kb).key_measures == {}  # rankings read the documents until it is derived
    loaded(pg_kb, SAMPLE)  # nothing new to read: the queue is derived all the same
    assert run("check", "--kb", pg_kb).returncode == 0


def test_a_base_of_another_schema_version_says_what_to_do(pg_kb):
    loaded(pg_kb, SAMPLE)
    with postgres.connect(pg_kb, readonly=False) as conn:
        conn.execute("UPDATE meta SET value = '7' WHERE key = 'schema_version'")
    done = run("ask", "--kb", pg_kb, "项目支出多少")
    assert done.returncode == 1 and "知识库版本是 7" in done.stderr


def test_loading_in_steps_derives_what_loading_at_once_derives(tmp_path, any_kb, pg_server):
    """A load derives only what it adds (the vocabulary when a name is new, first definers of the
    documents written, their key figures): loaded one document at a time, in reverse order, the
    base holds what one load of them all gives — on each store."""
    disclosures = [read_disclosure(SAMPLE)] + [read_disclosure(d / "disclosure.txt") for d in GENERATED[:5]]
    disclosures += [read_disclosure(f) for f in departments(tmp_path / "named", 2)]  # names of their own in their titles
    at_once = tmp_path / "at_once.db"
    build.write(at_once, disclosures)
    for d in reversed(disclosures):
        build.write(any_kb, [d])
    stepwise, whole = content(any_kb), content(at_once)
    assert stepwise == whole
    conn = store.open_readonly(any_kb)
    assert store.derived(conn, "first_definers") and store.sources_count(conn)["terms"] > 100
    conn.close()


@pytest.mark.parametrize("version", [8, 9])
def test_a_base_of_a_version_before_is_upgraded_by_the_next_load(tmp_path, version):
    """Schema 8 had no vocabulary sources, 9 no bodies' index (every engine read every body's forms
    at start): a reader asks for a load; the load upgrades the base in its own transaction and
    derives it whole, giving the base a new load gives."""
    import sqlite3

    kb = tmp_path / "kb.db"
    files = departments(tmp_path / "in", 2)
    loaded(kb, SAMPLE, files[0])
    conn = sqlite3.connect(kb)
    for table in ["body_forms", "body_places"] + (["vocabulary_sources"] if version == 8 else []):
        conn.execute(f"DROP TABLE {table}")
    if version == 8:
        conn.execute("DELETE FROM derived WHERE key = 'derived_by'")  # a schema 8 base had none
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(version)])
    conn.commit()
    conn.close()
    asked = run("ask", "--kb", str(kb), SAMPLE_QUESTION)
    assert asked.returncode == 1 and f"知识库版本是 {version}" in asked.stderr
    loaded(kb, files[1])
    fresh = tmp_path / "fresh.db"
    loaded(fresh, SAMPLE, *files)
    assert content(kb) == content(fresh)
    assert Engine.open(kb).ask(SAMPLE_QUESTION).value == SAMPLE_FIGURE


def test_a_server_base_named_in_the_config_or_the_environment_is_used(tmp_path, pg_kb):
    """`kb = "postgresql://…"` in the config (not a path beside the config) and $BUDGETBOT_KB."""
    import os

    loaded(pg_kb, SAMPLE)
    config = tmp_path / "config.toml"
    config.write_text(f'kb = "{pg_kb}"\n', encoding="utf-8")
    by_config = run("ask", "--config", str(config), "--json", SAMPLE_QUESTION)
    assert by_config.returncode == 0 and json.loads(by_config.stdout)["value"] == SAMPLE_FIGURE, by_config.stderr
    env = {**os.environ, "BUDGETBOT_KB": pg_kb}
    by_env = subprocess.run(CLI + ["ask", "--json", SAMPLE_QUESTION], capture_output=True, text=True, env=env, timeout=120)
    assert by_env.returncode == 0 and json.loads(by_env.stdout)["value"] == SAMPLE_FIGURE, by_env.stderr


@pytest.mark.parametrize("order", ["区 first", "县 first"])
def test_bodies_added_one_load_at_a_time_are_indexed_as_all_at_once(tmp_path, order):
    """A load that adds only bodies adds their forms to the stored vocabulary; where a place's
    short form is shared (朝阳 of 朝阳区 and 朝阳县), which it means depends on every body, and the
    vocabulary is built whole: either way, the base one load of them all gives."""
    import copy

    template = read_disclosure(SAMPLE)
    names = ["北京市朝阳区教育局", "辽宁省朝阳县教育局", "望都县教育局", "望都县卫生健康局"]
    if order == "县 first":
        names = [names[1], names[0], *names[2:]]
    docs = []
    for i, name in enumerate(names):
        d = copy.deepcopy(template)
        d.department, d.source_sha256 = name, f"bodies-{i}"
        docs.append(d)
    at_once, stepwise = tmp_path / "at_once.db", tmp_path / "stepwise.db"
    build.write(at_once, docs)
    for d in docs:
        build.write(stepwise, [d])
    assert content(stepwise) == content(at_once)
    engine = Engine.open(stepwise)
    assert engine.vocab.places["朝阳"] == Engine.open(at_once).vocab.places["朝阳"]
    assert engine.ask("望都县卫健局2022年项目支出多少").value == SAMPLE_FIGURE


@pytest.mark.parametrize("at", [1, 2])
def test_a_database_of_an_older_migration_is_migrated_by_the_next_load(pg_kb, at):
    """A database made at migration 1 (no descending ranking indexes) or 2 (no bodies' index:
    schema 9): readers are told to load once; the next load, whatever it reads, applies what is
    missing once and derives the base whole — the base a new load gives."""
    loaded(pg_kb, SAMPLE)
    fresh = content(pg_kb)
    with postgres.connect(pg_kb, readonly=False) as conn:
        if at < 2:
            conn.execute("DROP INDEX idx_key_figures_year_desc")
            conn.execute("DROP INDEX idx_key_figures_newest_desc")
        conn.execute("DROP TABLE body_forms")
        conn.execute("DROP TABLE body_places")
        conn.execute("UPDATE meta SET value = '9' WHERE key = 'schema_version'")
        conn.execute("DELETE FROM schema_migrations WHERE version > ?", [at])
        assert postgres.applied(conn) == at
    asked = run("ask", "--kb", pg_kb, SAMPLE_QUESTION)
    assert asked.returncode == 1 and "知识库版本是 9" in asked.stderr and "budgetbot load" in asked.stderr
    loaded(pg_kb, SAMPLE)  # unchanged file: nothing to write, the schema brought up to date all the same
    with postgres.connect(pg_kb, readonly=True) as conn:
        assert postgres.applied(conn) == postgres.LATEST == 3
        indexes = {r[0] for r in conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'key_figures'")}
    assert {"idx_key_figures_year_desc", "idx_key_figures_newest_desc"} <= indexes
    assert content(pg_kb) == fresh
    assert Engine.open(pg_kb).ask(SAMPLE_QUESTION).value == SAMPLE_FIGURE
