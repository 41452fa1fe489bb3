"""The report as a PDF: the figures table, the 12-month trend as line charts and a table, the areas
below as bar charts and side by side, and the yearly targets.

Drawn with reportlab in its built-in CID font STSong-Light, as the volunteering certificates are: every
PDF reader carries it, so no font file is shipped or fetched. The charts are drawn from plain shapes
(reportlab.graphics) so that a missing value is shown as "—" instead of breaking the line or the bar."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from shequ.metrics.selectors import Figure, groups
from shequ.reports.content import ReportContent

DASH = "—"
FONT = "STSong-Light"  # as volunteering/certificates.py: a CID font every PDF reader has
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 15 * mm
WIDTH = PAGE_WIDTH - 2 * MARGIN
PALETTE = [
    colors.HexColor(c)
    for c in ("#2f6fb0", "#d9822b", "#3a9a5b", "#c23b3b", "#7b5ea7", "#8c6d3f", "#d16fb0", "#5f6b73")
]
GRID = colors.HexColor("#d0d0d0")
HEAD = colors.HexColor("#f2f2f2")
CHILDREN_PER_TABLE = 6
CHILD_CHARTS = 4  # bar charts of the areas below: the first rate figures, in display order


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _plain(value: int | Decimal | None) -> str:
    if value is None:
        return DASH
    if isinstance(value, Decimal) and value != value.to_integral_value():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def _shown(figure: Figure | None) -> str:
    return DASH if figure is None else figure.display()


class Styles:
    def __init__(self) -> None:
        font = _font()
        self.font = font
        self.title = ParagraphStyle(
            "title", fontName=font, fontSize=18, leading=26, alignment=1, spaceAfter=4 * mm
        )
        self.h2 = ParagraphStyle(
            "h2", fontName=font, fontSize=13, leading=18, spaceBefore=5 * mm, spaceAfter=2 * mm
        )
        self.h3 = ParagraphStyle(
            "h3", fontName=font, fontSize=10.5, leading=15, spaceBefore=2 * mm, spaceAfter=1 * mm
        )
        self.body = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=14, wordWrap="CJK")
        self.cell = ParagraphStyle("cell", fontName=font, fontSize=8, leading=10.5, wordWrap="CJK")
        self.num = ParagraphStyle("num", parent=self.cell, alignment=2)
        self.small = ParagraphStyle("small", fontName=font, fontSize=7, leading=9, wordWrap="CJK")
        self.small_num = ParagraphStyle("small_num", parent=self.small, alignment=2)


def _table(rows: list[list[Any]], widths: Sequence[float], *, header_rows: int = 1, extra: Any = ()) -> Table:
    table = Table(rows, colWidths=list(widths), repeatRows=header_rows, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, GRID),
                ("BACKGROUND", (0, 0), (-1, header_rows - 1), HEAD),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                *extra,
            ]
        )
    )
    return table


# --- charts -----------------------------------------------------------------------------------------


def _axis_max(values: list[float], unit: str) -> float:
    if unit == "%":
        return 100.0
    top = max(values, default=0.0)
    if top <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(top))) - 1)
    return float(((int(top) // magnitude) + 1) * magnitude)


def line_chart(
    font: str, categories: list[str], series: list[tuple[str, list[Figure]]], *, width: float, height: float
) -> Drawing:
    """One line per figure over the months. A month where a figure has no value (zero denominator)
    breaks its line; the month is marked "—" above the axis, and a figure with no value in any month
    is marked "—" in the legend."""
    legend_rows = (len(series) + 2) // 3
    drawing = Drawing(width, height + legend_rows * 11)
    left, bottom, top_pad = 30.0, 18.0 + legend_rows * 11, 8.0
    plot_w, plot_h = width - left - 8, height - 18 - top_pad
    unit = series[0][1][0].unit if series and series[0][1] else "%"
    values = [float(f.value) for _label, figs in series for f in figs if f.value is not None]
    top = _axis_max(values, unit)
    n = max(len(categories), 1)
    step = plot_w / n

    def x_of(i: int) -> float:
        return left + step * (i + 0.5)

    def y_of(v: float) -> float:
        return bottom + plot_h * min(max(v / top, 0.0), 1.0)

    for k in range(5):
        y = bottom + plot_h * k / 4
        drawing.add(Line(left, y, left + plot_w, y, strokeColor=GRID, strokeWidth=0.4))
        tick = top * k / 4
        text = f"{tick:.0f}%" if unit == "%" else f"{tick:,.0f}"
        drawing.add(String(left - 3, y - 3, text, fontName=font, fontSize=6.5, textAnchor="end"))
    drawing.add(Line(left, bottom, left + plot_w, bottom, strokeColor=colors.black, strokeWidth=0.6))
    for i, name in enumerate(categories):
        drawing.add(String(x_of(i), bottom - 10, name, fontName=font, fontSize=6, textAnchor="middle"))
        if any(i < len(figs) and figs[i].value is None for _label, figs in series):
            drawing.add(
                String(
                    x_of(i),
                    bottom + 2,
                    DASH,
                    fontName=font,
                    fontSize=6,
                    fillColor=colors.grey,
                    textAnchor="middle",
                )
            )
    for s, (_label, figures) in enumerate(series):
        color = PALETTE[s % len(PALETTE)]
        run: list[float] = []
        for i, f in enumerate(figures):
            if f.value is None:
                if len(run) >= 4:
                    drawing.add(PolyLine(run, strokeColor=color, strokeWidth=1.2))
                run = []
                continue
            x, y = x_of(i), y_of(float(f.value))
            run += [x, y]
            drawing.add(Circle(x, y, 1.6, fillColor=color, strokeColor=color))
        if len(run) >= 4:
            drawing.add(PolyLine(run, strokeColor=color, strokeWidth=1.2))
    for s, (label, figures) in enumerate(series):
        row, col = divmod(s, 3)
        x = left + col * (plot_w / 3)
        y = legend_rows * 11 - row * 11 - 4
        color = PALETTE[s % len(PALETTE)]
        if all(f.value is None for f in figures):
            label = f"{label} {DASH}"
        drawing.add(Rect(x, y, 8, 4, fillColor=color, strokeColor=color))
        drawing.add(
            String(x + 11, y - 1, _fit(label, font, 6.5, plot_w / 3 - 14), fontName=font, fontSize=6.5)
        )
    return drawing


def _fit(text: str, font: str, size: float, width: float) -> str:
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def bar_chart(font: str, title: str, rows: list[tuple[str, Figure | None]], *, width: float) -> Drawing:
    """A horizontal bar per area below; "—" where the figure has no value."""
    bar_h, gap, label_w, value_w = 9.0, 3.0, 84.0, 34.0
    height = 16 + len(rows) * (bar_h + gap) + 4
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 10, _fit(title, font, 8.5, width), fontName=font, fontSize=8.5))
    plot_w = width - label_w - value_w
    unit = next((f.unit for _n, f in rows if f is not None), "%")
    top = _axis_max([float(f.value) for _n, f in rows if f is not None and f.value is not None], unit)
    y = height - 16 - bar_h
    for name, figure in rows:
        drawing.add(
            String(
                label_w - 3,
                y + 2,
                _fit(name, font, 7, label_w - 4),
                fontName=font,
                fontSize=7,
                textAnchor="end",
            )
        )
        drawing.add(Rect(label_w, y, plot_w, bar_h, fillColor=colors.HexColor("#f5f5f5"), strokeColor=None))
        if figure is None or figure.value is None:
            drawing.add(String(label_w + 3, y + 2, DASH, fontName=font, fontSize=7))
        else:
            length = plot_w * min(max(float(figure.value) / top, 0.0), 1.0)
            drawing.add(Rect(label_w, y, length, bar_h, fillColor=PALETTE[0], strokeColor=None))
            drawing.add(String(label_w + plot_w + 3, y + 2, figure.display(), fontName=font, fontSize=7))
        y -= bar_h + gap
    return drawing


# --- sections ---------------------------------------------------------------------------------------


def _facts(content: ReportContent, st: Styles) -> Table:
    facts = [
        (_("Area"), content.area_trail),
        (
            _("Period"),
            f"{content.period.label()}（{content.period.start:%Y-%m-%d} – {content.period.end:%Y-%m-%d}）",
        ),
        (_("Generated at"), f"{content.generated_at:%Y-%m-%d %H:%M}"),
        (_("Generated by"), content.generated_by),
    ]
    table = Table(
        [[Paragraph(str(k), st.body), Paragraph(_escape(v), st.body)] for k, v in facts],
        colWidths=[28 * mm, WIDTH - 28 * mm],
    )
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    return table


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _figures_table(content: ReportContent, st: Styles) -> Table:
    header = [_("Figure"), _("Numerator"), _("Denominator"), _("Value"), _("Formula")]
    rows: list[list[Any]] = [[Paragraph(h, st.cell) for h in header]]
    extra: list[Any] = []
    for group, label in groups():
        figures = [f for f in content.figures if f.group == group]
        if not figures:
            continue
        extra += [
            ("SPAN", (0, len(rows)), (-1, len(rows))),
            ("BACKGROUND", (0, len(rows)), (-1, len(rows)), colors.HexColor("#e8eef6")),
        ]
        rows.append([Paragraph(label, st.cell), "", "", "", ""])
        for f in figures:
            rows.append(
                [
                    Paragraph(_escape(f.label), st.cell),
                    Paragraph(_plain(f.numerator), st.num),
                    Paragraph("" if f.denominator is None else _plain(f.denominator), st.num),
                    Paragraph(f.display(), st.num),
                    Paragraph(_escape(f.formula), st.cell),
                ]
            )
    return _table(rows, [48 * mm, 20 * mm, 20 * mm, 18 * mm, WIDTH - 106 * mm], extra=extra)


def _trend_section(content: ReportContent, st: Styles) -> list[Any]:
    story: list[Any] = [Paragraph(_("Month by month"), st.h2)]
    months = [f"{p.start.month}" for p in content.trend]
    for group, label in groups():
        series = [
            (f.label, content.trend_figures.get(f.key, []))
            for f in content.figures
            if f.group == group and f.unit == "%" and content.trend_figures.get(f.key)
        ]
        if series:
            chart = line_chart(st.font, months, series[: len(PALETTE)], width=WIDTH, height=52 * mm)
            story.append(
                KeepTogether([Paragraph(_("%(group)s: rates by month") % {"group": label}, st.h3), chart])
            )
    label_w = 44 * mm
    cell_w = (WIDTH - label_w) / max(len(content.trend), 1)
    rows: list[list[Any]] = [
        [Paragraph(_("Figure"), st.small), *[Paragraph(f"{p.start:%Y-%m}", st.small) for p in content.trend]]
    ]
    for f in content.figures:
        values = content.trend_figures.get(f.key, [])
        rows.append(
            [Paragraph(_escape(f.label), st.small), *[Paragraph(_shown(v), st.small_num) for v in values]]
            + [""] * (len(content.trend) - len(values))
        )
    story += [Spacer(1, 2 * mm), _table(rows, [label_w, *[cell_w] * len(content.trend)])]
    return story


def _children_section(content: ReportContent, st: Styles) -> list[Any]:
    story: list[Any] = [CondPageBreak(60 * mm), Paragraph(_("The areas below, side by side"), st.h2)]
    if not content.children:
        return [*story, Paragraph(_("This area has no areas below it that you may see."), st.body)]
    by_child = [(child.name, {f.key: f for f in figures}) for child, figures in content.children]
    # The rate figures that some area below has a value for, in display order; all "—" only if none has.
    rates = [f for f in content.figures if f.unit == "%"]
    valued = [
        f for f in rates if any(getattr(figs.get(f.key), "value", None) is not None for _n, figs in by_child)
    ]
    rates = (valued or rates)[:CHILD_CHARTS]
    charts = [
        bar_chart(
            st.font,
            f.label,
            [(name, figures.get(f.key)) for name, figures in by_child],
            width=WIDTH / 2 - 4 * mm,
        )
        for f in rates
    ]
    pairs = [charts[i : i + 2] + [""] * (2 - len(charts[i : i + 2])) for i in range(0, len(charts), 2)]
    if pairs:
        grid = Table(pairs, colWidths=[WIDTH / 2, WIDTH / 2])
        grid.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        story.append(grid)
    label_w = 48 * mm
    for start in range(0, len(by_child), CHILDREN_PER_TABLE):
        block = by_child[start : start + CHILDREN_PER_TABLE]
        cell_w = (WIDTH - label_w) / CHILDREN_PER_TABLE
        rows: list[list[Any]] = [
            [Paragraph(_("Figure"), st.cell), *[Paragraph(_escape(name), st.cell) for name, _f in block]]
        ]
        for f in content.figures:
            rows.append(
                [
                    Paragraph(_escape(f.label), st.cell),
                    *[Paragraph(_shown(figs.get(f.key)), st.num) for _n, figs in block],
                ]
            )
        story += [Spacer(1, 3 * mm), _table(rows, [label_w, *[cell_w] * len(block)])]
    return story


def _targets_section(content: ReportContent, st: Styles) -> list[Any]:
    title = _("Yearly targets %(year)d") % {"year": content.period.start.year}
    story: list[Any] = [CondPageBreak(40 * mm), Paragraph(title, st.h2)]
    if not content.targets:
        return [*story, Paragraph(_("No targets are set for this area and year."), st.body)]
    header = [
        _("Target"),
        _("Target value"),
        _("Actual"),
        _("Progress"),
        pgettext("report column", "Target met?"),
    ]
    rows: list[list[Any]] = [[Paragraph(h, st.cell) for h in header]]
    for t in content.targets:
        suffix = t.unit
        rows.append(
            [
                Paragraph(_escape(t.label), st.cell),
                Paragraph(f"{_plain(t.target)}{suffix}", st.num),
                Paragraph(DASH if t.actual is None else f"{_plain(t.actual)}{suffix}", st.num),
                Paragraph(DASH if t.ratio is None else f"{t.ratio}%", st.num),
                Paragraph(_("Yes") if t.met else _("No"), st.cell),
            ]
        )
    return [*story, _table(rows, [WIDTH - 100 * mm, 25 * mm, 25 * mm, 25 * mm, 25 * mm])]


def write_pdf(content: ReportContent) -> bytes:
    st = Styles()
    story: list[Any] = [
        Paragraph(_escape(content.title), st.title),
        _facts(content, st),
        Paragraph(_("Figures of the period"), st.h2),
        _figures_table(content, st),
        Paragraph(
            _(
                "— : the denominator is zero, so there is no rate. "
                "Numbers count only the records of the areas the requester may see."
            ),
            st.small,
        ),
        PageBreak(),
        *_trend_section(content, st),
        *_children_section(content, st),
        *_targets_section(content, st),
    ]

    def decorate(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(st.font, 7.5)
        canvas.setFillColor(colors.grey)
        canvas.drawString(MARGIN, 8 * mm, content.title)
        canvas.drawRightString(PAGE_WIDTH - MARGIN, 8 * mm, _("Page %(n)d") % {"n": doc.page})
        canvas.restoreState()

    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=15 * mm,
        title=content.title,
        author=content.generated_by,
        subject=content.area_trail,
        creator="Shequ",
    )
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return out.getvalue()
