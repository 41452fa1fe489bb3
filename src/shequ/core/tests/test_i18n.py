"""Chinese first, English second, switchable per user; no untranslated text in the Chinese UI."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import polib
import pytest
from django.test import Client

from conftest import Tree, login_client, make_user
from shequ.core.roles import Role

LOCALE = Path(__file__).resolve().parents[2] / "locale"


@pytest.mark.django_db
def test_the_ui_is_chinese_even_for_an_english_browser(db: Any) -> None:
    r = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").get("/login/")
    assert r["Content-Language"] == "zh-hans"
    assert '<html lang="zh-CN"' in r.content.decode()
    assert "登录" in r.content.decode()


@pytest.mark.django_db
def test_a_user_switches_to_english_and_it_sticks_to_the_account(tree: Tree) -> None:
    user = make_user(Role.GRID_WORKER, tree.grid, username="wangge")
    client = login_client(user)
    r = client.post("/language/", {"language": "en", "next": "/areas/"})
    assert r.status_code == 302
    assert r["Location"] == "/areas/"
    user.refresh_from_db()
    assert user.language == "en"
    assert "Areas" in client.get("/areas/").content.decode()
    other_browser = login_client(user)
    assert other_browser.get("/")["Content-Language"] == "en"


@pytest.mark.django_db
def test_an_unknown_language_is_refused(db: Any) -> None:
    assert Client().post("/language/", {"language": "xx"}).status_code == 400


@pytest.mark.django_db
def test_a_redirect_after_switching_stays_on_this_site(db: Any) -> None:
    r = Client().post("/language/", {"language": "en", "next": "https://evil.example/"})
    assert r["Location"] == "/"


def _catalogues(root: Path) -> list[Path]:
    """The project's Chinese catalogue and each app's own (apps that carry a locale folder)."""
    return sorted(root.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"))


def test_every_chinese_message_is_translated() -> None:
    catalogues = _catalogues(LOCALE.parent)
    assert LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po" in catalogues
    for catalogue in catalogues:
        po = polib.pofile(str(catalogue))
        untranslated = [e.msgid for e in po.untranslated_entries()]
        fuzzy = [e.msgid for e in po.fuzzy_entries()]
        assert not untranslated, f"{catalogue}: untranslated: {untranslated}"
        assert not fuzzy, f"{catalogue}: fuzzy: {fuzzy}"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs gettext (make system-deps)")
def test_the_catalogues_hold_every_string_in_the_code(tmp_path: Path) -> None:
    """The same extraction as scripts/messages.sh (`shequ catalogues`), on a copy of the code."""
    source = Path(__file__).resolve().parents[2]
    copy = tmp_path / "shequ"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__", "vendor"))
    subprocess.run(
        [sys.executable, "-m", "django", "catalogues", "--root", str(copy)],
        cwd=tmp_path,
        check=True,
        env={
            "DJANGO_SETTINGS_MODULE": "shequ.settings",
            "SHEQU_DATA_DIR": str(tmp_path / "data"),
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(source.parent),
        },
    )
    for catalogue in _catalogues(copy):
        fresh = polib.pofile(str(catalogue))
        missing = [e.msgid for e in fresh.untranslated_entries()]
        assert not missing, (
            f"run scripts/messages.sh and translate ({catalogue.relative_to(copy)}): {missing}"
        )


@pytest.mark.django_db
def test_a_language_chosen_on_the_sign_in_page_sticks_to_the_account(tree: Tree) -> None:
    from conftest import PASSWORD

    user = make_user(Role.GRID_WORKER, tree.grid, username="wangge")
    client = Client()
    client.post("/language/", {"language": "en", "next": "/login/"})
    client.post("/login/", {"username": "wangge", "password": PASSWORD})
    user.refresh_from_db()
    assert user.language == "en"
    assert client.get("/")["Content-Language"] == "en"
