"""The demo's resource register for 平地社区: loaded through the service, valid by its rules."""

from __future__ import annotations

import pytest

from shequ import demo
from shequ.resources.models import Resource, ResourceStatus


@pytest.mark.django_db
def test_pingdi_has_venues_and_every_triage_status() -> None:
    plan = demo.build()
    # Only the areas, the organisations (without members) and the resources: fast, same code path.
    small = demo.DemoPlan(
        areas=plan.areas,
        households=[],
        organisations=[demo.OrganisationPlan(o.area, o.kind, o.name) for o in plan.organisations],
        accounts=[],
        resources=plan.resources,
    )
    demo.load(small)
    assert Resource.objects.filter(area__name="平地社区").count() == len(plan.resources)
    hall = Resource.objects.get(name="党群服务中心多功能室")
    assert hall.venue.capacity == 80
    assert Resource.objects.get(name="麦边舞龙队训练场").venue.owner == "麦边舞龙队"
    field = Resource.objects.get(name="平地小学操场")
    assert field.status == ResourceStatus.TO_DEVELOP
    assert field.provider_organisation is not None
    assert Resource.objects.get(name="辖区企业赞助资金").kind == "financial"
    assert set(Resource.objects.values_list("status", flat=True)) == set(ResourceStatus.values)
