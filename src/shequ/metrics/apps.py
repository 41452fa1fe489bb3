"""Metrics: the service figures of DOMAIN.md for any area and period, yearly targets, and the
dashboards of each level of the area tree."""

from django.utils.translation import gettext_lazy as _

from shequ.core import appconfig


class MetricsConfig(appconfig.ShequAppConfig):
    name = "shequ.metrics"
    label = "metrics"
    verbose_name = _("Service metrics")
