"""Fixtures built from the shared disclosures (../shared beside the repository)."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge import build
from knowledge.engine import Engine
from loaders import read_disclosure

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
