"""Appeals: residents' issues (诉求/事件) through a closed loop, with escalation and public notice."""

from django.utils.translation import gettext_lazy as _

from shequ.core import appconfig


class AppealsConfig(appconfig.ShequAppConfig):
    name = "shequ.appeals"
    label = "appeals"
    verbose_name = _("Appeals")
