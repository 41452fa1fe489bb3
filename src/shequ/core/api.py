"""Core API: sign-in tokens, the user, the area tree, role assignments, the audit log."""
# No "from __future__ import annotations": django-ninja reads these annotations at run time.

from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate
from pydantic import ConfigDict, model_validator

from shequ.core import access, grants, selectors, services
from shequ.core.errors import DomainError
from shequ.core.http import ApiRequest
from shequ.core.models import ApiToken, Area, AuditEntry, RoleAssignment, SensitiveAccessGrant, User

router = Router(tags=["core"])


class Input(Schema):
    """Input schemas refuse unknown fields: no mass assignment of area, owner, status or role."""

    model_config = ConfigDict(extra="forbid")


class Pages(PageNumberPagination):
    """ninja's page numbers, bounded: a page past any real list is a 422, not an offset past 64 bits
    that the database answers with a 500."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1, le=1_000)


class Patch(Input):
    """A partial update: a field left out stays as it is, and a field sent as null is refused (422)
    unless its column takes a null (NULLABLE), so a null never reaches a NOT NULL column as a 500."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _no_nulls_where_none_fit(self) -> "Patch":
        refused = sorted(
            n for n in self.model_fields_set if getattr(self, n) is None and n not in self.NULLABLE
        )
        if refused:
            raise ValueError(f"null is not allowed for: {', '.join(refused)}")
        return self


class TokenIn(Input):
    username: str = Field(max_length=150)
    password: str = Field(max_length=128)
    # Staff: the authenticator's 6-digit code (or a recovery code); the same second factor as the page.
    otp: str = Field("", max_length=20)
    name: str = Field("", max_length=100)


class TokenOut(Schema):
    token: str
    expires_at: datetime


class ErrorOut(Schema):
    code: str
    message: str


class RoleOut(Schema):
    role: str
    area_id: int
    area_name: str


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    language: str
    roles: list[RoleOut]


class AreaOut(Schema):
    id: int
    kind: str
    name: str
    code: str | None
    parent_id: int | None
    path: str
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    version: int


class AreaIn(Input):
    parent_id: int
    name: str = Field(max_length=100)
    code: str | None = Field(None, max_length=12)
    address: str = Field("", max_length=200)
    latitude: Decimal | None = Field(None, ge=-90, le=90, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(None, ge=-180, le=180, max_digits=9, decimal_places=6)


class AreaPatch(Patch):
    NULLABLE = frozenset({"code", "latitude", "longitude"})

    version: int
    name: str | None = Field(None, max_length=100)
    code: str | None = Field(None, max_length=12)
    address: str | None = Field(None, max_length=200)
    latitude: Decimal | None = Field(None, ge=-90, le=90, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(None, ge=-180, le=180, max_digits=9, decimal_places=6)


class SummaryOut(Schema):
    area: AreaOut
    children_by_kind: dict[str, int]
    # What the apps count under the area, scoped to the caller (households, residents, organisations…).
    counts: dict[str, int]


class AssignmentOut(Schema):
    id: int
    user_id: int
    username: str = Field(alias="user.username")
    role: str
    area_id: int
    ends_on: date | None


class AssignmentIn(Input):
    username: str = Field(max_length=150)
    role: str = Field(max_length=32)
    area_id: int
    # The last day the role holds (a third-party evaluator's engagement); evaluators default to a year.
    ends_on: date | None = None


class AuditOut(Schema):
    id: int
    at: datetime
    actor_id: int | None
    actor_name: str
    ip: str | None
    action: str
    object_type: str
    object_id: str
    object_repr: str
    changes: dict


@router.post("/auth/token", auth=None, response={200: TokenOut, 401: ErrorOut})
def token_issue(request: ApiRequest, data: TokenIn) -> TokenOut:
    token, record = services.token_issue(
        username=data.username, password=data.password, otp=data.otp, name=data.name
    )
    return TokenOut(token=token, expires_at=record.expires_at)


def _callers_token(request: ApiRequest) -> ApiToken:
    record = getattr(request, "api_token", None)
    if record is None:
        raise DomainError(_("This request was not signed with a bearer token."), code="token_required")
    return record


@router.delete("/auth/token", response={204: None})
def token_revoke(request: ApiRequest) -> Status[None]:
    """Sign the client out: the token that signs this request ends now."""
    services.token_revoke(record=_callers_token(request), why="signed_out")
    return Status(204, None)


@router.post("/auth/token/refresh", response={200: TokenOut, 401: ErrorOut})
def token_refresh(request: ApiRequest) -> TokenOut:
    """A new token for the one that signs this request, which ends."""
    token, record = services.token_refresh(record=_callers_token(request))
    return TokenOut(token=token, expires_at=record.expires_at)


@router.get("/me", response=MeOut)
def me(request: ApiRequest) -> MeOut:
    user: User = request.auth
    return MeOut(
        id=user.pk,
        username=user.username,
        display_name=user.display_name,
        language=user.language,
        roles=[RoleOut(role=r.value, area_id=a.pk, area_name=a.name) for r, a in selectors.roles_of(user)],
    )


@router.get("/areas", response=list[AreaOut])
@paginate(Pages)
def area_list(request: ApiRequest, parent: int | None = None, kind: str = "", q: str = "") -> QuerySet[Area]:
    parent_area = selectors.area_for(request.auth, parent) if parent else None
    return selectors.areas_for(request.auth, parent=parent_area, kind=kind or None, q=q[:50])


@router.get("/areas/{int:area_id}", response=AreaOut)
def area_detail(request: ApiRequest, area_id: int) -> Area:
    return selectors.area_for(request.auth, area_id)


@router.get("/areas/{int:area_id}/summary", response=SummaryOut)
def area_summary(request: ApiRequest, area_id: int) -> SummaryOut:
    area = selectors.area_for(request.auth, area_id)
    h = selectors.area_headline(request.auth, area)
    return SummaryOut(area=AreaOut.from_orm(area), children_by_kind=h.children_by_kind, counts=h.counts)


@router.post("/areas", response={201: AreaOut})
def area_create(request: ApiRequest, data: AreaIn) -> Status[Area]:
    parent = selectors.area_for(request.auth, data.parent_id)
    area = services.area_create(by=request.auth, parent=parent, **data.dict(exclude={"parent_id"}))
    return Status(201, area)


@router.patch("/areas/{int:area_id}", response=AreaOut)
def area_update(request: ApiRequest, area_id: int, data: AreaPatch) -> Area:
    area = access.get_for(request.auth, "area", "update", pk=area_id)
    fields = data.dict(exclude_unset=True)
    version = fields.pop("version")
    return services.area_update(by=request.auth, area=area, version=version, **fields)


@router.delete("/areas/{int:area_id}", response={204: None})
def area_delete(request: ApiRequest, area_id: int) -> Status[None]:
    area = access.get_for(request.auth, "area", "delete", pk=area_id)
    services.area_delete(by=request.auth, area=area)
    return Status(204, None)


@router.get("/assignments", response=list[AssignmentOut])
@paginate(Pages)
def assignment_list(request: ApiRequest, area: int | None = None, q: str = "") -> QuerySet[RoleAssignment]:
    area_obj = selectors.area_for(request.auth, area) if area else None
    return selectors.assignments_for(request.auth, area=area_obj, q=q[:50])


@router.post("/assignments", response={201: AssignmentOut})
def assignment_create(request: ApiRequest, data: AssignmentIn) -> Status[RoleAssignment]:
    area = selectors.area_for(request.auth, data.area_id)
    access.require(request.auth, "assignment", "create", path=area.path)
    user = selectors.account_for(request.auth, "assignment", "create", username=data.username)
    return Status(
        201,
        services.assignment_create(
            by=request.auth, user=user, role=data.role, area=area, ends_on=data.ends_on
        ),
    )


@router.delete("/assignments/{int:assignment_id}", response={204: None})
def assignment_delete(request: ApiRequest, assignment_id: int) -> Status[None]:
    assignment = access.get_for(request.auth, "assignment", "delete", pk=assignment_id)
    services.assignment_delete(by=request.auth, assignment=assignment)
    return Status(204, None)


@router.get("/audit", response=list[AuditOut])
@paginate(Pages)
def audit_list(
    request: ApiRequest,
    action: str = "",
    actor: str = "",
    object_type: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEntry]:
    return selectors.audit_entries_for(
        request.auth, action=action, actor=actor[:150], object_type=object_type[:60], since=since, until=until
    )


# --- sensitive-access grants (minors, bulk exports, case notes) -------------------------------------


class GrantOut(Schema):
    id: int
    kind: str
    area_id: int
    requested_by: str = Field(alias="requested_by.username")
    reason: str
    days: int
    requested_at: datetime
    status: str
    decided_by_id: int | None
    decided_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None
    active: bool

    @staticmethod
    def resolve_active(obj: SensitiveAccessGrant) -> bool:
        return obj.is_active()


class GrantIn(Input):
    kind: str = Field(max_length=20)
    area_id: int
    reason: str = Field(max_length=500)
    days: int | None = Field(None, ge=1, le=366)


class DecisionIn(Input):
    approve: bool


@router.get("/grants", response=list[GrantOut])
@paginate(Pages)
def grant_list(request: ApiRequest, status: str = "") -> QuerySet[SensitiveAccessGrant]:
    return grants.grants_for(request.auth, status=status[:10])


@router.post("/grants", response={201: GrantOut})
def grant_request(request: ApiRequest, data: GrantIn) -> Status[SensitiveAccessGrant]:
    area = selectors.area_for(request.auth, data.area_id)
    grant = grants.grant_request(
        by=request.auth, kind=data.kind, area=area, reason=data.reason, days=data.days
    )
    return Status(201, grant)


@router.post("/grants/{int:grant_id}/decide", response=GrantOut)
def grant_decide(request: ApiRequest, grant_id: int, data: DecisionIn) -> SensitiveAccessGrant:
    grant = grants.grant_for(request.auth, grant_id)
    return grants.grant_decide(by=request.auth, grant=grant, approve=data.approve)


@router.post("/grants/{int:grant_id}/revoke", response=GrantOut)
def grant_revoke(request: ApiRequest, grant_id: int) -> SensitiveAccessGrant:
    grant = grants.grant_for(request.auth, grant_id)
    return grants.grant_revoke(by=request.auth, grant=grant)
