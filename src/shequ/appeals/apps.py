"""Appeals: residents' issues (诉求/事件) through a closed loop, with escalation and public notice."""

from importlib import import_module
from typing import Any

from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from shequ.core import appconfig


def seed_categories(sender: Any, **kwargs: Any) -> None:
    """The taxonomy seeded by migration 0002 again after every migrate, so that a `flush` (which runs
    post_migrate, e.g. `shequ demo --fresh`) leaves the categories in place. It only adds what is
    missing: categories and deadlines a district administrator changed stay as they are."""
    from django.apps import apps

    if not apps.is_installed("shequ.appeals"):
        return
    seed = import_module("shequ.appeals.migrations.0002_seed_categories").seed
    seed(apps, None)


class AppealsConfig(appconfig.ShequAppConfig):
    name = "shequ.appeals"
    label = "appeals"
    verbose_name = _("Appeals")

    def ready(self) -> None:
        super().ready()
        post_migrate.connect(seed_categories, sender=self, dispatch_uid="shequ.appeals.seed_categories")
