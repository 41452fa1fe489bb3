"""Resources: the community's resource register (human, material, financial) and its venues."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "shequ.resources"
    label = "resources"
    verbose_name = _("Resource register")
