"""A home visit on a phone in a stairwell without network (issue 16): the grid worker picks the person,
types one line and saves — in at most 5 taps — while offline; the service worker keeps it on the
phone; when the network is back it is sent, and it arrives exactly once."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from .helpers import VIEWPORTS, Journey, Server

TAP_CEILING = 5


@pytest.fixture
def phone(browser: Browser, server: Server) -> Iterator[Journey]:
    context = browser.new_context(
        base_url=server.url,
        viewport=VIEWPORTS["phone"],
        locale="zh-CN",
        is_mobile=True,
        has_touch=True,
        device_scale_factor=1,
        service_workers="allow",
    )
    context.set_default_timeout(15_000)
    j = Journey(page=context.new_page(), viewport="phone")
    yield j
    # The page cannot load its resources while offline: those are the journey's, not errors.
    j.problems = [p for p in j.problems if "ERR_INTERNET_DISCONNECTED" not in p]
    j.assert_no_server_or_script_errors()
    context.close()


def _needs_with(server: Server, text: str) -> int:
    out = server.shequ(
        "shell",
        "-c",
        f"from shequ.needs.models import Need; print(Need.objects.filter(description={text!r}).count())",
    )
    return int(out.strip().splitlines()[-1])


@pytest.mark.browser
def test_a_visit_saved_offline_is_sent_when_the_network_is_back_exactly_once(
    phone: Journey, server: Server
) -> None:
    page = phone.page
    need = f"楼道灯坏了，需要陪同就医 {int(time.time() * 1000)}"
    taps = 0
    with phone.step("sign in as the grid worker"):
        phone.sign_in("pingdi_wangge")
    with phone.step("open the visits (the home's 走访 button)"):
        phone.open("/visits/new/")
        taps += 1
        expect(page.locator("html")).to_have_attribute("data-outbox-ready", "true")
    with phone.step("tap the first person not yet visited"):
        phone.click_and_wait(page.locator("[data-testid=pick-list] a[data-testid^=pick-]").first)
        taps += 1
        expect(page.get_by_test_id("visit-form")).to_be_visible()
        page.wait_for_function("navigator.serviceWorker.controller !== null")
    with phone.step("type the need in one line, the network gone, and save"):
        page.locator("#id_need_0_description").tap()
        taps += 1
        page.locator("#id_need_0_description").fill(need)
        page.context.set_offline(True)
        phone.click_and_wait(page.get_by_test_id("save-visit"))
        taps += 1
        expect(page.get_by_test_id("saved-offline")).to_be_visible()
        phone.shot("40-visit-saved-offline", full_page=False)
    assert taps <= TAP_CEILING, f"a home visit took {taps} taps"
    assert _needs_with(server, need) == 0  # nothing reached the server yet
    with phone.step("the network is back: the phone sends the visit by itself"):
        page.context.set_offline(False)
        expect(page.get_by_test_id("outbox")).to_have_attribute("data-sent-count", "1", timeout=20_000)
        phone.shot("41-visit-sent-when-online", full_page=False)
    assert _needs_with(server, need) == 1
    with phone.step("sending again finds nothing more to send"):
        page.evaluate("navigator.serviceWorker.controller.postMessage({type: 'flush', csrf: ''})")
        phone.open("/visits/new/")
        expect(page.get_by_test_id("pick-filters")).to_be_visible()
    assert _needs_with(server, need) == 1
    with phone.step("online, the same form saves through the worker and moves on to the next person"):
        online_need = need + " 在线"
        first = page.locator("[data-testid=pick-list] a[data-testid^=pick-]").first
        phone.click_and_wait(first)
        page.locator("#id_need_0_description").fill(online_need)
        phone.click_and_wait(page.get_by_test_id("save-visit"))
        expect(page.locator(".flash-success")).to_be_visible()
        expect(page.get_by_test_id("visit-form")).to_be_visible()  # the next person's form, at once
        phone.shot("43-visit-next-person", full_page=False)
    assert _needs_with(server, online_need) == 1
