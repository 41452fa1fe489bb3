"""Every page: each Shequ app's urls.py, found by name (adding an app needs no edit here), core's last
so that an app's page is never shadowed by a general one."""

from django.urls import URLPattern, URLResolver, include, path
from django.utils.module_loading import module_has_submodule

from shequ.api import api
from shequ.core.appconfig import shequ_apps


def _app_urls() -> list[URLPattern | URLResolver]:
    configs = [c for c in shequ_apps() if module_has_submodule(c.module, "urls")]
    configs.sort(key=lambda c: c.label == "core")
    return [path("", include(f"{c.name}.urls")) for c in configs]


urlpatterns = [path("api/", api.urls), *_app_urls()]

handler404 = "shequ.core.views.not_found"
