"""Re-extract the translatable strings into every catalogue: the project's (src/shequ/locale) for the
apps that have none of their own, and each app's own `<app>/locale` for the apps that carry one (a new
app brings its catalogue with it, so that adding an app needs no edit of a shared file)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from shequ.core.appconfig import shequ_apps

LANGUAGES = ["zh_Hans", "en"]


def own_catalogue_apps(root: Path) -> list[Path]:
    """The folders of the Shequ apps under `root` that carry their own locale folder."""
    folders = []
    for config in shequ_apps():
        folder = root / config.name.split(".", 1)[1]
        if (folder / "locale").is_dir():
            folders.append(folder)
    return folders


class Command(BaseCommand):
    help = "Extract translatable strings into the project's catalogue and each app's own catalogue."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--root", default="", help="the shequ package folder (default: the installed one)"
        )

    def handle(self, *args: Any, root: str, **options: Any) -> None:
        package = Path(root or settings.PACKAGE_DIR).resolve()
        apps_with_own = own_catalogue_apps(package)
        here = Path.cwd()
        try:
            os.chdir(package)
            ignore = ["tests/*", "static/vendor/*", *[f"{p.name}/*" for p in apps_with_own]]
            call_command(
                "makemessages", locale=LANGUAGES, ignore_patterns=ignore, no_location=True, verbosity=0
            )
            for folder in apps_with_own:
                os.chdir(folder)
                call_command(
                    "makemessages",
                    locale=LANGUAGES,
                    ignore_patterns=["tests/*"],
                    no_location=True,
                    verbosity=0,
                )
        finally:
            os.chdir(here)
