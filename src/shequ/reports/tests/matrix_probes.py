"""The permission matrix's probes of the monthly report handed in (core/tests/test_permission_matrix.py
collects them): a community's month, tried through pages and API, every action of reports/workflow.py."""

from __future__ import annotations

from typing import Any

from django.test import Client

from shequ.core.models import Area
from shequ.reports.models import ReportSubmission
from shequ.reports.services import submission_act

YEAR, MONTH = 2025, 11


def _community(c: Any) -> Area:
    return c.tree.community if c.side == "inside" else c.tree.far_community


def _refused(response: Any) -> bool:
    assert response.status_code in (403, 404), f"a refusal must be 403/404, got {response.status_code}"
    return False


def _outcome(ok: bool, response: Any, status: int) -> bool:
    if ok:
        assert response.status_code == status, response.content[:300]
        return True
    return _refused(response)


def _status(area: Area) -> str:
    found = ReportSubmission.objects.filter(area=area, year=YEAR, month=MONTH).first()
    return found.status if found else "draft"


def _url(area: Area, api: bool, action: str = "") -> str:
    if api:
        return f"/api/report-submissions/{area.pk}/{YEAR}/{MONTH}" + (f"/{action}" if action else "")
    return f"/reports/monthly/{area.pk}/{YEAR}/{MONTH}/" + (f"act/{action}/" if action else "")


def _view(c: Any, client: Client, api: bool) -> tuple[bool, str]:
    area = _community(c)
    r = client.get(_url(area, api))
    return (r.status_code == 200 or _refused(r)), area.path


def _submit(c: Any, client: Client, api: bool) -> tuple[bool, str]:
    area = _community(c)
    if api:
        r = client.post(_url(area, api, "submit"), {"note": ""}, content_type="application/json")
    else:
        r = client.post(_url(area, api, "submit"), {"note": ""})
    return _outcome(_status(area) == "submitted", r, 200 if api else 302), area.path


def _receive(c: Any, client: Client, api: bool) -> tuple[bool, str]:
    area = _community(c)
    submission_act(by=None, area=area, year=YEAR, month=MONTH, action="submit")
    if api:
        r = client.post(_url(area, api, "receive"), {}, content_type="application/json")
    else:
        r = client.post(_url(area, api, "receive"), {})
    return _outcome(_status(area) == "received", r, 200 if api else 302), area.path


PROBES = {
    ("report_submission", "view", "month"): (
        lambda c, client: _view(c, client, False),
        lambda c, client: _view(c, client, True),
    ),
    ("report_submission", "submit", ""): (
        lambda c, client: _submit(c, client, False),
        lambda c, client: _submit(c, client, True),
    ),
    ("report_submission", "review", "receive"): (
        lambda c, client: _receive(c, client, False),
        lambda c, client: _receive(c, client, True),
    ),
}
