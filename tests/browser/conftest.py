"""Browser-test fixtures: Shequ started as the README does (`shequ demo`) on a free port with its own
SQLite folder, and Debian's Chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from .helpers import PROBE_PASSWORD, SCREENSHOT_DIR, VIEWPORTS, Journey, Server, shequ_executable

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
MISSING_CHROMIUM = (
    "Chromium is not installed, so the browser tests cannot run. Run `make system-deps` "
    "(it does `apt-get install chromium` on Debian/Ubuntu). Playwright's own browser downloads are not used."
)
START_TIMEOUT = 240  # seconds; the demo loads in about five, far more on a busy 2-core machine


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        if os.environ.get("SHEQU_REQUIRE_BROWSER") == "1":
            pytest.fail(MISSING_CHROMIUM, pytrace=False)
        pytest.skip(MISSING_CHROMIUM)
    return path


@pytest.fixture(scope="package")
def server(chromium_path: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`shequ demo --port P` in a fresh folder: migrate, load the demo community, serve with waitress."""
    base = tmp_path_factory.mktemp("shequ-browser")
    data_dir = base / "data"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(SHEQU_DATA_DIR=str(data_dir), PYTHONUNBUFFERED="1")
    port = free_port()
    proc = subprocess.Popen(
        [str(shequ_executable()), "demo", "--port", str(port)],
        env=env,
        cwd=base,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    server = Server(url=f"http://127.0.0.1:{port}", data_dir=data_dir, env=env)
    serving = threading.Event()

    def read_output() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            server.output.append(line)
            if "serving on" in line.lower():
                serving.set()

    reader = threading.Thread(target=read_output, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not serving.wait(0.2):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("shequ demo did not start:\n" + "".join(server.output))
        _wait_until_healthy(server, deadline)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        reader.join(timeout=5)
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        (SCREENSHOT_DIR / "server.log").write_text("".join(server.output), encoding="utf-8")


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """The screenshot folder, emptied of an earlier run's pictures so that CI keeps only this run's."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    for old in SCREENSHOT_DIR.glob("*.png"):
        if re.match(r"^(\d\d-|FAILED-)", old.name):
            old.unlink(missing_ok=True)  # another worker of this run may have taken it already
    return SCREENSHOT_DIR


def _wait_until_healthy(server: Server, deadline: float) -> None:
    last = ""
    while True:
        try:
            with urllib.request.urlopen(f"{server.url}/healthz", timeout=5) as response:
                if response.status == 200:
                    return
                last = f"HTTP {response.status}"
        except OSError as exc:  # includes HTTPError for a 4xx/5xx answer
            last = str(exc)
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"{server.url}/healthz never answered 200 (last: {last}); server output:\n"
                + "".join(server.output[-40:])
            )
        time.sleep(0.2)


# Package scope, not session: Playwright's sync API keeps an event loop running in the thread while
# it is open, and Django refuses database work under a running loop. The browser tests come first
# (see below), so the browser is closed before the tests that use the database begin.
@pytest.fixture(scope="package")
def browser(chromium_path: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def journey(browser: Browser, server: Server, viewport: str, screenshots: Path) -> Iterator[Journey]:
    """A fresh browser context (own cookies) at the given size, sending English Accept-Language on
    purpose: Shequ must still answer in Chinese."""
    size = VIEWPORTS[viewport]
    context = browser.new_context(
        base_url=server.url,
        viewport=size,
        locale="en-US",
        extra_http_headers={"Accept-Language": "en-US,en;q=0.9"},
        is_mobile=viewport == "phone",
        has_touch=viewport == "phone",
        device_scale_factor=1,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    j = Journey(page=page, viewport=viewport)
    try:
        yield j
        j.assert_no_server_or_script_errors()
    finally:
        context.close()


@pytest.fixture
def new_account(server: Server, viewport: str) -> Callable[[str], str]:
    """Create a volunteer of 平地社区 for one test at one size (`shequ createuser`, as an operator
    would), so that tests which lock an account or change its settings touch nobody else's."""

    def create(prefix: str) -> str:
        username = f"{prefix}_{viewport}"
        server.shequ(
            "createuser",
            username,
            "--role",
            "volunteer",
            "--area",
            "440605121001",  # 平地社区
            "--password-env",
            "SHEQU_TEST_PASSWORD",
            extra_env={"SHEQU_TEST_PASSWORD": PROBE_PASSWORD},
        )
        return username

    return create


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist, keep every browser test on one worker so that one demo server serves them
    all (each worker would otherwise start its own), and hand that group out first."""
    browser = [item for item in items if item.get_closest_marker("browser")]
    for item in browser:
        item.add_marker(pytest.mark.xdist_group("browser"))
    # First in line: the one worker that takes them starts early, and the others share out the rest,
    # instead of the slow browser group running alone at the end.
    items[:] = browser + [item for item in items if not item.get_closest_marker("browser")]
