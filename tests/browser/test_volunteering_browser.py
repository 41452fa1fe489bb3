"""Volunteering in Chromium: the social worker creates and publishes an activity on a desktop; a volunteer
signs up on a phone, scans the organiser's QR code and checks in with one tap; the organiser checks
them out from the list, corrects and confirms the hours; the volunteer downloads the certificate PDF."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, expect
from pypdf import PdfReader

from .helpers import CHINESE, VIEWPORTS, Journey, Server

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _journey(browser: Browser, server: Server, viewport: str) -> Journey:
    context = browser.new_context(
        base_url=server.url,
        viewport=VIEWPORTS[viewport],
        locale="en-US",
        extra_http_headers={"Accept-Language": "en-US,en;q=0.9"},
        is_mobile=viewport == "phone",
        has_touch=viewport == "phone",
        device_scale_factor=1,
        accept_downloads=True,
    )
    context.set_default_timeout(10_000)
    return Journey(page=context.new_page(), viewport=viewport)


@pytest.fixture
def volunteer(browser: Browser, server: Server) -> Iterator[Journey]:
    j = _journey(browser, server, "phone")
    yield j
    j.assert_no_server_or_script_errors()
    j.page.context.close()


@pytest.fixture
def organiser(browser: Browser, server: Server) -> Iterator[Journey]:
    j = _journey(browser, server, "desktop")
    yield j
    j.assert_no_server_or_script_errors()
    j.page.context.close()


def _fits_the_phone(j: Journey) -> None:
    width = j.page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORTS["phone"]["width"], f"{j.page.url} is {width}px wide on a phone"


@pytest.mark.browser
def test_a_volunteer_signs_up_and_checks_in_by_phone_and_gets_a_certificate(
    volunteer: Journey, organiser: Journey, screenshots: object
) -> None:
    now = datetime.now(SHANGHAI).replace(second=0, microsecond=0)
    start = now + timedelta(minutes=20)  # check-in opens 30 minutes before the start
    end = start + timedelta(hours=2)
    title = f"楼道清洁志愿服务 {now:%H%M}"
    desk, phone = organiser.page, volunteer.page

    with organiser.step("the social worker creates and publishes an activity"):
        organiser.sign_in("pingdi_shegong")
        organiser.open("/activities/new/")
        desk.locator("#id_title").fill(title)
        desk.locator("#id_kind").select_option("volunteer_service")
        desk.locator("#id_starts_at").fill(f"{start:%Y-%m-%dT%H:%M}")
        desk.locator("#id_ends_at").fill(f"{end:%Y-%m-%dT%H:%M}")
        desk.locator("#id_place").fill("布匹市场1座楼道")
        desk.locator("#id_capacity").fill("5")
        organiser.click_and_wait(desk.get_by_test_id("save-activity"))
        expect(desk.get_by_test_id("activity-status")).to_have_text("草稿")
        organiser.click_and_wait(desk.get_by_test_id("publish"))
        expect(desk.get_by_test_id("activity-status")).to_have_text("已发布")
        activity_url = desk.url

    with volunteer.step("the volunteer finds it on a phone and signs up"):
        volunteer.sign_in("pingdi_zhiyuan")
        volunteer.open("/activities/")
        card = phone.get_by_test_id("activity-card").filter(has_text=title)
        expect(card).to_be_visible()
        volunteer.click_and_wait(card.get_by_role("link", name=title))
        _fits_the_phone(volunteer)
        volunteer.click_and_wait(phone.get_by_test_id("sign-up"))
        expect(phone.get_by_test_id("signup-status")).to_contain_text("你已获得名额")
        expect(phone.locator(".flash-success")).to_contain_text("报名成功")
        volunteer.shot("20-volunteer-signed-up")

    with organiser.step("the organiser shows the check-in code"):
        organiser.click_and_wait(desk.get_by_test_id("show-qr"))
        expect(desk.get_by_test_id("qr").locator("svg")).to_be_visible()
        scan_url = desk.get_by_test_id("qr-url").inner_text().strip()
        assert re.search(r"/check-in/[^/]+/$", scan_url), scan_url
        organiser.shot("21-organiser-qr-code")

    with volunteer.step("the volunteer's scan opens a page where one tap checks in"):
        volunteer.open(re.sub(r"^https?://[^/]+", "", scan_url))
        _fits_the_phone(volunteer)
        volunteer.click_and_wait(phone.get_by_test_id("check-in"))
        result = phone.get_by_test_id("scan-result")
        expect(result).to_contain_text("已签到")
        volunteer.shot("22-volunteer-checked-in")

    with volunteer.step("scanning again straight away gets a clear answer, not a second check-in"):
        volunteer.open(re.sub(r"^https?://[^/]+", "", scan_url))
        with phone.expect_navigation():
            phone.get_by_test_id("check-in").click()
        expect(phone.get_by_test_id("scan-result")).to_contain_text("无需重复扫码")
        assert CHINESE.search(phone.get_by_test_id("scan-result").inner_text())

    with organiser.step("the organiser checks the volunteer out, corrects and confirms the hours"):
        organiser.open(urlparse(activity_url).path + "attendance/")
        row = desk.get_by_test_id("signup-row").filter(has_text="叶子轩")
        # 签退 asks first (issue 16) and swaps its row in place (htmx): no new page.
        desk.once("dialog", lambda dialog: dialog.accept())
        row.get_by_role("button", name="签退").click()
        expect(row).to_contain_text("待确认")
        organiser.click_and_wait(row.get_by_role("link", name="更正"))
        desk.locator("#id_minutes").fill("120")
        desk.locator("#id_reason").fill("提前到场协助布置，按活动时长计")
        organiser.click_and_wait(desk.get_by_test_id("save-correction"))
        row = desk.get_by_test_id("signup-row").filter(has_text="叶子轩")
        expect(row).to_contain_text("120")
        expect(row).to_contain_text("已更正")
        organiser.click_and_wait(row.get_by_role("button", name="确认"))
        expect(row).to_contain_text("已确认")
        organiser.shot("23-organiser-hours-confirmed")

    with volunteer.step("the volunteer reads the record and downloads the certificate"):
        volunteer.open("/volunteering/me/")
        _fits_the_phone(volunteer)
        expect(phone.get_by_test_id("record")).to_be_visible()
        phone.locator("#id_end").fill(f"{start:%Y-%m-%d}")
        volunteer.shot("24-volunteer-record")
        with phone.expect_download() as download_info:
            phone.get_by_test_id("certificate").click()
        download = download_info.value
        assert download.suggested_filename.endswith(".pdf")
        path = download.path()
        assert path is not None
        pdf = Path(path).read_bytes()
        assert pdf.startswith(b"%PDF")
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace(" ", "")
        text = text.replace("\n", "")
        assert "志愿服务时长证明" in text
        assert "叶子轩" in text
        assert title.replace(" ", "") in text
        assert "2.0" in text
        assert "大沥镇平地社区" in text
