"""A case in Chromium, on phones and at a desk: a grid worker reports an elder living alone; the social
worker opens a case from that appeal, takes it on, assesses, plans; the supervisor approves; two
contacts; the client's ties recorded and the ecomap drawn; the goals reviewed, closure asked for and
approved; then a supervision session recorded and signed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from playwright.sync_api import Browser, expect

from .helpers import SCREENSHOT_DIR, VIEWPORTS, Journey, Server


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
def worker(browser: Browser, server: Server) -> Iterator[Journey]:
    j = _journey(browser, server, "phone")
    yield j
    j.assert_no_server_or_script_errors()
    j.page.context.close()


@pytest.fixture
def grid_worker(browser: Browser, server: Server) -> Iterator[Journey]:
    j = _journey(browser, server, "phone")
    yield j
    j.assert_no_server_or_script_errors()
    j.page.context.close()


@pytest.fixture
def supervisor(browser: Browser, server: Server) -> Iterator[Journey]:
    j = _journey(browser, server, "desktop")
    yield j
    j.assert_no_server_or_script_errors()
    j.page.context.close()


def _act(j: Journey, action: str, **fields: str) -> None:
    """Open the action's button on the case page, fill its inputs, submit, and see it saved."""
    box = j.page.get_by_test_id(f"action-{action}")
    box.locator("summary").click()
    for name, value in fields.items():
        field = box.locator(f'[name="{name}"]')
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    j.click_and_wait(box.get_by_test_id(f"do-{action}"))
    expect(j.page.locator(".flash")).to_be_visible()


@pytest.mark.browser
def test_a_case_from_an_appeal_to_closure_with_the_supervisor_the_ecomap_and_a_signed_session(
    grid_worker: Journey, worker: Journey, supervisor: Journey, screenshots: object
) -> None:
    page = worker.page
    soon = (date.today() + timedelta(days=7)).isoformat()
    g = grid_worker.page
    with grid_worker.step("the grid worker reports an elder living alone from a phone"):
        grid_worker.sign_in("pingdi_wangge")
        grid_worker.open("/appeals/new/")
        g.locator("#id_category").select_option("elderly_care")
        g.locator("#id_description").fill("独居老人叶秀辉多日未出门，邻居担心老人的身体")
        grid_worker.click_and_wait(g.get_by_test_id("submit-report"))
        expect(g).to_have_url(re.compile(r"/appeals/\d+/$"))
        appeal_id = re.search(r"/appeals/(\d+)/$", g.url).group(1)  # type: ignore[union-attr]

    with worker.step("the social worker opens a case from the appeal, finding the client by name"):
        worker.sign_in("pingdi_shegong")
        worker.in_menu(page.get_by_test_id("nav-casework")).click()
        expect(page.get_by_test_id("case-list")).to_be_visible()
        worker.open(f"/casework/new/?appeal={appeal_id}")
        page.locator('input[name="q"]').fill("叶秀辉")  # an elder living alone in the demo
        worker.click_and_wait(page.get_by_test_id("client-search").locator("button"))
        worker.click_and_wait(page.get_by_test_id("client-found").locator("a").first)
        expect(page.get_by_test_id("client-chosen")).to_be_visible()
        expect(page.locator("#id_source")).to_have_value("appeal")
        page.locator("#id_problem").fill("独居老人，腿脚不便，很少出门")
        worker.click_and_wait(page.get_by_test_id("case-open"))
        expect(page.get_by_test_id("case-stage")).to_have_text("接案")
        expect(page.get_by_test_id("case-appeal")).to_contain_text(appeal_id)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= VIEWPORTS["phone"]["width"], f"the case page is {width}px wide on a phone"
        case_url = page.url

    with worker.step("takes it on, assesses and submits a plan; contacts are refused before approval"):
        _act(worker, "accept")
        _act(
            worker, "assess", health="2", income="3", family="2", social_support="1", safety="3", risk="high"
        )
        expect(page.get_by_test_id("case-risk")).to_have_text("高风险")
        _act(worker, "submit_plan", goals="恢复与子女的联系\n申请居家养老服务", tasks=f"{soon} 联系子女")
        expect(page.get_by_test_id("plan-status")).to_have_text("等待督导批准")
        expect(page.get_by_test_id("action-contact")).to_have_count(0)
        worker.shot("31-case-plan-submitted")

    with supervisor.step("the supervisor approves the plan"):
        supervisor.sign_in("dali_dudao")
        supervisor.open(case_url)
        _act(supervisor, "approve_plan")
        expect(supervisor.page.get_by_test_id("case-stage")).to_have_text("介入")

    with worker.step("two contacts, the goals reviewed, closure asked for with a note"):
        worker.open(case_url)
        _act(worker, "contact", kind="home_visit", summary="上门探访，协助整理药品")
        _act(worker, "contact", kind="phone", summary="电话回访")
        expect(page.get_by_test_id("contacts").locator("li")).to_have_count(2)

    with worker.step("the client's ties recorded: the ecomap and the genogram are drawn"):
        _act(
            worker,
            "tie",
            kind="family",
            name="女儿（在深圳）",
            relation="child",
            gender="F",
            strength="strong",
            flow="to_client",
        )
        _act(worker, "tie", kind="neighbour", name="对门邻居", strength="moderate", flow="both")
        _act(
            worker,
            "tie",
            kind="family",
            name="儿子",
            relation="child",
            gender="M",
            strength="weak",
            flow="none",
        )
        _act(worker, "tie", kind="health", name="社区卫生站", strength="moderate", flow="to_client")
        ecomap = page.get_by_test_id("ecomap")
        expect(ecomap).to_contain_text("对门邻居")
        expect(page.get_by_test_id("genogram")).to_contain_text("女儿（在深")  # names shortened to fit
        box = ecomap.bounding_box()
        assert box is not None
        assert box["width"] <= VIEWPORTS["phone"]["width"], "the ecomap fits the phone"
        ecomap.scroll_into_view_if_needed()
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        ecomap.screenshot(path=str(SCREENSHOT_DIR / "34-case-ecomap-phone.png"))
        page.get_by_test_id("genogram").screenshot(path=str(SCREENSHOT_DIR / "35-case-genogram-phone.png"))
        with page.expect_download() as download:
            page.get_by_test_id("case-pdf").click()
        assert download.value.suggested_filename.endswith(".pdf")
        _act(worker, "evaluate", goals_met="all", review="已与子女恢复每周通话")
        _act(worker, "request_closure", reason="goals_met", note="目标达成，结案。")

    with supervisor.step("the supervisor approves the closure"):
        supervisor.open(case_url)
        _act(supervisor, "approve_closure")
        expect(supervisor.page.get_by_test_id("case-stage")).to_have_text("已结案")
        supervisor.shot("32-case-closed")

    with supervisor.step("the supervisor records a supervision session on the case"):
        case_id = re.search(r"/casework/(\d+)/", case_url).group(1)  # type: ignore[union-attr]
        supervisor.open("/casework/supervision/sessions/new/")
        supervisor.page.locator("#id_hours").fill("1.5")
        supervisor.page.locator("#id_topics").fill("独居老人个案的结案评估")
        supervisor.page.locator("#id_case_ids").fill(case_id)
        supervisor.click_and_wait(supervisor.page.get_by_test_id("session-save"))
        expect(supervisor.page.locator(".flash")).to_be_visible()

    with worker.step("the social worker signs the session on the phone"):
        worker.open("/casework/supervision/")
        worker.click_and_wait(page.get_by_test_id("session-sign").first)
        expect(page.get_by_test_id("session-signed").first).to_be_visible()
        worker.shot("33-supervision-signed")
