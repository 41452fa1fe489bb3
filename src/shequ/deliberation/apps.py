"""Deliberation (议事协商): joint meetings and residents' councils, their agenda, attendance and quorum,
votes and decisions — from a resident's appeal to a decision that is followed up."""

from django.utils.translation import gettext_lazy as _

from shequ.core import appconfig


class DeliberationConfig(appconfig.ShequAppConfig):
    name = "shequ.deliberation"
    label = "deliberation"
    verbose_name = _("Deliberation")
