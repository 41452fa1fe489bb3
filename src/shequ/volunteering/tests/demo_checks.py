"""The demo's volunteering: 平地社区 has teams at the three levels, activities held and to come, confirmed
hours with points, service records, a waiting list, and a 1+1+5 group — all made by the services."""

from __future__ import annotations

from shequ.demo.tests import LoadedDemo
from shequ.volunteering import selectors
from shequ.volunteering.models import (
    Activity,
    HoursStatus,
    ServiceHours,
    ServiceRecord,
    SignUp,
    Team,
    Volunteer,
    YouthGroup,
)


def gives_pingdi_a_working_volunteer_service(loaded: LoadedDemo) -> None:
    assert set(Team.objects.values_list("level", flat=True)) == {"street", "community", "social_organisation"}
    statuses = sorted(Activity.objects.values_list("status", flat=True))
    assert statuses.count("finished") == 3
    assert statuses.count("published") == 2
    assert statuses.count("draft") == 1
    assert ServiceHours.objects.filter(status=HoursStatus.CONFIRMED).count() >= 15
    assert SignUp.objects.filter(status="waitlisted").count() == 2
    assert (
        ServiceRecord.objects.filter(
            kind="beneficiary", household__isnull=False, activity__isnull=False
        ).count()
        == 24
    )
    student = Volunteer.objects.get(user__username="pingdi_zhiyuan")
    record = selectors.record_of(student)
    assert (record.minutes, record.points) == (180, 0)  # 30 points earned, 30 redeemed
    group = YouthGroup.objects.get()
    assert group.backbones.count() == 5
    assert group.problems.filter(status="solved").count() == 1


CHECKS = [gives_pingdi_a_working_volunteer_service]  # against the demo loaded once (demo/tests)
