"""Certificates as PDF: the record of volunteer service hours over a period (name, masked ID number,
organisation, activities with dates and hours, issuer, issue date, as the national volunteer-record
rules expect), and the youth social-practice certificate for a student's school.

Drawn with reportlab in its built-in CID font STSong-Light, which every PDF reader carries for Chinese:
no font file is shipped or downloaded. Issuing one is written to the audit log, like an export."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from shequ.core.audit import audit_log
from shequ.core.crypto import decrypt
from shequ.core.errors import DomainError
from shequ.core.idnumber import mask_id_number
from shequ.core.models import AreaKind, AuditAction
from shequ.volunteering import selectors
from shequ.volunteering.models import ActivityKind, ServiceHours, Volunteer

FONT = "STSong-Light"
KINDS = ("hours", "practice")
MAX_ROWS = 2000  # a certificate lists at most this many activities (about 40 pages)


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def masked_id(volunteer: Volunteer) -> str:
    """The ID number as screens show it (region and last four), or "" when none is known."""
    if volunteer.resident is not None:
        from shequ.registry.selectors import masked_id_number

        return masked_id_number(volunteer.resident)
    if volunteer.id_number_encrypted:
        from shequ.volunteering.services import ID_CONTEXT

        return mask_id_number(decrypt(volunteer.id_number_encrypted, context=ID_CONTEXT))
    return ""


def issuer_of(volunteer: Volunteer) -> str:
    """Who issues: the community (or street) the volunteer is registered in, with its parents' names
    so the certificate names a place a school recognises (e.g. 大沥镇平地社区)."""
    area = volunteer.area
    parent = area.parent
    if area.kind == AreaKind.COMMUNITY and parent is not None:
        return f"{parent.name}{area.name}"
    return area.name


def _organiser(hours: ServiceHours) -> str:
    activity = hours.activity
    if activity.team is not None:
        return activity.team.name
    if activity.organisation is not None:
        return activity.organisation.name
    return activity.area.name


@dataclass(frozen=True)
class Certificate:
    number: str
    pdf: bytes
    minutes: int
    activities: int


def _period(start: date, end: date) -> None:
    if end < start:
        raise DomainError(
            _("The period ends before it starts."), code="period_order", fields={"end": "order"}
        )


def certificate_issue(
    *, by: Any, volunteer: Volunteer, start: date, end: date, kind: str = "hours", now: datetime | None = None
) -> Certificate:
    """The PDF of the volunteer's confirmed hours between start and end. `volunteer` comes from
    selectors.volunteer_for (their own record, or one of the staff's areas)."""
    if kind not in KINDS:
        raise DomainError(_("Choose the kind of certificate."), code="kind_invalid")
    _period(start, end)
    now = now or timezone.now()
    rows = list(
        selectors.confirmed_hours(volunteer, start=start, end=end).select_related("activity__area__parent")[
            :MAX_ROWS
        ]
    )
    if kind == "practice":
        rows = [h for h in rows if h.activity.kind == ActivityKind.YOUTH_SOCIAL_PRACTICE]
    minutes = sum(h.minutes for h in rows)
    issued_on = timezone.localdate(now)
    digest = hashlib.sha256(f"{volunteer.pk}:{start}:{end}:{kind}:{minutes}:{len(rows)}".encode()).hexdigest()
    number = f"{'ZY' if kind == 'hours' else 'SJ'}{issued_on:%Y%m%d}{volunteer.pk:06d}{digest[:4].upper()}"
    pdf = _render(volunteer, rows, start=start, end=end, kind=kind, number=number, issued_on=issued_on)
    audit_log(
        action=AuditAction.EXPORT,
        actor=by,
        obj=volunteer,
        area_path=volunteer.area.path,
        changes={
            "certificate": [None, number],
            "period": [None, f"{start}–{end}"],
            "minutes": [None, minutes],
        },
    )
    return Certificate(number=number, pdf=pdf, minutes=minutes, activities=len(rows))


def _hours(minutes: int) -> str:
    return f"{minutes / 60:.1f}"


def _render(
    volunteer: Volunteer,
    rows: list[ServiceHours],
    *,
    start: date,
    end: date,
    kind: str,
    number: str,
    issued_on: date,
) -> bytes:
    font = _font()
    title_style = ParagraphStyle(
        "title", fontName=font, fontSize=20, leading=28, alignment=1, spaceAfter=6 * mm
    )
    body = ParagraphStyle("body", fontName=font, fontSize=11.5, leading=19, wordWrap="CJK")
    cell = ParagraphStyle("cell", fontName=font, fontSize=9.5, leading=13, wordWrap="CJK")
    right = ParagraphStyle("right", parent=body, alignment=2)
    minutes = sum(h.minutes for h in rows)
    issuer = issuer_of(volunteer)
    dates = {"start": f"{start:%Y-%m-%d}", "end": f"{end:%Y-%m-%d}"}
    if kind == "hours":
        title = _("Certificate of volunteer service hours")
        statement = _(
            "This certifies that %(name)s, a volunteer registered in %(area)s, served %(n)d activities "
            "from %(start)s to %(end)s, with %(hours)s hours of volunteer service confirmed in total."
        )
    else:
        title = _("Certificate of youth social practice")
        statement = _(
            "This certifies that %(name)s took part in %(n)d social-practice activities in %(area)s "
            "from %(start)s to %(end)s, %(hours)s hours in total, organised by the community with the "
            "youth-league branch."
        )
    facts = [
        [_("Name"), volunteer.name],
        [_("ID number"), masked_id(volunteer) or "—"],
        [_("Registered in"), issuer],
        [_("Period"), f"{dates['start']} – {dates['end']}"],
        [_("Hours in total"), _hours(minutes)],
        [_("Certificate number"), number],
    ]
    facts_table = Table(
        [[Paragraph(str(k), body), Paragraph(str(v), body)] for k, v in facts], colWidths=[40 * mm, 120 * mm]
    )
    facts_table.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)])
    )
    header = [_("Date"), _("Activity"), _("Organised by"), _("Hours")]
    lines = [[Paragraph(str(h), cell) for h in header]]
    for h in rows:
        lines.append(
            [
                Paragraph(f"{h.served_on:%Y-%m-%d}", cell),
                Paragraph(h.activity.title, cell),
                Paragraph(_organiser(h), cell),
                Paragraph(_hours(h.minutes), cell),
            ]
        )
    if not rows:
        lines.append([Paragraph(_("No confirmed service hours in this period."), cell), "", "", ""])
    table = Table(lines, colWidths=[26 * mm, 72 * mm, 50 * mm, 18 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f2f2f2")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story: list[Any] = [
        Paragraph(title, title_style),
        Paragraph(
            statement
            % {
                "name": volunteer.name,
                "area": issuer,
                "n": len(rows),
                "start": dates["start"],
                "end": dates["end"],
                "hours": _hours(minutes),
            },
            body,
        ),
        Spacer(1, 4 * mm),
        facts_table,
        Spacer(1, 5 * mm),
        table,
        Spacer(1, 10 * mm),
        Paragraph(_("Issuer: %(issuer)s (seal)") % {"issuer": issuer}, right),
        Paragraph(_("Issued on %(date)s") % {"date": f"{issued_on:%Y-%m-%d}"}, right),
        Spacer(1, 6 * mm),
        Paragraph(
            _(
                "Hours are counted from check-in and check-out at each activity and confirmed by its "
                "organiser; corrections are recorded with who made them and why."
            ),
            cell,
        ),
    ]
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=18 * mm,
        title=str(title),
        author=issuer,
        subject=number,
    )
    doc.build(story)
    return out.getvalue()
