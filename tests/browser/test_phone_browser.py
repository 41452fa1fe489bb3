"""The phone as a grid worker holds it (390×844, touch): from the home page a patrol report is saved in
at most five taps and one typed field (the photo taken from the form and shrunk before upload), every
role's home is its day's work with a bottom bar of at most five places, and English translates the
product's words while names and categories stay as entered. Taps and typed fields are counted."""

from __future__ import annotations

import io
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from PIL import Image
from playwright.sync_api import Browser, Locator, expect

from .helpers import SCREENSHOT_DIR, VIEWPORTS, Journey, Server

TAP_CEILING = 5
TYPED_CEILING = 1
SECONDS_CEILING = 30
MIN_TARGET = 44  # px, the smallest tap target on a phone page
PATROL_TEXT = "消防通道被杂物堵住了，请尽快清理"  # no category picked: the words say 安全隐患

# Every demo account (README) and what its home must offer first.
HOMES = {
    "qu_admin": "home-report_event",
    "dali_jiedao": "home-report_event",
    "pingdi_shequ": "home-report_event",
    "pingdi_shegong": "home-report_event",
    "dali_dudao": "home-report_event",
    "pingdi_wangge": "home-visit",
    "pingdi_louzhang": "home-report_event",
    "pingdi_zhiyuan": "home-report_problem",
    "pingdi_jumin": "home-report_problem",
    "pinggu": "home-dashboard",
}


@dataclass
class Counted:
    """A journey whose every tap and typed field is counted."""

    j: Journey
    taps: int = 0
    typed: int = 0

    def tap(self, target: Locator, *, navigates: bool = False) -> None:
        self.taps += 1
        if navigates:
            with self.j.page.expect_navigation():
                target.tap()
        else:
            target.tap()

    def type_into(self, target: Locator, text: str) -> None:
        self.tap(target)  # the field is tapped before anything is typed
        self.typed += 1
        target.press_sequentially(text)


def _phone(browser: Browser, server: Server) -> Journey:
    context = browser.new_context(
        base_url=server.url,
        viewport=VIEWPORTS["phone"],
        locale="zh-CN",
        is_mobile=True,
        has_touch=True,
        device_scale_factor=1,
    )
    context.set_default_timeout(10_000)
    return Journey(page=context.new_page(), viewport="phone")


@pytest.fixture
def phone(browser: Browser, server: Server) -> Iterator[Callable[[], Journey]]:
    opened: list[Journey] = []

    def open_one() -> Journey:
        opened.append(_phone(browser, server))
        return opened[-1]

    yield open_one
    for j in opened:
        j.page.context.close()
    for j in opened:
        j.assert_no_server_or_script_errors()


def _camera_photo() -> bytes:
    """A phone camera's picture: large (4000×3000), as it comes off the sensor."""
    out = io.BytesIO()
    Image.effect_noise((4000, 3000), 60).convert("RGB").save(out, format="JPEG", quality=95)
    return out.getvalue()


def _bar(j: Journey) -> Locator:
    """The places of the bottom bar that are on screen."""
    return j.page.locator("#main-nav > li:visible")


@pytest.mark.browser
def test_a_grid_worker_reports_an_event_on_patrol_in_five_taps_and_one_typed_field(
    phone: Callable[[], Journey], screenshots: object
) -> None:
    j = phone()
    page = j.page
    photo = _camera_photo()
    with j.step("the grid worker signs in; the home page is the day's work"):
        j.sign_in("pingdi_wangge")
        expect(page.get_by_test_id("home-report_event")).to_be_visible()
        j.shot("61-patrol-home")

    counted = Counted(j)
    started = time.monotonic()
    with j.step("tap 上报事件: the form opens with the place and channel filled in"):
        counted.tap(page.get_by_test_id("home-report_event"), navigates=True)
        expect(page.get_by_test_id("report-form")).to_be_visible()
        expect(page.locator("#id_area option:checked")).not_to_have_text("")
        expect(page.locator("#id_contact_name")).to_be_hidden()  # staff on their own patrol

    with j.step("type what was found: the category is suggested from the words"):
        counted.type_into(page.locator("#id_description"), PATROL_TEXT)
        expect(page.get_by_test_id("category-hint")).to_contain_text("安全隐患")

    with j.step("tap the photo field: the camera opens, the photo is shrunk before upload"):
        with page.expect_file_chooser() as chooser:
            counted.tap(page.locator("#id_photos"))
        chooser.value.set_files([{"name": "patrol.jpg", "mimeType": "image/jpeg", "buffer": photo}])
        expect(page.locator("#id_photos[data-shrunk]")).to_have_count(1)
        shrunk = int(page.locator("#id_photos").get_attribute("data-shrunk") or "0")
        assert 0 < shrunk < len(photo) // 2, f"the photo went from {len(photo)} to {shrunk} bytes"
        j.shot("62-patrol-form")

    with j.step("tap 上报: the appeal is saved as found on patrol, filed under 安全隐患, with its photo"):
        counted.tap(page.get_by_test_id("submit-report"), navigates=True)
        expect(page).to_have_url(re.compile(r"/appeals/\d+/$"))
        expect(page.get_by_test_id("description")).to_contain_text("消防通道")
        expect(page.locator("main")).to_contain_text("安全隐患")
        expect(page.get_by_test_id("photos").locator("img")).to_have_count(1)
        elapsed = time.monotonic() - started
        j.shot("63-patrol-saved")

    measured = {"taps": counted.taps, "typed_fields": counted.typed, "seconds": round(elapsed, 1)}
    measured |= {"photo_bytes": len(photo), "uploaded_bytes": shrunk}
    (SCREENSHOT_DIR / "patrol-report-measured.json").write_text(json.dumps(measured), encoding="utf-8")
    assert counted.taps <= TAP_CEILING, f"{counted.taps} taps from the home page to the saved appeal"
    assert counted.typed <= TYPED_CEILING, f"{counted.typed} typed fields"
    assert elapsed <= SECONDS_CEILING, f"{elapsed:.1f} s from the home page to the saved appeal"


@pytest.mark.browser
def test_every_roles_home_on_a_phone_is_its_days_work_with_a_bottom_bar_of_five(
    phone: Callable[[], Journey], screenshots: object
) -> None:
    for account, first in HOMES.items():
        j = phone()
        page = j.page
        with j.step(f"{account} signs in on a phone"):
            j.sign_in(account)
            expect(page.get_by_test_id(first)).to_be_visible()
            j.shot(f"60-home-{account}", full_page=False)
        with j.step(f"{account}: at most five places at the bottom, each at least {MIN_TARGET} px high"):
            bar = _bar(j)
            assert bar.count() <= TAP_CEILING, f"{account} has {bar.count()} places in the bar"
            for place in bar.all():
                box = place.bounding_box()
                assert box is not None
                assert box["height"] >= MIN_TARGET, f"{account}: {place.inner_text()} is {box['height']} px"
            for button in page.get_by_test_id("home-actions").locator("a").all():
                box = button.bounding_box()
                assert box is not None
                assert box["height"] >= MIN_TARGET, f"{account}: {button.inner_text()} is {box['height']} px"
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= VIEWPORTS["phone"]["width"], f"{account}'s home is {width}px wide"
        j.page.context.close()


@pytest.mark.browser
def test_a_building_head_has_neither_residents_nor_figures_and_finds_the_rest_under_more(
    phone: Callable[[], Journey], screenshots: object
) -> None:
    j = phone()
    page = j.page
    with j.step("the building head signs in: no 居民, no 服务指标 in the menu"):
        j.sign_in("pingdi_louzhang")
        expect(page.get_by_test_id("nav-residents")).to_have_count(0)
        expect(page.get_by_test_id("nav-metrics")).to_have_count(0)
    with j.step("更多 opens the rest of the menu, sign-out among it"):
        expect(page.get_by_test_id("user-menu")).to_be_hidden()
        page.get_by_test_id("nav-more").tap()
        expect(page.get_by_test_id("user-menu")).to_be_visible()
        j.shot("64-more-building-head", full_page=False)


@pytest.mark.browser
@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_english_translates_the_products_words_and_keeps_names_and_categories_as_entered(
    journey: Journey, new_account: Callable[[str], str]
) -> None:
    from .helpers import PROBE_PASSWORD

    page = journey.page
    with journey.step("a volunteer switches to English from the footer"):
        journey.sign_in(new_account("english_home"), PROBE_PASSWORD)
        journey.click_and_wait(page.locator('footer button[name="language"][value="en"]'))
        expect(page.get_by_test_id("home-report_problem")).to_have_text("Report a problem")
        expect(page.get_by_test_id("waiting-activities_to_join").locator("h2")).to_contain_text(
            "Activities to join"
        )
        expect(page.get_by_test_id("nav-more")).to_have_text("More")
        journey.shot("65-home-english", full_page=False)
    with journey.step("the report form speaks English; the categories stay as the district entered them"):
        journey.click_and_wait(page.get_by_test_id("home-report_problem"))
        expect(page.locator('label[for="id_category"]')).to_contain_text("Category")
        expect(page.locator("#id_category option", has_text="停车管理")).to_have_count(1)
        expect(page.locator("#id_area option:checked")).to_contain_text("平地")


@pytest.mark.browser
def test_a_long_picker_has_a_search_box_that_narrows_it_to_what_is_typed(
    phone: Callable[[], Journey], screenshots: object
) -> None:
    j = phone()
    page = j.page
    with j.step("the district administrator's report form: hundreds of places, one search box above them"):
        j.sign_in("qu_admin")
        j.open("/appeals/new/")
        places = page.locator("#id_area option")
        assert places.count() > 20, f"only {places.count()} places: no long picker to search"
        search = page.locator('input.picker-search[data-for="id_area"]')
        expect(search).to_be_visible()
    with j.step("typing part of a name leaves the matching places and picks the only one"):
        search.tap()
        search.press_sequentially("布匹市场7座")
        expect(page.locator("#id_area option:not([hidden])")).to_have_count(1)
        expect(page.locator("#id_area option:checked")).to_contain_text("布匹市场7座")
        j.shot("66-picker-search", full_page=False)
