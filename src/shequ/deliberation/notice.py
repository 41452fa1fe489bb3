"""The printable notice of a meeting (会议通知), A4 PDF for the board: what, when, where, the agenda, who
takes part, and how many days ahead it was posted. Uses the CJK font the reports use (reportlab's
built-in STSong-Light: nothing to download). Names of residents never appear on it."""

from __future__ import annotations

import io
from datetime import timedelta
from html import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from shequ.deliberation.models import Meeting

FONT = "STSong-Light"


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def notice_due(meeting: Meeting) -> timedelta:
    return timedelta(days=meeting.notice_days)


def notice_late(meeting: Meeting) -> bool:
    """The notice went out later than the meeting's days ahead (or has not gone out that early)."""
    sent = meeting.notified_at or timezone.now()
    return sent > meeting.starts_at - notice_due(meeting)


def notice_pdf(meeting: Meeting) -> bytes:
    font = _font()
    title = ParagraphStyle("title", fontName=font, fontSize=22, leading=30, alignment=1, spaceAfter=8 * mm)
    body = ParagraphStyle("body", fontName=font, fontSize=13, leading=22)
    small = ParagraphStyle("small", fontName=font, fontSize=10, leading=16, alignment=2)
    starts = timezone.localtime(meeting.starts_at)
    ends = timezone.localtime(meeting.ends_at)
    place = meeting.venue.resource.name if meeting.venue_id else meeting.place  # type: ignore[union-attr]
    lines = [
        Paragraph(escape(_("Notice of meeting")), title),
        Paragraph(escape(f"{meeting.area.name}：{meeting.title}（{meeting.get_kind_display()}）"), body),
        Spacer(1, 4 * mm),
        Paragraph(
            escape(
                _("Time: %(start)s–%(end)s") % {"start": f"{starts:%Y-%m-%d %H:%M}", "end": f"{ends:%H:%M}"}
            ),
            body,
        ),
        Paragraph(escape(_("Place: %(place)s") % {"place": place or "—"}), body),
        Paragraph(escape(_("Mode: %(mode)s") % {"mode": meeting.get_mode_display()}), body),
        Paragraph(
            escape(
                _("Chair: %(chair)s; recorder: %(recorder)s")
                % {"chair": meeting.chair, "recorder": meeting.recorder}
            ),
            body,
        ),
        Spacer(1, 4 * mm),
        Paragraph(escape(_("Agenda")), body),
    ]
    for topic in meeting.topics.all():
        who = topic.get_participants_base_display()
        lines.append(
            Paragraph(escape(f"{topic.position}. {topic.title}（{_('Who takes part')}：{who}）"), body)
        )
    if not meeting.topics.exists():
        lines.append(Paragraph("—", body))
    lines += [
        Spacer(1, 6 * mm),
        Paragraph(
            escape(_("Residents who cannot come may send someone in their place, with a written proxy.")),
            body,
        ),
        Spacer(1, 10 * mm),
        Paragraph(escape(meeting.area.name), small),
        Paragraph(escape(f"{timezone.localdate():%Y-%m-%d}"), small),
        Paragraph(escape(_("Posted %(days)d days ahead at least.") % {"days": meeting.notice_days}), small),
    ]
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=25 * mm,
        rightMargin=25 * mm,
        topMargin=25 * mm,
        bottomMargin=25 * mm,
        title=meeting.title,
        author=meeting.area.name,
    )
    doc.build(lines)
    return out.getvalue()
