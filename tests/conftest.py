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


