"""A community hands in its month's report to the street (issue 16): draft → submitted → received, or
returned with a reason and handed in again; the street sees which communities have handed in; page
and API are twins over the same service and rule table."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from conftest import login_client, token_client
from shequ.core.errors import DomainError, Forbidden, NotFound
from shequ.reports import selectors
from shequ.reports.models import ReportSubmission
from shequ.reports.services import submission_act

pytestmark = pytest.mark.django_db

YEAR, MONTH = 2026, 11
TODAY = date(2026, 12, 2)


def _act(by: Any, area: Any, action: str, **kw: Any) -> ReportSubmission:
    return submission_act(by=by, area=area, year=YEAR, month=MONTH, action=action, today=TODAY, **kw)


def test_handing_in_takes_the_months_figures_from_the_records(people: Any, tree: Any) -> None:
    s = _act(people.community_staff, tree.community, "submit", note="按时上报")
    assert s.status == "submitted"
    assert {"key", "label", "value"} <= set(s.figures[0])


def test_the_street_receives_a_handed_in_report(people: Any, tree: Any) -> None:
    _act(people.community_staff, tree.community, "submit")
    assert _act(people.street_official, tree.community, "receive").status == "received"


def test_a_returned_report_says_why_and_can_be_handed_in_again(people: Any, tree: Any) -> None:
    _act(people.community_staff, tree.community, "submit")
    returned = _act(people.street_official, tree.community, "return", reason="志愿服务时长缺少说明")
    assert returned.reason == "志愿服务时长缺少说明"
    assert _act(people.community_staff, tree.community, "submit").status == "submitted"


def test_a_report_not_handed_in_cannot_be_received(people: Any, tree: Any) -> None:
    with pytest.raises(DomainError) as refused:
        _act(people.street_official, tree.community, "receive")
    assert refused.value.code == "illegal_transition"


@pytest.mark.parametrize(
    ("who", "action", "error"),
    [
        ("street_official", "submit", Forbidden),  # the street does not hand in for the community
        ("other_community_staff", "submit", NotFound),  # another community's month is not theirs
        ("far_official", "receive", NotFound),
    ],
)
def test_only_the_right_office_acts(people: Any, tree: Any, who: str, action: str, error: type) -> None:
    if action == "receive":
        _act(people.community_staff, tree.community, "submit")
    with pytest.raises(error):
        _act(getattr(people, who), tree.community, action)


def test_a_future_month_cannot_be_handed_in(people: Any, tree: Any) -> None:
    with pytest.raises(DomainError) as refused:
        submission_act(
            by=people.community_staff,
            area=tree.community,
            year=2026,
            month=12,
            action="submit",
            today=date(2026, 11, 30),
        )
    assert refused.value.code == "month_future"


def test_the_street_sees_which_communities_have_handed_in(people: Any, tree: Any) -> None:
    _act(people.community_staff, tree.community, "submit")
    handins = selectors.handins_for(people.street_official, year=YEAR, month=MONTH)
    rows = {h.area.pk: h.status for h in handins}
    assert rows == {tree.community.pk: "submitted", tree.other_community.pk: "draft"}


def test_the_page_hands_in_with_one_tap_and_the_street_page_shows_it(people: Any, tree: Any) -> None:
    staff = login_client(people.community_staff)
    own = staff.get("/reports/monthly/", {"month": "2026-11"})
    assert b'data-testid="do-submit"' in own.content
    r = staff.post(f"/reports/monthly/{tree.community.pk}/2026/11/act/submit/", {"note": ""})
    assert r.status_code == 302
    street = login_client(people.street_official).get("/reports/monthly/", {"month": "2026-11"})
    assert f'data-testid="handin-{tree.community.pk}" data-status="submitted"' in street.content.decode()


def test_the_page_asks_for_the_reason_when_returning(people: Any, tree: Any) -> None:
    _act(people.community_staff, tree.community, "submit")
    r = login_client(people.street_official).post(
        f"/reports/monthly/{tree.community.pk}/2026/11/act/return/", {"reason": " "}
    )
    assert r.status_code == 400
    assert "field-error" in r.content.decode()


def test_the_api_receives_and_lists_like_the_page(people: Any, tree: Any) -> None:
    _act(people.community_staff, tree.community, "submit")
    street = token_client(people.street_official)
    r = street.post(
        f"/api/report-submissions/{tree.community.pk}/2026/11/receive", {}, content_type="application/json"
    )
    assert r.json()["status"] == "received"
    listed = street.get("/api/report-submissions", {"year": 2026, "month": 11}).json()
    assert [h["status"] for h in listed] == ["received", "draft"]


def test_the_api_refuses_returning_without_a_reason(people: Any, tree: Any) -> None:
    _act(people.community_staff, tree.community, "submit")
    r = token_client(people.street_official).post(
        f"/api/report-submissions/{tree.community.pk}/2026/11/return",
        {"reason": " "},
        content_type="application/json",
    )
    assert r.status_code == 400
    assert r.json()["code"] == "required"
