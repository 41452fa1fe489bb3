"""Resources: the community's resource register (human, material, financial) and its venues."""

from django.utils.translation import gettext_lazy as _

from shequ.core import appconfig


class ResourcesConfig(appconfig.ShequAppConfig):
    name = "shequ.resources"
    label = "resources"
    verbose_name = _("Resource register")
