"""The metrics dashboard in Chromium: a street official opens their street's dashboard from the
navigation, sees the figure cards, the ECharts charts drawn on canvases and the communities side by
side, follows a number to the rows behind it; the same page on a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from .helpers import VIEWPORTS, Journey, Server


def _journey(browser: Browser, server: Server, viewport: str) -> Journey:
    context = browser.new_context(
        base_url=server.url,
        viewport=VIEWPORTS[viewport],
        locale="en-US",
        extra_http_headers={"Accept-Language": "en-US,en;q=0.9"},
        is_mobile=viewport == "phone",
        has_touch=viewport == "phone",
        device_scale_factor=1,
    )
    context.set_default_timeout(15_000)
    return Journey(page=context.new_page(), viewport=viewport)


@pytest.mark.browser
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_street_dashboard_draws_its_charts_and_its_numbers_lead_to_rows(
    browser: Browser, server: Server, screenshots: object, viewport: str
) -> None:
    j = _journey(browser, server, viewport)
    try:
        with j.step("the street official opens the metrics of their street"):
            j.sign_in("dali_jiedao")
            j.open("/metrics/")
            expect(j.page.get_by_test_id("dashboard-title")).to_contain_text("大沥镇")
            card = j.page.get_by_test_id("figure-resident_participation")
            expect(card).to_be_visible()
            expect(j.page.get_by_test_id("value-resident_participation")).to_have_text(
                re.compile(r"^(\d+\.\d%|—)$")
            )
            expect(j.page.locator("#chart-rates canvas").first).to_be_attached()
            expect(j.page.locator("#chart-rates")).to_have_attribute("data-rendered", "true")
            expect(j.page.locator("#chart-children canvas").first).to_be_attached()
            box = j.page.locator("#chart-rates").bounding_box()
            assert box is not None
            assert box["width"] <= VIEWPORTS[viewport]["width"]
            j.shot("80-metrics-dashboard", full_page=viewport == "desktop")
        with j.step("a number opens the list behind it"):
            j.click_and_wait(j.page.get_by_test_id("denominator-resident_participation"))
            expect(j.page.get_by_test_id("drill-table")).to_be_visible()
            assert not re.search(r"\d{17}[\dX]", j.page.content())
        j.assert_no_server_or_script_errors()
    finally:
        j.page.context.close()
