"""Yearly targets of an area (e.g. party volunteer service ≥ 200 person-times a year)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shequ.core.models import Area, optional_key


class YearlyTarget(models.Model):
    """What an area means to reach in a year for one figure (a figure key of metrics.compute: a count,
    a total or a rate in percent). The dashboard shows the year's actual figure against it."""

    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    key = models.CharField(_("figure"), max_length=40)
    value = models.DecimalField(_("target"), max_digits=10, decimal_places=1)
    set_by = optional_key(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, related_name="+")
    set_at = models.DateTimeField(_("set at"), auto_now=True)

    class Meta:
        verbose_name = _("yearly target")
        verbose_name_plural = _("yearly targets")
        ordering = ["area", "year", "key"]
        constraints = [
            models.UniqueConstraint(fields=["area", "year", "key"], name="metrics_target_one_per_key"),
            models.CheckConstraint(condition=Q(value__gte=0), name="metrics_target_not_negative"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="metrics_target_year"),
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.year} {self.key} ≥ {self.value}"
