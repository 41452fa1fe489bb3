"""The base every Shequ app's configuration extends, so that the app registers itself when Django is
ready (core/extensions.py). Apps refer to it as `appconfig.ShequAppConfig`: a module-level name that is
an AppConfig subclass would make Django's choice of an app's default configuration ambiguous."""

from __future__ import annotations

from importlib import import_module

from django.apps import AppConfig, apps
from django.utils.module_loading import module_has_submodule

# The modules an app may have that declare what it adds, loaded in this order when the app is ready.
DECLARING_MODULES = ("policy", "panels", "hooks", "figures")


class ShequAppConfig(AppConfig):
    """A Shequ app: when Django is ready, its policy, panels, hooks and figures register themselves."""

    def ready(self) -> None:
        for name in DECLARING_MODULES:
            if module_has_submodule(self.module, name):
                import_module(f"{self.name}.{name}")


def shequ_apps() -> list[AppConfig]:
    """The installed Shequ apps, in INSTALLED_APPS order."""
    return [c for c in apps.get_app_configs() if isinstance(c, ShequAppConfig)]
