"""Volunteering: volunteers and teams, activities with sign-up and check-in, service hours,
incentives, activity reports, party-led youth groups, and the service records the metrics count."""

from django.utils.translation import gettext_lazy as _

from shequ.core import appconfig


class VolunteeringConfig(appconfig.ShequAppConfig):
    name = "shequ.volunteering"
    label = "volunteering"
    verbose_name = _("Volunteering")
