"""Signing in and out: lockout after five wrong passwords, and a sign-out that really ends the session."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from .helpers import CHINESE, PROBE_PASSWORD, Journey

LOCKED_UNTIL = re.compile(r"\d{1,2}:\d{2}")  # the message names the time the lock ends


@pytest.fixture
def fresh_account(new_account: Callable[[str], str]) -> str:
    """An account of its own, so that locking it breaks no other test."""
    return new_account("lockout_probe")


@pytest.mark.browser
def test_five_wrong_passwords_lock_the_account(journey: Journey, fresh_account: str) -> None:
    page = journey.page
    error = page.locator("main .error-box")
    with journey.step("a wrong password is refused"):
        journey.open("/login/")
        journey.submit_login(fresh_account, "wrong-password-1")
        expect(page).to_have_url(re.compile(r"/login/"))
        expect(error).to_be_visible()
        wrong_password_text = error.inner_text().strip()

    with journey.step("wrong passwords two to four are refused the same way"):
        for attempt in range(2, 5):
            journey.submit_login(fresh_account, f"wrong-password-{attempt}")
            expect(error).to_have_text(wrong_password_text)

    with journey.step("the fifth wrong password locks the account and the page says until when"):
        journey.submit_login(fresh_account, "wrong-password-5")
        expect(error).to_be_visible()
        expect(error).not_to_have_text(wrong_password_text)
        expect(error).to_have_text(LOCKED_UNTIL)
        expect(error).to_have_text(CHINESE)
        locked_text = error.inner_text().strip()
        journey.shot("06-login-locked")

    with journey.step("the right password is refused while the account is locked"):
        journey.submit_login(fresh_account, PROBE_PASSWORD)
        expect(page).to_have_url(re.compile(r"/login/"))
        expect(error).to_have_text(locked_text)
        journey.shot("06-login-locked-right-password")

    with journey.step("no session was opened"):
        journey.open("/")
        expect(page).to_have_url(re.compile(r"/login/\?next=/$"))


@pytest.mark.browser
def test_sign_out_ends_the_session(journey: Journey) -> None:
    page = journey.page
    with journey.step("sign in as social worker pingdi_shegong"):
        journey.sign_in("pingdi_shegong")
        expect(journey.in_menu(page.get_by_test_id("user-menu"))).to_be_visible()

    with journey.step("open the user menu and sign out"):
        page.get_by_test_id("user-menu").click()
        expect(page.get_by_test_id("logout")).to_be_visible()
        journey.shot("07-user-menu-open")
        journey.click_and_wait(page.get_by_test_id("logout"))
        expect(page).to_have_url(re.compile(r"/login/$"))
        expect(page.locator("main .flash")).to_be_visible()
        expect(page.get_by_test_id("user-menu")).to_have_count(0)
        journey.shot("07-signed-out")

    with journey.step("pages need signing in again"):
        for path in ("/", "/residents/"):
            journey.open(path)
            expect(page).to_have_url(re.compile(r"/login/\?next="))
