"""Resource register writes: validation, venues, optimistic locking, audit, scoping, triage."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction

from conftest import Tree, make_user
from shequ.core.errors import Conflict, DomainError, Forbidden, NotFound
from shequ.core.models import AuditAction, AuditEntry
from shequ.core.roles import Role
from shequ.registry.models import Organisation
from shequ.resources import selectors, services
from shequ.resources.models import Resource, ResourceStatus, Venue, triage

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(tree: Tree) -> Any:
    return make_user(Role.SOCIAL_WORKER, tree.community, username="shegong")


def _hall(tree: Tree, by: Any, **fields: Any) -> Resource:
    return services.resource_create(
        by=by,
        area=tree.community,
        name="党群服务中心多功能室",
        kind="material",
        venue={"capacity": 80, "opening_hours": "周一至周五 08:30-17:30"},
        **fields,
    )


def test_a_social_worker_registers_a_venue_with_its_register_fields(tree: Tree, worker: Any) -> None:
    hall = _hall(
        tree,
        worker,
        provider="平地社区居委会",
        phone="0757 8600 1234",
        fax="0757-86001235",
        email="pingdi@example.cn",
        website="www.example.cn",
        charges=True,
        charge_details="每小时50元",
    )
    hall.refresh_from_db()
    assert hall.phone == "0757-86001234"
    assert hall.fax == "0757-86001235"
    assert hall.website == "https://www.example.cn"
    assert hall.venue.capacity == 80
    assert hall.status == ResourceStatus.REGISTERED


@pytest.mark.parametrize(
    "phone, stored",
    [
        ("13800138000", "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("0757-86001234", "0757-86001234"),
        ("075786001234", "0757-86001234"),
        ("(020) 8888 6666", "020-88886666"),
        ("0757-86001234-802", "0757-86001234-802"),
        ("86001234", "86001234"),
        ("400-123-4567", "400-123-4567"),
    ],
)
def test_mobiles_and_landlines_are_accepted_and_normalised(phone: str, stored: str) -> None:
    assert services.clean_phone(phone) == stored


@pytest.mark.parametrize(
    "phone", ["12345", "12800138000", "1380013800", "0757-1234", "电话", "0757-86001234x"]
)
def test_a_bad_phone_is_refused(tree: Tree, worker: Any, phone: str) -> None:
    with pytest.raises(DomainError) as exc:
        services.resource_create(
            by=worker, area=tree.community, name="长者饭堂", kind="material", phone=phone
        )
    assert exc.value.code == "phone_format"
    assert exc.value.fields == {"phone": "format"}
    assert not Resource.objects.exists()


def test_a_bad_fax_is_refused_on_the_fax_field(tree: Tree, worker: Any) -> None:
    with pytest.raises(DomainError) as exc:
        services.resource_create(by=worker, area=tree.community, name="长者饭堂", kind="material", fax="123")
    assert exc.value.code == "fax_format"


@pytest.mark.parametrize("email", ["pingdi", "pingdi@", "@example.cn", "a b@example.cn"])
def test_a_bad_email_is_refused(tree: Tree, worker: Any, email: str) -> None:
    with pytest.raises(DomainError) as exc:
        services.resource_create(
            by=worker, area=tree.community, name="长者饭堂", kind="material", email=email
        )
    assert exc.value.code == "email_format"


def test_a_bad_website_is_refused(tree: Tree, worker: Any) -> None:
    with pytest.raises(DomainError) as exc:
        services.resource_create(
            by=worker, area=tree.community, name="长者饭堂", kind="material", website="ftp://example.cn"
        )
    assert exc.value.code == "website_format"


@pytest.mark.parametrize("capacity", [0, -5, None, "many"])
def test_a_venue_needs_a_positive_capacity(tree: Tree, worker: Any, capacity: Any) -> None:
    with pytest.raises(DomainError) as exc:
        services.resource_create(
            by=worker, area=tree.community, name="活动室", kind="material", venue={"capacity": capacity}
        )
    assert exc.value.code == "capacity_invalid"
    assert not Resource.objects.exists()


def test_the_database_itself_refuses_capacity_zero_and_unknown_kinds(tree: Tree) -> None:
    resource = Resource.objects.create(area=tree.community, name="活动室", kind="material")
    with pytest.raises(IntegrityError), transaction.atomic():
        Venue.objects.create(resource=resource, capacity=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        Resource.objects.create(area=tree.community, name="x", kind="spiritual")
    with pytest.raises(IntegrityError), transaction.atomic():
        Resource.objects.create(area=tree.community, name="x", kind="material", status="maybe")
    with pytest.raises(IntegrityError), transaction.atomic():
        Resource.objects.create(area=tree.community, name="x", kind="material", charge_details="50元")


def test_only_a_material_resource_can_be_a_venue(tree: Tree, worker: Any) -> None:
    with pytest.raises(DomainError) as exc:
        services.resource_create(
            by=worker, area=tree.community, name="志愿者队伍", kind="human", venue={"capacity": 10}
        )
    assert exc.value.code == "venue_kind"
    hall = _hall(tree, worker)
    with pytest.raises(DomainError):
        services.resource_update(by=worker, resource=hall, version=hall.version, kind="human")


def test_charge_details_need_a_resource_that_charges(tree: Tree, worker: Any) -> None:
    with pytest.raises(DomainError) as exc:
        services.resource_create(
            by=worker, area=tree.community, name="操场", kind="material", charge_details="50元"
        )
    assert exc.value.code == "charge_details_free"


def test_a_stale_edit_is_refused(tree: Tree, worker: Any) -> None:
    hall = _hall(tree, worker)
    services.resource_update(by=worker, resource=hall, version=1, name="多功能室（一楼）")
    with pytest.raises(Conflict):
        services.resource_update(by=worker, resource=hall, version=1, name="多功能室（二楼）")
    hall.refresh_from_db()
    assert hall.name == "多功能室（一楼）"
    assert hall.version == 2


def test_an_edit_can_change_venue_fields_and_drop_the_venue(tree: Tree, worker: Any) -> None:
    hall = _hall(tree, worker)
    services.resource_update(by=worker, resource=hall, version=1, venue={"capacity": 120})
    hall.refresh_from_db()
    assert hall.venue.capacity == 120
    assert hall.venue.opening_hours == "周一至周五 08:30-17:30"
    services.resource_update(by=worker, resource=hall, version=2, drop_venue=True)
    assert not Venue.objects.exists()
    assert Resource.objects.get(pk=hall.pk).version == 3


def test_an_unchanged_edit_writes_nothing(tree: Tree, worker: Any) -> None:
    hall = _hall(tree, worker)
    services.resource_update(by=worker, resource=hall, version=1, name=hall.name)
    assert Resource.objects.get(pk=hall.pk).version == 1
    assert not AuditEntry.objects.filter(action=AuditAction.UPDATE).exists()


def test_create_update_and_delete_are_audited(tree: Tree, worker: Any) -> None:
    hall = _hall(tree, worker, phone="0757-86001234")
    services.resource_update(by=worker, resource=hall, version=1, status="to_develop", venue={"capacity": 60})
    services.resource_delete(by=worker, resource=Resource.objects.get(pk=hall.pk))
    entries = list(AuditEntry.objects.filter(object_type="resources.resource").order_by("id"))
    assert [e.action for e in entries] == [AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE]
    assert all(e.actor_name == "shegong" for e in entries)
    assert all(e.area_path == tree.community.path for e in entries)
    assert entries[0].changes["venue.capacity"] == [None, 80]
    assert entries[1].changes == {"status": ["registered", "to_develop"], "venue.capacity": [80, 60]}
    assert entries[2].changes["name"] == ["党群服务中心多功能室", None]
    assert not Resource.objects.exists()
    assert not Venue.objects.exists()


def test_a_worker_of_another_community_sees_nothing_and_cannot_write(tree: Tree, worker: Any) -> None:
    hall = _hall(tree, worker)
    other = make_user(Role.COMMUNITY_STAFF, tree.other_community, username="lixi")
    assert not selectors.resources_for(other).exists()
    with pytest.raises(NotFound):
        selectors.resource_for(other, hall.pk)
    with pytest.raises(NotFound):
        services.resource_update(by=other, resource=hall, version=1, name="占用")
    with pytest.raises(NotFound):
        services.resource_delete(by=other, resource=hall)
    with pytest.raises(NotFound):
        services.resource_create(by=other, area=tree.community, name="越界资源", kind="material")


def test_a_volunteer_sees_the_register_but_cannot_change_it(tree: Tree, worker: Any) -> None:
    hall = _hall(tree, worker)
    volunteer = make_user(Role.VOLUNTEER, tree.community, username="zhiyuan")
    assert list(selectors.resources_for(volunteer)) == [hall]
    with pytest.raises(Forbidden):
        services.resource_update(by=volunteer, resource=hall, version=1, name="改名")


def test_an_organisation_outside_the_users_areas_cannot_be_linked(tree: Tree, worker: Any) -> None:
    far = Organisation.objects.create(area=tree.far_community, kind="unit", name="升平小学")
    near = Organisation.objects.create(area=tree.community, kind="unit", name="平地小学")
    with pytest.raises(NotFound):
        services.resource_create(
            by=worker, area=tree.community, name="操场", kind="material", provider_organisation=far
        )
    field = services.resource_create(
        by=worker, area=tree.community, name="操场", kind="material", provider_organisation=near
    )
    assert field.provider == "平地小学"


def test_the_triage_filter_and_search(tree: Tree, worker: Any) -> None:
    _hall(tree, worker)
    services.resource_create(
        by=worker, area=tree.building, name="平地小学操场", kind="material", status="to_develop"
    )
    services.resource_create(
        by=worker, area=tree.community, name="辖区企业赞助资金", kind="financial", items="每年赞助活动经费"
    )
    names = lambda qs: sorted(r.name for r in qs)  # noqa: E731
    assert names(selectors.resources_for(worker, status="to_develop")) == ["平地小学操场"]
    assert names(selectors.resources_for(worker, status="to_substitute")) == []
    assert names(selectors.resources_for(worker, kind="financial")) == ["辖区企业赞助资金"]
    assert names(selectors.resources_for(worker, q="赞助活动")) == ["辖区企业赞助资金"]
    assert names(selectors.resources_for(worker, venues_only=True)) == ["党群服务中心多功能室"]
    assert names(selectors.resources_for(worker, area=tree.building)) == ["平地小学操场"]


@pytest.mark.parametrize(
    "exists, usable, developable, status",
    [
        (True, True, False, ResourceStatus.REGISTERED),
        (True, False, False, ResourceStatus.TO_DEVELOP),
        (False, False, True, ResourceStatus.TO_DEVELOP),
        (False, False, False, ResourceStatus.TO_SUBSTITUTE),
    ],
)
def test_the_triage_rule_of_the_seeds(exists: bool, usable: bool, developable: bool, status: str) -> None:
    assert triage(exists=exists, usable=usable, developable=developable) == status
