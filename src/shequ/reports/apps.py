"""Reports: monthly and yearly reports of an area as .xlsx and PDF, made in the background."""

from django.utils.translation import gettext_lazy as _

from shequ.core import appconfig


class ReportsConfig(appconfig.ShequAppConfig):
    name = "shequ.reports"
    label = "reports"
    verbose_name = _("Reports")
