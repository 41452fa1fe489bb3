"""Appeals: residents' issues (诉求/事件) through a closed loop, with escalation and public notice."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppealsConfig(AppConfig):
    name = "shequ.appeals"
    label = "appeals"
    verbose_name = _("Appeals")

    def ready(self) -> None:
        from shequ.appeals import panels  # noqa: F401  (registers the appeals panel of the area page)
