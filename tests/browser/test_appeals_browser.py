"""The closed loop in Chromium: a resident reports from a phone (with a photo, seeing a likely
duplicate first), the grid worker accepts, handles and closes it on a desktop, the resident verifies
and evaluates; then the community posts it on the public board, readable without signing in."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from PIL import Image
from playwright.sync_api import Browser, expect

from .helpers import CHINESE, VIEWPORTS, Journey, Server

NEW_PROBLEM = "3楼楼梯扶手松动，老人上下楼很危险，请尽快维修"


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
    context.set_default_timeout(10_000)
    return Journey(page=context.new_page(), viewport=viewport)


@pytest.fixture
def resident(browser: Browser, server: Server) -> Iterator[Journey]:
    j = _journey(browser, server, "phone")
    yield j
    j.assert_no_server_or_script_errors()
    j.page.context.close()


@pytest.fixture
def grid_worker(browser: Browser, server: Server) -> Iterator[Journey]:
    j = _journey(browser, server, "desktop")
    yield j
    j.assert_no_server_or_script_errors()
    j.page.context.close()


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (180, 120, 60)).save(out, format="JPEG")
    return out.getvalue()


def _act(j: Journey, action: str, **fields: str) -> None:
    form = j.page.locator(f'form[data-action="{action}"]')
    for name, value in fields.items():
        form.locator(f'[name="{name}"]').fill(value)
    j.click_and_wait(form.locator('button[type="submit"]'))
    expect(j.page.locator(".flash")).to_be_visible()


@pytest.mark.browser
def test_a_resident_reports_from_a_phone_a_grid_worker_handles_it_the_resident_evaluates(
    resident: Journey, grid_worker: Journey, screenshots: object
) -> None:
    page = resident.page
    with resident.step("the resident signs in on a phone and opens the report form"):
        resident.sign_in("pingdi_jumin")
        page.get_by_test_id("nav-appeals").click()
        expect(page.get_by_test_id("my-appeals")).to_be_visible()
        resident.click_and_wait(page.get_by_test_id("report-appeal"))
        expect(page.get_by_test_id("report-form")).to_be_visible()
        # The form fits the phone: nothing wider than the screen.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= VIEWPORTS["phone"]["width"], f"the report form is {width}px wide on a phone"

    with resident.step("typing a known problem suggests the open appeal about it"):
        page.locator("#id_category").select_option(label="道路设施")
        page.locator("#id_description").fill("巷口路灯坏了，晚上漆黑一片")
        page.locator("#id_description").blur()
        expect(page.get_by_test_id("similar")).to_contain_text("路灯")
        resident.shot("40-appeal-duplicate-suggested")

    with resident.step("the resident reports a new problem with a photo"):
        page.locator("#id_description").fill(NEW_PROBLEM)
        page.locator("#id_photos").set_input_files(
            [{"name": "stairs.jpg", "mimeType": "image/jpeg", "buffer": _photo()}]
        )
        resident.click_and_wait(page.get_by_test_id("submit-report"))
        expect(page).to_have_url(re.compile(r"/appeals/\d+/$"))
        expect(page.get_by_test_id("description")).to_contain_text("扶手松动")
        expect(page.locator(".tag[data-stage]")).to_have_text("已上报")
        expect(page.get_by_test_id("photos").locator("img")).to_have_count(1)
        appeal_url = re.sub(r"^https?://[^/]+", "", page.url)
        resident.shot("41-appeal-reported")

    g = grid_worker.page
    with grid_worker.step("the grid worker finds it waiting in the queue"):
        grid_worker.sign_in("pingdi_wangge")
        grid_worker.open("/appeals/")
        row = g.get_by_test_id("queue").locator("tr", has_text="扶手松动")
        expect(row).to_be_visible()
        grid_worker.shot("42-appeal-queue-grid-worker", full_page=False)
        grid_worker.click_and_wait(row.locator("a").first)
        expect(g.locator('form[data-action="accept"]')).to_be_visible()

    with grid_worker.step("the grid worker accepts, dispatches to himself, starts and handles it"):
        _act(grid_worker, "accept")
        form = g.locator('form[data-action="dispatch"]')
        form.locator("select").select_option(label="罗俊杰（网格员）")
        grid_worker.click_and_wait(form.locator('button[type="submit"]'))
        expect(g.get_by_test_id("handler")).to_contain_text("罗俊杰")
        _act(grid_worker, "start")
        _act(grid_worker, "handle", result="已联系物业更换扶手螺栓并加固，现已牢固。")
        expect(g.locator(".tag[data-stage]")).to_have_text("已处置")
        expect(g.get_by_test_id("history").locator("li")).to_have_count(5)
        grid_worker.shot("43-appeal-handled")

    with resident.step("the resident verifies the work on the phone"):
        resident.open(appeal_url)
        expect(page.get_by_test_id("result")).to_contain_text("加固")
        _act(resident, "verify")
        expect(page.locator(".tag[data-stage]")).to_have_text("已核实")

    with grid_worker.step("the grid worker closes it"):
        grid_worker.open(appeal_url)
        _act(grid_worker, "close")
        expect(g.locator(".tag[data-stage]")).to_have_text("已办结")

    with resident.step("the resident evaluates it with five stars"):
        resident.open(appeal_url)
        form = page.locator('form[data-action="evaluate"]')
        form.locator('input[name="score"][value="5"]').check()
        form.locator('[name="comment"]').fill("维修很及时，谢谢！")
        resident.click_and_wait(form.locator('button[type="submit"]'))
        expect(page.get_by_test_id("evaluation")).to_contain_text("5 / 5")
        expect(page.locator(".tag[data-stage]")).to_have_text("已评价")
        steps = page.get_by_test_id("history").locator("li")
        expect(steps).to_have_count(8)
        assert CHINESE.search(steps.first.inner_text())
        resident.shot("44-appeal-evaluated")


@pytest.mark.browser
def test_the_public_board_is_readable_without_signing_in_and_names_nobody(
    browser: Browser, server: Server, screenshots: object
) -> None:
    j = _journey(browser, server, "phone")
    try:
        with j.step("the public board of 平地社区 without signing in"):
            j.open("/public/440605121001/appeals/")
            board = j.page.get_by_test_id("public-board")
            expect(board.locator(".notice").first).to_be_visible()
            text = board.inner_text()
            assert "路面" in text
            for secret in ("陈美玲", "陈伯", "黄先生"):
                assert secret not in text, secret
            assert not re.search(r"1[3-9]\d{9}", text)
            j.shot("45-appeal-public-board")
        j.assert_no_server_or_script_errors()
    finally:
        j.page.context.close()


@pytest.mark.browser
def test_the_community_page_shows_the_appeal_figures(
    browser: Browser, server: Server, screenshots: object
) -> None:
    j = _journey(browser, server, "desktop")
    try:
        with j.step("community staff opens 平地社区 and sees its appeal figures"):
            j.sign_in("pingdi_shequ")
            j.open("/areas/?q=平地社区")
            j.click_and_wait(j.page.locator("main table a", has_text="平地社区").first)
            figures = j.page.get_by_test_id("appeal-figures")
            expect(figures).to_be_visible()
            expect(j.page.get_by_test_id("fig-counted").locator("b")).not_to_have_text("0")
            expect(j.page.get_by_test_id("fig-satisfaction").locator("b")).to_have_text(
                re.compile(r"^(\d+\.\d%|—)$")
            )
            j.page.locator("details", has_text="按区域").locator("summary").click()
            expect(j.page.get_by_test_id("fig-stage-times")).to_be_visible()
            j.shot("46-appeal-figures-community")
        j.assert_no_server_or_script_errors()
    finally:
        j.page.context.close()
