"""Minors' records and bulk exports need a separate, approved, time-limited grant (issue 9)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from conftest import Tree, login_client, make_user, token_client
from shequ.core import grants
from shequ.core.errors import DomainError, Forbidden
from shequ.core.models import AuditAction, AuditEntry, GrantStatus, SensitiveAccessGrant
from shequ.core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(tree: Tree) -> dict[str, Any]:
    return {
        "grid": make_user(Role.GRID_WORKER, tree.grid, username="wangge"),
        "staff": make_user(Role.COMMUNITY_STAFF, tree.community, username="shequ"),
        "street": make_user(Role.STREET_OFFICIAL, tree.street, username="jiedao"),
        "street2": make_user(Role.STREET_OFFICIAL, tree.street, username="jiedao2"),
        "district": make_user(Role.DISTRICT_ADMIN, tree.district, username="quadmin"),
        "head": make_user(Role.BUILDING_HEAD, tree.building, username="louzhang"),
    }


def ask(user: Any, area: Any, kind: str = "minors", days: int = 30) -> SensitiveAccessGrant:
    return grants.grant_request(by=user, kind=kind, area=area, reason="跟进留守儿童个案", days=days)


def test_nobody_approves_their_own_request_not_even_through_the_database(
    tree: Tree, people: dict[str, Any]
) -> None:
    grant = ask(people["street"], tree.street, kind="bulk_export")
    with pytest.raises(Forbidden):
        grants.grant_decide(by=people["street"], grant=grant, approve=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        SensitiveAccessGrant.objects.filter(pk=grant.pk).update(
            status=GrantStatus.APPROVED, decided_by=people["street"], expires_at=timezone.now()
        )
    assert SensitiveAccessGrant.objects.get(pk=grant.pk).status == GrantStatus.PENDING


def test_a_request_is_approved_by_someone_senior_and_lasts_its_days(
    tree: Tree, people: dict[str, Any]
) -> None:
    grant = ask(people["grid"], tree.grid, days=7)
    with pytest.raises(Forbidden):  # community staff may not approve
        grants.grant_decide(by=people["staff"], grant=grant, approve=True)
    with time_machine.travel(timezone.now(), tick=False):
        grant = grants.grant_decide(by=people["street"], grant=grant, approve=True)
        assert grant.expires_at == timezone.now() + timedelta(days=7)
    # A street official's own request: another street official is not senior; the district admin is.
    own = ask(people["street"], tree.street, kind="bulk_export")
    with pytest.raises(Forbidden):
        grants.grant_decide(by=people["street2"], grant=own, approve=True)
    assert grants.grant_decide(by=people["district"], grant=own, approve=True).status == GrantStatus.APPROVED
    entries = AuditEntry.objects.filter(
        action=AuditAction.PERMISSION_CHANGE, object_type="core.sensitiveaccessgrant"
    )
    assert entries.count() == 4  # two requests, two approvals


def test_requests_are_refused_for_the_wrong_role_kind_length_or_area(
    tree: Tree, people: dict[str, Any]
) -> None:
    with pytest.raises(DomainError) as head:
        ask(people["head"], tree.building)  # a building head serves no children's records
    assert head.value.status in (403, 404)
    with pytest.raises(DomainError) as not_theirs:
        ask(people["grid"], tree.grid, kind="case_notes")  # case notes are not a grid worker's to ask for
    assert not_theirs.value.status == 403
    with pytest.raises(DomainError) as too_long:
        ask(people["staff"], tree.community, days=31)
    assert too_long.value.code == "grant_days"
    with pytest.raises(DomainError):
        ask(people["grid"], tree.other_community)  # not their area


def _child_and_adult(resident_factory: Any, tree: Tree) -> tuple[Any, Any]:
    child = resident_factory(tree.building, name="李小明", born=date(2018, 3, 2))
    adult = resident_factory(tree.building, name="王芳", gender="F")
    return child, adult


def test_without_a_grant_a_child_is_shown_only_in_the_minimal_form(
    tree: Tree, people: dict[str, Any], resident_factory: Any
) -> None:
    child, adult = _child_and_adult(resident_factory, tree)
    page = login_client(people["grid"])
    listing = page.get("/residents/").content.decode()
    assert "李**" in listing
    assert "李小明" not in listing
    assert "王芳" in listing
    detail = page.get(f"/residents/{child.pk}/")
    html = detail.content.decode()
    assert detail.status_code == 200
    assert "李小明" not in html
    assert "2018" not in html
    assert 'data-testid="ask-grant"' in html
    assert "/grants/new/?kind=minors" in html
    refused = page.post(f"/residents/{child.pk}/reveal/")
    assert refused.status_code == 403
    assert "/grants/new/?kind=minors" in refused.content.decode()
    assert page.get(f"/residents/{child.pk}/edit/").status_code == 403
    api = token_client(people["grid"])
    out = api.get(f"/api/residents/{child.pk}").json()
    assert out["minimal"]
    assert out["name"] == "李**"
    assert out["birth_date"] is None
    assert out["id_number_masked"] == ""
    assert api.get(f"/api/residents/{child.pk}/groups").status_code == 403
    assert api.post(f"/api/residents/{child.pk}/reveal").json()["code"] == "grant_required"
    assert not api.get(f"/api/residents/{adult.pk}").json()["minimal"]


def test_with_an_approved_grant_each_access_is_audited_naming_it_until_it_expires(
    tree: Tree, people: dict[str, Any], resident_factory: Any
) -> None:
    child, _adult = _child_and_adult(resident_factory, tree)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        grant = grants.grant_decide(by=people["street"], grant=ask(people["grid"], tree.grid), approve=True)
        page = login_client(people["grid"])
        html = page.get(f"/residents/{child.pk}/").content.decode()
        assert "李小明" in html
        assert 'data-testid="under-grant"' in html
        assert page.post(f"/residents/{child.pk}/reveal/").status_code == 200
        assert token_client(people["grid"]).get(f"/api/residents/{child.pk}").json()["name"] == "李小明"
        assert "李小明" in page.get("/residents/").content.decode()
        uses = AuditEntry.objects.filter(action=AuditAction.VIEW_SENSITIVE, changes__grant=grant.pk)
        assert uses.count() == 4  # the page, the reveal, the API, the list
        assert {e.changes["kind"] for e in uses} == {"minors"}
        # Another grid worker has no grant: still the minimal form.
        other = make_user(Role.GRID_WORKER, tree.grid, username="wangge2")
        assert "李小明" not in login_client(other).get(f"/residents/{child.pk}/").content.decode()
        clock.shift(timedelta(days=30, seconds=1))
        page = login_client(people["grid"])
        assert "李小明" not in page.get(f"/residents/{child.pk}/").content.decode()


def test_a_revoked_grant_opens_nothing(tree: Tree, people: dict[str, Any], resident_factory: Any) -> None:
    child, _adult = _child_and_adult(resident_factory, tree)
    grant = grants.grant_decide(by=people["street"], grant=ask(people["grid"], tree.grid), approve=True)
    page = login_client(people["grid"])
    assert "李小明" in page.get(f"/residents/{child.pk}/").content.decode()
    assert login_client(people["district"]).post(f"/grants/{grant.pk}/revoke/").status_code == 302
    assert "李小明" not in page.get(f"/residents/{child.pk}/").content.decode()


def test_pages_ask_approve_and_revoke(tree: Tree, people: dict[str, Any]) -> None:
    asker = login_client(people["grid"])
    r = asker.post(
        "/grants/new/", {"kind": "minors", "area": tree.grid.pk, "reason": "跟进留守儿童个案", "days": 14}
    )
    assert r.status_code == 302
    grant = SensitiveAccessGrant.objects.get()
    assert 'data-testid="approve"' not in asker.get(r["Location"]).content.decode()  # not their own
    approver = login_client(people["street"])
    assert 'data-testid="to-decide"' in approver.get("/grants/").content.decode()
    assert approver.post(f"/grants/{grant.pk}/decide/", {"decision": "approve"}).status_code == 302
    grant.refresh_from_db()
    assert grant.status == GrantStatus.APPROVED
    assert grant.decided_by == people["street"]
    assert asker.post(f"/grants/{grant.pk}/revoke/").status_code == 302  # giving it back
    grant.refresh_from_db()
    assert grant.status == GrantStatus.REVOKED
    assert grant.revoked_by == people["grid"]


@pytest.fixture
def small_bulk(settings: Any) -> None:
    settings.BULK_EXPORT_ROWS = 2


def test_a_bulk_export_is_refused_with_a_link_to_ask_and_works_under_a_grant(
    small_bulk: None, tree: Tree, people: dict[str, Any], resident_factory: Any
) -> None:
    for name in ("张一", "张二", "张三"):
        resident_factory(tree.building, name=name)
    staff = login_client(people["staff"])
    refused = staff.get(f"/residents/export.xlsx?area={tree.community.pk}")
    html = refused.content.decode()
    assert refused.status_code == 403
    assert "3" in html
    assert 'data-testid="grant-link"' in html
    assert f"/grants/new/?kind=bulk_export&amp;area={tree.community.pk}" in html
    api = token_client(people["staff"])
    assert api.get("/api/residents/export").json()["code"] == "grant_required"
    assert api.get("/api/households/export").status_code == 403
    assert staff.get("/residents/export.xlsx", {"q": "张一"}).status_code == 200  # a small export needs none
    grant = grants.grant_decide(
        by=people["street"], grant=ask(people["staff"], tree.community, kind="bulk_export"), approve=True
    )
    assert staff.get(f"/residents/export.xlsx?area={tree.community.pk}").status_code == 200
    assert api.get("/api/residents/export").status_code == 200
    entry = AuditEntry.objects.filter(action=AuditAction.EXPORT).order_by("-id").first()
    assert entry is not None
    assert entry.changes["grant"] == grant.pk
    assert entry.changes["rows"] == 3


def test_a_child_in_an_export_appears_in_the_minimal_form_without_a_grant_for_minors(
    tree: Tree, people: dict[str, Any], resident_factory: Any
) -> None:
    import io

    from openpyxl import load_workbook

    _child_and_adult(resident_factory, tree)
    content = login_client(people["staff"]).get("/residents/export.xlsx").content
    rows = list(
        load_workbook(io.BytesIO(content), read_only=True)
        .worksheets[0]
        .iter_rows(min_row=2, values_only=True)
    )
    names = {r[0]: r for r in rows}
    assert set(names) == {"李**", "王芳"}
    assert names["李**"][2] in ("", None)
    assert names["李**"][3] in ("", None)  # no birth date, no ID


def test_a_child_in_a_special_group_is_listed_by_that_group_only_with_a_grant(
    tree: Tree, people: dict[str, Any], resident_factory: Any
) -> None:
    """The minimal form (李**) on a list filtered by 残疾 still says the child is disabled (issue 15)."""
    from shequ.registry import services as registry_services

    child, adult = _child_and_adult(resident_factory, tree)
    for person in (child, adult):
        registry_services.special_group_set(
            by=people["staff"], resident=person, group="disabled", category="visual", level=2
        )
    page = login_client(people["grid"])
    listing = page.get("/residents/?group=disabled").content.decode()
    assert "王芳" in listing
    assert "李**" not in listing
    api = token_client(people["grid"]).get("/api/residents?group=disabled").json()
    names = [r["name"] for r in (api["items"] if isinstance(api, dict) else api)]
    assert names == ["王芳"]
    assert "李**" in page.get("/residents/").content.decode()  # unfiltered, still in the minimal form
    grants.grant_decide(by=people["street"], grant=ask(people["grid"], tree.grid), approve=True)
    assert "李小明" in page.get("/residents/?group=disabled").content.decode()
