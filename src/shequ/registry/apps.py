"""Registry: residents, households, organisations — the people every other area points at."""

from django.utils.translation import gettext_lazy as _

from shequ.core import appconfig


class RegistryConfig(appconfig.ShequAppConfig):
    name = "shequ.registry"
    label = "registry"
    verbose_name = _("Registry")
