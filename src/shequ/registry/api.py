"""Registry API: the same selectors and services as the pages."""
# No "from __future__ import annotations": django-ninja reads these annotations at run time.

from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any, cast

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from shequ.core import access, grants
from shequ.core import selectors as core_selectors
from shequ.core.api import Input, Pages, Patch
from shequ.core.errors import DomainError, Forbidden, NotFound
from shequ.core.http import ApiRequest
from shequ.core.models import ImportJob
from shequ.registry import importing, rights, search, selectors, services
from shequ.registry.models import CorrectionRequest, Household, Organisation, Resident

router = Router(tags=["registry"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _minimal(obj: Resident) -> bool:
    """A child under 14 in the minimal form: on every list, and by id without a grant for minors
    (the detail endpoint marks the record it opened under a grant with `_shequ_full`). Answered
    once per person: eight fields ask it."""
    known = obj.__dict__.get("_shequ_minimal")
    if known is None:
        known = obj.__dict__["_shequ_minimal"] = selectors.is_minor(obj) and not getattr(
            obj, "_shequ_full", False
        )
    return bool(known)


class ResidentOut(Schema):
    id: int
    name: str
    gender: str
    birth_date: date | None
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
    # A child under 14 without an approved grant for minors: first character of the name, no birth
    # date, numbers, household or groups (open the record by id under a grant to see it all).
    minimal: bool

    @staticmethod
    def resolve_minimal(obj: Resident) -> bool:
        return _minimal(obj)

    @staticmethod
    def resolve_name(obj: Resident) -> str:
        return selectors.mask_name(obj.name) if _minimal(obj) else obj.name

    @staticmethod
    def resolve_birth_date(obj: Resident) -> date | None:
        return None if _minimal(obj) else obj.birth_date

    @staticmethod
    def resolve_household_id(obj: Resident) -> int | None:
        return None if _minimal(obj) else obj.household_id

    @staticmethod
    def resolve_relation(obj: Resident) -> str:
        return "" if _minimal(obj) else obj.relation

    @staticmethod
    def resolve_id_number_masked(obj: Resident) -> str:
        return "" if _minimal(obj) else selectors.masked_id_number(obj)

    @staticmethod
    def resolve_phone_masked(obj: Resident) -> str:
        return "" if _minimal(obj) else selectors.masked_phone(obj)

    @staticmethod
    def resolve_groups(obj: Resident) -> list[str]:
        return [] if _minimal(obj) else selectors.group_tags(obj)


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
    card_number: str = ""  # the disability card's number, when the person has one


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


class ResidentSearchIn(Input):
    """A search sent in the body, so a whole ID number or phone never travels in a URL."""

    area: int | None = None
    q: str = Field("", max_length=50)
    group: str = Field("", max_length=30)
    age: str = Field("", max_length=10)
    status: str = Field("active", max_length=20)


def _no_number_in_url(q: str) -> None:
    if search.holds_number(q):
        raise DomainError(
            _(
                "A whole ID number, phone or document number must not travel in a URL: "
                "send the search in the body of POST /api/residents/search (or /api/residents/export)."
            ),
            code="number_in_url",
        )


def _residents(request: ApiRequest, f: ResidentSearchIn) -> QuerySet[Resident]:
    area_obj = core_selectors.area_for(request.auth, f.area) if f.area else None
    return selectors.residents_for(
        request.auth, area=area_obj, q=f.q[:50], group=f.group, age_band=f.age, status=f.status
    )


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
    """Residents in the caller's areas. A search for a whole number: POST /api/residents/search."""
    _no_number_in_url(q)
    f = ResidentSearchIn(area=area, q=q[:50], group=group[:30], age=age[:10], status=status[:20])
    return selectors.with_group_tags(selectors.residents_listed(_residents(request, f)))


@router.post("/residents/search", response=list[ResidentOut])
@paginate(Pages)
def resident_search(request: ApiRequest, data: ResidentSearchIn) -> QuerySet[Resident]:
    """The same list, its filters in the body: the way to search by a whole ID number or phone."""
    return selectors.with_group_tags(selectors.residents_listed(_residents(request, data)))


@router.get("/residents/{int:resident_id}", response=ResidentOut)
def resident_detail(request: ApiRequest, resident_id: int) -> Resident:
    """One resident; a child under 14 in full only under the caller's grant for minors (audited)."""
    resident = selectors.resident_for(request.auth, resident_id, full=False)
    _mode, grant = selectors.minor_access(request.auth, resident)
    if grant is not None:
        grants.audit_use(
            user=request.auth, grant=grant, obj=resident, area_path=resident.area.path, what="record"
        )
        resident._shequ_full = True  # type: ignore[attr-defined]
    return resident


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


class ReturnIn(Input):
    version: int


@router.post("/residents/{int:resident_id}/return", response=ResidentOut)
def resident_return(request: ApiRequest, resident_id: int, data: ReturnIn) -> Resident:
    """The page's "moved back" button: a person who moved out is active again."""
    resident = selectors.resident_for(request.auth, resident_id)
    return services.resident_return(by=request.auth, resident=resident, version=data.version)


@router.post("/residents/{int:resident_id}/reveal", response=RevealOut)
def resident_reveal(request: ApiRequest, resident_id: int) -> RevealOut:
    resident = selectors.resident_for(request.auth, resident_id)
    return RevealOut(**services.resident_reveal(by=request.auth, resident=resident))


def _export(request: ApiRequest, f: ResidentSearchIn) -> HttpResponse:
    area_obj = core_selectors.area_for(request.auth, f.area) if f.area else None
    if not access.paths_for(request.auth, "resident", "export"):
        raise Forbidden()
    content = services.residents_export(
        by=request.auth,
        residents=_residents(request, f),
        area_path=area_obj.path if area_obj else "",
        filters=search.redacted(f.dict()),
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="residents.xlsx"'
    return response


@router.get("/residents/export", response={200: None})
def resident_export(
    request: ApiRequest,
    area: int | None = None,
    q: str = "",
    group: str = "",
    age: str = "",
    status: str = "active",
) -> HttpResponse:
    """The filtered list as .xlsx (masked, audited). More than SHEQU_BULK_EXPORT_ROWS rows need an
    approved bulk-export grant. A whole number to filter by: POST /api/residents/export."""
    _no_number_in_url(q)
    return _export(
        request, ResidentSearchIn(area=area, q=q[:50], group=group[:30], age=age[:10], status=status[:20])
    )


@router.post("/residents/export", response={200: None})
def resident_export_search(request: ApiRequest, data: ResidentSearchIn) -> HttpResponse:
    """The same export, its filters in the body."""
    return _export(request, data)


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
    duplicate_rows: int  # already in the registry (a resident: exactly so): skipped
    created_rows: int
    problems: list[list[str]]  # [row, column, header, message] of the first `problem_rows_listed` rows
    problem_rows_listed: int


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
        problem_rows_listed=min(job.error_rows, importing.PROBLEM_ROWS_LISTED),
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


class BuildingProfileOut(Schema):
    building_id: int
    estate: str
    property_company_id: int | None
    head_id: int | None


class BuildingProfileIn(Input):
    estate: str = Field("", max_length=100)
    property_company_id: int | None = None
    head_id: int | None = None


def _profile_out(building_id: int, profile: Any) -> dict[str, Any]:
    return {
        "building_id": building_id,
        "estate": profile.estate if profile else "",
        "property_company_id": profile.property_company_id if profile else None,
        "head_id": profile.head_id if profile else None,
    }


@router.get("/buildings/{int:building_id}/profile", response=BuildingProfileOut)
def building_profile(request: ApiRequest, building_id: int) -> dict[str, Any]:
    """A building's estate, property company and building head (the building page's twin)."""
    edit = selectors.building_profile_for(request.auth, building_id)
    return _profile_out(building_id, edit.profile)


@router.put("/buildings/{int:building_id}/profile", response=BuildingProfileOut)
def building_profile_update(request: ApiRequest, building_id: int, data: BuildingProfileIn) -> dict[str, Any]:
    """Set them; a company or a head the page would not offer is not found."""
    edit = selectors.building_profile_for(request.auth, building_id)
    company = head = None
    if data.property_company_id is not None:
        company = edit.companies.filter(pk=data.property_company_id).first()
        if company is None:
            raise NotFound()
    if data.head_id is not None:
        head = edit.people.filter(pk=data.head_id).first()
        if head is None:
            raise NotFound()
    profile = services.building_profile_update(
        by=request.auth, building=edit.building, estate=data.estate, property_company=company, head=head
    )
    return _profile_out(building_id, profile)


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


# --- a person's rights: my data, correction requests ---------------------------------------------


class CorrectionIn(Input):
    field: str = Field(max_length=20)
    details: str = Field(max_length=500)


class CorrectionRequestOut(Schema):
    id: int
    resident_id: int
    field: str
    status: str
    requested_at: datetime
    resolved_at: datetime | None
    answer: str


class ResolveIn(Input):
    corrected: bool
    answer: str = Field("", max_length=300)


@router.get("/me/data", response=dict)
def my_data(request: ApiRequest) -> dict:
    """What is held on the signed-in resident, numbers masked (the full values: POST .../download)."""
    return rights.my_data(user=request.auth)


@router.post("/me/data/download", response=dict)
def my_data_download(request: ApiRequest) -> dict:
    """Everything held on the signed-in resident, in full (logged)."""
    return rights.my_data_download(user=request.auth)


@router.get("/me/corrections", response=list[CorrectionRequestOut])
def my_corrections(request: ApiRequest) -> QuerySet[CorrectionRequest]:
    return rights.my_corrections(request.auth)


@router.post("/me/corrections", response={201: CorrectionRequestOut})
def correction_create(request: ApiRequest, data: CorrectionIn) -> Status[CorrectionRequest]:
    return Status(201, rights.correction_request(by=request.auth, field=data.field, details=data.details))


@router.get("/corrections", response=list[CorrectionRequestOut])
@paginate(Pages)
def correction_list(request: ApiRequest, status: str = "open") -> QuerySet[CorrectionRequest]:
    """Correction requests of the residents of the caller's areas (registrars and administrators)."""
    if not access.paths_for(request.auth, "correction", "view"):
        raise Forbidden()
    return rights.corrections_for(request.auth, status=status[:10])


@router.post("/corrections/{int:correction_id}/resolve", response=CorrectionRequestOut)
def correction_resolve(request: ApiRequest, correction_id: int, data: ResolveIn) -> CorrectionRequest:
    correction = rights.correction_for(request.auth, correction_id)
    return rights.correction_resolve(
        by=request.auth, correction=correction, corrected=data.corrected, answer=data.answer
    )
