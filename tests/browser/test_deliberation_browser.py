"""A lift vote of one building in Chromium, on phone-sized windows: the social worker opens 1座's
building meeting, puts the lift to an art. 278 vote, fills the roll of owners from the household
records and records three paper ballots for; the demo resident, owner of the large flat, votes against
on her phone; closed, the vote passes by headcount (3 of 4 owners) but fails by floor area (180.5 of
360.5 m² against), and the decision taken on it is recorded as not valid."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from .helpers import VIEWPORTS, Journey, Server


def _phone(browser: Browser, server: Server) -> Journey:
    context = browser.new_context(
        base_url=server.url,
        viewport=VIEWPORTS["phone"],
        locale="en-US",
        extra_http_headers={"Accept-Language": "en-US,en;q=0.9"},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=1,
    )
    context.set_default_timeout(10_000)
    return Journey(page=context.new_page(), viewport="phone")


@pytest.fixture
def worker(browser: Browser, server: Server) -> Iterator[Journey]:
    j = _phone(browser, server)
    yield j
    j.assert_no_server_or_script_errors()
    j.page.context.close()


@pytest.fixture
def owner(browser: Browser, server: Server) -> Iterator[Journey]:
    j = _phone(browser, server)
    yield j
    j.assert_no_server_or_script_errors()
    j.page.context.close()


def _submit(j: Journey, scope: object, action: str, **fields: str) -> None:
    form = scope.locator(f'form[data-action="{action}"]')  # type: ignore[attr-defined]
    for name, value in fields.items():
        field = form.locator(f'[name="{name}"]')
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    j.page.once("dialog", lambda dialog: dialog.accept())
    j.click_and_wait(form.locator('button[type="submit"]'))


@pytest.mark.browser
def test_a_lift_vote_passes_by_headcount_but_fails_by_floor_area(
    worker: Journey, owner: Journey, screenshots: object
) -> None:
    page = worker.page
    with worker.step("the social worker opens 1座's building meeting on a phone"):
        worker.sign_in("pingdi_shegong")
        worker.open("/meetings/?q=加装电梯")
        worker.click_and_wait(page.get_by_role("link", name=re.compile("加装电梯")).first)
        meeting_url = page.url
        _submit(worker, page, "open")
        expect(page.get_by_test_id("status")).to_have_attribute("data-status", "in_session")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    with worker.step("puts the lift to an art. 278 vote and fills the roll from the household records"):
        _submit(
            worker,
            page,
            "open_vote",
            question="1座加装电梯",
            method="ballot",
            unit="household",
            rule="art278_major",
        )
        vote = page.get_by_test_id("vote").filter(has_text="1座加装电梯")
        _submit(worker, vote, "enrol_registry")
        vote = page.get_by_test_id("vote").filter(has_text="1座加装电梯")
        roll = vote.get_by_test_id("roll").locator("li")
        expect(roll).to_have_count(4)
        small = [
            li.get_attribute("data-resident")
            for li in roll.all()
            if li.get_attribute("data-floor-area") == "60.00"
        ]
        vote_id = vote.get_attribute("data-vote")
    with worker.step("records the paper ballots of the three small flats"):
        for resident in small:
            assert resident
            _submit(
                worker, page.locator(f'[data-vote="{vote_id}"]'), "record", resident=resident, choice="for"
            )
        worker.shot("01-lift-roll-and-ballots")
    with owner.step("the owner of the large flat votes against on her phone"):
        owner.sign_in("pingdi_jumin")
        owner.open(f"/votes/{vote_id}/")
        expect(owner.page.get_by_test_id("result-hidden")).to_be_visible()
        _submit(owner, owner.page, "cast", choice="against")
        owner.shot("02-lift-vote-cast")
    with worker.step("closes the vote: passed by headcount, not by floor area"):
        worker.open(meeting_url)
        _submit(worker, page.locator(f'[data-vote="{vote_id}"]'), "close")
        vote = page.locator(f'[data-vote="{vote_id}"]')
        expect(vote.get_by_test_id("result")).to_have_attribute("data-passed", "no")
        checks = vote.get_by_test_id("art278").locator("li")
        expect(checks.nth(2)).to_contain_text("✓")  # consent by headcount: 3 of 4
        expect(checks.nth(3)).to_contain_text("✗")  # consent by floor area: 180.5 m² of 360.5 against
        worker.shot("03-lift-result")
    with worker.step("the decision taken on the vote is recorded as not valid"):
        _submit(worker, page, "decide", text="1座加装电梯", responsible="1座楼长", vote=str(vote_id))
        decision = page.get_by_test_id("decision").filter(has_text="1座加装电梯")
        expect(decision).to_have_attribute("data-valid", "no")
        worker.shot("04-lift-decision-not-valid")
