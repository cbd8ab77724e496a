"""Unit tests of reading a ruled table's cells: header paths over merged cells, code columns,
side-by-side blocks, one-row 三公 tables, 元 → 万元, and a table that cannot be read."""

from __future__ import annotations

import pytest

from loaders.checks import check_columns
from loaders.grid_document import grid_disclosure
from loaders.grid_tables import grid_table
from loaders.pdf_grids import Cell, Grid, TextLine

WIDTH = 60.0


def grid(title: str, rows: list[list[str | tuple[str, int] | None]], unit: str | None = None, page: int = 1) -> Grid:
    """A grid from rows of cell texts; ("text", n) spans n columns, None is covered by a span."""
    n_cols = max(sum(c[1] if isinstance(c, tuple) else 1 for c in r) for r in rows)
    out: list[list[Cell | None]] = []
    for i, r in enumerate(rows):
        cells: list[Cell | None] = []
        x = 0.0
        for c in r:
            if c is None:
                cells.append(None)
                x += WIDTH
                continue
            text, span = c if isinstance(c, tuple) else (c, 1)
            cells.append(Cell(text, x, x + WIDTH * span, i * 20.0, i * 20.0 + 20))
            cells += [None] * (span - 1)
            x += WIDTH * span
        out.append(cells)
    columns = [(j * WIDTH, (j + 1) * WIDTH) for j in range(n_cols)]
    return Grid(page, 0.0, len(rows) * 20.0, out, columns, title=title, unit=unit, pages=[page])


def test_merged_header_cells_name_the_columns_under_them_and_元_becomes_万元():
    g = grid(
        "2025年部门支出预算总表",
        [
            [("项目", 4), ("支出预算", 3)],
            [("功能分类科目编码", 3), "功能分类科目名称", "合计", "基本支出", "项目支出"],
            ["类", "款", "项", None, None, None, None],
            ["201", "", "", "一般公共服务支出", "1,200,000.00", "200,000.00", "1,000,000.00"],
            ["201", "03", "02", "一般行政管理事务", "1,000,000.00", "", "1,000,000.00"],
            [("合计", 4), "1,200,000.00", "200,000.00", "1,000,000.00"],
        ],
        unit="元",
    )
    t, warnings = grid_table(g)
    assert t is not None and warnings == []
    assert [c.key for c in t.columns] == ["合计", "基本支出", "项目支出"]
    row = next(r for r in t.rows if r.code == "2010302")
    assert row.name == "一般行政管理事务" and row.values == {"合计": 100.0, "项目支出": 100.0}
    assert row.texts["合计"] == "1,000,000.00" and t.unit == "元"
    total = next(r for r in t.rows if r.name == "合计")
    assert total.values["基本支出"] == pytest.approx(20.0)


def test_a_two_sided_table_keeps_both_items_of_a_printed_row_together():
    g = grid(
        "部门收支总体情况表",
        [
            [("收入", 2), ("支出", 2)],
            ["项目", "预算数", "项目", "预算数"],
            ["一、一般公共预算拨款收入", "100.00", "一、一般公共服务支出", "60.00"],
            ["", "", "二、教育支出", "40.00"],
            ["收入总计", "100.00", "支出总计", "100.00"],
        ],
    )
    t, _ = grid_table(g)
    assert t is not None and t.key == "收支总表"
    assert [(r.name, r.name_right) for r in t.rows] == [
        ("一、一般公共预算拨款收入", "一、一般公共服务支出"),
        ("", "二、教育支出"),
        ("收入总计", "支出总计"),
    ]
    assert t.rows[-1].values == {"收入预算数": 100.0, "支出预算数": 100.0}


def test_a_三公_table_printed_as_one_row_is_turned_into_items_that_add_up():
    g = grid(
        "“三公”经费支出预算表",
        [
            [("“三公”经费预算数", 6)],
            ["合计", "因公出国(境)费", "公务接待费", ("公务用车购置及运行费", 3)],
            [None, None, None, "小计", "购置费", "运行费"],
            ["30.00", "10.00", "5.00", "15.00", "0", "15.00"],
        ],
    )
    t, _ = grid_table(g)
    assert t is not None
    values = {r.name: r.values.get("合计") for r in t.rows}
    assert values == {"三公经费": 30.0, "因公出国(境)费": 10.0, "公务接待费": 5.0, "公务用车购置及运行费": 15.0,
                      "公务用车购置费": 0.0, "公务用车运行费": 15.0}
    assert check_columns(t) == []  # the header's groups are sums that hold
    t.rows[1].values["合计"] = 11.0
    assert check_columns(t)  # and a figure that breaks one is reported


def test_a_table_that_cannot_be_read_is_a_warning_and_the_rest_loads():
    good = grid("部门支出总体情况表", [["科目编码", "科目名称", "合计"], ["", "合计", "10.00"], ["201", "一般公共服务支出", "10.00"]], page=2)
    bad = grid("部门收入总体情况表", [["序号", "科目名称", "合计"], ["²", "合计", "10.00"]], page=1)
    cover = [TextLine(1, 0.0, 10.0, "某某县某某局"), TextLine(1, 20.0, 30.0, "2024年部门预算")]
    d = grid_disclosure([([bad], cover), ([good], [])], "t.pdf")
    assert (d.department, d.year) == ("某某县某某局", 2024)
    assert [t.key for t in d.tables] == ["支出总表"]
    assert any("部门收入总体情况表" in w.message and "第1页" in w.message for w in d.warnings)
