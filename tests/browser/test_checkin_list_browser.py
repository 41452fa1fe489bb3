"""Check-in by list on a phone (issue 16): the organiser checks each volunteer in with one tap, the
page never reloads, and a second tap on the same spot does not check anyone out."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from .helpers import VIEWPORTS, Journey, Server

# An activity of 平地社区 that started ten minutes ago, with three volunteers signed up; made through
# the services as an operator's script would, so the journey is only about the list.
SETUP = """
from datetime import timedelta
from django.utils import timezone
from shequ.core.models import Area
from shequ.volunteering import services
community = Area.objects.get(code="440605121001")
now = timezone.now()
a = services.activity_create(by=None, area=community, title="楼道清洁 {tag}", kind="volunteer_service",
    organiser_kind="social_worker", starts_at=now - timedelta(minutes=10), ends_at=now + timedelta(hours=2),
    capacity=5, place="布匹市场1座", now=now - timedelta(days=1))
a = services.activity_publish(by=None, activity=a, version=a.version, now=now - timedelta(days=1))
for i, name in enumerate(["赵一{tag}", "钱二{tag}", "孙三{tag}"]):
    v = services.volunteer_register(
        by=None, area=community, name=name, phone=f"1390000{{i:04d}}", verify=True)
    services.signup_create(by=None, activity=a, volunteer=v, now=now - timedelta(hours=1))
print(a.pk)
"""


@pytest.fixture
def organiser(browser: Browser, server: Server) -> Iterator[Journey]:
    context = browser.new_context(
        base_url=server.url,
        viewport=VIEWPORTS["phone"],
        locale="zh-CN",
        is_mobile=True,
        has_touch=True,
        device_scale_factor=1,
    )
    context.set_default_timeout(10_000)
    j = Journey(page=context.new_page(), viewport="phone")
    yield j
    j.assert_no_server_or_script_errors()
    context.close()


@pytest.mark.browser
def test_one_tap_a_volunteer_checks_them_in_from_the_list_without_a_reload(
    organiser: Journey, server: Server
) -> None:
    tag = str(int(time.time()))[-5:]
    activity = server.shequ("shell", "-c", SETUP.format(tag=tag)).strip().splitlines()[-1]
    page = organiser.page
    with organiser.step("the social worker opens the activity's list on a phone"):
        organiser.sign_in("pingdi_shegong")
        organiser.open(f"/activities/{activity}/attendance/")
        page.evaluate("window.__sameDocument = true")
    rows = page.locator("#attendance-rows tr[data-testid=signup-row]")
    expect(rows).to_have_count(3)
    taps = 0
    with organiser.step("one tap per volunteer"):
        for i in range(3):
            row = rows.nth(i)
            row.locator("button.check-in").tap()
            taps += 1
            expect(rows.nth(i)).to_have_attribute("data-status", "in")
    assert taps / 3 == 1, f"{taps} taps for 3 volunteers"
    assert page.evaluate("window.__sameDocument === true"), "the page reloaded"
    with organiser.step("a second tap where 签到 was checks nobody out"):
        first = rows.nth(0)
        box = first.locator("td").nth(2).bounding_box()
        assert box is not None
        page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        expect(first).to_have_attribute("data-status", "in")
    with organiser.step("the search finds a volunteer by pinyin initials"):
        page.get_by_test_id("row-filter").fill("qe")  # 钱二
        expect(page.locator("#attendance-rows tr[data-testid=signup-row]:visible")).to_have_count(1)
        organiser.shot("42-check-in-by-list")
