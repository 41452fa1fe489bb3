"""Service records from any app: who took part in a service and who benefited from it.

The resident participation rate, the benefit rates and the funders' indicators count service records
(docs/metrics.md). An activity writes them when it is finished; any other app whose residents attend or
receive something — a meeting, a class, a group session, a case contact — writes them here, so that a
person is counted once per service, however often the service is recorded (the database refuses a
second row for the same source, kind and subject).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db import transaction

from shequ.core.models import Area
from shequ.volunteering.models import RecordKind, ServiceRecord


def source_key(obj: Any) -> str:
    """The name of a service from the object it is: "<app_label>.<model>:<pk>"."""
    return f"{obj._meta.app_label}.{obj._meta.model_name}:{obj.pk}"


def record_service(
    *,
    source: str,
    label: str,
    area: Area,
    served_on: date,
    residents: Iterable[Any] = (),
    volunteers: Iterable[Any] = (),
    units: Iterable[Any] = (),
    households: Iterable[Any] = (),
    benefited_units: Iterable[Any] = (),
    activity: Any = None,
) -> int:
    """Record who took part in (residents, volunteers, units) and who benefited from (households,
    units) one service. Idempotent: a subject already recorded for this source and kind is skipped.
    Returns how many rows were added. The caller checks permission and audits, in its transaction."""
    base = {"source": source, "source_label": label[:200], "area": area, "served_on": served_on}
    if activity is not None:
        base["activity"] = activity
    wanted: list[ServiceRecord] = []
    for resident in dict.fromkeys(residents):
        wanted.append(ServiceRecord(kind=RecordKind.PARTICIPANT, resident=resident, **base))
    for volunteer in dict.fromkeys(volunteers):
        resident_id = getattr(volunteer, "resident_id", None)
        wanted.append(
            ServiceRecord(kind=RecordKind.PARTICIPANT, volunteer=volunteer, resident_id=resident_id, **base)
        )
    for unit in dict.fromkeys(units):
        wanted.append(ServiceRecord(kind=RecordKind.PARTICIPANT, organisation=unit, **base))
    for household in dict.fromkeys(households):
        wanted.append(ServiceRecord(kind=RecordKind.BENEFICIARY, household=household, **base))
    for unit in dict.fromkeys(benefited_units):
        wanted.append(ServiceRecord(kind=RecordKind.BENEFICIARY, organisation=unit, **base))
    if not wanted:
        return 0
    with transaction.atomic():
        before = ServiceRecord.objects.filter(source=source).count()
        ServiceRecord.objects.bulk_create(wanted, ignore_conflicts=True)
        return ServiceRecord.objects.filter(source=source).count() - before


def withdraw_service(*, source: str, resident: Any = None, household: Any = None) -> int:
    """Remove the records of a service (all of them, or one subject's): a session cancelled, an
    attendance recorded by mistake. Returns how many rows went."""
    qs = ServiceRecord.objects.filter(source=source)
    if resident is not None:
        qs = qs.filter(resident=resident)
    if household is not None:
        qs = qs.filter(household=household)
    deleted, _by_model = qs.delete()
    return deleted
