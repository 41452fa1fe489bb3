"""Light pages (issue 16): the production storage collects static files under hashed names with a
gzip copy, pages name the hashed file, WhiteNoise answers it compressed and cached for a year, and
the ECharts we ship is the custom build (only the charts the dashboard draws)."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client, override_settings

pytestmark = pytest.mark.no_database

VENDOR = Path(settings.STATICFILES_DIRS[0]) / "vendor"
PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Shequ's own static folder collected once with the production storage (the apps' folders and
    django-ninja's are left out to keep this cheap: the storage is the same for every file)."""
    root = tmp_path_factory.mktemp("static")
    with override_settings(
        STORAGES=PRODUCTION_STORAGES,
        STATIC_ROOT=root,
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
        WHITENOISE_USE_FINDERS=False,
        WHITENOISE_AUTOREFRESH=False,
        DEBUG=False,
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield root


def test_the_production_settings_use_the_compressed_manifest_storage() -> None:
    from shequ import settings as production

    assert production.STORAGES["staticfiles"]["BACKEND"] == PRODUCTION_STORAGES["staticfiles"]["BACKEND"]


def test_pages_name_static_files_by_their_hashed_names(collected: Path) -> None:
    url = static("vendor/htmx.min.js")
    assert url.startswith("/static/vendor/htmx.min.")
    assert url != "/static/vendor/htmx.min.js"


def test_every_collected_script_has_a_smaller_gzip_copy(collected: Path) -> None:
    name = static("vendor/echarts.min.js").removeprefix("/static/")
    raw = (collected / name).read_bytes()
    packed = (collected / f"{name}.gz").read_bytes()
    assert gzip.decompress(packed) == raw
    assert len(packed) < len(raw) / 2


def test_whitenoise_answers_a_hashed_file_compressed_and_cached_for_a_year(collected: Path) -> None:
    response = Client().get(static("css/shequ.css"), HTTP_ACCEPT_ENCODING="gzip, br")
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "immutable" in response.headers["Cache-Control"]
    assert "max-age=315360000" in response.headers["Cache-Control"]


def test_the_shipped_echarts_is_the_custom_build_of_the_charts_used() -> None:
    # echarts' full dist/echarts.min.js is 1.12 MB; line + bar + grid/tooltip/legend + canvas is ~0.55 MB.
    assert (VENDOR / "echarts.min.js").stat().st_size < 700_000
