"""The activity report (简报): written by the organiser once the activity is finished, with photos
checked and stripped of their metadata; its numbers come from the service records, never typed; read
(and printed) by the funders and supervisors of the area — not by residents, not by another area."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from conftest import Tree, login_client, make_user, token_client
from shequ.core.errors import DomainError
from shequ.core.roles import Role
from shequ.volunteering import services
from shequ.volunteering.models import ActivityReport, ReportPhoto
from shequ.volunteering.tests.conftest import END, NOW, START, People

pytestmark = pytest.mark.django_db
AFTER = END + timedelta(hours=2)


def _photo(name: str = "p.jpg", fmt: str = "JPEG") -> SimpleUploadedFile:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0110] = "Phone XYZ"  # camera model
    out = io.BytesIO()
    image.save(out, format=fmt, exif=exif.tobytes())
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def finished(
    make_activity: Any, people: People, volunteer_factory: Any, resident_factory: Any, tree: Tree
) -> Any:
    """A held activity: two volunteers came, one household benefited."""
    activity = make_activity()
    for _ in range(2):
        signup = services.signup_create(by=volunteer_factory().user, activity=activity, now=NOW)
        services.attendance_check_in(
            by=people.worker, signup=signup, at=START, now=START + timedelta(hours=1)
        )
    services.signup_create(by=volunteer_factory().user, activity=activity, now=NOW)  # did not come
    household = resident_factory(tree.building, name="受益户").household
    return services.activity_finish(
        by=people.worker,
        activity=activity,
        version=activity.version,
        beneficiary_households=[household],
        now=END + timedelta(hours=1),
    )


def test_the_report_is_written_with_photos_whose_metadata_is_stripped(finished: Any, people: People) -> None:
    report = services.brief_save(
        by=people.worker, activity=finished, text="探访了 12 位长者。", photos=[_photo()], now=AFTER
    )
    photo = report.photos.get()
    with Image.open(photo.image.open("rb")) as stored:
        assert stored.format == "JPEG"
        assert not stored.getexif()
    assert (photo.width, photo.height) == (64, 48)


def test_a_report_waits_for_the_activity_to_finish_and_refuses_what_is_not_a_photo(
    make_activity: Any, finished: Any, people: People
) -> None:
    with pytest.raises(DomainError) as refused:
        services.brief_save(by=people.worker, activity=make_activity(title="未结束"), text="x", now=NOW)
    assert refused.value.code == "not_finished"
    fake = SimpleUploadedFile("x.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    with pytest.raises(DomainError) as refused:
        services.brief_save(by=people.worker, activity=finished, text="x", photos=[fake], now=AFTER)
    assert refused.value.code == "photo_unreadable"
    assert not ActivityReport.objects.exists()


def test_the_writing_page_shows_the_counts_from_the_service_records_and_saves(
    finished: Any, people: People
) -> None:
    with time_machine.travel(AFTER, tick=False):
        worker = login_client(people.worker)
        page = worker.get(f"/activities/{finished.pk}/report/write/").content.decode()
        # 2 came (the third signed up but did not), 1 household benefited: shown, not asked.
        assert 'name="participants"' not in page
        assert "<b>2</b>" in page
        assert "<b>1</b>" in page
        r = worker.post(
            f"/activities/{finished.pk}/report/write/",
            {"text": "活动顺利。", "photos": [_photo(), _photo("b.png", "PNG")]},
        )
        assert r.status_code == 302
        report = ActivityReport.objects.get(activity=finished)
        assert report.text == "活动顺利。"
        assert report.photos.count() == 2
        refused = worker.post(f"/activities/{finished.pk}/report/write/", {"text": ""})
        assert refused.status_code == 400
        stale = worker.post(
            f"/activities/{finished.pk}/report/write/", {"text": "改", "version": report.version + 5}
        )
        assert stale.status_code == 409
        assert ActivityReport.objects.get().text == "活动顺利。"


def test_funders_and_supervisors_read_the_report_and_its_photos(
    finished: Any, people: People, tree: Tree
) -> None:
    report = services.brief_save(
        by=people.worker, activity=finished, text="简报正文", photos=[_photo()], now=AFTER
    )
    photo = report.photos.get()
    evaluator = make_user(Role.EVALUATOR, tree.street, "pinggu")
    admin = make_user(Role.DISTRICT_ADMIN, tree.district, "quzhang")
    for reader in (people.street, evaluator, admin, people.staff):
        client = login_client(reader)
        page = client.get(f"/activities/{finished.pk}/report/")
        assert page.status_code == 200
        assert "简报正文" in page.content.decode()
        assert 'data-testid="participants">2<' in page.content.decode()
        assert client.get(f"/activity-reports/photos/{photo.pk}/").status_code == 200
    api = token_client(evaluator).get(f"/api/activities/{finished.pk}/report")
    assert api.status_code == 200
    body = api.json()
    assert body["text"] == "简报正文"
    assert body["counts"]["participants"] == 2
    assert body["counts"]["beneficiary_households"] == 1
    assert len(body["photos"]) == 1
    picture = token_client(evaluator).get(body["photos"][0]["url"])  # a token client follows the link
    assert picture.status_code == 200
    assert picture["Content-Type"] == "image/jpeg"


def test_residents_volunteers_and_other_areas_cannot_read_the_report(
    finished: Any, people: People, tree: Tree, volunteer_factory: Any
) -> None:
    report = services.brief_save(
        by=people.worker, activity=finished, text="简报正文", photos=[_photo()], now=AFTER
    )
    photo = ReportPhoto.objects.get(report=report)
    resident = make_user(Role.RESIDENT, tree.building, "jumin")
    for user in (resident, volunteer_factory().user):
        client = login_client(user)
        # They see the activity (it is published to them), but not its report.
        assert client.get(f"/activities/{finished.pk}/").status_code == 200
        assert client.get(f"/activities/{finished.pk}/report/").status_code in (403, 404)
        assert client.get(f"/activity-reports/photos/{photo.pk}/").status_code in (403, 404)
        assert token_client(user).get(f"/api/activities/{finished.pk}/report").status_code in (403, 404)
    for user in (
        people.other_worker,
        people.far_admin,
        make_user(Role.EVALUATOR, tree.far_street, "far_eval"),
    ):
        assert login_client(user).get(f"/activities/{finished.pk}/report/").status_code == 404
        assert login_client(user).get(f"/activity-reports/photos/{photo.pk}/").status_code == 404
    # Writing is the organiser's: a street evaluator reads but cannot write.
    evaluator = make_user(Role.EVALUATOR, tree.street, "pinggu")
    with time_machine.travel(AFTER, tick=False):
        assert (
            login_client(evaluator)
            .post(f"/activities/{finished.pk}/report/write/", {"text": "x"})
            .status_code
            == 403
        )


def test_the_api_writes_the_brief_and_confirms_the_hours_as_the_pages_do(
    finished: Any, people: People
) -> None:
    from shequ.volunteering.models import HoursStatus, ServiceHours

    with time_machine.travel(AFTER, tick=False):
        api = token_client(people.worker)
        url = f"/api/activities/{finished.pk}/report"
        r = api.put(url, {"text": "接口写的简报"}, content_type="application/json")
        assert r.status_code == 200
        assert r.json()["text"] == "接口写的简报"
        stale = api.put(url, {"text": "改", "version": 9}, content_type="application/json")
        assert stale.status_code == 409
        done = api.post(f"/api/activities/{finished.pk}/hours/confirm")
        assert done.status_code == 200
        assert done.json()["confirmed"] == 2
    assert not ServiceHours.objects.filter(activity=finished, status=HoursStatus.PENDING).exists()
