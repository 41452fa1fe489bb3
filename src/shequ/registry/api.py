"""Registry API: the same selectors and services as the pages."""
# No "from __future__ import annotations": django-ninja reads these annotations at run time.

from datetime import date
from decimal import Decimal
from typing import IO, cast

from django.db.models import QuerySet
from django.http import HttpResponse
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from shequ.core import access
from shequ.core import selectors as core_selectors
from shequ.core.api import Input, Pages, Patch
from shequ.core.errors import Forbidden, NotFound
from shequ.core.http import ApiRequest
from shequ.core.models import ImportJob
from shequ.registry import importing, selectors, services
from shequ.registry.models import Household, Organisation, Resident

router = Router(tags=["registry"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ResidentOut(Schema):
    id: int
    name: str
    gender: str
    birth_date: date
    area_id: int
    household_id: int | None
    relation: str
    registration: str
    political_status: str
    living_alone: bool
    status: str
    version: int
    id_type: str
    id_number_masked: str
    phone_masked: str
    groups: list[str]

    @staticmethod
    def resolve_id_number_masked(obj: Resident) -> str:
        return selectors.masked_id_number(obj)

    @staticmethod
    def resolve_phone_masked(obj: Resident) -> str:
        return selectors.masked_phone(obj)

    @staticmethod
    def resolve_groups(obj: Resident) -> list[str]:
        return selectors.group_tags(obj)


class ResidentIn(Input):
    building_id: int
    name: str = Field(max_length=50)
    id_type: str = Field("resident_id", max_length=20)
    id_number: str = Field(max_length=20)
    phone: str = Field("", max_length=20)
    birth_date: date | None = None
    gender: str = Field("", max_length=1)
    household_id: int | None = None
    room: str = Field("", max_length=20)
    relation: str = Field("", max_length=20)
    registration: str = Field("household", max_length=20)
    political_status: str = Field("masses", max_length=20)
    living_alone: bool = False
    skills: list[str] = Field(default_factory=list, max_length=20)
    interests: list[str] = Field(default_factory=list, max_length=20)


class ResidentPatch(Input):
    version: int
    name: str | None = Field(None, max_length=50)
    phone: str | None = Field(None, max_length=20)
    relation: str | None = Field(None, max_length=20)
    registration: str | None = Field(None, max_length=20)
    political_status: str | None = Field(None, max_length=20)
    living_alone: bool | None = None
    skills: list[str] | None = Field(None, max_length=20)
    interests: list[str] | None = Field(None, max_length=20)


class LeaveIn(Input):
    version: int
    kind: str = Field(max_length=20)
    on: date


class RevealOut(Schema):
    id_number: str
    phone: str


class HouseholdOut(Schema):
    id: int
    area_id: int
    room: str
    address: str
    head_id: int | None
    tags: list[str]
    member_count: int


class OrganisationOut(Schema):
    id: int
    area_id: int
    kind: str
    name: str
    member_count: int


@router.get("/residents", response=list[ResidentOut])
@paginate(Pages)
def resident_list(
    request: ApiRequest,
    area: int | None = None,
    q: str = "",
    group: str = "",
    age: str = "",
    status: str = "active",
) -> QuerySet[Resident]:
    area_obj = core_selectors.area_for(request.auth, area) if area else None
    return selectors.with_group_tags(
        selectors.residents_for(
            request.auth, area=area_obj, q=q[:50], group=group, age_band=age, status=status
        )
    )


@router.get("/residents/{int:resident_id}", response=ResidentOut)
def resident_detail(request: ApiRequest, resident_id: int) -> Resident:
    return selectors.resident_for(request.auth, resident_id)


@router.post("/residents", response={201: ResidentOut})
def resident_create(request: ApiRequest, data: ResidentIn) -> Status[Resident]:
    building = core_selectors.area_for(request.auth, data.building_id)
    fields = data.dict(exclude={"building_id", "household_id", "room"})
    household = selectors.household_for(request.auth, data.household_id) if data.household_id else None
    resident = services.resident_register(
        by=request.auth,
        building=building,
        household=household,
        new_household_room=None if household else data.room,
        **fields,
    )
    return Status(201, resident)


@router.patch("/residents/{int:resident_id}", response=ResidentOut)
def resident_update(request: ApiRequest, resident_id: int, data: ResidentPatch) -> Resident:
    resident = selectors.resident_for(request.auth, resident_id)
    fields = data.dict(exclude_unset=True)
    version = fields.pop("version")
    return services.resident_update(by=request.auth, resident=resident, version=version, **fields)


@router.post("/residents/{int:resident_id}/leave", response=ResidentOut)
def resident_leave(request: ApiRequest, resident_id: int, data: LeaveIn) -> Resident:
    resident = selectors.resident_for(request.auth, resident_id)
    return services.resident_leave(
        by=request.auth, resident=resident, version=data.version, kind=data.kind, on=data.on
    )


@router.post("/residents/{int:resident_id}/reveal", response=RevealOut)
def resident_reveal(request: ApiRequest, resident_id: int) -> RevealOut:
    resident = selectors.resident_for(request.auth, resident_id)
    return RevealOut(**services.resident_reveal(by=request.auth, resident=resident))


@router.get("/residents/export", response={200: None})
def resident_export(
    request: ApiRequest,
    area: int | None = None,
    q: str = "",
    group: str = "",
    age: str = "",
    status: str = "active",
) -> HttpResponse:
    """The filtered list as .xlsx (masked, audited)."""
    area_obj = core_selectors.area_for(request.auth, area) if area else None
    if not access.paths_for(request.auth, "resident", "export"):
        raise Forbidden()
    qs = selectors.residents_for(
        request.auth, area=area_obj, q=q[:50], group=group, age_band=age, status=status
    )
    content = services.residents_export(
        by=request.auth,
        residents=qs,
        area_path=area_obj.path if area_obj else "",
        filters=request.GET.urlencode(),
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="residents.xlsx"'
    return response


class GroupIn(Input):
    """The fields of every special group; send those of the group in the path."""

    category: str | None = Field(None, max_length=20)
    level: int | None = Field(None, ge=1, le=4)
    card_number: str | None = Field(None, max_length=30)
    kind: str | None = Field(None, max_length=20)
    since: date | None = None
    monthly_amount: Decimal | None = Field(None, ge=0, max_digits=8, decimal_places=2)
    guardian_name: str | None = Field(None, max_length=50)
    guardian_relation: str | None = Field(None, max_length=20)
    parents_whereabouts: str | None = Field(None, max_length=100)
    served_from: int | None = Field(None, ge=1930, le=2100)
    served_to: int | None = Field(None, ge=1930, le=2100)
    starts_on: date | None = None
    ends_on: date | None = None
    expected_on: date | None = None
    conditions: str | None = Field(None, max_length=300)


class GroupOut(Schema):
    group: str
    fields: dict[str, str]


@router.get("/residents/{int:resident_id}/groups", response=list[GroupOut])
def resident_groups(request: ApiRequest, resident_id: int) -> list[GroupOut]:
    """Special-group details: only for roles that serve the person."""
    resident = selectors.resident_for(request.auth, resident_id)
    details = selectors.group_details(request.auth, resident)
    if details is None:
        raise Forbidden()
    out = []
    for d in details:
        fields = {
            f.name: str(getattr(d.record, f.name))
            for f in d.record._meta.concrete_fields
            if f.name not in ("id", "resident", "card_number_encrypted", "conditions_encrypted")
        }
        if d.secret:
            fields["card_number" if d.group == "disabled" else "conditions"] = d.secret
        out.append(GroupOut(group=d.group, fields=fields))
    return out


@router.put("/residents/{int:resident_id}/groups/{group}", response=GroupOut)
def resident_group_set(request: ApiRequest, resident_id: int, group: str, data: GroupIn) -> GroupOut:
    resident = selectors.resident_for(request.auth, resident_id)
    values = data.dict(exclude_unset=True)
    record = services.special_group_set(by=request.auth, resident=resident, group=group, **values)
    return GroupOut(
        group=group,
        fields={k: str(v) for k, v in values.items() if k not in ("card_number", "conditions")}
        | {"id": str(record.pk)},
    )


@router.delete("/residents/{int:resident_id}/groups/{group}", response={204: None})
def resident_group_clear(request: ApiRequest, resident_id: int, group: str) -> Status[None]:
    resident = selectors.resident_for(request.auth, resident_id)
    services.special_group_clear(by=request.auth, resident=resident, group=group)
    return Status(204, None)


class ImportOut(Schema):
    id: int
    kind: str
    status: str
    total_rows: int
    error_rows: int
    duplicate_rows: int  # already in the registry: skipped (buildings, households, organisations)
    created_rows: int
    problems: list[list[str]]


def _import_out(job: ImportJob) -> ImportOut:
    return ImportOut(
        id=job.pk,
        kind=job.kind,
        status=job.status,
        total_rows=job.total_rows,
        error_rows=job.error_rows,
        duplicate_rows=job.duplicate_rows,
        created_rows=job.created_rows,
        problems=[[str(n), c, h, m] for n, c, h, m in importing.problems_of(job)],
    )


@router.post("/residents/import", response={201: ImportOut})
def resident_import(request: ApiRequest, area: int, file: UploadedFile = File(...)) -> Status[ImportOut]:  # noqa: B008
    """Check a file and stage it; nothing is written until /imports/{id}/commit."""
    area_obj = core_selectors.area_for(request.auth, area)
    job = importing.validate(
        user=request.auth, area=area_obj, data=cast(IO[bytes], file), filename=file.name or "upload.csv"
    )
    return Status(201, _import_out(job))


def _import(request: ApiRequest, kind: str, area: int, file: UploadedFile) -> Status[ImportOut]:
    area_obj = core_selectors.area_for(request.auth, area)
    job = importing.validate(
        user=request.auth,
        area=area_obj,
        data=cast(IO[bytes], file),
        filename=file.name or "upload.csv",
        kind=importing.kind_of(kind),
    )
    return Status(201, _import_out(job))


@router.post("/buildings/import", response={201: ImportOut})
def building_import(request: ApiRequest, area: int, file: UploadedFile = File(...)) -> Status[ImportOut]:  # noqa: B008
    """Check a file of buildings (template: /buildings/import/template.xlsx) and stage it."""
    return _import(request, "buildings", area, file)


@router.post("/households/import", response={201: ImportOut})
def household_import(request: ApiRequest, area: int, file: UploadedFile = File(...)) -> Status[ImportOut]:  # noqa: B008
    """Check a file of households (template: /households/import/template.xlsx) and stage it."""
    return _import(request, "households", area, file)


@router.post("/organisations/import", response={201: ImportOut})
def organisation_import(request: ApiRequest, area: int, file: UploadedFile = File(...)) -> Status[ImportOut]:  # noqa: B008
    """Check a file of organisations (template: /organisations/import/template.xlsx) and stage it."""
    return _import(request, "organisations", area, file)


class CommitIn(Input):
    good_rows_only: bool = False


@router.post("/imports/{int:job_id}/commit", response=ImportOut)
def import_commit(request: ApiRequest, job_id: int, data: CommitIn) -> ImportOut:
    job = ImportJob.objects.select_related("area").filter(pk=job_id, user_id=request.auth.pk).first()
    if job is None:
        raise NotFound()
    importing.commit(user=request.auth, job=job, good_rows_only=data.good_rows_only)
    return _import_out(job)


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get("/households/export", response={200: None})
def household_export(request: ApiRequest, area: int | None = None, q: str = "") -> HttpResponse:
    """The filtered households list as .xlsx (audited)."""
    area_obj = core_selectors.area_for(request.auth, area) if area else None
    if not access.paths_for(request.auth, "household", "export"):
        raise Forbidden()
    qs = selectors.households_for(request.auth, area=area_obj, q=q[:50])
    content = services.households_export(
        by=request.auth,
        households=qs,
        area_path=area_obj.path if area_obj else "",
        filters=request.GET.urlencode(),
    )
    return _xlsx(content, "households.xlsx")


@router.get("/organisations/export", response={200: None})
def organisation_export(
    request: ApiRequest, area: int | None = None, kind: str = "", q: str = ""
) -> HttpResponse:
    """The filtered organisations list as .xlsx (contact phones masked, audited)."""
    area_obj = core_selectors.area_for(request.auth, area) if area else None
    if not access.paths_for(request.auth, "organisation", "export"):
        raise Forbidden()
    qs = selectors.organisations_for(request.auth, area=area_obj, kind=kind[:30], q=q[:50])
    content = services.organisations_export(
        by=request.auth,
        organisations=qs,
        area_path=area_obj.path if area_obj else "",
        filters=request.GET.urlencode(),
    )
    return _xlsx(content, "organisations.xlsx")


@router.get("/households", response=list[HouseholdOut])
@paginate(Pages)
def household_list(request: ApiRequest, area: int | None = None, q: str = "") -> QuerySet[Household]:
    area_obj = core_selectors.area_for(request.auth, area) if area else None
    return selectors.households_for(request.auth, area=area_obj, q=q[:50])


class OrganisationIn(Input):
    area_id: int
    name: str = Field(max_length=100)
    kind: str = Field(max_length=30)
    credit_code: str = Field("", max_length=18)
    registered: bool = False
    incubated: bool = False
    address: str = Field("", max_length=200)
    contact_name: str = Field("", max_length=50)
    contact_phone: str = Field("", max_length=20)


class OrganisationPatch(Patch):
    version: int
    name: str | None = Field(None, max_length=100)
    kind: str | None = Field(None, max_length=30)
    credit_code: str | None = Field(None, max_length=18)
    registered: bool | None = None
    incubated: bool | None = None
    address: str | None = Field(None, max_length=200)
    contact_name: str | None = Field(None, max_length=50)
    contact_phone: str | None = Field(None, max_length=20)


class OrganisationDetailOut(Schema):
    id: int
    area_id: int
    kind: str
    name: str
    credit_code: str
    registered: bool
    incubated: bool
    address: str
    contact_name: str
    contact_phone: str
    version: int


@router.get("/organisations/{int:organisation_id}", response=OrganisationDetailOut)
def organisation_detail(request: ApiRequest, organisation_id: int) -> Organisation:
    return access.get_for(request.auth, "organisation", "view", pk=organisation_id)


@router.post("/organisations", response={201: OrganisationDetailOut})
def organisation_create(request: ApiRequest, data: OrganisationIn) -> Status[Organisation]:
    area = core_selectors.area_for(request.auth, data.area_id)
    return Status(
        201, services.organisation_create(by=request.auth, area=area, **data.dict(exclude={"area_id"}))
    )


@router.patch("/organisations/{int:organisation_id}", response=OrganisationDetailOut)
def organisation_update(request: ApiRequest, organisation_id: int, data: OrganisationPatch) -> Organisation:
    org = access.get_for(request.auth, "organisation", "update", pk=organisation_id)
    fields = data.dict(exclude_unset=True)
    version = fields.pop("version")
    return services.organisation_update(by=request.auth, organisation=org, version=version, **fields)


@router.get("/organisations", response=list[OrganisationOut])
@paginate(Pages)
def organisation_list(
    request: ApiRequest, area: int | None = None, kind: str = "", q: str = ""
) -> QuerySet[Organisation]:
    area_obj = core_selectors.area_for(request.auth, area) if area else None
    return selectors.organisations_for(request.auth, area=area_obj, kind=kind[:30], q=q[:50])
