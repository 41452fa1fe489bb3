"""What a domain app adds to the product, declared by the app itself so that core never imports it.

Core is the ground floor: it knows areas, accounts, roles, the access layer and the audit log, and
nothing of residents, appeals or activities. Each app says what it adds in its own modules, loaded by
`ShequAppConfig.ready()` (core/apps.py):

- `<app>/policy.py`   its resources and the roles per action (`policy.declare`, `policy.unscoped`)
- `<app>/hooks.py`    the rest, with the functions below: navigation entries, retention kinds,
                      headline counts of an area, what blocks deleting an area, panels (core/panels.py),
                      the home page's actions and lists of what waits (`HomeAction`, `HomeItem`)
- `<app>/urls.py`, `<app>/api.py` (`router`), `<app>/tasks.py` (`register(huey)`): found by name
- `<app>/management/commands/`: its own commands

Registration is idempotent per key, so a module imported twice (tests, autoreload) adds nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.functional import Promise

# --- navigation -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NavEntry:
    """One entry of the shell's menu. `visible(user)` decides per request (a cheap check: it reads the
    user's roles, cached per request by the access layer). Lower `order` comes first; `tab` is the
    entry's rank for the phone's bottom bar (None: only under "more"). `hidden_for` names roles that
    have no use for the entry even where the policy lets them read its page (a building head and the
    residents' list): it is left out of the menu of a user who holds only those roles."""

    key: str
    label: str | Promise
    url_name: str
    visible: Callable[[Any], bool]
    order: int = 500
    tab: int | None = None
    section: str = "work"  # work (daily tasks), records, admin — how the wide menu groups entries
    hidden_for: frozenset[str] = frozenset()


_nav: dict[str, NavEntry] = {}


def anywhere(resource: str, action: str = "view") -> Callable[[Any], bool]:
    """A nav entry's test: the user may do `action` on `resource` somewhere."""
    from shequ.core import access

    return lambda user: bool(access.paths_for(user, resource, action))


def held_any_role(user: Any) -> bool:
    from shequ.core import access

    return bool(access.held_roles(user))


def nav_entry(entry: NavEntry) -> NavEntry:
    _nav[entry.key] = entry
    return entry


def nav_entries() -> list[NavEntry]:
    return sorted(_nav.values(), key=lambda e: (e.order, e.key))


def nav_entries_for(user: Any) -> list[NavEntry]:
    """The menu of one user: the entries they may use."""
    from shequ.core import access

    roles = {h.role.value for h in access.held_roles(user)}
    return [e for e in nav_entries() if e.visible(user) and not (roles and roles <= e.hidden_for)]


# --- retention ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionKind:
    """A kind of record anonymised once it is older than its days (SHEQU_RETENTION_<KIND>_DAYS).
    `run(cutoff, dry_run)` returns how many records it anonymised (or would)."""

    kind: str
    default_days: int
    run: Callable[[datetime, bool], int]
    description: str | Promise = ""


_retention: dict[str, RetentionKind] = {}


def retention_kind(kind: RetentionKind) -> RetentionKind:
    _retention[kind.kind] = kind
    return kind


def retention_kinds() -> dict[str, RetentionKind]:
    return dict(sorted(_retention.items()))


# --- headline counts of an area -----------------------------------------------------------------------


@dataclass(frozen=True)
class Stat:
    key: str
    label: str | Promise
    value: int


@dataclass(frozen=True)
class Headline:
    """Counts shown at the top of an area's page, scoped to the viewer: `count(user, area)` returns
    the stats (none when the viewer may not see them)."""

    key: str
    count: Callable[[Any, Any], list[Stat]]
    order: int = 500


_headlines: dict[str, Headline] = {}


def headline(entry: Headline) -> Headline:
    _headlines[entry.key] = entry
    return entry


def headline_stats(user: Any, area: Any) -> list[Stat]:
    return [
        stat
        for entry in sorted(_headlines.values(), key=lambda e: (e.order, e.key))
        for stat in entry.count(user, area)
    ]


# --- what blocks deleting an area ---------------------------------------------------------------------


@dataclass(frozen=True)
class AreaBlocker:
    """Something that still points at an area: `blocks(area)` is true while it does; `message` says
    what to move or delete first. Checked before deleting, so the user gets the reason, not a 500."""

    key: str
    blocks: Callable[[Any], bool]
    message: str | Promise
    code: str = "area_in_use"


_blockers: dict[str, AreaBlocker] = {}


def area_blocker(blocker: AreaBlocker) -> AreaBlocker:
    _blockers[blocker.key] = blocker
    return blocker


def area_blockers() -> list[AreaBlocker]:
    return [b for _key, b in sorted(_blockers.items())]


# --- a person's data (PIPL): what each app holds on a resident ----------------------------------------


@dataclass(frozen=True)
class PersonalData:
    """What an app holds on one resident, for "my data" and `shequ person export`: `collect(resident)`
    returns a JSON-able dict (masked where the app masks it)."""

    key: str
    collect: Callable[[Any], dict[str, Any]]
    order: int = 500


_personal: dict[str, PersonalData] = {}


def personal_data(entry: PersonalData) -> PersonalData:
    _personal[entry.key] = entry
    return entry


def personal_data_sections() -> list[PersonalData]:
    return sorted(_personal.values(), key=lambda e: (e.order, e.key))


# --- accounts a staff member may already see ----------------------------------------------------------


@dataclass(frozen=True)
class AccountSource:
    """Accounts an app makes visible beside role assignments: `user_ids(user, paths)` returns a
    queryset of the ids of accounts linked to its records that `user` may see inside `paths` (the
    registry: the accounts of the residents of those areas). Read by `core.selectors.accounts_for`."""

    key: str
    user_ids: Callable[[Any, list[str]], Any]


_account_sources: dict[str, AccountSource] = {}


def account_source(source: AccountSource) -> AccountSource:
    _account_sources[source.key] = source
    return source


def account_sources() -> list[AccountSource]:
    return [s for _key, s in sorted(_account_sources.items())]


# --- the home page: the day's work ------------------------------------------------------------------


@dataclass(frozen=True)
class HomeAction:
    """A big button on the home page (上报事件, 走访): `url(user)` is where it leads, or None when it is
    not this user's work. `style` "primary" draws it large; "secondary" as a smaller link button."""

    key: str
    label: str | Promise
    url: Callable[[Any], str | None]
    order: int = 500
    style: str = "primary"


@dataclass(frozen=True)
class HomeRow:
    """One thing that waits: what it is, where it opens, a note (a deadline, a time, tags) and an
    optional second link (签到 beside an activity)."""

    label: str
    url: str = ""
    note: str = ""
    link_label: str | Promise = ""
    link_url: str = ""


@dataclass(frozen=True)
class HomeList:
    rows: list[HomeRow]
    total: int
    more_url: str = ""


@dataclass(frozen=True)
class HomeItem:
    """A list of what waits for the user on the home page: `collect(user)` returns it, or None when
    the list is not this user's work (a list that is theirs but empty says so). Keep it to a few
    rows and one count: the home page is the first page of every working day."""

    key: str
    title: str | Promise
    collect: Callable[[Any], HomeList | None]
    order: int = 500
    empty: str | Promise = ""
    quiet_when_empty: bool = False  # one of several steps: named in one line when nothing waits there


_home_actions: dict[str, HomeAction] = {}
_home_items: dict[str, HomeItem] = {}


def home_action(entry: HomeAction) -> HomeAction:
    _home_actions[entry.key] = entry
    return entry


def home_item(entry: HomeItem) -> HomeItem:
    _home_items[entry.key] = entry
    return entry


def home_actions() -> list[HomeAction]:
    return sorted(_home_actions.values(), key=lambda e: (e.order, e.key))


def home_items() -> list[HomeItem]:
    return sorted(_home_items.values(), key=lambda e: (e.order, e.key))


# --- what anyone may read without an account ---------------------------------------------------------


@dataclass(frozen=True)
class PublicPage:
    """Pages open to everyone, linked from the sign-in page (the public board of each community):
    `links()` returns (label, url) pairs."""

    key: str
    title: str | Promise
    links: Callable[[], list[tuple[str, str]]]
    order: int = 500


_public_pages: dict[str, PublicPage] = {}


def public_page(entry: PublicPage) -> PublicPage:
    _public_pages[entry.key] = entry
    return entry


def public_pages() -> list[PublicPage]:
    return sorted(_public_pages.values(), key=lambda e: (e.order, e.key))
