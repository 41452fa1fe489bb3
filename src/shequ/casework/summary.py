"""The case's PDF summary: the client, the stage and risk, the assessment, the plan, the contacts, the
ecomap and the genogram, and the history. A PDF leaves the screen (it is printed, mailed, filed), so
case notes are in it only for a reader holding an approved case-notes grant over the case's area —
not for the case worker or the supervisor by their place alone, who read the notes on their own page
— read through `notes_read`, which audits that read; the summary itself is audited as an export every
time it is made.

Drawn with reportlab in its built-in CID font STSong-Light, as the reports and certificates are."""

from __future__ import annotations

import io
from typing import Any

from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from shequ.casework.maps import maps_of, to_reportlab
from shequ.casework.models import DOMAINS, Case
from shequ.casework.services.notes import may_read_notes, notes_read
from shequ.casework.workflow import CASE
from shequ.core import grants
from shequ.core.audit import audit_log
from shequ.core.models import AuditAction, GrantKind

FONT = "STSong-Light"
WIDTH = A4[0] - 30 * mm


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _table(rows: list[list[str]], widths: list[float], style: ParagraphStyle) -> Table:
    table = Table([[Paragraph(escape(str(c)), style) for c in row] for row in rows], colWidths=widths)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#d0d0d0")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def case_summary_pdf(*, by: Any, case: Case) -> bytes:
    """The summary of a case the reader may see (the caller got it through selectors.case_for)."""
    font = _font()
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=14)
    head = ParagraphStyle("head", fontName=font, fontSize=13, leading=18, spaceBefore=8, spaceAfter=4)
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=22)
    with_notes = (
        may_read_notes(by, case)
        and grants.active_grant(by, GrantKind.CASE_NOTES, path=case.area_path) is not None
    )
    notes = notes_read(by=by, case=case) if with_notes else []
    story: list[Any] = [
        Paragraph(escape(_("Case summary") + f" #{case.pk} · {case.client_name}"), title),
        Spacer(1, 4 * mm),
    ]
    facts = [
        [_("Client"), case.client_name + (f" · {case.household.address}" if case.household_id else "")],
        [_("Stage"), str(case.get_stage_display())],
        [_("Risk level"), str(case.get_risk_display()) if case.risk else "—"],
        [_("Presenting problem"), case.problem],
        [_("Source"), str(case.get_source_display()) + (f" #{case.appeal_id}" if case.appeal_id else "")],
        [_("Case worker"), str(case.owner)],
        [_("Opened on"), f"{case.opened_on:%Y-%m-%d}"],
    ]
    if case.closed_on:
        facts.append([_("Closed on"), f"{case.closed_on:%Y-%m-%d} · {case.get_closure_reason_display()}"])
    if case.goals_met:
        facts.append([_("Goals met"), str(case.get_goals_met_display())])
    story.append(_table(facts, [35 * mm, WIDTH - 35 * mm], body))
    assessment = case.assessments.first()
    if assessment is not None:
        story.append(Paragraph(escape(_("Assessment")), head))
        rows = [[str(label), f"{getattr(assessment, key)} / 5"] for key, label in DOMAINS]
        rows.append([_("Risk level"), str(assessment.get_risk_display())])
        story.append(_table(rows, [50 * mm, 30 * mm], body))
    plan = case.plans.prefetch_related("goals", "tasks").order_by("-submitted_at", "-id").first()
    if plan is not None:
        status = _("Approved") if plan.approved_at else _("Waiting for the supervisor")
        story.append(Paragraph(escape(f"{_('Plan')} · {status}"), head))
        for goal in plan.goals.all():
            story.append(Paragraph(escape(f"• {goal.text}"), body))
        rows = [
            [f"{t.due_on:%Y-%m-%d}", t.text, f"{t.done_on:%Y-%m-%d}" if t.done_on else "—"]
            for t in plan.tasks.all()
        ]
        if rows:
            story.append(
                _table(
                    [[_("Due on"), _("Task"), _("Done")], *rows], [28 * mm, WIDTH - 56 * mm, 28 * mm], body
                )
            )
    contacts = list(case.contacts.all()[:200])
    story.append(Paragraph(escape(_("Contacts")), head))
    if contacts:
        story.append(
            _table(
                [[f"{c.on:%Y-%m-%d}", str(c.get_kind_display()), c.summary] for c in contacts],
                [25 * mm, 35 * mm, WIDTH - 60 * mm],
                body,
            )
        )
    else:
        story.append(Paragraph(escape(_("No contact yet.")), body))
    ecomap, genogram = maps_of(case)
    for drawing in (ecomap, genogram):
        scale = min(1.0, (WIDTH / drawing.width), (120 * mm) / drawing.height)
        story.append(
            KeepTogether(
                [Paragraph(escape(drawing.title), head), to_reportlab(drawing, font=font, scale=scale)]
            )
        )
    labels = {name: str(a.label) for name, a in CASE.actions.items()} | {"open": _("Case opened")}
    history = [
        [f"{timezone.localtime(e.at):%Y-%m-%d %H:%M}", str(e.by or "—"), labels.get(e.action, e.action)]
        for e in case.events.select_related("by")
    ]
    if history:
        story.append(Paragraph(escape(_("History")), head))
        story.append(_table(history, [32 * mm, 35 * mm, WIDTH - 67 * mm], body))
    if with_notes:
        story.append(Paragraph(escape(_("Case notes")), head))
        for n in notes:
            story.append(
                Paragraph(escape(f"{timezone.localtime(n.written_at):%Y-%m-%d %H:%M} · {n.written_by}"), body)
            )
            story.append(Paragraph(escape(n.text).replace("\n", "<br/>"), body))
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"{_('Case summary')} #{case.pk}",
    )
    doc.build(story)
    audit_log(
        action=AuditAction.EXPORT,
        actor=by,
        obj=case,
        area_path=case.area_path,
        changes={"what": "case_summary_pdf", "notes": len(notes) if with_notes else "none"},
    )
    return buffer.getvalue()
