"""What every browser journey shares: named steps, screenshots, sign-in, and a watch for 5xx and script
errors."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import ConsoleMessage, Locator, Page, Response, expect

REPO = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = Path(os.environ.get("SHEQU_SCREENSHOT_DIR") or REPO / "test-artifacts" / "screenshots")
VIEWPORTS: dict[str, dict[str, int]] = {
    "desktop": {"width": 1280, "height": 800},
    "phone": {"width": 390, "height": 844},
}
DEMO_PASSWORD = "shequ-demo-2026"
PROBE_PASSWORD = "Browser-probe-2026!"  # accounts the tests create for themselves

# 440605********123X: region, eight asterisks, last four. The full number: 17 digits and a check digit.
MASKED_ID = re.compile(r"^\d{6}\*{8}\d{3}[\dX]$")
FULL_ID = re.compile(r"^\d{17}[\dX]$")
COUNT = re.compile(r"^\d[\d,]*$")
CHINESE = re.compile(r"[\u4e00-\u9fff]")  # any Han character: the message is in Chinese


@dataclass
class Server:
    """A running `shequ demo` and the environment it was started with."""

    url: str
    data_dir: Path
    env: dict[str, str]
    output: list[str] = field(default_factory=list)

    def shequ(self, *args: str, extra_env: dict[str, str] | None = None) -> str:
        """Run another `shequ` command against the same data folder as the running server."""
        result = subprocess.run(
            [str(shequ_executable()), *args],
            env={**self.env, **(extra_env or {})},
            cwd=self.data_dir.parent,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if result.returncode != 0:
            raise AssertionError(f"shequ {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout


def shequ_executable() -> Path:
    return Path(sys.executable).parent / "shequ"


class StepFailed(AssertionError):
    """A journey step that did not work out, named so that the report says where it broke."""


@dataclass
class Journey:
    page: Page
    viewport: str
    problems: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("response", self._watch_response)
        self.page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        self.page.on("console", self._watch_console)

    def _watch_response(self, response: Response) -> None:
        if response.status >= 500:
            self.problems.append(f"HTTP {response.status} for {response.request.method} {response.url}")

    def _watch_console(self, message: ConsoleMessage) -> None:
        # 403/404 pages are part of the journeys; the browser logs them as failed resources.
        if message.type == "error" and "Failed to load resource" not in message.text:
            self.problems.append(f"console error on {self.page.url}: {message.text}")

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Run one step; on failure, save a screenshot and re-raise with the step's name."""
        try:
            yield
        except Exception as exc:
            shot = self._save(f"FAILED-{_slug(name)}")
            where = f"at {self.viewport} size on {self.page.url}"
            raise StepFailed(f"step {name!r} failed {where}: {exc}\n(screenshot: {shot})") from exc

    def shot(self, name: str, *, full_page: bool = True) -> Path:
        """Save the page as `<name>-<viewport>.png` in SHEQU_SCREENSHOT_DIR; long lists pass
        full_page=False to keep what a person sees first."""
        return self._save(name, full_page=full_page)

    def _save(self, name: str, *, full_page: bool = True) -> Path:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f"{name}-{self.viewport}.png"
        try:
            self.page.screenshot(path=str(path), full_page=full_page)
        except Exception as exc:  # a failed screenshot must not hide the real failure
            return Path(f"(not saved: {exc})")
        return path

    def open(self, path: str, *, status: int = 200) -> Response:
        response = self.page.goto(path)
        assert response is not None, f"no response for {path}"
        assert response.status == status, f"{path} answered {response.status}, expected {status}"
        return response

    def sign_in(self, username: str, password: str = DEMO_PASSWORD) -> None:
        self.open("/login/")
        self.submit_login(username, password)
        expect(self.page).not_to_have_url(re.compile(r"/login/"))

    def submit_login(self, username: str, password: str) -> None:
        self.page.locator("#id_username").fill(username)
        self.page.locator("#id_password").fill(password)
        self.click_and_wait(self.page.get_by_test_id("login-submit"))

    def in_menu(self, target: Locator) -> Locator:
        """A menu entry, made reachable: on a phone most entries (and the account menu) are under
        更多 at the bottom, which is opened first."""
        more = self.page.get_by_test_id("nav-more")
        if not target.is_visible() and more.is_visible():
            more.click()
            expect(target).to_be_visible()
        return target

    def click_and_wait(self, target: Locator) -> None:
        """Click what loads a new page (a form's submit button, a link) and wait for that page, so
        that the next check cannot pass on the page before it."""
        with self.page.expect_navigation():
            target.click()

    def assert_no_server_or_script_errors(self) -> None:
        assert not self.problems, "the journey met errors:\n" + "\n".join(self.problems)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-").lower()[:60] or "step"


def html_lang(page: Page) -> str:
    return page.locator("html").get_attribute("lang") or ""
