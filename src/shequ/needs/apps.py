"""Needs: home visits (走访), the needs residents and units raise (需求), and satisfaction surveys
(满意度测评) — the records behind the need-satisfaction and satisfaction rates."""

from django.utils.translation import gettext_lazy as _

from shequ.core import appconfig


class NeedsConfig(appconfig.ShequAppConfig):
    name = "shequ.needs"
    label = "needs"
    verbose_name = _("Needs and surveys")
