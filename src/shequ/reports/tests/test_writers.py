"""The writers, from hand-made figures: the workbook read back with openpyxl, the PDF read back with
pypdf, "—" wherever a value is missing, and cells that can never run as formulas."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from conftest import Tree, make_area
from shequ.reports import pdf as pdf_writer
from shequ.reports.tests import samples
from shequ.reports.xlsx import write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chinese() -> Any:
    with translation.override("zh-hans"):
        yield


def _content(tree: Tree, **kwargs: Any) -> Any:
    hostile = make_area(tree.district, '=HYPERLINK("http://x")街道', "440605122000")
    return samples.content(tree.district, [tree.street, hostile], **kwargs)


def _pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), text.replace(" ", "").replace("\n", "")


def test_the_workbook_holds_every_figure_with_its_numerator_denominator_and_formula(tree: Tree) -> None:
    content = _content(tree)
    book = load_workbook(io.BytesIO(write_xlsx(content)))
    assert book.sheetnames == ["指标", "趋势", "下级区域", "年度目标"]
    sheet = book["指标"]
    assert sheet["A1"].value == content.title
    rows = list(sheet.iter_rows(min_row=7, values_only=True))
    assert rows[0] == ("分组", "指标", "分子", "分母", "数值", "公式")
    by_label = {r[1]: r for r in rows[1:]}
    for f in content.figures:
        _group, _label, numerator, denominator, value, formula = by_label[f.label]
        assert numerator == float(f.numerator)
        assert denominator == f.denominator  # empty for a count
        assert value == ("—" if f.value is None else float(f.value))
        assert formula == f.formula
    # A rate with a zero denominator is "—", never 0%.
    assert by_label["需求满足率"][4] == "—"
    # Rates are numbers shown with a percent sign (42.9 is 42.9%), hours with "h".
    cells = {c.value: c for c in sheet["B"]}
    assert sheet.cell(row=cells["居民参与率"].row, column=5).number_format == '0.0"%"'
    assert sheet.cell(row=cells["志愿服务时长"].row, column=5).number_format == '#,##0.0" h"'


def test_the_workbook_has_the_trend_the_areas_below_and_the_targets(tree: Tree) -> None:
    content = _content(tree)
    book = load_workbook(io.BytesIO(write_xlsx(content)))
    trend = list(book["趋势"].iter_rows(min_row=2, values_only=True))
    assert trend[0] == ("指标", *[p.label() for p in content.trend])
    participation = next(r for r in trend if r[0] == "居民参与率")
    assert participation[6] == "—"  # the sixth month had no denominator
    assert participation[1] == pytest.approx(42.9)
    below = list(book["下级区域"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in below[1:]] == [tree.street.name, '\'=HYPERLINK("http://x")街道']
    targets = list(book["年度目标"].iter_rows(min_row=3, values_only=True))
    assert targets[0] == ("党员志愿服务人次", 200, 150, 75.0, "否")
    assert targets[1][4] == "是"


def test_no_cell_of_the_workbook_is_a_formula(tree: Tree) -> None:
    book = load_workbook(io.BytesIO(write_xlsx(_content(tree))))
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value}"


def test_the_pdf_says_the_chinese_title_the_figures_and_dashes_where_nothing_is_counted(tree: Tree) -> None:
    content = _content(tree)
    pages, text = _pdf_text(pdf_writer.write_pdf(content))
    assert pages >= 3  # figures; trend charts and table; areas below and targets
    assert content.title.replace(" ", "") in text
    for f in content.figures:
        assert f.label in text
        assert f.display() in text
    assert "—" in text
    assert "年度目标" in text
    assert "党员志愿服务人次" in text
    assert tree.street.name in text


def test_the_pdf_draws_a_trend_line_and_a_bar_per_area_below(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn: dict[str, Any] = {}
    line, bar = pdf_writer.line_chart, pdf_writer.bar_chart

    def spy_line(*args: Any, **kwargs: Any) -> Any:
        drawn.setdefault("lines", []).append(args[2])
        return line(*args, **kwargs)

    def spy_bar(*args: Any, **kwargs: Any) -> Any:
        drawn.setdefault("bars", []).append(args[2])
        return bar(*args, **kwargs)

    monkeypatch.setattr(pdf_writer, "line_chart", spy_line)
    monkeypatch.setattr(pdf_writer, "bar_chart", spy_bar)
    pdf_writer.write_pdf(_content(tree))
    # One line chart per group with rates (service, appeals, special groups), each a line per rate.
    assert [[label for label, _f in series] for series in drawn["lines"]] == [
        ["居民参与率", "居民受益率", "需求满足率"],
        ["诉求解决率"],
        ["独居老人走访率"],
    ]
    # Bar charts of the areas below, for the rates that have a value somewhere (not the all-"—" one).
    assert len(drawn["bars"]) == 4
    assert all(
        [name for name, _f in rows] == [tree.street.name, '=HYPERLINK("http://x")街道']
        for rows in drawn["bars"]
    )


def test_a_month_without_any_value_draws_a_gap_not_an_error(tree: Tree) -> None:
    content = _content(tree)
    nothing = samples.rate("need_satisfaction", "需求满足率", 0, 0)
    font = pdf_writer._font()  # registered here, as write_pdf does, so the test needs no earlier PDF
    drawing = pdf_writer.line_chart(
        font, ["1", "2"], [("需求满足率", [nothing, nothing])], width=300, height=120
    )
    assert any(getattr(s, "text", "") == "—" for s in drawing.contents)
    assert pdf_writer.write_pdf(content)[:5] == b"%PDF-"
