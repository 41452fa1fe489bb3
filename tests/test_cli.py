"""The operator's command: the README's first command serves a page; production refuses unsafe settings."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

# Each command runs on its own SQLite folder, whatever database the suite runs on.
pytestmark = pytest.mark.no_database

SHEQU = str(Path(sys.executable).with_name("shequ"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHEQU_", "DATABASE_URL", "DJANGO_"))}
    env.update(extra)
    return env


@pytest.mark.slow
def test_shequ_demo_creates_sqlite_loads_the_demo_and_serves_the_login_page(tmp_path: Path) -> None:
    port = free_port()
    proc = subprocess.Popen(
        [SHEQU, "demo", "--port", str(port)],
        env=clean_env(SHEQU_DATA_DIR=str(tmp_path / "data")),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = []
    try:
        deadline = time.monotonic() + 120
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            output.append(line)
            if "serving on" in line or proc.poll() is not None:
                break
        text = "".join(output)
        assert "qu_admin" in text, text
        assert "shequ-demo-2026" in text, text
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=10) as response:
            body = response.read().decode()
            assert response.status == 200
            assert response.headers["Content-Language"] == "zh-hans"
        assert "登录" in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/vendor/htmx.min.js", timeout=10) as r:
            assert r.status == 200  # served by the app itself, no CDN
        assert (tmp_path / "data" / "shequ.sqlite3").exists()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


PRODUCTION_OK = {
    "SHEQU_ENV": "production",
    "SHEQU_SECRET_KEY": secrets.token_urlsafe(50),
    "SHEQU_ENCRYPTION_KEYS": "k1:" + "cHJvZHVjdGlvbi1rZXktb2YtdGhpcnR5LXR3by1ieXQ=",
    "SHEQU_BLIND_INDEX_KEY": "blind-index-key-for-production-tests",
    "SHEQU_ALLOWED_HOSTS": "shequ.example.gov.cn",
}


@pytest.mark.parametrize(
    "override, complaint",
    [
        ({"SHEQU_DEBUG": "1"}, "SHEQU_DEBUG"),
        ({"SHEQU_SECRET_KEY": ""}, "SHEQU_SECRET_KEY"),
        ({"SHEQU_SECRET_KEY": "a" * 60}, "SHEQU_SECRET_KEY"),
        ({"SHEQU_ENCRYPTION_KEYS": ""}, "SHEQU_ENCRYPTION_KEYS"),
        ({"SHEQU_BLIND_INDEX_KEY": ""}, "SHEQU_BLIND_INDEX_KEY"),
        ({"SHEQU_MFA_FOR_STAFF": "0"}, "SHEQU_MFA_FOR_STAFF"),
    ],
)
def test_production_refuses_to_start_with_unsafe_settings(
    tmp_path: Path, override: dict, complaint: str
) -> None:
    env = clean_env(SHEQU_DATA_DIR=str(tmp_path), **{**PRODUCTION_OK, **override})
    env = {k: v for k, v in env.items() if v != ""}
    result = subprocess.run([SHEQU, "check"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert complaint in result.stderr


def test_shequ_check_passes_for_production_settings(tmp_path: Path) -> None:
    env = clean_env(SHEQU_DATA_DIR=str(tmp_path), **PRODUCTION_OK)
    result = subprocess.run([SHEQU, "check"], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_shequ_without_words_prints_its_usage() -> None:
    result = subprocess.run([SHEQU], capture_output=True, text=True, timeout=30, env=clean_env())
    assert result.returncode == 0
    assert "shequ demo" in result.stdout


FIRST_PINGDI_GRID = (
    "from shequ.core.models import Area; "
    "print(Area.objects.get(name__startswith='第1网格', parent__code='440605121001').path)"
)


FIRST_PINGDI_GRID = (
    "from shequ.core.models import Area; "
    "print(Area.objects.get(name__startswith='第1网格', parent__code='440605121001').path)"
)


def test_shequ_createuser_gives_an_account_a_role_on_an_area(tmp_path: Path) -> None:
    env = clean_env(SHEQU_DATA_DIR=str(tmp_path), NEW_PASSWORD="a-good-long-pass-42")
    subprocess.run([SHEQU, "demo", "--no-serve"], env=env, check=True, capture_output=True, timeout=120)
    ok = subprocess.run(
        [
            SHEQU,
            "createuser",
            "xinren",
            "--role",
            "grid_worker",
            "--area",
            "440605121001",
            "--password-env",
            "NEW_PASSWORD",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    # 440605121001 is 平地社区: a grid worker belongs on a grid, so this is refused with a clear message.
    assert ok.returncode != 0
    assert "网格" in ok.stderr
    grid_path = subprocess.run(
        [SHEQU, "shell", "--no-imports", "-c", FIRST_PINGDI_GRID],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.strip()
    done = subprocess.run(
        [
            SHEQU,
            "createuser",
            "xinren",
            "--role",
            "grid_worker",
            "--area",
            grid_path,
            "--password-env",
            "NEW_PASSWORD",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    weak = subprocess.run(
        [SHEQU, "createuser", "ruomima", "--role", "resident", "--area", grid_path, "--password-env", "WEAK"],
        env={**env, "WEAK": "12345678"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert weak.returncode != 0
    assert "密码" in weak.stderr
