"""Metrics: the service figures of DOMAIN.md for any area and period, yearly targets, and the
dashboards of each level of the area tree."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MetricsConfig(AppConfig):
    name = "shequ.metrics"
    label = "metrics"
    verbose_name = _("Service metrics")
