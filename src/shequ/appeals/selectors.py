"""Every read of appeals, for the acting user: queues start from the access layer's scope; a
resident reaches only the appeals they reported; the public board only what was published."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

from shequ.appeals.models import (
    FINISHED_STAGES,
    LEVEL_DEPTH,
    OPEN_STAGES,
    Appeal,
    AppealStep,
    Category,
    Level,
    Notification,
    Photo,
    Stage,
)
from shequ.appeals.rules import TRIAGE_ROLES, is_reporter, may_see_as_handler
from shequ.appeals.text import similarity
from shequ.core import access
from shequ.core.errors import NotFound
from shequ.core.models import PATH_STEP, Area, AreaKind, subtree_q
from shequ.core.policy import RESOURCES
from shequ.core.roles import Role

ORDERS: dict[str, list[Any]] = {
    "deadline": [F("deadline_at").asc(nulls_last=True), "-reported_at", "-id"],
    "-deadline": [F("deadline_at").desc(nulls_last=True), "-reported_at", "-id"],
    "reported": ["reported_at", "id"],
    "-reported": ["-reported_at", "-id"],
}
SIMILAR_LIMIT = 5
SIMILAR_THRESHOLD = 0.25
SIMILAR_POOL = 300
NEARBY_DEGREES = Decimal("0.003")  # about 300 m


def categories() -> QuerySet[Category]:
    return Category.objects.filter(active=True).order_by("order", "code")


@dataclass(frozen=True)
class DeadlineRow:
    category: Category
    priority: str
    priority_label: str
    hours: list[tuple[str, int, bool]]  # per stage with a deadline: (stage, hours, set for the category)


def deadlines_for(user: Any) -> list[DeadlineRow]:
    """The stage deadlines of every category in use, with the defaults where none is set (the
    taxonomy is the same for everyone who signs in)."""
    from shequ.appeals.models import DEADLINE_STAGES, DEFAULT_HOURS, Priority, StageDeadline

    own = {(d.category_id, d.priority, d.stage): d.hours for d in StageDeadline.objects.all()}
    rows = []
    for category in categories():
        for priority, label in Priority.choices:
            hours = []
            for stage in DEADLINE_STAGES:
                set_here = (category.pk, priority, stage) in own
                value = own.get((category.pk, priority, stage), DEFAULT_HOURS[priority][stage])
                hours.append((str(stage), value, set_here))
            rows.append(DeadlineRow(category, str(priority), str(label), hours))
    return rows


def _waiting_q(user: Any) -> Q:
    """What waits for this user: appeals dispatched to them; at the level they answer for (the grid,
    community, street or district they hold a triage role on) and not with a person; and, for those
    who verify, handled work in their area."""
    mine = Q(handler_user_id=user.pk, stage__in=[Stage.DISPATCHED, Stage.IN_PROGRESS])
    triage_areas = [h.area_id for h in access.held_roles(user) if h.role in TRIAGE_ROLES]
    with_person = Q(handler_user__isnull=False, stage__in=[Stage.DISPATCHED, Stage.IN_PROGRESS])
    answering = Q(handling_area_id__in=triage_areas, stage__in=OPEN_STAGES) & ~with_person
    verify_paths = access.paths_for(user, "appeal", "verify")
    to_verify = Q(stage=Stage.HANDLED) & access.path_q("area_path", verify_paths)
    return mine | answering | to_verify


def appeals_for(
    user: Any,
    *,
    area: Area | None = None,
    waiting: bool = False,
    category: str = "",
    stage: str = "",
    level: str = "",
    overdue: bool = False,
    q: str = "",
    order: str = "deadline",
    now: datetime | None = None,
) -> QuerySet[Appeal]:
    """The queue: appeals in the user's areas, or (waiting=True) only those waiting for them;
    filtered by category, stage, level and overdue, sorted by deadline."""
    qs = access.scope(user, "appeal", "view").select_related(
        "category", "area", "handling_area", "handler_user", "handler_organisation", "handler_team"
    )
    if area is not None:
        qs = qs.filter(subtree_q(area.path, "area_path"))
    if waiting:
        qs = qs.filter(_waiting_q(user))
    if category:
        qs = qs.filter(category__code=category)
    if stage == "open":
        qs = qs.filter(stage__in=OPEN_STAGES)
    elif stage in Stage.values:
        qs = qs.filter(stage=stage)
    if level in Level.values:
        qs = qs.filter(level=level)
    if overdue:
        qs = qs.filter(stage__in=OPEN_STAGES, deadline_at__lte=now or timezone.now())
    q = q.strip()[:50]
    if q:
        qs = qs.filter(
            Q(title__icontains=q)
            | Q(description__icontains=q)
            | Q(pk=int(q) if q.isdigit() and len(q) <= 18 else 0)  # an appeal's number
        )
    return qs.order_by(*ORDERS.get(order, ORDERS["deadline"]))


def waiting_in(user: Any, stages: tuple[str, ...], *, limit: int = 5) -> tuple[list[Appeal], int]:
    """The first appeals (nearest deadline first) waiting for the user in these stages, and how many
    wait: one list of the home page."""
    qs = appeals_for(user, waiting=True).filter(stage__in=stages)
    return list(qs[:limit]), qs.count()


def last_reported_area_id(user: Any) -> int | None:
    """The place of the user's last report: where a worker on patrol most likely reports again."""
    return (
        Appeal.objects.filter(reporter_id=user.pk)
        .order_by("-reported_at")
        .values_list("area_id", flat=True)
        .first()
    )


# What a queue (page or API) shows of each appeal: the list reads these columns and nothing else, so
# a page of 50 does not carry 50 descriptions, results and contact fields through the ORM.
QUEUE_COLUMNS = (
    "id",
    "title",
    "priority",
    "channel",
    "stage",
    "level",
    "deadline_at",
    "reported_at",
    "version",
    "area_id",
    "handling_area_id",
    "category__code",
    "category__name",
    "area__name",
    "handler_user__username",
    "handler_user__display_name",
    "handler_organisation__name",
    "handler_team__name",
)


def queue_listed(qs: QuerySet[Appeal]) -> QuerySet[Appeal]:
    """`appeals_for(...)` as a queue shows it: only the listed columns, each row's place, category
    and handler joined in the same query (no query per row, whatever the page holds)."""
    joined = qs.select_related(None).select_related(
        "category", "area", "handler_user", "handler_organisation", "handler_team"
    )
    return joined.only(*QUEUE_COLUMNS)


def appeals_reported_by(user: Any) -> QuerySet[Appeal]:
    """A resident's own appeals (whatever their roles)."""
    if not getattr(user, "is_authenticated", False):
        return Appeal.objects.none()
    return (
        Appeal.objects.filter(reporter_id=user.pk).select_related("category", "area").order_by("-reported_at")
    )


def appeal_for(user: Any, appeal_id: int) -> Appeal:
    """One appeal the user may see (in their areas, or reported by them), or NotFound."""
    base = Appeal.objects.select_related("category", "area", "handling_area", "reporter", "merged_into")
    appeal = base.filter(pk=appeal_id).first()
    if appeal is None:
        raise NotFound()
    if is_reporter(user, appeal) or access.can(user, "appeal", "view", path=appeal.area_path):
        return appeal
    if may_see_as_handler(user, appeal):
        return appeal
    raise NotFound()


def steps_of(appeal: Appeal) -> QuerySet[AppealStep]:
    return appeal.steps.order_by("at", "id")


def steps_for(user: Any, appeal: Appeal) -> list[AppealStep]:
    """The appeal's steps as the reader may see them: a third-party evaluator reads who acted by role
    ("居民", "社区工作者"), never by name (issue 13); the system's own steps stay "系统"."""
    steps = list(steps_of(appeal).select_related("actor"))
    if access.figures_only(user):
        for step in steps:
            step.actor_name = access.role_label(step.actor) if step.actor is not None else "系统"
    return steps


def photos_of(appeal: Appeal) -> QuerySet[Photo]:
    return appeal.photos.order_by("created_at", "id")


def photo_for(user: Any, photo_id: int) -> Photo:
    photo = Photo.objects.select_related("appeal").filter(pk=photo_id).first()
    if photo is None:
        raise NotFound()
    appeal_for(user, photo.appeal_id)
    return photo


@dataclass(frozen=True)
class Similar:
    appeal: Appeal
    score: float


def similar_appeals(
    *,
    area: Area,
    category: Category,
    text: str,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    exclude: int | None = None,
) -> list[Similar]:
    """Open appeals that are likely the same: in the same building or grid (or within about 300 m
    of the point), same category, and similar text (character-bigram Jaccard)."""
    depth = min(area.depth, LEVEL_DEPTH[Level.ESTATE])
    grid_path = area.path[: depth * PATH_STEP]
    place = subtree_q(grid_path, "area_path")
    if latitude is not None and longitude is not None:
        place |= Q(
            latitude__range=(latitude - NEARBY_DEGREES, latitude + NEARBY_DEGREES),
            longitude__range=(longitude - NEARBY_DEGREES, longitude + NEARBY_DEGREES),
        )
    pool = (
        Appeal.objects.filter(place, category=category, stage__in=OPEN_STAGES)
        .exclude(pk=exclude or 0)
        .select_related("area", "category")
        .order_by("-reported_at")[:SIMILAR_POOL]
    )
    found = []
    for candidate in pool:
        score = similarity(text, f"{candidate.title} {candidate.description}")
        if candidate.area_id == area.pk:
            score += 0.1  # the very same building counts for something
        if score >= SIMILAR_THRESHOLD:
            found.append(Similar(candidate, round(min(score, 1.0), 2)))
    found.sort(key=lambda s: (-s.score, -s.appeal.pk))
    return found[:SIMILAR_LIMIT]


def community_of(area: Area) -> Area | None:
    depth = LEVEL_DEPTH[Level.COMMUNITY]
    if area.depth < depth:
        return None
    return Area.objects.filter(path=area.path[: depth * PATH_STEP]).first()


def public_community(code: str) -> Area:
    community = Area.objects.filter(code=code, kind=AreaKind.COMMUNITY).first()
    if community is None:
        raise NotFound()
    return community


def public_board(community: Area) -> QuerySet[Appeal]:
    """The community's public notices: published appeals only, newest first. Read without login, so
    callers show only the anonymised fields."""
    grid_len = LEVEL_DEPTH[Level.ESTATE] * PATH_STEP
    place = Area.objects.filter(path=Substr(OuterRef("area_path"), 1, grid_len)).values("name")[:1]
    return (
        Appeal.objects.filter(subtree_q(community.path, "area_path"), published_at__isnull=False)
        .filter(stage__in=FINISHED_STAGES)
        .select_related("category", "evaluation")
        .annotate(place_name=Coalesce(Subquery(place), Value(community.name)))
        .order_by("-published_at", "-id")
    )


def notifications_for(user: Any) -> QuerySet[Notification]:
    return (
        Notification.objects.filter(user_id=user.pk).select_related("appeal").order_by("-created_at", "-id")
    )


def unread_count(user: Any) -> int:
    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).count()


def open_by_grid(user: Any, area: Area) -> list[tuple[Area, int, int]]:
    """The 'map' of open appeals: per grid under `area`, how many are open and how many overdue."""
    now = timezone.now()
    grid_len = LEVEL_DEPTH[Level.ESTATE] * PATH_STEP
    rows = (
        appeals_for(user, area=area, stage="open")
        .order_by()
        .values("area_path")
        .annotate(n=Count("id"), late=Count("id", filter=Q(deadline_at__lte=now)))
    )
    per_grid: dict[str, list[int]] = {}
    for row in rows:
        path = row["area_path"][:grid_len]
        if len(path) < grid_len:
            continue  # about a whole community: no grid
        counts = per_grid.setdefault(path, [0, 0])
        counts[0] += row["n"]
        counts[1] += row["late"]
    grids = {g.path: g for g in Area.objects.filter(path__in=list(per_grid), kind=AreaKind.GRID)}
    return [(grids[p], *per_grid[p]) for p in sorted(per_grid) if p in grids]  # type: ignore[misc]


def appeals_for_agenda(user: Any, area: Area) -> QuerySet[Appeal]:
    """The seam to deliberation: open appeals staff marked for the next joint meeting."""
    return appeals_for(user, area=area, stage="open").filter(for_deliberation=True)


def dispatch_people(user: Any, appeal: Appeal) -> list[Any]:
    """People the appeal can be dispatched to: those holding a handling role on its area or above
    it, within the areas the acting user may see."""
    from shequ.core.models import User

    # A volunteer of the community works on what they are sent too (rules.may_be_dispatched).
    handle_roles = [r.value for r in RESOURCES["appeal"].actions["handle"].roles] + [Role.VOLUNTEER.value]
    paths = [appeal.area_path[:i] for i in range(PATH_STEP, len(appeal.area_path) + 1, PATH_STEP)]
    visible = set(access.paths_for(user, "appeal", "view"))
    allowed = [p for p in paths if any(p.startswith(v) for v in visible)]
    return list(
        User.objects.filter(
            is_active=True, assignments__area__path__in=allowed, assignments__role__in=handle_roles
        )
        .distinct()
        .order_by("display_name", "username")[:100]
    )


def dispatch_teams(user: Any, appeal: Appeal) -> list[Any]:
    """Volunteer teams that serve the appeal's place (its community or an area above it) that the
    user may see."""
    paths = [appeal.area_path[:i] for i in range(PATH_STEP, len(appeal.area_path) + 1, PATH_STEP)]
    community = community_of(appeal.area)
    base = community.path if community is not None else appeal.handling_path
    visible = access.scope(user, "team", "view").select_related("area")
    return list(
        visible.filter(Q(area__path__in=paths) | subtree_q(base, "area__path")).order_by("name")[:200]
    )


def dispatch_organisations(user: Any, appeal: Appeal) -> list[Any]:
    """Teams and units of the appeal's community (or the answering area) the user may see."""
    community = community_of(appeal.area)
    base = community.path if community is not None else appeal.handling_path
    return list(
        access.scope(user, "organisation", "view")
        .filter(subtree_q(base, "area__path"))
        .order_by("kind", "name")[:200]
    )
