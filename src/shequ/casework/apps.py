"""Casework (个案): cases through the stages of MZ/T 094-2017, their notes, and who supervises whom."""

from django.utils.translation import gettext_lazy as _

from shequ.core import appconfig


class CaseworkConfig(appconfig.ShequAppConfig):
    name = "shequ.casework"
    label = "casework"
    verbose_name = _("Casework")
