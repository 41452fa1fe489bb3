"""What a role does not see: a grid worker has no audit log."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .helpers import Journey


@pytest.mark.browser
def test_grid_worker_has_no_audit_link_and_is_refused_the_audit_log(journey: Journey) -> None:
    page = journey.page
    with journey.step("sign in as grid worker pingdi_wangge"):
        journey.sign_in("pingdi_wangge")
        expect(page.locator("main h2").first).to_be_visible()
        journey.shot("02-home-grid-worker")

    with journey.step("the navigation has no audit log link"):
        expect(page.locator('header a[href="/audit/"]')).to_have_count(0)
        expect(page.locator('a[href^="/audit/"]')).to_have_count(0)

    with journey.step("opening /audit/ by URL gives the refusal page"):
        journey.open("/audit/", status=403)
        expect(page.locator('main .error-box[data-code="forbidden"]')).to_be_visible()
        expect(page.locator("main table")).to_have_count(0)
        journey.shot("02-audit-refused-grid-worker")
