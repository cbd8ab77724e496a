"""Fixtures built from the shared disclosures (../shared beside the repository)."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from knowledge import build
from knowledge.engine import Engine
from loaders import read_disclosure
from loaders.model import Disclosure
from loaders.parts import Part

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SAMPLE = ROOT / "loaders" / "samples" / "475_望都县乡村振兴局_2022_部门预算.txt"
SHARED_SAMPLE = SHARED / "disclosures" / "475_望都县乡村振兴局_2022_部门预算.txt"
GENERATED = sorted((SHARED / "disclosures" / "generated").glob("dept_*"))


@pytest.fixture(scope="session")
def sample():
    return read_disclosure(SAMPLE)


@pytest.fixture(scope="session")
def sample_kb(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("kb") / "sample.db"
    build.write(path, [read_disclosure(SAMPLE)])
    return path


@pytest.fixture(scope="session")
def engine(sample_kb) -> Engine:
    return Engine.open(sample_kb)


@pytest.fixture(scope="session")
def multi_kb(tmp_path_factory) -> Path:
    if not GENERATED:
        pytest.skip("../shared/disclosures/generated is not there")
    path = tmp_path_factory.mktemp("kb") / "multi.db"
    build.write(path, [read_disclosure(SAMPLE)] + [read_disclosure(d / "disclosure.txt") for d in GENERATED])
    return path


@pytest.fixture(scope="session")
def multi_engine(multi_kb) -> Engine:
    return Engine.open(multi_kb)
GENERATED_V2 = sorted((SHARED / "disclosures" / "generated_v2").glob("dept_*"))
REAL = SHARED / "disclosures" / "real"

# Column names truth.json spells differently from the model (the 栏 as printed vs its key).
KEYMAP = {"本年收入小计": "小计", "上解上级支出": "上缴上级支出", "政府性基金预算拨款": "政府性基金预算财政拨款"}


# ------------------------------------------------------------------------------ published documents

DISCLOSURES = SHARED / "disclosures"
FOLDERS = ("corpus", "real", "real_more")


def read_all_of(paths: list[Path]) -> dict[str, Disclosure | Part | str]:
    from bot.cli_load import read_one

    with ProcessPoolExecutor(2) as pool:
        return dict(zip((p.name if p.name != "disclosure.pdf" else p.parent.name for p in paths), pool.map(read_one, paths, [None] * len(paths), [None] * len(paths)), strict=True))


@pytest.fixture(scope="session")
def published() -> dict[str, Disclosure | Part | str]:
    return read_all_of(sorted(p for folder in FOLDERS for p in (DISCLOSURES / folder).glob("*.pdf")))


@pytest.fixture(scope="session")
def generated_v3() -> dict[str, Disclosure | Part | str]:
    return read_all_of(sorted((DISCLOSURES / "generated_v3").glob("*/disclosure.pdf")))




# ------------------------------------------------------------------------------ PostgreSQL


@pytest.fixture(scope="session")
def pg_server():
    """A real PostgreSQL server for the run (tests/postgres_server.py)."""
    import os

    from .postgres_server import throwaway_cluster

    given = os.environ.get("BUDGETBOT_TEST_PG")
    if given:
        yield given
        return
    with throwaway_cluster() as url:
        yield url


@pytest.fixture
def pg_kb(pg_server):
    """A new empty database on the test server, dropped after the test."""
    from .postgres_server import drop_database, new_database

    url = new_database(pg_server)
    yield url
    drop_database(pg_server, url)


@pytest.fixture(params=["sqlite", "postgresql"])
def any_kb(request, tmp_path):
    """The test's knowledge base on each store: a file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return tmp_path / "kb.db"
    return request.getfixturevalue("pg_kb")

