"""Home visits, needs and satisfaction surveys.

Each row carries ``area_path`` (a copy of its area's path; areas never move) so that scopes and the
metrics are one index range without a join, as in appeals."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shequ.core.models import PATH_STEP, Area, optional_key
from shequ.core.texts import cut_text


class VisitPurpose(models.TextChoices):
    ROUTINE = "routine", _("Routine visit")
    CARE = "care", _("Care for a special group")
    NEED_FOLLOW_UP = "need_follow_up", _("Following up a need")
    APPEAL_FOLLOW_UP = "appeal_follow_up", _("Following up an appeal")
    OTHER = "other", _("Other")


class Visit(models.Model):
    """A home visit (走访/入户) to a resident, a household or a unit, logged from a phone on the spot."""

    area = models.ForeignKey(Area, verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=PATH_STEP * 8, editable=False, db_index=True)
    resident = optional_key("registry.Resident", _("resident"), related_name="visits")
    household = optional_key("registry.Household", _("household"), related_name="visits")
    organisation = optional_key("registry.Organisation", _("unit"), related_name="visits")
    visited_on = models.DateField(_("visited on"))
    purpose = models.CharField(
        _("purpose"), max_length=20, choices=VisitPurpose.choices, default=VisitPurpose.ROUTINE
    )
    notes = models.TextField(_("notes"), blank=True)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("visited by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Made by the phone for each visit it sends (a UUID): a visit saved offline and sent again when
    # the network is back, or sent twice, is saved once (issue 16).
    client_key = models.UUIDField(_("client key"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("home visit")
        verbose_name_plural = _("home visits")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["area_path", "visited_on"], name="needs_visit_scope")]
        constraints = [
            models.CheckConstraint(
                condition=Q(resident__isnull=False)
                | Q(household__isnull=False)
                | Q(organisation__isnull=False),
                name="needs_visit_subject",
            ),
            models.CheckConstraint(condition=Q(purpose__in=VisitPurpose.values), name="needs_visit_purpose"),
            models.UniqueConstraint(
                fields=["visited_by", "client_key"],
                condition=Q(client_key__isnull=False),
                name="needs_visit_once_per_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.area_id}"


class NeedCategory(models.TextChoices):
    ELDERLY_CARE = "elderly_care", _("Elderly care")
    DISABILITY = "disability", _("Disability support")
    CHILDREN = "children", _("Children and youth")
    HEALTH = "health", _("Health")
    LIVING = "living", _("Living allowance and hardship")
    EMPLOYMENT = "employment", _("Employment")
    HOUSING = "housing", _("Housing and property")
    LEGAL = "legal", _("Legal aid")
    PSYCHOLOGICAL = "psychological", _("Psychological support")
    CULTURE = "culture", _("Culture and learning")
    ENVIRONMENT = "environment", _("Environment and facilities")
    OTHER = "other", _("Other")


class NeedSource(models.TextChoices):
    VISIT = "visit", _("Home visit")
    APPEAL = "appeal", _("Appeal")
    SURVEY = "survey", _("Needs survey")
    WALK_IN = "walk_in", _("Walk-in or call")
    OTHER = "other", _("Other")


class NeedStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MET = "met", pgettext_lazy("need status", "Met")
    UNMET = "unmet", _("Could not be met")
    WITHDRAWN = "withdrawn", _("Withdrawn")


def client_fields(related_name: str, *, resident_label: Any = None) -> tuple[Any, Any]:
    """The client of a record about a resident or their household (a need here, a case in casework):
    the two nullable foreign keys, either or both set, protected. A function rather than an abstract
    base so that each model keeps its own reverse name (resident.needs, resident.cases) and label."""
    resident = optional_key("registry.Resident", resident_label or _("resident"), related_name=related_name)
    household = optional_key("registry.Household", _("household"), related_name=related_name)
    return resident, household


class Need(models.Model):
    """A need raised by a resident, a household or a unit (需求). The need-satisfaction rate is
    needs met ÷ needs raised; a withdrawn need was never really raised and counts in neither."""

    area = models.ForeignKey(Area, verbose_name=_("place"), on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=PATH_STEP * 8, editable=False, db_index=True)
    resident, household = client_fields("needs")
    organisation = optional_key("registry.Organisation", _("unit"), related_name="needs")
    category = models.CharField(_("category"), max_length=20, choices=NeedCategory.choices)
    description = models.TextField(_("description"))
    source = models.CharField(_("source"), max_length=16, choices=NeedSource.choices)
    visit = optional_key(Visit, _("home visit"), on_delete=models.SET_NULL, related_name="needs")
    appeal = optional_key("appeals.Appeal", _("appeal"), on_delete=models.SET_NULL, related_name="needs")
    raised_on = models.DateField(_("raised on"))
    status = models.CharField(_("status"), max_length=16, choices=NeedStatus.choices, default=NeedStatus.OPEN)
    closed_on = models.DateField(_("met or closed on"), null=True, blank=True)
    outcome = models.TextField(_("what was done"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    closed_by = optional_key(settings.AUTH_USER_MODEL, _("closed by"), related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        ordering = ["-raised_on", "-id"]
        indexes = [models.Index(fields=["area_path", "raised_on"], name="needs_need_scope")]
        constraints = [
            models.CheckConstraint(
                condition=Q(resident__isnull=False)
                | Q(household__isnull=False)
                | Q(organisation__isnull=False),
                name="needs_need_subject",
            ),
            models.CheckConstraint(condition=Q(status__in=NeedStatus.values), name="needs_need_status"),
            models.CheckConstraint(condition=Q(category__in=NeedCategory.values), name="needs_need_category"),
            # Met, unmet and withdrawn needs say when; an open one has no closing date.
            models.CheckConstraint(
                condition=(Q(status="open") & Q(closed_on__isnull=True))
                | (~Q(status="open") & Q(closed_on__isnull=False)),
                name="needs_need_closed_on",
            ),
        ]

    def __str__(self) -> str:
        return cut_text(self.description, 30)


class Respondents(models.TextChoices):
    RESIDENTS = "residents", _("Residents")
    UNITS = "units", _("Units in the area")


class Survey(models.Model):
    """A satisfaction survey (满意度测评) of an area's residents or of its units."""

    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=PATH_STEP * 8, editable=False, db_index=True)
    title = models.CharField(_("title"), max_length=100)
    respondents = models.CharField(_("who answers"), max_length=16, choices=Respondents.choices)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="needs_survey_dates"
            ),
            models.CheckConstraint(
                condition=Q(respondents__in=Respondents.values), name="needs_survey_respondents"
            ),
        ]

    def __str__(self) -> str:
        return self.title


SATISFIED_MIN_SCORE = 4  # of 1–5: 满意 (4) and 非常满意 (5), as for appeal evaluations


class SurveyResponse(models.Model):
    """One respondent's answer: a score of 1–5 and an optional comment. A resident or unit answers a
    survey once; a paper answer is typed in by staff (recorded_by)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    # The respondent's own place (their building, or the unit's area), for scoping and the metrics.
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    area_path = models.CharField(max_length=PATH_STEP * 8, editable=False)
    resident = optional_key("registry.Resident", related_name="survey_responses")
    organisation = optional_key("registry.Organisation", related_name="survey_responses")
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    answered_on = models.DateField(_("answered on"))
    recorded_by = optional_key(settings.AUTH_USER_MODEL, related_name="+")

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = [models.Index(fields=["area_path", "answered_on"], name="needs_response_scope")]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="needs_response_score"),
            models.CheckConstraint(
                condition=(Q(resident__isnull=False) & Q(organisation__isnull=True))
                | (Q(resident__isnull=True) & Q(organisation__isnull=False)),
                name="needs_response_one_respondent",
            ),
            models.UniqueConstraint(
                fields=["survey", "resident"],
                condition=Q(resident__isnull=False),
                name="needs_response_resident",
            ),
            models.UniqueConstraint(
                fields=["survey", "organisation"],
                condition=Q(organisation__isnull=False),
                name="needs_response_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}: {self.score}"

    @property
    def satisfied(self) -> bool:
        return self.score >= SATISFIED_MIN_SCORE
