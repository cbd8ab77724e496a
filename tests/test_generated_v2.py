"""The second renderer of the Hebei template (../shared/disclosures/generated_v2): a PDF drawn with
ruling lines and names wrapped inside their cells, text as `pdftotext -raw` gives it, workbooks
whose department line is split over merged cells. Every cell must equal truth.json: exactly from
PDF and XLSX (a figure's position decides), and from text every certain cell, the rest marked
ambiguous with the truth among the candidates — never a wrong figure."""

from __future__ import annotations

import json

import pytest

from loaders import read_disclosure

from .conftest import GENERATED_V2, KEYMAP


@pytest.mark.parametrize("fmt", ["pdf", "xlsx", "txt"])
@pytest.mark.parametrize("folder", GENERATED_V2, ids=lambda p: p.name)
def test_every_cell_equals_the_truth(folder, fmt):
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    d = read_disclosure(folder / f"disclosure.{fmt}")
    assert (d.department, d.year) == (truth["department"], truth["year"])
    open_cells = 0
    for tt in truth["tables"]:
        t = next(x for x in d.tables if x.title == tt["title"])
        assert len(t.rows) == len(tt["rows"]), tt["title"]
        for want, row in zip(tt["rows"], t.rows, strict=True):
            assert (row.number, row.code, row.full_name) == (want["row"], want["code"], want["name"])
            values = {KEYMAP.get(k, k): v for k, v in want["values"].items()}
            for key, value in row.values.items():
                assert values.get(key, 0.0) == value, (tt["title"], row.number, key)
            for a in row.ambiguous:
                assert any(values.get(c) == a.value for c in a.candidates), (tt["title"], row.number, a)
                open_cells += 1
            placed = set(row.values) | {c for a in row.ambiguous for c in a.candidates if values.get(c) == a.value}
            assert set(values) <= placed, (tt["title"], row.number)
    if fmt != "txt":
        assert open_cells == 0  # from a PDF or a workbook every figure's column is known
    assert d.warnings == []  # every identity of the truth holds, so no check may complain


def test_a_workbook_never_passes_the_公用经费_off_as_机关运行经费():
    """文旅局 2024 has a 事业 subunit: its 机关运行经费 (33.44) is less than the 公用经费 (39.79) the
    workbook prints, so a tables-only file cannot answer 机关运行经费 with a figure."""
    import tempfile
    from pathlib import Path

    from knowledge import build
    from knowledge.engine import Engine

    folder = next(p for p in GENERATED_V2 if p.name == "dept_20")
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    assert truth["narrative"]["机关运行经费"] != truth["narrative"]["公用经费"]
    with tempfile.TemporaryDirectory() as tmp:
        kb = Path(tmp) / "kb.db"
        build.write(kb, [read_disclosure(folder / "disclosure.xlsx")])
        a = Engine.open(kb).ask("文旅局机关运行经费多少")
        assert a.value is None and a.status == "clarify"
        assert f"{truth['narrative']['公用经费']:.2f}" in a.answer
