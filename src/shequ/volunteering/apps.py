"""Volunteering: volunteers and teams, activities with sign-up and check-in, service hours,
incentives, activity reports, party-led youth groups, and the service records the metrics count."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteeringConfig(AppConfig):
    name = "shequ.volunteering"
    label = "volunteering"
    verbose_name = _("Volunteering")

    def ready(self) -> None:
        from shequ.volunteering import panels  # noqa: F401  (registers the panel of the resident page)
