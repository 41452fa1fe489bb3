"""Residents in the browser: masked by default, revealed on request and audited, invisible across
communities."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, expect

from .helpers import COUNT, FULL_ID, MASKED_ID, VIEWPORTS, Journey, Server

PINGDI_ESTATES = ["平地", "布匹市场", "牛仔城", "黄氏大宗祠", "观音庙"]


@dataclass(frozen=True)
class PingdiResident:
    pk: int
    name: str
    community_pk: int


@pytest.fixture(scope="module")
def pingdi_resident(browser: Browser, server: Server) -> Iterator[PingdiResident]:
    """A resident of 平地社区 and the community's page, as its own staff sees them."""
    context = browser.new_context(base_url=server.url, viewport=VIEWPORTS["desktop"])
    try:
        journey = Journey(page=context.new_page(), viewport="desktop")
        journey.sign_in("pingdi_shequ")
        community = journey.page.locator("main h2 a", has_text="平地社区")
        community_pk = int(re.findall(r"\d+", community.get_attribute("href") or "")[0])
        journey.open("/residents/")
        link = journey.page.locator("main tbody td a").first
        pk = int(re.findall(r"\d+", link.get_attribute("href") or "")[0])
        yield PingdiResident(pk=pk, name=link.inner_text().strip(), community_pk=community_pk)
    finally:
        context.close()


@pytest.mark.browser
def test_community_staff_sees_masked_ids_reveals_one_and_finds_it_in_the_audit_log(journey: Journey) -> None:
    page = journey.page
    with journey.step("sign in as community staff pingdi_shequ"):
        journey.sign_in("pingdi_shequ")

    with journey.step("home page shows 平地社区; its page has the headline counts"):
        community = page.get_by_test_id("home-area").locator("h2 a").first
        expect(community).to_contain_text("平地社区")
        journey.shot("01-home-community-staff")
        journey.click_and_wait(community)
        for testid in ("stat-residents", "stat-households", "stat-organisations"):
            expect(page.get_by_test_id(testid).locator("b").first).to_have_text(COUNT)
        residents = int(page.get_by_test_id("stat-residents").locator("b").inner_text().replace(",", ""))
        assert residents > 0, "the demo community has no residents on its page"

    with journey.step("open a grid of 平地社区"):
        grid = page.locator("main table tbody a").first
        grid_name = grid.inner_text().strip()
        journey.click_and_wait(grid)
        expect(page).to_have_url(re.compile(r"/areas/\d+/$"))
        expect(page.locator("main h1")).to_contain_text(grid_name)
        expect(page.locator("nav.crumbs")).to_contain_text("平地社区")
        journey.shot("01-grid-community-staff")

    with journey.step("open the grid's residents list: ID numbers are masked"):
        journey.click_and_wait(page.locator('main .actions a[href^="/residents/?area="]'))
        expect(page).to_have_url(re.compile(r"/residents/\?area=\d+$"))
        id_cells = page.locator("main tbody tr td:nth-child(3)")
        expect(id_cells.first).to_have_text(MASKED_ID)
        shown = [t.strip() for t in id_cells.all_inner_texts()]
        unmasked = [t for t in shown if t and not MASKED_ID.match(t)]
        assert not unmasked, f"ID numbers shown unmasked in the list: {unmasked}"
        # Children under 14 are in the minimal form (no number at all) without a grant for minors.
        minimal = page.locator('main tbody [data-testid="minor-minimal"]').count()
        assert shown.count("") == minimal, f"{shown.count('')} empty ID cells, {minimal} children"
        journey.shot("01-residents-masked-community-staff", full_page=False)

    with journey.step("open a resident: the ID number is still masked"):
        link = page.locator("main tbody td a").first
        name = link.inner_text().strip()
        journey.click_and_wait(link)
        expect(page).to_have_url(re.compile(r"/residents/\d+/$"))
        expect(page.locator("main h1")).to_have_text(name)
        masked = page.get_by_test_id("id-masked")
        expect(masked).to_have_text(MASKED_ID)
        masked_id = masked.inner_text().strip()
        journey.shot("01-resident-masked-community-staff")

    with journey.step("click reveal: the full 18-character ID number appears"):
        page.get_by_test_id("reveal").click()
        revealed = page.get_by_test_id("id-revealed")
        expect(revealed).to_have_text(FULL_ID)
        full_id = revealed.inner_text().strip()
        assert (full_id[:6], full_id[-4:]) == (masked_id[:6], masked_id[-4:]), (
            f"revealed {full_id} does not fit the masked {masked_id}"
        )
        journey.shot("01-resident-revealed-community-staff")

    with journey.step("the audit log lists the view_sensitive entry for this resident"):
        journey.click_and_wait(journey.in_menu(page.locator('header a[href="/audit/"]')))
        expect(page).to_have_url(re.compile(r"/audit/$"))
        page.locator("#id_action").select_option("view_sensitive")
        page.locator("#id_actor").fill("pingdi_shequ")
        journey.click_and_wait(page.locator("main form.filters button[type=submit]"))
        expect(page).to_have_url(re.compile(r"action=view_sensitive"))
        newest = page.locator("main tbody tr").first.locator("td")
        expect(newest.nth(1)).to_have_text("pingdi_shequ")
        expect(newest.nth(4)).to_have_text(name)
        journey.shot("01-audit-log-view-sensitive-community-staff")


@pytest.mark.browser
def test_staff_of_another_community_cannot_open_or_list_pingdi_residents(
    journey: Journey, pingdi_resident: PingdiResident
) -> None:
    page = journey.page
    resident_url = f"/residents/{pingdi_resident.pk}/"
    with journey.step("sign in as zhenhua_shequ (振华社区)"):
        journey.sign_in("zhenhua_shequ")
        expect(page.get_by_test_id("home-area").locator("h2").first).to_contain_text("振华社区")
        expect(page.locator("main")).not_to_contain_text("平地社区")

    with journey.step("a 平地社区 resident's URL gives the not-found page"):
        journey.open(resident_url, status=404)
        expect(page.locator('main .error-box[data-code="not_found"]')).to_be_visible()
        expect(page.get_by_test_id("id-masked")).to_have_count(0)
        journey.shot("03-pingdi-resident-not-found-other-community")

    with journey.step("revealing that resident's ID number is refused the same way"):
        token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
        response = page.request.post(
            f"{resident_url}reveal/", headers={"X-CSRFToken": token, "Referer": page.url}
        )
        assert response.status == 404, f"reveal answered {response.status}"
        assert not re.search(r"\d{17}[\dX]", response.text()), "the refusal page holds an ID number"

    with journey.step("the 平地社区 page itself is not found either"):
        journey.open(f"/areas/{pingdi_resident.community_pk}/", status=404)

    with journey.step("the residents list holds no 平地 residents"):
        journey.open("/residents/")
        rows = page.locator("main tbody tr")
        expect(rows.first).to_be_visible()
        expect(page.locator(f'main a[href="{resident_url}"]')).to_have_count(0)
        body = page.locator("main tbody").inner_text()
        leaked = [estate for estate in PINGDI_ESTATES if estate in body]
        assert not leaked, f"平地社区 buildings in another community's list: {leaked}"
        journey.shot("03-residents-other-community", full_page=False)

    with journey.step("searching for the 平地 resident's name finds no 平地 resident"):
        page.locator('main input[name="q"]').fill(pingdi_resident.name)
        journey.click_and_wait(page.locator("main form.filters button[type=submit]"))
        expect(page).to_have_url(re.compile(r"[?&]q="))
        expect(page.locator(f'main a[href="{resident_url}"]')).to_have_count(0)
        body = page.locator("main tbody").inner_text()
        assert not [estate for estate in PINGDI_ESTATES if estate in body]
