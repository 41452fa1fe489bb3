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


def _fill(j: Journey, **fields: str) -> None:
    for name, value in fields.items():
        field = j.page.locator(f'[name="{name}"]').first
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


@pytest.mark.browser
def test_the_zhenhua_parking_redesign_from_survey_to_posting(
    worker: Journey, owner: Journey, screenshots: object, tmp_path: object
) -> None:
    """Seed 004's Zhenhua parking redesign on phones: a survey of the residents, a consultation
    meeting of the group delegates (signed in by QR), a show of hands, the decision, its
    implementation with a photo, and its posting on the public page."""
    import datetime
    from pathlib import Path

    page = worker.page
    today = datetime.date.today()
    with worker.step("the social worker opens a parking survey of the community"):
        worker.sign_in("pingdi_shegong")
        worker.open("/surveys/new/")
        _fill(
            worker,
            title="振华片区停车需求调查",
            respondents="residents",
            opens_on=today.isoformat(),
            closes_on=(today + datetime.timedelta(days=14)).isoformat(),
        )
        worker.click_and_wait(page.locator("main form button[type=submit]").last)
    with owner.step("a resident answers the survey on her phone"):
        owner.sign_in("pingdi_jumin")
        owner.open("/surveys/")
        owner.click_and_wait(owner.page.get_by_role("link", name="振华片区停车需求调查"))
        owner.page.locator('input[name="score"][value="2"]').check()
        owner.page.locator('[name="comment"]').fill("车位太少，晚上消防通道停满车")
        owner.click_and_wait(owner.page.locator("main form button[type=submit]").last)
        expect(owner.page.get_by_test_id("answered")).to_be_visible()
    with worker.step("calls a consultation meeting of the group delegates"):
        worker.open("/meetings/")
        worker.click_and_wait(page.get_by_test_id("add-meeting").first)
        start = datetime.datetime.combine(today, datetime.time(0, 5))
        _fill(
            worker,
            kind="council",
            title="振华片区停车改造协商会",
            starts_at=start.strftime("%Y-%m-%dT%H:%M"),
            ends_at=(start + datetime.timedelta(hours=23)).strftime("%Y-%m-%dT%H:%M"),
            place="党群服务中心",
            chair="社区书记",
            recorder="社工",
            quorum_base="delegates",
            delegates_expected="1",
            notice_days="0",
        )
        worker.click_and_wait(page.locator("main form button[type=submit]").last)
        meeting_url = page.url
        _submit(worker, page, "add_topic", title="停车位重新规划（参与式设计）")
        _submit(worker, page, "notify")
        _submit(worker, page, "open")
    with owner.step("the delegate signs in by the delegates' QR code"):
        worker.open(meeting_url + "qr/?delegates=1")
        url = page.get_by_test_id("qr-url").inner_text()
        owner.page.goto(url)
        owner.click_and_wait(owner.page.get_by_test_id("sign-in"))
        expect(owner.page.get_by_test_id("sign-in-result")).to_be_visible()
    with worker.step("a show of hands, then the decision"):
        worker.open(meeting_url)
        expect(page.get_by_test_id("quorum")).to_have_attribute("data-met", "yes")
        _submit(
            worker,
            page,
            "open_vote",
            question="是否同意停车改造方案",
            method="hands",
            unit="person",
            rule="majority",
        )
        vote = page.get_by_test_id("vote").filter(has_text="是否同意停车改造方案")
        vote_id = vote.get_attribute("data-vote") or ""
        _submit(
            worker,
            page.locator(f'[data-vote="{vote_id}"]'),
            "count_hands",
            votes_for="1",
            votes_against="0",
            votes_abstain="0",
            counted_by="居委会委员",
        )
        _submit(worker, page.locator(f'[data-vote="{vote_id}"]'), "close")
        _submit(
            worker,
            page,
            "decide",
            text="重新划设车位，主干道一侧禁停；物业公司一个月内完成。",
            responsible="物业公司",
            deadline=(today + datetime.timedelta(days=30)).isoformat(),
            vote=vote_id,
        )
        decision = page.get_by_test_id("decision").filter(has_text="重新划设车位")
        expect(decision).to_have_attribute("data-valid", "yes")
        decision_id = decision.get_attribute("data-decision") or ""
    with worker.step("the implementation: a milestone reported done with a photo"):
        scope = page.locator(f'[data-decision="{decision_id}"]')
        _submit(
            worker,
            scope,
            "add_milestone",
            title="施划新车位线",
            owner="物业公司",
            due=(today + datetime.timedelta(days=10)).isoformat(),
        )
        scope = page.locator(f'[data-decision="{decision_id}"]')
        photo = Path(str(tmp_path)) / "lines.png"
        photo.write_bytes(_PNG)
        form = scope.locator('form[data-action="progress"]')
        form.locator('[name="progress"]').fill("100")
        form.locator('[name="note"]').fill("新车位线已施划完成")
        form.locator('[name="photos"]').set_input_files(str(photo))
        worker.click_and_wait(form.locator('button[type="submit"]'))
        scope = page.locator(f'[data-decision="{decision_id}"]')
        expect(scope.get_by_test_id("milestone")).to_have_attribute("data-done", "yes")
        worker.shot("05-zhenhua-implemented")
    with worker.step("posted on the community's public page"):
        _submit(
            worker, page.locator(f'[data-decision="{decision_id}"]'), "post", days="20", objection_days="7"
        )
        owner.page.context.clear_cookies()
        owner.open("/public/440605121001/decisions/")
        notice = owner.page.locator(f'[data-decision="{decision_id}"]')
        expect(notice).to_contain_text("重新划设车位")
        expect(notice.get_by_test_id("public-milestone")).to_contain_text("100%")
        owner.shot("06-zhenhua-posted")


# A 4×4 PNG: a photo of the new parking lines, as far as the test is concerned.
_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000004000000040802000000269309290000001349444154789c63fc7587"
    "010e98181888e100005dca01de3c6ed7860000000049454e44ae426082"
)
