"""The district administrator shapes the area tree through the forms."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, expect

from .helpers import CHINESE, Journey

# 12 digits, but 禅城区's prefix (440604) under 大沥镇 (440605121): the code must start with its parent's.
FOREIGN_CODE = "440604011099"


def add_child_button(journey: Journey) -> Locator:
    """The "Add <kind>" button of the area page on screen (not "Add an account")."""
    pk = re.findall(r"/areas/(\d+)/", journey.page.url)[0]
    return journey.page.locator(f'main .actions a[href="/areas/{pk}/new/"]')


@pytest.mark.browser
def test_district_admin_adds_a_grid_and_a_bad_community_code_is_refused(journey: Journey) -> None:
    page = journey.page
    grid_name = f"浏览器测试网格（{journey.viewport}）"
    community_name = f"错码社区{journey.viewport}"

    with journey.step("sign in as district admin qu_admin"):
        journey.sign_in("qu_admin")
        expect(page.get_by_test_id("home-area").locator("h2").first).to_contain_text("南海区")
        journey.shot("04-home-district-admin")

    with journey.step("open 大沥镇, then 水头社区"):
        journey.click_and_wait(page.locator("main table a", has_text="大沥镇").first)
        expect(page.locator("main h1")).to_contain_text("大沥镇")
        street_url = page.url
        journey.click_and_wait(page.locator("main table a", has_text="水头社区"))
        expect(page.locator("main h1")).to_contain_text("水头社区")
        journey.shot("04-community-district-admin")

    with journey.step("add a grid to 水头社区 through the form"):
        journey.click_and_wait(add_child_button(journey))
        expect(page).to_have_url(re.compile(r"/areas/\d+/new/$"))
        expect(page.locator("#id_code")).to_have_count(0)  # grids carry no statistical code
        page.locator("#id_name").fill(grid_name)
        journey.shot("04-grid-form-district-admin")
        journey.click_and_wait(page.locator("main form button[type=submit]"))
        expect(page).to_have_url(re.compile(r"/areas/\d+/$"))
        expect(page.locator("main h1")).to_contain_text(grid_name)
        expect(page.locator("nav.crumbs")).to_contain_text("水头社区")
        expect(page.locator("main .flash")).to_be_visible()
        journey.shot("04-grid-created-district-admin")

    with journey.step("a new community with a 12-digit code from another district gets a field error"):
        page.goto(street_url)
        journey.click_and_wait(add_child_button(journey))
        form_url = page.url
        page.locator("#id_name").fill(community_name)
        page.locator("#id_code").fill(FOREIGN_CODE)
        journey.click_and_wait(page.locator("main form button[type=submit]"))
        expect(page).to_have_url(form_url)
        error = page.locator('label[for="id_code"] .field-error')
        expect(error).to_be_visible()
        expect(error).to_have_text(CHINESE)
        expect(page.locator("#id_code")).to_have_value(FOREIGN_CODE)
        journey.shot("04-community-bad-code-district-admin")

    with journey.step("nothing was created"):
        journey.open("/areas/?q=" + community_name)
        expect(page.locator("main tbody a", has_text=community_name)).to_have_count(0)
        journey.open("/areas/?q=" + FOREIGN_CODE)
        expect(page.locator("main tbody a")).to_have_count(0)
