"""The special groups a resident belongs to (disabled, dibao, left-behind children, veterans, ...),
each with its own fields, set and cleared with an audit entry."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shequ.core import access
from shequ.core.audit import audit_log
from shequ.core.crypto import encrypt
from shequ.core.errors import DomainError
from shequ.core.models import AuditAction
from shequ.registry.models import (
    Resident,
    ResidentEvent,
)
from shequ.registry.sealed import CARD_CONTEXT, GROUP_MODELS, HEALTH_CONTEXT
from shequ.registry.services.personal_data import _event


def _group_model(group: str) -> Any:
    if group not in GROUP_MODELS:
        raise DomainError(_("Unknown special group."), code="group_unknown")
    return Resident._meta.get_field(GROUP_MODELS[group][0]).related_model


def special_group_set(*, by: Any, resident: Resident, group: str, **values: Any) -> Any:
    """Record (or change) a person's membership of a special group, with that group's own fields."""
    from django.core.exceptions import ValidationError

    access.require(by, "special_group", "update", path=resident.area.path)
    model = _group_model(group)
    allowed = GROUP_MODELS[group][1]
    unknown = set(values) - set(allowed)
    if unknown:
        raise DomainError(_("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if group == "left_behind" and resident.age() >= 16:
        raise DomainError(_("Only a child under 16 is recorded as left behind."), code="left_behind_age")
    if group == "pregnant" and resident.gender != "F":
        raise DomainError(_("Only a woman can be recorded as pregnant."), code="pregnant_gender")
    data = dict(values)
    if "card_number" in data:
        card = str(data.pop("card_number") or "").strip()
        data["card_number_encrypted"] = encrypt(card, context=CARD_CONTEXT) if card else ""
    if "conditions" in data:
        conditions = str(data.pop("conditions") or "").strip()
        if not conditions:
            raise DomainError(
                _("Describe the conditions."), code="required", fields={"conditions": "required"}
            )
        data["conditions_encrypted"] = encrypt(conditions[:300], context=HEALTH_CONTEXT)
    with transaction.atomic():
        record = model.objects.filter(resident=resident).first() or model(resident=resident)
        for key, value in data.items():
            setattr(record, key, value)
        try:
            record.full_clean()
        except ValidationError as exc:
            field, messages = next(iter(exc.message_dict.items()))
            raise DomainError(" ".join(messages), code="invalid", fields={field: "invalid"}) from exc
        created = record.pk is None
        record.save()
        changes = {"group": [None if created else group, group], "fields": ", ".join(sorted(values))}
        _event(resident, ResidentEvent.Kind.UPDATED, by, changes)
        audit_log(
            action=AuditAction.UPDATE, actor=by, obj=resident, area_path=resident.area.path, changes=changes
        )
    return record


def special_group_clear(*, by: Any, resident: Resident, group: str) -> None:
    access.require(by, "special_group", "update", path=resident.area.path)
    model = _group_model(group)
    with transaction.atomic():
        deleted, _detail = model.objects.filter(resident=resident).delete()
        if deleted:
            changes = {"group": [group, None]}
            _event(resident, ResidentEvent.Kind.UPDATED, by, changes)
            audit_log(
                action=AuditAction.UPDATE,
                actor=by,
                obj=resident,
                area_path=resident.area.path,
                changes=changes,
            )
