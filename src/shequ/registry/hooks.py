"""What the registry adds: its menu entries, the headline counts of an area, what it keeps (retention)
and what blocks deleting an area (residents, households, organisations)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core.extensions import (
    AccountSource,
    AreaBlocker,
    Headline,
    NavEntry,
    RetentionKind,
    Stat,
    account_source,
    anywhere,
    area_blocker,
    headline,
    nav_entry,
    retention_kind,
)
from shequ.core.roles import STAFF_ROLES
from shequ.registry.models import CorrectionRequest, Household, Organisation, Resident, ResidentStatus
from shequ.registry.selectors import resident_on_account


def _has_own_record(user: Any) -> bool:
    """Residents and volunteers may have their own record linked (staff pages need no query for it)."""
    from shequ.core import access

    held = access.held_roles(user)
    if held and all(h.role in STAFF_ROLES for h in held):
        return False
    return resident_on_account(user) is not None


nav_entry(
    NavEntry(
        "residents",
        _("Residents"),
        "registry:residents",
        anywhere("resident"),
        order=20,
        tab=40,
        section="records",
        hidden_for=frozenset({"building_head"}),  # a resident volunteer, not the registry's keeper
    )
)
nav_entry(
    NavEntry(
        "corrections",
        _("Correction requests"),
        "registry:corrections",
        anywhere("correction"),
        order=130,
        section="admin",
    )
)
nav_entry(NavEntry("my_data", _("My data"), "registry:my_data", _has_own_record, order=150, tab=45))


def _headline(user: Any, area: Any) -> list[Stat]:
    from shequ.core import access
    from shequ.registry import selectors

    counts = selectors.headline_counts(user, area)
    if not access.paths_for(user, "resident", "view"):  # a building head sees the organisations only
        counts = {"organisations": counts["organisations"]}
    labels = {
        "households": _("Households"),
        "residents": _("Residents"),
        "aged_60_plus": _("Aged 60+"),
        "party_members": _("Party members"),
        "league_members": _("Youth-league members"),
        "organisations": _("Organisations"),
    }
    return [Stat(key, labels[key], value) for key, value in counts.items() if key in labels]


headline(Headline("registry", _headline, order=10))


def _moved_out_resident(cutoff: datetime, dry_run: bool) -> int:
    """A resident who moved out or died before the cutoff: anonymised one by one (each audited)."""
    from shequ.registry.services import ANONYMISED_PREFIX, resident_anonymise

    qs = Resident.objects.filter(
        status__in=[ResidentStatus.MOVED_OUT, ResidentStatus.DECEASED], left_on__lt=timezone.localdate(cutoff)
    ).exclude(id_number_index__startswith=ANONYMISED_PREFIX)
    if dry_run:
        return qs.count()
    count = 0
    for resident in qs.select_related("area").iterator(chunk_size=500):
        resident_anonymise(by=None, resident=resident, reason="retention: moved_out_resident")
        count += 1
    return count


def _correction_request(cutoff: datetime, dry_run: bool) -> int:
    """What a resident wrote in a correction request resolved before the cutoff."""
    qs = CorrectionRequest.objects.filter(resolved_at__lt=cutoff).exclude(details_encrypted="")
    if dry_run:
        return qs.count()
    return qs.update(details_encrypted="")


retention_kind(
    RetentionKind("moved_out_resident", 3 * 365, _moved_out_resident, _("a resident who moved out or died"))
)
retention_kind(
    RetentionKind(
        "correction_request",
        365,
        _correction_request,
        _("what a resident wrote in a resolved correction request"),
    )
)

area_blocker(
    AreaBlocker(
        "registry.people",
        lambda area: (
            Resident.objects.filter(area=area).exists() or Household.objects.filter(area=area).exists()
        ),
        _("Residents or households still live in this area."),
    )
)
area_blocker(
    AreaBlocker(
        "registry.organisations",
        lambda area: Organisation.objects.filter(area=area).exists(),
        _("Organisations are still registered in this area. Move or delete them first."),
    )
)


def _resident_accounts(user: Any, paths: list[str]) -> Any:
    """The own accounts of the residents `user` may see inside `paths`."""
    from shequ.core import access

    return (
        access.scope(user, "resident", "view")
        .filter(access.path_q("area__path", paths), user__isnull=False)
        .values("user_id")
    )


account_source(AccountSource("residents", _resident_accounts))
