"""Every figure of docs/metrics.md on the hand-built fixture (conftest.py), computed by hand below and
matched to the digit; zero denominators; the period's bounds in Asia/Shanghai; scoping."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from conftest import make_user
from shequ.core.errors import Forbidden
from shequ.core.roles import Role
from shequ.metrics.compute import Ctx
from shequ.metrics.drill import drill_for
from shequ.metrics.selectors import Period, area_figures, children_figures, series
from shequ.metrics.tests.conftest import Fixture

pytestmark = pytest.mark.django_db
NOV = Period.month(2026, 11)
D = Decimal

# 平地社区, November 2026, seen by its community worker. By hand:
# resident participation: living in November = R1 R2 R3(left 11-10) R5 R6 R7 R8 R10 = 8
#   (R4 left 10-31, R9 born 12-05); took part = R1, R3, R8 (R4 left; R2 only in December) = 3 → 3/8 = 37.5
# unit participation: units = U1 U2 U4 (U3 is a party branch) = 3; took part = U1 → 1/3 = 33.33 → 33.3
# resident benefit: households = 10 (R1…R10 one each); benefited = R1's (twice), R2's = 2 → 2/10 = 20.0
# unit benefit: U2, U4 of 3 → 66.67 → 66.7
# need satisfaction: raised in November, withdrawn left out = N1 N2 N4 = 3; met = N1 → 33.3
# resident satisfaction: respondents R1 (latest 2), R2 (4), R5 (3) = 3; satisfied = R2 → 33.3
# unit satisfaction (the seed's: of all units): U1 (5) satisfied, U2 (3) not, U4 did not answer → 1/3 = 33.3;
#   among respondents: U1 (5), U2 (3) → 1/2 = 50.0
# appeals: counted P1, P2 (23:30 on 11-30 Shanghai), not P3 → response 1/2 = 50.0; resolution 1/1;
#   satisfaction 1/1; on time 1/1 = 100.0
# volunteer hours: 90 + 100 confirmed = 190 min = 3.166… h → 3.2
# activities finished that started in November: A1, A2, A3 (23:30 on 11-30) = 3 (A4 December, A5 cancelled)
# person-times: A1 R1 R3 R4 U1 (4) + A2 U3 V1 (2) + A3 R8 (1) = 7
# party volunteer person-times: A2's U3, V1 = 2; poverty help (A1 for households in hardship): 4
# cultural events: A3 = 1; party activity days on the 25th: A2 (11-25) → 1 month
# coverage: aged 60+ on 11-30 living alone = R5, R6 (60 that day), R10 = 3 (R7 is 59);
#   visited in November = R5 (in person), R10 (household) = 2 → 66.67 → 66.7
EXPECTED: dict[str, tuple[Any, Any, Any]] = {
    "resident_participation": (3, 8, D("37.5")),
    "unit_participation": (1, 3, D("33.3")),
    "resident_benefit": (2, 10, D("20.0")),
    "unit_benefit": (2, 3, D("66.7")),
    "need_satisfaction": (1, 3, D("33.3")),
    "resident_satisfaction": (1, 3, D("33.3")),
    "unit_satisfaction": (1, 3, D("33.3")),
    "unit_satisfaction_respondents": (1, 2, D("50.0")),
    "appeal_response": (1, 2, D("50.0")),
    "appeal_resolution": (1, 1, D("100.0")),
    "appeal_satisfaction": (1, 1, D("100.0")),
    "appeal_on_time": (1, 1, D("100.0")),
    "volunteer_hours": (D("3.2"), None, D("3.2")),
    "activities_finished": (3, None, D(3)),
    "person_times": (7, None, D(7)),
    "party_volunteer_person_times": (2, None, D(2)),
    "poverty_help_person_times": (4, None, D(4)),
    "cultural_events": (1, None, D(1)),
    "party_activity_days": (1, None, D(1)),
    "elderly_alone_visited": (2, 3, D("66.7")),
}
# The other apps' figures on the same fixture: it holds no case, no supervision and no meeting, so every
# count is 0 and every mean or rate has nothing to average or divide by (their own fixtures:
# casework/tests/test_figures.py, deliberation/tests/test_figures.py).
NOTHING: dict[str, tuple[Any, Any, Any]] = {
    **{
        f"cases_open{suffix}": (0, None, D(0))
        for suffix in (
            "",
            "_intake",
            "_assessment",
            "_plan",
            "_intervention",
            "_evaluation",
            "_high",
            "_medium",
            "_low",
            "_unassessed",
        )
    },
    "cases_closed_goals_met": (0, 0, None),
    **{
        f"case_days_{stage}": (None, None, None)
        for stage in ("intake", "assessment", "plan", "intervention", "evaluation")
    },
    "supervision_quota": (D("0.0"), D("0.0"), None),
    "group_sessions": (0, None, D(0)),
    "group_attendances": (0, None, D(0)),
    "meetings_held": (0, None, D(0)),
    "topics_decided": (0, None, D(0)),
    "decisions_taken": (0, None, D(0)),
    "decisions_on_time": (0, 0, None),
}


def _table(figures: list[Any]) -> dict[str, tuple[Any, Any, Any]]:
    return {f.key: (f.numerator, f.denominator, f.value) for f in figures}


def test_every_figure_of_the_community_matches_the_hand_computation(hand: Fixture) -> None:
    figures = area_figures(hand.people.community_staff, hand.tree.community, NOV)
    assert _table(figures) == EXPECTED | NOTHING


def test_the_figures_have_formulas_units_and_links_to_their_rows(hand: Fixture) -> None:
    f = {x.key: x for x in area_figures(hand.people.community_staff, hand.tree.community, NOV)}
    p = f["resident_participation"]
    assert (p.unit, p.group, p.display()) == ("%", "service", "37.5%")
    assert " ÷ " in p.formula
    assert p.numerator_url.startswith("/metrics/resident_participation/numerator/?")
    assert f"area={hand.tree.community.pk}" in p.numerator_url
    assert "from=2026-11-01&to=2026-11-30" in p.numerator_url
    assert f["volunteer_hours"].display() == "3.2h"
    assert f["volunteer_hours"].denominator_url is None


def test_the_street_adds_its_other_community(hand: Fixture) -> None:
    # 沥西 adds one resident who took part (and one household): (3 + 1) / (8 + 1) = 44.4; 4/11 households
    # benefit… no: 2/11 = 18.2; person-times 7 + 1 = 8.
    t = _table(area_figures(hand.people.street_official, hand.tree.street, NOV))
    assert t["resident_participation"] == (4, 9, D("44.4"))
    assert t["resident_benefit"] == (2, 11, D("18.2"))
    assert t["person_times"] == (8, None, D(8))


def test_children_side_by_side_show_which_community_lags(hand: Fixture) -> None:
    rows = children_figures(hand.people.street_official, hand.tree.street, NOV)
    assert [a.name for a, _f in rows] == ["平地社区", "沥西社区"]
    by_name = {a.name: {f.key: f for f in fs} for a, fs in rows}
    assert by_name["平地社区"]["resident_participation"].value == D("37.5")
    assert by_name["沥西社区"]["resident_participation"].value == D("100.0")  # 1 of 1
    assert by_name["沥西社区"]["need_satisfaction"].value is None  # no needs: "—"


def test_zero_denominators_are_none_and_shown_as_a_dash(hand: Fixture) -> None:
    empty = Period.month(2025, 1)
    figures = area_figures(hand.people.community_staff, hand.tree.community, empty)
    for f in figures:
        if f.denominator is not None:
            assert f.denominator == 0 or f.key in (
                "resident_participation",
                "resident_benefit",
                "unit_participation",
                "unit_benefit",
                "unit_satisfaction",
                "elderly_alone_visited",
            )
    by_key = {f.key: f for f in figures}
    for key in (
        "need_satisfaction",
        "resident_satisfaction",
        "unit_satisfaction_respondents",
        "appeal_response",
        "appeal_on_time",
    ):
        assert by_key[key].value is None
        assert by_key[key].display() == "—"
    # A population that is there, nobody served: a true 0%, not a dash.
    assert by_key["resident_participation"].value == D("0.0")
    # A far community with nothing at all: every rate is "—", every count 0.
    far = area_figures(hand.people.district_admin, hand.tree.district, empty)
    assert all(f.value is None for f in far if f.denominator == 0)


def test_month_ends_follow_shanghai_time(hand: Fixture) -> None:
    dec = {
        f.key: f
        for f in area_figures(hand.people.community_staff, hand.tree.community, Period.month(2026, 12))
    }
    # A4 (00:00 on 12-01) is December's, A3 (23:30 on 11-30) is not; P3 (00:10 on 12-01) is December's.
    assert dec["activities_finished"].numerator == 1
    assert dec["cultural_events"].numerator == 1
    assert dec["appeal_response"].denominator == 1
    oct_ = {
        f.key: f
        for f in area_figures(hand.people.community_staff, hand.tree.community, Period.month(2026, 10))
    }
    assert oct_["activities_finished"].numerator == 1  # A6 at 23:59 on 10-31


def test_series_gives_one_figure_per_month(hand: Fixture) -> None:
    months = [Period.month(2026, m) for m in (10, 11, 12)]
    s = series(
        hand.people.community_staff, hand.tree.community, months, ["activities_finished", "need_satisfaction"]
    )
    assert [f.numerator for f in s["activities_finished"]] == [1, 3, 1]
    assert [f.value for f in s["need_satisfaction"]] == [D("100.0"), D("33.3"), D("100.0")]


def test_a_year_sums_its_months(hand: Fixture) -> None:
    year = {
        f.key: f for f in area_figures(hand.people.community_staff, hand.tree.community, Period.year(2026))
    }
    # A1 A2 A3 (November), A4 (December), A6 (October) = 5; hours 90 + 100 + 30 = 220 min = 3.7 h
    assert year["activities_finished"].numerator == 5
    assert year["volunteer_hours"].numerator == D("3.7")


def test_figures_count_only_what_the_viewer_may_see(hand: Fixture) -> None:
    # The grid worker of 平地's grid sees the same building: the community's figures through their eyes
    # are their grid's. 沥西's worker sees nothing of 平地.
    other = {f.key: f for f in area_figures(hand.people.other_community_staff, hand.tree.community, NOV)}
    assert other["resident_participation"].denominator == 0
    assert other["resident_participation"].value is None
    assert other["person_times"].numerator == 0
    assert other["appeal_response"].denominator == 0
    # An evaluator of the street reads no resident's record, but the figures are aggregates: they get
    # the same numbers as the community's staff, and no list of the people behind them.
    evaluator = make_user(Role.EVALUATOR, hand.tree.street, "pinggu")
    ev = {f.key: f for f in area_figures(evaluator, hand.tree.community, NOV)}
    staff = {f.key: f for f in area_figures(hand.people.community_staff, hand.tree.community, NOV)}
    assert ev["person_times"].numerator == 7
    assert ev["appeal_response"].value == D("50.0")
    for key in ("resident_participation", "resident_benefit", "need_satisfaction", "resident_satisfaction"):
        assert (ev[key].numerator, ev[key].denominator) == (staff[key].numerator, staff[key].denominator)
    assert ev["resident_participation"].value == D("37.5")
    ctx = Ctx(evaluator, hand.tree.community, NOV)
    for key, side in (("resident_participation", "denominator"), ("resident_satisfaction", "numerator")):
        with pytest.raises(Forbidden):
            drill_for(ctx, key, side)
    # Activities are theirs to read: that list is open to them.
    assert (
        drill_for(ctx, "activities_finished", "numerator").rows.count() == ev["activities_finished"].numerator
    )


@pytest.mark.parametrize("period", [NOV, Period.year(2026), Period.month(2026, 12)], ids=lambda p: p.param())
def test_the_benchmarks_hand_written_sql_gives_the_same_figures(hand: Fixture, period: Period) -> None:
    from bench.metrics import KEYS, differences, figures_by_hand, figures_of

    for area in (hand.tree.community, hand.tree.street):
        product = figures_of(area_figures(hand.people.district_admin, area, period))
        by_hand = figures_by_hand(area.path, period.start, period.end)
        assert differences(product, by_hand) == []
        assert sorted(by_hand) == sorted(KEYS)  # what the benchmark times the product on


def test_a_meeting_attended_takes_part_but_is_no_person_time_of_an_activity(hand: Fixture) -> None:
    # A participant record without an activity (a meeting attended, a casework contact): the resident
    # took part (the participation rate), yet person-times count activities' records only — as the
    # benchmark's hand-written SQL does.
    from datetime import date

    from shequ.volunteering.models import RecordKind, ServiceRecord
    from shequ.volunteering.records import record_service

    keys = ["person_times", "resident_participation"]
    before = _table(area_figures(hand.people.community_staff, hand.tree.community, NOV, keys))
    resident = next(
        r
        for r in hand.r.values()
        if not ServiceRecord.objects.filter(
            resident=r, kind=RecordKind.PARTICIPANT, served_on__gte=NOV.start, served_on__lte=NOV.end
        ).exists()
        and r.status == "active"
    )
    record_service(
        source="deliberation.meeting:0",
        label="居民议事会",
        area=resident.area,
        served_on=date(2026, 11, 12),
        residents=[resident],
    )
    after = _table(area_figures(hand.people.community_staff, hand.tree.community, NOV, keys))
    assert after["person_times"] == before["person_times"]
    assert after["resident_participation"][0] == before["resident_participation"][0] + 1
