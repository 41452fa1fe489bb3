"""The demo's needs: 平地社区 has this month's visits to most (not all) elderly people living alone,
needs in every state, and a residents' and a units' survey with answers — real figures for the metrics."""

from __future__ import annotations

from django.utils import timezone

from shequ.demo.tests import LoadedDemo
from shequ.needs import selectors
from shequ.needs.models import Need, Survey, Visit
from shequ.registry.models import Resident


def gives_pingdi_visits_needs_and_surveys(loaded: LoadedDemo) -> None:
    today = timezone.localdate()
    alone = Resident.objects.filter(
        area__path__startswith=Visit.objects.first().area_path[:12], living_alone=True
    )
    seen = set(
        Visit.objects.filter(visited_on__gte=today.replace(day=1), resident__living_alone=True).values_list(
            "resident", flat=True
        )
    )
    assert 0.6 <= len(seen) / alone.count() < 1  # most, not all
    assert Visit.objects.filter(visited_on__lt=today.replace(day=1)).count() > 100  # months of history
    assert {"open", "met", "unmet", "withdrawn"} <= set(Need.objects.values_list("status", flat=True))
    assert Need.objects.filter(status="met").count() > Need.objects.filter(status="unmet").count()
    residents = Survey.objects.get(respondents="residents")
    summary = selectors.survey_summary(residents)
    assert summary.responses >= 30
    assert 0.6 <= (summary.share_satisfied or 0) < 1
    assert selectors.survey_summary(Survey.objects.get(respondents="units")).responses == 5
    me = Resident.objects.get(user__username="pingdi_jumin")
    assert me.name == "陈美玲"
    assert not me.survey_responses.exists()  # left for the demo to answer


CHECKS = [gives_pingdi_visits_needs_and_surveys]  # against the demo loaded once (demo/tests)
