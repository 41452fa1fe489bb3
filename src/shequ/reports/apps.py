"""Reports: monthly and yearly reports of an area as .xlsx and PDF, made in the background."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "shequ.reports"
    label = "reports"
    verbose_name = _("Reports")
