"""Resource register API: the same selectors and services as the pages."""
# No "from __future__ import annotations": django-ninja reads these annotations at run time.

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from shequ.core import selectors as core_selectors
from shequ.core.api import Input, Pages
from shequ.core.http import ApiRequest
from shequ.resources import selectors, services
from shequ.resources.models import Resource, ResourceKind, ResourceStatus

router = Router(tags=["resources"])


class VenueOut(Schema):
    capacity: int
    opening_hours: str
    equipment: str
    owner: str
    owner_organisation_id: int | None


class ResourceOut(Schema):
    id: int
    area_id: int
    name: str
    kind: str
    status: str
    provider: str
    provider_organisation_id: int | None
    address: str
    phone: str
    phone_public: bool
    fax: str
    website: str
    email: str
    items: str
    person_in_charge: str
    contact: str
    conditions: str
    charges: bool
    charge_details: str
    notes: str
    venue: VenueOut | None
    version: int
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_phone(obj: Resource) -> str:
        return obj.shown_phone  # masked unless an office line (phone_public)

    @staticmethod
    def resolve_venue(obj: Resource) -> Any:
        return getattr(obj, "venue", None)


class VenueIn(Input):
    capacity: int = Field(gt=0, le=services.MAX_CAPACITY)
    opening_hours: str = Field("", max_length=200)
    equipment: str = Field("", max_length=2000)
    owner: str = Field("", max_length=100)
    owner_organisation_id: int | None = None


class VenuePatch(Input):
    capacity: int | None = Field(None, gt=0, le=services.MAX_CAPACITY)
    opening_hours: str | None = Field(None, max_length=200)
    equipment: str | None = Field(None, max_length=2000)
    owner: str | None = Field(None, max_length=100)
    owner_organisation_id: int | None = None


class ResourceFields(Input):
    provider: str = Field("", max_length=100)
    provider_organisation_id: int | None = None
    address: str = Field("", max_length=200)
    phone: str = Field("", max_length=30)
    phone_public: bool = False
    fax: str = Field("", max_length=30)
    website: str = Field("", max_length=200)
    email: str = Field("", max_length=254)
    items: str = Field("", max_length=2000)
    person_in_charge: str = Field("", max_length=50)
    contact: str = Field("", max_length=100)
    conditions: str = Field("", max_length=2000)
    charges: bool = False
    charge_details: str = Field("", max_length=200)
    notes: str = Field("", max_length=2000)


class ResourceIn(ResourceFields):
    area_id: int
    name: str = Field(max_length=100)
    kind: ResourceKind
    status: ResourceStatus = ResourceStatus.REGISTERED
    venue: VenueIn | None = None


class ResourcePatch(Input):
    version: int
    name: str | None = Field(None, max_length=100)
    kind: ResourceKind | None = None
    status: ResourceStatus | None = None
    provider: str | None = Field(None, max_length=100)
    provider_organisation_id: int | None = None
    address: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=30)
    phone_public: bool | None = None
    fax: str | None = Field(None, max_length=30)
    website: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=254)
    items: str | None = Field(None, max_length=2000)
    person_in_charge: str | None = Field(None, max_length=50)
    contact: str | None = Field(None, max_length=100)
    conditions: str | None = Field(None, max_length=2000)
    charges: bool | None = None
    charge_details: str | None = Field(None, max_length=200)
    notes: str | None = Field(None, max_length=2000)
    # Venue fields to set (the resource becomes a venue if it was not), or null to stop being one.
    venue: VenuePatch | None = None


def _organisations(request: ApiRequest, fields: dict[str, Any]) -> dict[str, Any]:
    """Turn *_organisation_id into organisations the caller may see (NotFound otherwise)."""
    out = dict(fields)
    for key in ("provider_organisation", "owner_organisation"):
        if f"{key}_id" in out:
            pk = out.pop(f"{key}_id")
            out[key] = selectors.organisation_for(request.auth, pk) if pk is not None else None
    return out


@router.get("/resources", response=list[ResourceOut])
@paginate(Pages)
def resource_list(
    request: ApiRequest,
    area: int | None = None,
    kind: str = "",
    status: str = "",
    q: str = "",
    venues: bool = False,
) -> QuerySet[Resource]:
    area_obj = core_selectors.area_for(request.auth, area) if area else None
    return selectors.resources_for(
        request.auth, area=area_obj, kind=kind, status=status, q=q[:50], venues_only=venues
    )


@router.get("/resources/{int:resource_id}", response=ResourceOut)
def resource_detail(request: ApiRequest, resource_id: int) -> Resource:
    return selectors.resource_for(request.auth, resource_id)


@router.post("/resources", response={201: ResourceOut})
def resource_create(request: ApiRequest, data: ResourceIn) -> Status[Resource]:
    area = core_selectors.area_for(request.auth, data.area_id)
    fields = _organisations(request, data.dict(exclude={"area_id", "venue"}))
    venue = _organisations(request, data.venue.dict()) if data.venue is not None else None
    resource = services.resource_create(by=request.auth, area=area, venue=venue, **fields)
    return Status(201, selectors.resource_for(request.auth, resource.pk))


@router.patch("/resources/{int:resource_id}", response=ResourceOut)
def resource_update(request: ApiRequest, resource_id: int, data: ResourcePatch) -> Resource:
    resource = selectors.resource_for(request.auth, resource_id)
    fields = _organisations(request, data.dict(exclude_unset=True, exclude={"venue"}))
    version = fields.pop("version")
    venue, drop_venue = None, False
    if "venue" in data.model_fields_set:
        if data.venue is None:
            drop_venue = True
        else:
            venue = _organisations(request, data.venue.dict(exclude_unset=True))
    services.resource_update(
        by=request.auth, resource=resource, version=version, venue=venue, drop_venue=drop_venue, **fields
    )
    return selectors.resource_for(request.auth, resource_id)


@router.delete("/resources/{int:resource_id}", response={204: None})
def resource_delete(request: ApiRequest, resource_id: int) -> Status[None]:
    resource = selectors.resource_for(request.auth, resource_id)
    services.resource_delete(by=request.auth, resource=resource)
    return Status(204, None)
