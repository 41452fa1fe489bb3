"""Every write of the resource register: resources and their venues. Each checks access, validates,
writes and audits in one transaction. by=None is the operator at the command line (the demo)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.db.models import Field, Model, ProtectedError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from shequ.core import access
from shequ.core.audit import audit_log, diff
from shequ.core.errors import Conflict, DomainError, NotFound
from shequ.core.idnumber import clean_phone  # appeals' contact phone reads it from here too
from shequ.core.models import Area, AuditAction
from shequ.registry.models import Organisation
from shequ.resources.models import Resource, ResourceKind, ResourceStatus, Venue

RESOURCE_FIELDS = (
    "name",
    "kind",
    "status",
    "provider",
    "provider_organisation",
    "address",
    "phone",
    "phone_public",
    "fax",
    "website",
    "email",
    "items",
    "person_in_charge",
    "contact",
    "conditions",
    "charges",
    "charge_details",
    "notes",
)
VENUE_FIELDS = ("capacity", "opening_hours", "equipment", "owner", "owner_organisation")
MAX_CAPACITY = 100_000
MAX_TEXT = 2000  # for the long texts (items, conditions, notes, equipment)


# A landline with its area code (0757-86001234, 020 8888 6666, extension after a dash), a local
# number without it (86001234), or a 400/800 service number. Area codes are 010 and 02x, or four
# digits 03xx–09xx, so a number typed without separators still splits one way only.
def clean_email(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        validate_email(value)
    except ValidationError:
        raise DomainError(
            _("Enter a valid e-mail address, e.g. shequ@example.cn."),
            code="email_format",
            fields={"email": "format"},
        ) from None
    return value


def clean_website(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    if "://" not in value:
        value = "https://" + value  # people write www.example.cn
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        raise DomainError(
            _("Enter a valid website address, e.g. https://www.example.cn."),
            code="website_format",
            fields={"website": "format"},
        ) from None
    if len(value) > 200:
        raise DomainError(_("The website address is too long."), code="too_long", fields={"website": "long"})
    return value


def _text(model: type[Model], name: str, value: Any) -> str:
    value = ("" if value is None else str(value)).strip()
    field = model._meta.get_field(name)
    assert isinstance(field, Field)
    limit = field.max_length or MAX_TEXT
    if len(value) > limit:
        raise DomainError(
            _("%(field)s may have at most %(n)d characters.")
            % {"field": capfirst(field.verbose_name), "n": limit},
            code="too_long",
            fields={name: "long"},
        )
    return value


def _organisation(by: Any, org: Organisation | None) -> Organisation | None:
    """An organisation the acting user may see, or NotFound (so others' organisations do not leak)."""
    if org is None:
        return None
    if by is not None and not access.can(by, "organisation", "view", path=org.area.path):
        raise NotFound()
    return org


def _clean_resource(by: Any, data: dict[str, Any], *, changed: set[str]) -> dict[str, Any]:
    """All resource fields, checked. `changed` names those the caller sets (others are as stored)."""
    out: dict[str, Any] = {}
    out["name"] = _text(Resource, "name", data.get("name"))
    if not out["name"]:
        raise DomainError(_("The name is required."), code="required", fields={"name": "required"})
    if data.get("kind") not in ResourceKind.values:
        raise DomainError(_("Choose the kind of resource."), code="kind_invalid", fields={"kind": "invalid"})
    out["kind"] = data["kind"]
    if data.get("status") not in ResourceStatus.values:
        raise DomainError(_("Choose the triage status."), code="status_invalid", fields={"status": "invalid"})
    out["status"] = data["status"]
    for name in ("provider", "address", "items", "person_in_charge", "contact", "conditions", "notes"):
        out[name] = _text(Resource, name, data.get(name))
    out["phone"] = clean_phone(data.get("phone") or "", field="phone")
    out["phone_public"] = bool(data.get("phone_public"))
    out["fax"] = clean_phone(data.get("fax") or "", field="fax")
    out["email"] = clean_email(data.get("email") or "")
    out["website"] = clean_website(data.get("website") or "")
    org = data.get("provider_organisation")
    out["provider_organisation"] = _organisation(by, org) if "provider_organisation" in changed else org
    if out["provider_organisation"] is not None and not out["provider"]:
        out["provider"] = out["provider_organisation"].name
    out["charges"] = bool(data.get("charges"))
    out["charge_details"] = _text(Resource, "charge_details", data.get("charge_details"))
    if out["charge_details"] and not out["charges"]:
        raise DomainError(
            _("Charge details are only for a resource that charges a fee."),
            code="charge_details_free",
            fields={"charge_details": "free"},
        )
    return out


def _clean_venue(by: Any, data: dict[str, Any], *, changed: set[str]) -> dict[str, Any]:
    capacity = data.get("capacity")
    try:
        capacity = int(capacity) if capacity not in (None, "") else None
    except (TypeError, ValueError):
        capacity = None
    if capacity is None or not 0 < capacity <= MAX_CAPACITY:
        raise DomainError(
            _("A venue holds at least 1 person (at most %(n)d).") % {"n": MAX_CAPACITY},
            code="capacity_invalid",
            fields={"capacity": "invalid"},
        )
    out: dict[str, Any] = {"capacity": capacity}
    for name in ("opening_hours", "equipment", "owner"):
        out[name] = _text(Venue, name, data.get(name))
    org = data.get("owner_organisation")
    out["owner_organisation"] = _organisation(by, org) if "owner_organisation" in changed else org
    if out["owner_organisation"] is not None and not out["owner"]:
        out["owner"] = out["owner_organisation"].name
    return out


def _check_venue_kind(kind: str) -> None:
    if kind != ResourceKind.MATERIAL:
        raise DomainError(
            _("Only a material resource can be a venue."), code="venue_kind", fields={"kind": "venue"}
        )


def _fields(resource: Resource) -> dict[str, Any]:
    return {name: getattr(resource, name) for name in RESOURCE_FIELDS}


def _venue_fields(venue: Venue | None) -> dict[str, Any]:
    if venue is None:
        return {}
    return {f"venue.{name}": getattr(venue, name) for name in VENUE_FIELDS}


def _venue_of(resource: Resource) -> Venue | None:
    return Venue.objects.filter(resource=resource).first()


def resource_create(
    *,
    by: Any,
    area: Area,
    name: str,
    kind: str,
    status: str = ResourceStatus.REGISTERED,
    venue: dict[str, Any] | None = None,
    **fields: Any,
) -> Resource:
    """A new record of the register in `area`; with `venue` (capacity, opening_hours, equipment,
    owner, owner_organisation) it is also a venue."""
    if by is not None:
        access.require(by, "resource", "create", path=area.path)
    unknown = set(fields) - set(RESOURCE_FIELDS)
    if unknown:
        raise DomainError(_("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))})
    data = {**fields, "name": name, "kind": kind, "status": status}
    clean = _clean_resource(by, data, changed=set(data))
    venue_clean = None
    if venue is not None:
        _check_venue_kind(clean["kind"])
        venue_clean = _clean_venue(by, venue, changed=set(venue))
    with transaction.atomic():
        resource = Resource.objects.create(area=area, **clean)
        changes = diff({}, _fields(resource))
        if venue_clean is not None:
            place = Venue.objects.create(resource=resource, **venue_clean)
            changes |= diff({}, _venue_fields(place))
        audit_log(action=AuditAction.CREATE, actor=by, obj=resource, area_path=area.path, changes=changes)
        return resource


def resource_update(
    *,
    by: Any,
    resource: Resource,
    version: int,
    venue: dict[str, Any] | None = None,
    drop_venue: bool = False,
    **fields: Any,
) -> Resource:
    """Edit a record. `version` is what the editor saw: a stale edit is refused. `venue` sets venue
    fields (making the resource a venue if it was not); `drop_venue` makes it an ordinary resource."""
    area_path = resource.area.path
    if by is not None:
        access.require(by, "resource", "update", path=area_path)
    unknown = set(fields) - set(RESOURCE_FIELDS)
    if unknown:
        raise DomainError(_("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if venue is not None and drop_venue:
        raise DomainError(_("A resource cannot both gain and lose its venue."), code="venue_both")
    with transaction.atomic():
        current = Resource.objects.select_for_update().get(pk=resource.pk)
        if current.version != version:
            raise Conflict()
        place = _venue_of(current)
        stored = _fields(current)
        before = stored | _venue_fields(place)
        changed = {k for k, v in fields.items() if v != stored[k]}
        clean = _clean_resource(by, stored | fields, changed=changed)
        for key, value in clean.items():
            setattr(current, key, value)
        if drop_venue and place is not None:
            place.delete()
            place = None
        if venue is not None:
            stored_venue = {name: getattr(place, name) for name in VENUE_FIELDS} if place else {}
            venue_changed = {k for k, v in venue.items() if k not in stored_venue or v != stored_venue[k]}
            venue_clean = _clean_venue(by, stored_venue | venue, changed=venue_changed)
            place = place or Venue(resource=current)
            for key, value in venue_clean.items():
                setattr(place, key, value)
            place.save()
        if place is not None:
            _check_venue_kind(current.kind)
        changes = diff(before, _fields(current) | _venue_fields(place))
        if not changes:
            return current
        current.version += 1
        current.save()
        audit_log(action=AuditAction.UPDATE, actor=by, obj=current, area_path=area_path, changes=changes)
        return current


def resource_delete(*, by: Any, resource: Resource) -> None:
    """Remove a record (and its venue) from the register."""
    area_path = resource.area.path
    if by is not None:
        access.require(by, "resource", "delete", path=area_path)
    with transaction.atomic():
        current = Resource.objects.select_for_update().get(pk=resource.pk)
        changes = diff(_fields(current) | _venue_fields(_venue_of(current)), {})
        audit_log(action=AuditAction.DELETE, actor=by, obj=current, area_path=area_path, changes=changes)
        try:
            current.delete()
        except ProtectedError:
            raise DomainError(
                _("This resource is still in use (e.g. booked) and cannot be deleted."),
                code="resource_in_use",
            ) from None
