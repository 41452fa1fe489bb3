"""Organisations (units, property companies, social organisations) and buildings' profiles."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shequ.core import access
from shequ.core.audit import audit_log, diff
from shequ.core.errors import Conflict, DomainError
from shequ.core.idnumber import (
    clean_phone,
)
from shequ.core.models import Area, AuditAction
from shequ.registry.models import (
    Resident,
)
from shequ.registry.services.residents import _building

ORGANISATION_FIELDS = (
    "kind",
    "name",
    "credit_code",
    "registered",
    "incubated",
    "address",
    "contact_name",
    "contact_phone",
)


def clean_organisation(data: dict[str, Any]) -> dict[str, Any]:
    from shequ.core.idnumber import credit_code_problem
    from shequ.registry.models import OrganisationKind

    out = {k: v for k, v in data.items() if k in ORGANISATION_FIELDS}
    if "name" in out:
        out["name"] = (out["name"] or "").strip()
        if not out["name"] or len(out["name"]) > 100:
            raise DomainError(_("The name is required."), code="required", fields={"name": "required"})
    if "kind" in out and out["kind"] not in OrganisationKind.values:
        raise DomainError(_("Unknown kind of organisation."), code="kind", fields={"kind": "choice"})
    if out.get("credit_code"):
        out["credit_code"] = out["credit_code"].strip().upper()
        if credit_code_problem(out["credit_code"]):
            raise DomainError(
                _("The unified social credit code is not valid (GB 32100)."),
                code="credit_code",
                fields={"credit_code": "invalid"},
            )
    if out.get("contact_phone"):
        out["contact_phone"] = clean_phone(out["contact_phone"], field="contact_phone", code="phone_format")
    return out


def organisation_create(*, by: Any, area: Area, **data: Any) -> Any:
    from shequ.registry.models import Organisation

    access.require(by, "organisation", "create", path=area.path)
    fields = clean_organisation(data)
    if "name" not in fields or "kind" not in fields:
        raise DomainError(_("The name and kind are required."), code="required", fields={"name": "required"})
    with transaction.atomic():
        org = Organisation.objects.create(area=area, **fields)
        audit_log(action=AuditAction.CREATE, actor=by, obj=org, area_path=area.path, changes=diff({}, fields))
    return org


def organisation_update(*, by: Any, organisation: Any, version: int, **data: Any) -> Any:
    from shequ.registry.models import Organisation

    access.require(by, "organisation", "update", path=organisation.area.path)
    fields = clean_organisation(data)
    with transaction.atomic():
        current = Organisation.objects.select_for_update().select_related("area").get(pk=organisation.pk)
        if current.version != version:
            raise Conflict()
        before = {k: getattr(current, k) for k in fields}
        for key, value in fields.items():
            setattr(current, key, value)
        changes = diff(before, fields)
        if changes:
            current.version += 1
            current.save()
            audit_log(
                action=AuditAction.UPDATE, actor=by, obj=current, area_path=current.area.path, changes=changes
            )
        return current


def building_profile_update(
    *, by: Any, building: Area, estate: str = "", property_company: Any = None, head: Resident | None = None
) -> Any:
    """Estate, property company and building head of a building: kept by those who manage the area."""
    from shequ.registry.models import BuildingProfile

    access.require(by, "area", "update", path=building.path)
    _building(building)
    if property_company is not None and (
        property_company.kind != "property_company"
        or not building.path.startswith(property_company.area.path[:12])
    ):
        raise DomainError(_("Choose a property company of this community."), code="property_company")
    if head is not None and head.area_id != building.pk:
        raise DomainError(_("The building head must live in the building."), code="head_building")
    with transaction.atomic():
        profile, _created = BuildingProfile.objects.get_or_create(area=building)
        before = {
            "estate": profile.estate,
            "property_company": profile.property_company_id,
            "head": profile.head_id,
        }
        profile.estate, profile.property_company, profile.head = estate.strip()[:100], property_company, head
        profile.save()
        after = {
            "estate": profile.estate,
            "property_company": profile.property_company_id,
            "head": profile.head_id,
        }
        audit_log(
            action=AuditAction.UPDATE,
            actor=by,
            obj=building,
            area_path=building.path,
            changes=diff(before, after),
        )
    return profile
