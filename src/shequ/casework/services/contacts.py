"""介入: dated contacts with the client. A contact that gave a service writes the case's service
records (volunteering/records.py): the client takes part, their household benefits, once per case
however many contacts there are, so the participation and benefit rates count a case once."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shequ.casework.models import Case, Contact, ContactKind
from shequ.casework.services._base import clean_text, day, locked, step
from shequ.casework.workflow import CASE
from shequ.core.errors import DomainError
from shequ.volunteering.records import record_service, source_key


def contact_record(
    *, by: Any, case: Case, version: int | None, on: Any, kind: str, summary: str, service: bool = True
) -> Contact:
    if kind not in ContactKind.values:
        raise DomainError(_("Choose one of the options."), code="invalid_choice", fields={"kind": "choice"})
    summary = clean_text(summary, field="summary", limit=300, required=True)
    with transaction.atomic():
        current = locked(case, version)
        CASE.check(by, current, "contact")
        on = day(on, field="on", earliest=current.opened_on)
        contact = Contact.objects.create(
            case=current,
            on=on,
            kind=kind,
            summary=summary,
            service=bool(service),
            recorded_by=by or current.owner,
        )
        added = 0
        if contact.service:
            added = record_service(
                source=source_key(current),
                label=f"{current._meta.verbose_name} {current}",
                area=current.area,
                served_on=on,
                residents=[current.resident] if current.resident_id else [],
                households=[current.household] if current.household_id else [],
            )
        step(by, current, "contact", changes={"contact": contact.pk, "on": on, "service_records": added})
        return contact
