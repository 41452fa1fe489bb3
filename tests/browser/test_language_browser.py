"""Shequ speaks Chinese first, whatever the browser asks for, and English on request."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from .helpers import PROBE_PASSWORD, Journey, html_lang


@pytest.mark.browser
def test_chinese_by_default_despite_english_accept_language_and_english_from_the_footer(
    journey: Journey, new_account: Callable[[str], str]
) -> None:
    page = journey.page
    with journey.step("the sign-in page is Chinese although the browser asks for English"):
        response = journey.open("/login/")
        assert response.request.headers.get("accept-language", "").startswith("en")
        assert response.headers.get("content-language") == "zh-hans"
        assert html_lang(page) == "zh-CN"
        journey.shot("05-login-default-chinese")

    with journey.step("choosing English in the footer shows English"):
        journey.click_and_wait(page.locator('footer button[name="language"][value="en"]'))
        expect(page.locator("html")).to_have_attribute("lang", "en")
        response = journey.open("/login/")
        assert response.headers.get("content-language") == "en"
        journey.shot("05-login-english")

    with journey.step("English stays after signing in"):
        journey.sign_in(new_account("language_probe"), PROBE_PASSWORD)
        expect(page.locator("html")).to_have_attribute("lang", "en")
        journey.shot("05-home-english")

    with journey.step("choosing 简体中文 in the footer goes back to Chinese"):
        journey.click_and_wait(page.locator('footer button[name="language"][value="zh-hans"]'))
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
        response = journey.open("/")
        assert response.headers.get("content-language") == "zh-hans"
