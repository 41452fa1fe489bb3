"""Core: the area tree, accounts and roles, the access layer and the audit log."""

from django.utils.translation import gettext_lazy as _

from shequ.core import appconfig


class CoreConfig(appconfig.ShequAppConfig):
    name = "shequ.core"
    label = "core"
    verbose_name = _("Core")
