"""PDF, XLSX and text readers give one model: the same cells, the same narrative."""

from __future__ import annotations

import pytest

from loaders import DisclosureFormatError, read_disclosure

from .conftest import GENERATED


def cells(d):
    return {t.key: [(r.number, r.code, r.full_name, r.values, r.ambiguous) for r in t.rows] for t in d.tables[:9]}


@pytest.mark.parametrize("folder", GENERATED, ids=lambda p: p.name)
def test_three_formats_give_identical_cells(folder):
    text, pdf, xlsx = (read_disclosure(folder / f"disclosure.{f}") for f in ("txt", "pdf", "xlsx"))
    assert cells(text) == cells(pdf) == cells(xlsx)
    assert [c.key for c in pdf.table("收入总表").columns] == [c.key for c in text.table("收入总表").columns]


@pytest.mark.parametrize("folder", GENERATED, ids=lambda p: p.name)
def test_pdf_narrative_equals_the_text_narrative(folder):
    text, pdf = read_disclosure(folder / "disclosure.txt"), read_disclosure(folder / "disclosure.pdf")
    assert [(f.key, f.value, f.reason) for f in pdf.facts] == [(f.key, f.value, f.reason) for f in text.facts]
    assert [(x.term, x.text) for x in pdf.definitions] == [(x.term, x.text) for x in text.definitions]
    assert [(i.level3, i.value_text, i.unit) for i in pdf.indicators] == [
        (i.level3, i.value_text, i.unit) for i in text.indicators
    ]
    assert len(pdf.indicators) == 4 and pdf.duties == text.duties
    assert pdf.table("支出总表").page == 4  # real page numbers from the PDF


def test_reader_is_chosen_by_content_not_extension(tmp_path):
    folder = GENERATED[0]
    disguised = tmp_path / "report.txt"
    disguised.write_bytes((folder / "disclosure.pdf").read_bytes())
    assert read_disclosure(disguised).source_format == "pdf"
    book = tmp_path / "tables.dat"
    book.write_bytes((folder / "disclosure.xlsx").read_bytes())
    assert read_disclosure(book).source_format == "xlsx"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("broken.pdf", b"%PDF-1.4\n%%EOF garbage", "PDF 文件已损坏"),
        ("broken.xlsx", b"PK\x03\x04 not really a zip", "XLSX 工作簿已损坏"),
    ],
)
def test_damaged_pdf_and_xlsx_are_one_clear_error(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DisclosureFormatError) as err:
        read_disclosure(path)
    assert reason in str(err.value) and str(path) in str(err.value)


def test_truncated_pdf_is_rejected(tmp_path):
    data = (GENERATED[0] / "disclosure.pdf").read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(DisclosureFormatError):
        read_disclosure(path)
