"""The certificates: what the PDF says (read back with pypdf), who may have one, and that issuing one
is audited."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
import time_machine
from pypdf import PdfReader

from conftest import Tree, login_client, token_client
from shequ.core.errors import DomainError
from shequ.core.models import AuditEntry
from shequ.registry.selectors import masked_id_number
from shequ.volunteering import services
from shequ.volunteering.certificates import certificate_issue
from shequ.volunteering.tests.conftest import END, NOW, START, People

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")


@pytest.fixture
def served(tree: Tree, people: People, make_activity: Any, volunteer_factory: Any) -> Any:
    """黄志明 served 3 h at 长者探访 (confirmed), 1.5 h at a youth social practice (confirmed) and
    2 h at a third activity that is not confirmed."""
    v = volunteer_factory("黄志明", political_status="league_member")
    visit = make_activity(title="长者探访")
    practice = make_activity(
        title="暑期社区实践",
        kind="youth_social_practice",
        eligibility="league_members",
        starts_at=START + timedelta(days=3),
        ends_at=START + timedelta(days=3, hours=2),
    )
    pending = make_activity(
        title="未确认活动", starts_at=START + timedelta(days=5), ends_at=END + timedelta(days=5)
    )
    for activity, minutes, confirm in ((visit, 180, True), (practice, 90, True), (pending, 120, False)):
        signup = services.signup_create(by=v.user, activity=activity, now=NOW)
        services.attendance_check_in(
            by=people.worker, signup=signup, at=activity.starts_at, now=activity.ends_at
        )
        hours = services.attendance_check_out(
            by=people.worker,
            signup=signup,
            at=activity.starts_at + timedelta(minutes=minutes),
            now=activity.ends_at + timedelta(hours=1),
        )
        if confirm:
            services.hours_confirm(by=people.worker, hours=hours, now=activity.ends_at)
    return v


def test_the_certificate_lists_the_confirmed_hours_with_name_masked_id_issuer_and_dates(
    served: Any, people: People
) -> None:
    issued = certificate_issue(
        by=people.worker, volunteer=served, start=date(2026, 12, 1), end=date(2026, 12, 31), now=NOW
    )
    assert issued.pdf.startswith(b"%PDF")
    assert (issued.minutes, issued.activities) == (270, 2)
    text = text_of(issued.pdf)
    masked = masked_id_number(served.resident)
    full_id = masked[:6]  # the region shows; the birth date does not
    assert "志愿服务时长证明" in text
    assert "黄志明" in text
    assert masked in text
    assert full_id in text
    assert "大沥镇平地社区" in text  # registered in, and the issuer
    assert "长者探访" in text
    assert "暑期社区实践" in text
    assert "未确认活动" not in text
    assert "2026-12-06" in text
    assert "2026-12-09" in text
    assert "3.0" in text
    assert "1.5" in text
    assert "4.5" in text
    assert "2026-12-01–2026-12-31" in text
    assert issued.number in text
    assert "出具单位：大沥镇平地社区（盖章）" in text
    assert "出具日期：2026-12-05" in text
    entry = AuditEntry.objects.filter(action="export", object_type="volunteering.volunteer").get()
    assert entry.changes["certificate"] == [None, issued.number]


def test_the_social_practice_certificate_lists_only_practice(served: Any, people: People) -> None:
    issued = certificate_issue(
        by=people.worker, volunteer=served, start=date(2026, 12, 1), end=date(2026, 12, 31), kind="practice"
    )
    text = text_of(issued.pdf)
    assert "社会实践证明" in text
    assert "暑期社区实践" in text
    assert "长者探访" not in text
    assert issued.minutes == 90


def test_a_period_outside_the_service_gives_an_empty_certificate_and_a_reversed_one_is_refused(
    served: Any, people: People
) -> None:
    issued = certificate_issue(
        by=people.worker, volunteer=served, start=date(2025, 1, 1), end=date(2025, 12, 31)
    )
    assert issued.minutes == 0
    assert "此期间没有已确认的服务时长" in text_of(issued.pdf)
    with pytest.raises(DomainError):
        certificate_issue(by=people.worker, volunteer=served, start=date(2026, 12, 31), end=date(2026, 1, 1))


def test_the_volunteer_downloads_their_own_certificate_and_others_cannot(
    served: Any, people: People, volunteer_factory: Any
) -> None:
    with time_machine.travel(NOW + timedelta(days=30), tick=False):
        r = login_client(served.user).get(
            f"/volunteers/{served.pk}/certificate.pdf", {"start": "2026-12-01", "end": "2026-12-31"}
        )
        assert r.status_code == 200
        assert r["Content-Type"] == "application/pdf"
        assert "attachment" in r["Content-Disposition"]
        assert "黄志明" in text_of(r.content)
        assert (
            login_client(volunteer_factory().user).get(f"/volunteers/{served.pk}/certificate.pdf").status_code
            == 404
        )
        assert (
            login_client(people.other_worker).get(f"/volunteers/{served.pk}/certificate.pdf").status_code
            == 404
        )
        r = token_client(people.worker).get(
            f"/api/volunteers/{served.pk}/certificate",
            {"start": "2026-12-01", "end": "2026-12-31", "kind": "practice"},
        )
        assert r.status_code == 200
        assert "暑期社区实践" in text_of(r.content)
