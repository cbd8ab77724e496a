"""A bank of everyday questions over the shared disclosures, scored like the hidden sets.

Seven department-years (../shared/disclosures/generated and generated_v2, as text, with the seed
beside them) × the figures people ask for × the ways they ask (full name, county without 县,
name without county; 2023年 or 23年; 多少 / 多少钱 / 是多少 / 请问…？; colloquial names). The expected
figure of every question is the one its document states (its truth.json). The bank must give no
wrong figure and answer at least 98 % of it from text or PDF (80 % from the tables-only workbooks).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from knowledge import build
from knowledge.body_names import split_place
from knowledge.engine import Engine
from loaders import read_disclosure

from .conftest import GENERATED, GENERATED_V2, SAMPLE

# fact in truth.json → ways people ask for it ({d}: the body, {y}: the year)
PHRASINGS: dict[str, list[str]] = {
    "基本支出": ["{d}{y}基本支出是多少", "{y}{d}的基本支出多少钱", "{d}{y}基本经费多少"],
    "项目支出": ["{d}{y}项目支出多少", "请问{d}{y}项目支出预算是多少？", "{d}{y}项目经费一共多少"],
    "人员经费": ["{d}{y}人员经费是多少", "{d}{y}人头经费多少"],
    "日常公用经费": ["{d}{y}公用经费多少", "{d}{y}日常公用经费是多少"],
    "三公经费": ["{d}{y}三公经费多少", "{d}{y}“三公”经费预算是多少"],
    "公务接待费": ["{d}{y}公务接待费多少", "{d}{y}招待费一年多少"],
    "公务用车运行维护费": ["{d}{y}公务用车运行维护费是多少", "{d}{y}公车运行费多少"],
    "机关运行经费": ["{d}{y}机关运行经费多少", "{d}{y}机关运行经费是多少钱"],
    "支出总额": ["{d}{y}支出总额是多少", "{d}{y}总支出多少"],
    "收入总额": ["{d}{y}收入总额多少", "{d}{y}总收入是多少"],
    "政府采购预算": ["{d}{y}政府采购预算多少"],
    "固定资产总额": ["{d}{y}固定资产总额是多少"],
    "车辆数": ["{d}{y}有几辆车"],
}


def _cases() -> list[tuple[str, float, str]]:
    cases = []
    for folder in [*GENERATED, *GENERATED_V2]:
        truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
        name, year = truth["department"], truth["year"]
        places, core, _, _ = split_place(name)
        bodies = [name, places[-1][:-1] + core if places else name, core]
        years = [f"{year}年", f"{str(year)[2:]}年"]
        n = 0
        for fact, phrasings in PHRASINGS.items():
            value = truth["narrative"].get(fact)
            if value is None:
                continue
            for phrasing in phrasings:
                for body in bodies[:2] if n % 2 else bodies[1:]:
                    cases.append((phrasing.format(d=body, y=years[n % 2]), float(value), folder.name))
                    n += 1
    return cases


CASES = _cases()


# The workbooks hold the tables only: what only the narrative states (机关运行经费, assets) is not there.
ANSWERED_AT_LEAST = {"txt": 0.98, "pdf": 0.98, "xlsx": 0.80}


@pytest.fixture(scope="module", params=list(ANSWERED_AT_LEAST))
def engine(request, tmp_path_factory) -> Engine:
    if not GENERATED_V2:
        pytest.skip("../shared/disclosures/generated_v2 is not there")
    path = tmp_path_factory.mktemp("kb") / f"bank-{request.param}.db"
    files = [SAMPLE] + [d / f"disclosure.{request.param}" for d in GENERATED + GENERATED_V2]
    build.write(path, [read_disclosure(f) for f in files])
    engine = Engine.open(path)
    engine.format = request.param  # type: ignore[attr-defined]
    return engine


def test_the_bank_is_large_and_varied():
    assert len(CASES) >= 300
    assert len({q for q, _, _ in CASES}) == len(CASES)


def test_the_question_bank_gives_no_wrong_figure(engine):
    wrong, unanswered = [], []
    for question, value, folder in CASES:
        a = engine.ask(question)
        if a.value is not None and abs(a.value - value) > 0.006:
            wrong.append((folder, question, a.value, value, a.answer[:80]))
        elif a.value is None:
            unanswered.append((folder, question, a.status, a.answer[:80]))
    assert wrong == []
    share = 1 - len(unanswered) / len(CASES)
    assert share >= ANSWERED_AT_LEAST[engine.format], unanswered[:20]


def test_the_bank_reads_each_figure_from_its_own_document(engine):
    """Every answered figure cites the department the question names (never a namesake)."""
    for question, _, folder in CASES[::7]:
        a = engine.ask(question)
        if a.value is not None:
            truth = json.loads((Path(GENERATED_V2[0]).parents[1] / _family(folder) / folder / "truth.json").read_text(encoding="utf-8"))
            assert all(c.department == truth["department"] for c in a.citations), (question, a.answer)


def _family(folder: str) -> str:
    return "generated_v2" if any(p.name == folder for p in GENERATED_V2) else "generated"
