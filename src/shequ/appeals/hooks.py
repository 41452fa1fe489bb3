"""What appeals add: the menu entry and the retention of a reporter's contact."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shequ.appeals.models import Appeal, Stage
from shequ.core.extensions import NavEntry, RetentionKind, held_any_role, nav_entry, retention_kind

# Everyone who holds a role reports appeals; staff also see the queue.
nav_entry(NavEntry("appeals", _("Appeals"), "appeals:list", held_any_role, order=40, tab=10))


def _appeal_contact(cutoff: datetime, dry_run: bool) -> int:
    """The reporter's name and phone on an appeal finished (closed, evaluated, rejected or merged)
    before the cutoff. The appeal itself, its area, category, dates and result stay countable."""
    finished = Q(stage__in=[Stage.CLOSED, Stage.EVALUATED], closed_at__lt=cutoff) | Q(
        stage__in=[Stage.REJECTED, Stage.MERGED], updated_at__lt=cutoff
    )
    qs = Appeal.objects.filter(finished).exclude(contact_name="", contact_phone_encrypted="")
    if dry_run:
        return qs.count()
    return qs.update(contact_name="", contact_phone_encrypted="")


retention_kind(
    RetentionKind(
        "appeal_contact", 365, _appeal_contact, _("the reporter's name and phone on a finished appeal")
    )
)
