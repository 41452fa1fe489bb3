"""Every write of the metrics: setting and removing an area's yearly targets, audited."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shequ.core import access
from shequ.core import figures as registry
from shequ.core.audit import audit_log
from shequ.core.errors import DomainError
from shequ.core.models import Area, AreaKind, AuditAction
from shequ.metrics.models import YearlyTarget

# The areas that set targets: a community for itself, a street and a district for theirs.
TARGET_KINDS = (AreaKind.DISTRICT, AreaKind.STREET, AreaKind.COMMUNITY)

# The 2019 community plan (seed 002): what a community sets by default for a year.
PLAN_TARGETS: dict[str, Decimal] = {
    "party_volunteer_person_times": Decimal(200),
    "poverty_help_person_times": Decimal(50),
    "cultural_events": Decimal(6),
    "party_activity_days": Decimal(12),  # on the 25th of each month
}
MAX_TARGET = Decimal("99999999.9")


def _clean(key: str, value: Any) -> Decimal:
    spec = registry.spec(key)
    if spec is None:
        raise DomainError(_("There is no figure called %(key)s.") % {"key": key}, code="unknown_figure")
    try:
        number = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise DomainError(_("A target is a number."), code="invalid_target", fields={"value": ""}) from None
    if not number.is_finite() or number < 0 or number > MAX_TARGET:
        raise DomainError(_("A target is a number of 0 or more."), code="invalid_target")
    if spec.unit == "%" and number > 100:
        raise DomainError(_("A rate's target is at most 100%."), code="invalid_target")
    return number


def _check(by: Any, area: Area, year: int) -> None:
    if by is not None:
        access.require(by, "target", "set", path=area.path)
    if area.kind not in TARGET_KINDS:
        raise DomainError(
            _("Targets are set for a district, a street or a community."), code="target_area_kind"
        )
    if not 2000 <= year <= 2100:
        raise DomainError(_("The year must lie between 2000 and 2100."), code="invalid_year")


def targets_set(*, by: Any, area: Area, year: int, values: dict[str, Any]) -> list[YearlyTarget]:
    """Set (or change) the area's targets of a year, one per figure key; an empty value removes that
    target. One audit entry says what changed."""
    _check(by, area, year)
    cleaned: dict[str, Decimal | None] = {}
    for key, value in values.items():
        cleaned[key] = None if value in (None, "") else _clean(key, value)
        if value in (None, ""):
            _clean(key, 0)  # still refuses an unknown key
    with transaction.atomic():
        current = {t.key: t for t in YearlyTarget.objects.select_for_update().filter(area=area, year=year)}
        changes: dict[str, Any] = {}
        for key, number in cleaned.items():
            before = current.get(key)
            if number is None:
                if before is not None:
                    changes[key] = [str(before.value), None]
                    before.delete()
                continue
            if before is None:
                YearlyTarget.objects.create(area=area, year=year, key=key, value=number, set_by=by)
                changes[key] = [None, str(number)]
            elif before.value != number:
                changes[key] = [str(before.value), str(number)]
                before.value = number
                before.set_by = by
                before.save()
        if changes:
            audit_log(
                action=AuditAction.UPDATE,
                actor=by,
                obj=area,
                area_path=area.path,
                changes={"year": year, "targets": changes},
                object_repr=f"{area} {year} targets",
            )
        return list(YearlyTarget.objects.filter(area=area, year=year).order_by("key"))


def targets_seed(*, by: Any, area: Area, year: int) -> list[YearlyTarget]:
    """Set the plan's targets (PLAN_TARGETS) that the area has not set yet for the year."""
    _check(by, area, year)
    have = set(YearlyTarget.objects.filter(area=area, year=year).values_list("key", flat=True))
    return targets_set(
        by=by, area=area, year=year, values={k: v for k, v in PLAN_TARGETS.items() if k not in have}
    )
