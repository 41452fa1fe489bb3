"""Reads of the registry, scoped to the acting user."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from django.db.models import Count, Exists, Model, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shequ.core import access, grants
from shequ.core.crypto import blind_index, decrypt
from shequ.core.idnumber import mask_id_number, mask_name, mask_phone, normalise_id_number
from shequ.core.models import Area, GrantKind, SensitiveAccessGrant, subtree_q
from shequ.registry.models import (
    SPECIAL_GROUPS,
    Household,
    IdType,
    Organisation,
    PoliticalStatus,
    Resident,
    ResidentStatus,
)
from shequ.registry.sealed import CARD_CONTEXT, GROUP_MODELS, HEALTH_CONTEXT, ID_CONTEXT, PHONE_CONTEXT
from shequ.registry.search import refuse_number

MINOR_AGE = 14  # PIPL art. 28: all personal information of a child under 14 is sensitive
AGE_BANDS = {"0-13": (0, 13), "14-17": (14, 17), "18-59": (18, 59), "60-79": (60, 79), "80+": (80, 200)}


def years_ago(years: int, today: date | None = None) -> date:
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _born_between(low_age: int, high_age: int, today: date | None = None) -> Q:
    """Born so that their age today lies in [low_age, high_age]."""
    latest = years_ago(low_age, today)
    earliest = years_ago(high_age + 1, today)
    return Q(birth_date__lte=latest, birth_date__gt=earliest)


def _minors_visible_q(user: Any) -> Q:
    """Children under 14 only where the user's role serves them (community staff, social and grid workers)."""
    adults = Q(birth_date__lte=years_ago(MINOR_AGE))
    paths = access.paths_for(user, "resident", "view_minor")
    if not paths:
        return adults
    return adults | access.path_q("area__path", paths)


def _adults_or_granted_q(user: Any) -> Q:
    adults = Q(birth_date__lte=years_ago(MINOR_AGE))
    paths = grants.grant_paths(user, GrantKind.MINORS)
    return adults | access.path_q("area__path", paths) if paths else adults


def _has(related: str) -> Callable[[], Q]:
    return lambda: Q(**{f"{related}__isnull": False})


GROUP_FILTERS: dict[str, Callable[[], Q]] = {
    "aged_60": lambda: Q(birth_date__lte=years_ago(60)),
    "living_alone": lambda: Q(living_alone=True),
    **{group: _has(related) for group, (related, _fields) in GROUP_MODELS.items()},
}


def residents_for(
    user: Any,
    *,
    area: Area | None = None,
    q: str = "",
    group: str = "",
    age_band: str = "",
    status: str = ResidentStatus.ACTIVE,
) -> QuerySet[Resident]:
    """Residents the user may see. `q` finds a name, pinyin initials ("zs"), the last four ID
    characters, a whole ID or phone number, or part of an address."""
    # Lists show the building's name; nothing on them reads the household, so it is not joined.
    qs = access.scope(user, "resident", "view").filter(_minors_visible_q(user)).select_related("area")
    if area is not None:
        qs = qs.filter(subtree_q(area.path, "area__path"))
    if status:
        qs = qs.filter(status=status)
    if group in GROUP_FILTERS:
        # A child listed under a special group tells the group even in the minimal form: children
        # are listed by group only to holders of an approved grant for minors covering them.
        qs = qs.filter(GROUP_FILTERS[group]()).filter(_adults_or_granted_q(user))
    if age_band in AGE_BANDS:
        qs = qs.filter(_born_between(*AGE_BANDS[age_band]))
    q = (q or "").strip()
    if q:
        qs = qs.filter(_search_q(q))
    return qs.order_by("area__path", "household_id", "id")


def _search_q(q: str) -> Q:
    upper = q.upper()
    if re.fullmatch(r"\d{3}[\dX]", upper):
        return Q(id_last4=upper)
    if re.fullmatch(r"\d{17}[\dX]", upper):
        return Q(id_number_index=blind_index(normalise_id_number(upper), context=ID_CONTEXT))
    if re.fullmatch(r"1\d{10}", q):
        return Q(phone_index=blind_index(q, context=PHONE_CONTEXT))
    if re.fullmatch(r"[a-zA-Z]{1,20}", q):
        low = q.lower()
        return Q(name_initials__startswith=low) | Q(name_pinyin__startswith=low)
    if re.fullmatch(r"[A-Z0-9]{5,17}", upper):  # another document's number, exactly
        keys = [f"{t}:{upper}" for t in IdType.values if t != IdType.RESIDENT_ID]
        return Q(id_number_index__in=[blind_index(k, context=ID_CONTEXT) for k in keys])
    return Q(name__contains=q) | Q(household__address__contains=q)


def resident_for(user: Any, resident_id: int, *, full: bool = True) -> Resident:
    """One resident the user may see. A child under 14 in full (`full`, the default: details, edits,
    reveals, special groups) only under the user's approved grant for minors, and each such access is
    audited naming the grant; without one, GrantRequired. With `full=False` the caller shows the
    minimal form (see `minor_access`)."""
    from shequ.core.errors import NotFound

    resident = (
        access.scope(user, "resident", "view")
        .filter(_minors_visible_q(user), pk=resident_id)
        .select_related("area", "household")
        .first()
    )
    if resident is None:
        raise NotFound()
    if full and is_minor(resident):
        grant = grants.require_grant(
            user,
            GrantKind.MINORS,
            area=resident.area,
            message=_("The full record of a child under 14 needs an approved grant for minors."),
        )
        grants.audit_use(user=user, grant=grant, obj=resident, area_path=resident.area.path, what="record")
    return resident


# --- the resident on an account ---------------------------------------------------------------------

SELF_ROLES = ("resident", "volunteer")  # the roles a person holds for themselves, not for others
COMMUNITY_PATH = 12  # a community's path: district, street, community, four digits each


def resident_on_account(user: Any, *, living_here: bool = False, recognise: bool = False) -> Resident | None:
    """The registry record of the signed-in person: the one answer to "who is this account?".

    By default the record the staff linked to the account (Resident.user), unless erased; with
    `living_here`, only while it says the person lives here. With `recognise` (a resident signing
    themselves up), an active resident under the areas where they hold the resident or volunteer role:
    the linked one, or else the one whose mobile number or ID number is the account's user name
    (residents often sign in with one of them), or, in the building where they hold the role, the only
    resident with the account's name."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if recognise:
        return _recognised(user)
    records = Resident.objects.filter(user_id=user.pk).select_related("area__parent", "household")
    if living_here:
        return records.filter(status=ResidentStatus.ACTIVE).first()
    return records.exclude(status=ResidentStatus.ERASED).first()


def _recognised(user: Any) -> Resident | None:
    held = [h for h in access.held_roles(user) if h.role in SELF_ROLES]
    if not held:
        return None
    residents = Resident.objects.select_related("area").filter(
        access.path_q("area__path", [h.path for h in held]), status=ResidentStatus.ACTIVE
    )
    linked = residents.filter(user_id=user.pk).first()  # the staff's link decides
    if linked is not None:
        return linked
    username = (getattr(user, "username", "") or "").strip()
    if username.isdigit() and len(username) == 11:
        found = residents.filter(phone_index=blind_index(username, context=PHONE_CONTEXT)).first()
        if found is not None:
            return found
    found = residents.filter(
        id_number_index=blind_index(normalise_id_number(username), context=ID_CONTEXT)
    ).first()
    if found is not None:
        return found
    name = (getattr(user, "display_name", "") or "").strip()
    buildings = [h.path for h in held if len(h.path) > COMMUNITY_PATH + 4]
    if name and buildings:
        same = list(residents.filter(access.path_q("area__path", buildings), name=name)[:2])
        if len(same) == 1:
            return same[0]
    return None


def is_minor(resident: Resident, today: date | None = None) -> bool:
    return resident.status != ResidentStatus.ERASED and resident.birth_date > years_ago(MINOR_AGE, today)


def minor_access(user: Any, resident: Resident) -> tuple[str, SensitiveAccessGrant | None]:
    """("adult", None), ("granted", grant) or ("minimal", None): how a record may be shown."""
    if not is_minor(resident):
        return "adult", None
    grant = grants.active_grant(user, GrantKind.MINORS, path=resident.area.path)
    return ("granted", grant) if grant is not None else ("minimal", None)


def shown_rows(user: Any, residents: Any) -> list[dict[str, Any]]:
    """What a list shows of each person: masked numbers; a child under 14 only in the minimal form
    (first character of the name, no numbers) unless the user holds an approved grant for minors
    covering them — then as any other row, with `grant` set so the caller audits the access."""
    covered: list[str] | None = None  # read once, and only when the page holds a child
    out: list[dict[str, Any]] = []
    for r in residents:
        if is_minor(r):
            if covered is None:
                covered = grants.grant_paths(user, GrantKind.MINORS)
            grant_path = next((p for p in covered if r.area.path.startswith(p)), None)
            if grant_path is None or not access.can(user, "resident", "view_minor", path=r.area.path):
                out.append(
                    {"name": mask_name(r.name), "id_number": "", "phone": "", "minimal": True, "grant": None}
                )
                continue
            out.append({"name": r.name, **masked(r), "minimal": False, "grant": grant_path})
            continue
        out.append({"name": r.name, **masked(r), "minimal": False, "grant": None})
    return out


def audit_minors_listed(user: Any, shown: list[dict[str, Any]], *, what: str) -> None:
    """One audit entry per grant used to show children under 14 on a list or in an export."""
    used: dict[str, int] = {}
    for row in shown:
        if row.get("grant"):
            used[row["grant"]] = used.get(row["grant"], 0) + 1
    for path, count in used.items():
        grant = grants.active_grant(user, GrantKind.MINORS, path=path)
        if grant is not None:
            grants.audit_use(user=user, grant=grant, area_path=path, what=f"{what}:{count}")


def mask_card_number(card: str) -> str:
    """A card number's last four characters only, not its length."""
    return "****" + card[-4:] if card else ""


def masked_id_number(resident: Resident) -> str:
    return mask_id_number(decrypt(resident.id_number_encrypted, context=ID_CONTEXT))


def masked_phone(resident: Resident) -> str:
    if not resident.phone_encrypted:
        return ""
    return mask_phone(decrypt(resident.phone_encrypted, context=PHONE_CONTEXT))


def masked(resident: Resident) -> dict[str, str]:
    """What every screen shows by default: region and last four of the ID, ends of the phone."""
    return {"id_number": masked_id_number(resident), "phone": masked_phone(resident)}


# What a list (page or API) reads of each person: the shown and masked fields, the status and birth
# date that decide the minimal form of a child, and the building's name and path. Not the pinyin,
# indexes, skills, interests or timestamps: a page of 50 does not carry them through the ORM.
LIST_COLUMNS = (
    "id",
    "area_id",
    "household_id",
    "relation",
    "name",
    "gender",
    "birth_date",
    "id_type",
    "id_number_encrypted",
    "phone_encrypted",
    "registration",
    "political_status",
    "living_alone",
    "status",
    "version",
    "area__name",
    "area__path",
)


def residents_listed(qs: QuerySet[Resident]) -> QuerySet[Resident]:
    """`residents_for(...)` as a list shows it: only the listed columns (and the building)."""
    return qs.only(*LIST_COLUMNS)


def _tag_attribute(group: str) -> str:
    return f"_shequ_in_{group}"


def with_group_tags(qs: QuerySet[Resident]) -> QuerySet[Resident]:
    """`qs` with each person's special groups answered in the same query (one EXISTS per group on
    its unique `resident_id`), so that `group_tags` asks nothing more of the database and no group
    record is built."""
    marks = {}
    for group, (related, _fields) in GROUP_MODELS.items():
        model = cast(type[Model], Resident._meta.get_field(related).related_model)
        marks[_tag_attribute(group)] = Exists(model._default_manager.filter(resident_id=OuterRef("pk")))
    return qs.annotate(**marks)


def group_tags(resident: Resident) -> list[str]:
    """Which special groups a person belongs to (names only: anyone who sees the person sees these).
    On a list, start from `with_group_tags(qs)`: otherwise each person costs a query per group."""
    tags = []
    if resident.age() >= 60:
        tags.append("aged_60")
    if resident.living_alone:
        tags.append("living_alone")
    for group, (related, _fields) in GROUP_MODELS.items():
        marked = getattr(resident, _tag_attribute(group), None)
        if marked if marked is not None else hasattr(resident, related):
            tags.append(group)
    return tags


@dataclass(frozen=True)
class GroupDetail:
    group: str
    label: object
    record: Any
    secret: str  # decrypted card number or health conditions, shown only to roles that may


def group_details(user: Any, resident: Resident) -> list[GroupDetail] | None:
    """The special-group records with their details, or None when the user's role may not see them."""
    if not access.can(user, "special_group", "view", path=resident.area.path):
        return None
    out = []
    for group, (related, _fields) in GROUP_MODELS.items():
        record = getattr(resident, related) if hasattr(resident, related) else None
        if record is None:
            continue
        secret = ""  # nosec B105 # an empty card number, not a password
        if getattr(record, "card_number_encrypted", ""):
            # Masked like an ID number (a disability card number often is the ID number plus two
            # digits): the whole number only through the audited reveal.
            secret = mask_card_number(decrypt(record.card_number_encrypted, context=CARD_CONTEXT))
        if getattr(record, "conditions_encrypted", ""):
            secret = decrypt(record.conditions_encrypted, context=HEALTH_CONTEXT)
        out.append(GroupDetail(group, SPECIAL_GROUPS[group], record, secret))
    return out


def households_for(user: Any, *, area: Area | None = None, q: str = "") -> QuerySet[Household]:
    qs = access.scope(user, "household", "view").select_related("area", "head")
    if area is not None:
        qs = qs.filter(subtree_q(area.path, "area__path"))
    if q:
        refuse_number(q)
        qs = qs.filter(Q(address__contains=q) | Q(room=q))
    return qs.annotate(
        member_count=Count("members", filter=Q(members__status=ResidentStatus.ACTIVE))
    ).order_by("area__path", "room", "id")


def visible_head(user: Any, household: Household) -> Resident | None:
    """The household's head as lists show them: a child under 14 only to roles that serve children."""
    head = household.head
    if head is None:
        return None
    if head.birth_date > years_ago(MINOR_AGE) and not (
        access.can(user, "resident", "view_minor", path=household.area.path)
        and any(household.area.path.startswith(p) for p in grants.grant_paths(user, GrantKind.MINORS))
    ):
        return None
    return head


def household_tag_labels(household: Household) -> list[str]:
    from shequ.registry.models import HOUSEHOLD_TAGS

    return [str(HOUSEHOLD_TAGS[t]) for t in household.tags if t in HOUSEHOLD_TAGS]


def household_for(user: Any, household_id: int) -> Household:
    return access.get_for(user, "household", "view", pk=household_id)


def organisations_for(
    user: Any, *, area: Area | None = None, kind: str = "", q: str = ""
) -> QuerySet[Organisation]:
    qs = access.scope(user, "organisation", "view").select_related("area")
    if area is not None:
        qs = qs.filter(subtree_q(area.path, "area__path"))
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        refuse_number(q)
        qs = qs.filter(name__contains=q)
    return qs.annotate(member_count=Count("members")).order_by("area__path", "kind", "name")


def headline_counts(user: Any, area: Area) -> dict[str, int]:
    """Counts shown on the home and area pages (aggregates: minors are counted, never listed)."""
    # Erased people (PIPL) still live here, anonymised: they stay in the counts, never in lists.
    residents = access.scope(user, "resident", "view").filter(
        subtree_q(area.path, "area__path"), status__in=[ResidentStatus.ACTIVE, ResidentStatus.ERASED]
    )
    households = access.scope(
        user, "household", "view", Household.objects.filter(subtree_q(area.path, "area__path"))
    )
    counts = residents.aggregate(
        total=Count("id"),
        aged=Count("id", filter=Q(birth_date__lte=years_ago(60))),
        party=Count("id", filter=Q(political_status=PoliticalStatus.PARTY_MEMBER)),
        league=Count("id", filter=Q(political_status=PoliticalStatus.LEAGUE_MEMBER)),
    )
    return {
        "households": households.count(),
        "residents": counts["total"] or 0,
        "aged_60_plus": counts["aged"] or 0,
        "party_members": counts["party"] or 0,
        "league_members": counts["league"] or 0,
        "organisations": organisations_for(user, area=area).count(),
    }


@dataclass(frozen=True)
class BuildingProfileEdit:
    """A building's profile as those who manage it edit it, and whom it may name: the property
    companies of the areas above it, and the adults living in it as its building head."""

    building: Area
    profile: Any
    companies: QuerySet[Organisation]
    people: QuerySet[Resident]


def building_profile_for(user: Any, building_id: int) -> BuildingProfileEdit:
    """The one read behind the building-profile page and its API twin (another area's: not found)."""
    from shequ.core.errors import NotFound
    from shequ.core.models import AreaKind
    from shequ.registry.models import BuildingProfile

    building = access.get_for(user, "area", "update", pk=building_id)
    if building.kind != AreaKind.BUILDING:
        raise NotFound()
    return BuildingProfileEdit(
        building=building,
        profile=BuildingProfile.objects.filter(area=building).first(),
        companies=Organisation.objects.filter(
            kind="property_company", area__path__in=building.ancestor_paths()
        ),
        people=Resident.objects.filter(
            area=building, status=ResidentStatus.ACTIVE, birth_date__lte=years_ago(18)
        ),
    )
