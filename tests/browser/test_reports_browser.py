"""Reports in Chromium, on a phone: the community's social worker asks for last month's report as a
PDF, watches the list refresh itself (htmx) while the task queue inside `shequ serve` makes it, and
downloads a PDF that names the community."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from pypdf import PdfReader

from .helpers import VIEWPORTS, Journey, Server

pytestmark = pytest.mark.browser


def test_a_social_worker_asks_for_a_report_and_downloads_it_when_ready(
    browser: Browser, server: Server, tmp_path: Path
) -> None:
    context = browser.new_context(
        base_url=server.url,
        viewport=VIEWPORTS["phone"],
        locale="zh-CN",
        is_mobile=True,
        has_touch=True,
        accept_downloads=True,
    )
    context.set_default_timeout(10_000)
    j = Journey(page=context.new_page(), viewport="phone")
    page = j.page
    try:
        with j.step("sign in and open the reports page from the navigation"):
            j.sign_in("pingdi_shegong")
            j.open("/reports/")
            expect(page.get_by_role("heading", name="报表", exact=True)).to_be_visible()
        with j.step("ask for the monthly PDF"):
            page.locator("#id_format_1").check()  # PDF
            j.click_and_wait(page.get_by_test_id("report-submit"))
            expect(page.get_by_test_id("report-job").first).to_be_visible()
            j.shot("reports-requested")
        with j.step("the list refreshes itself until the download link appears"):
            newest = page.get_by_test_id("report-job").first
            expect(newest).to_have_attribute("data-status", "done", timeout=120_000)
            link = newest.get_by_test_id("report-download")
            expect(link).to_be_visible()
            j.shot("reports-ready")
        with j.step("download the PDF"):
            with page.expect_download() as info:
                link.click()
            target = tmp_path / "report.pdf"
            info.value.save_as(target)
            assert info.value.suggested_filename.endswith(".pdf")
            reader = PdfReader(io.BytesIO(target.read_bytes()))
            text = "".join(p.extract_text() for p in reader.pages).replace(" ", "").replace("\n", "")
            assert "平地社区" in text
            assert "月报" in text
        j.assert_no_server_or_script_errors()
    finally:
        context.close()
