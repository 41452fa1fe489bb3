"""Every write of the core: areas, accounts, role assignments, sign-in. Each checks access, validates,
writes and audits in one transaction."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _

from shequ.core import access, factors
from shequ.core.audit import audit_log, diff
from shequ.core.context import NO_REQUEST, current_request
from shequ.core.errors import AuthenticationFailed, Conflict, DomainError, Forbidden, NotFound
from shequ.core.extensions import area_blockers
from shequ.core.idnumber import mask_id_number, mask_phone
from shequ.core.models import (
    AREA_KIND_ORDER,
    CODED_KINDS,
    PATH_STEP,
    ApiToken,
    Area,
    AreaKind,
    AuditAction,
    AuditEntry,
    RoleAssignment,
    User,
)
from shequ.core.roles import ROLE_AREA_KINDS, Role
from shequ.core.selectors import account_for

_CODE_RE = re.compile(r"^\d{12}$")


# --- the area tree -------------------------------------------------------------------------------


def _child_kind(parent: Area | None) -> AreaKind:
    if parent is None:
        return AreaKind.DISTRICT
    index = AREA_KIND_ORDER.index(AreaKind(parent.kind))
    if index + 1 >= len(AREA_KIND_ORDER):
        raise DomainError(_("A building or lane cannot have areas below it."), code="area_leaf")
    return AREA_KIND_ORDER[index + 1]


def _validate_code(*, kind: str, code: str | None, parent: Area | None) -> str | None:
    code = (code or "").strip() or None
    if kind not in CODED_KINDS:
        if code:
            raise DomainError(
                _("Only districts, streets and communities carry a statistical code."),
                code="area_code_not_allowed",
                fields={"code": "not_allowed"},
            )
        return None
    if code is None or not _CODE_RE.match(code):
        raise DomainError(
            _("The statistical code must be 12 digits."), code="area_code_format", fields={"code": "format"}
        )
    # 2 province, 2 city, 2 county, 3 town, 3 village digits.
    shape = {AreaKind.DISTRICT: (6, 6), AreaKind.STREET: (9, 3), AreaKind.COMMUNITY: (12, 0)}[AreaKind(kind)]
    significant, zeros = shape
    if zeros and code[significant:] != "0" * zeros:
        raise DomainError(
            _("A %(kind)s code ends in %(zeros)d zeros.") % {"kind": AreaKind(kind).label, "zeros": zeros},
            code="area_code_shape",
            fields={"code": "shape"},
        )
    if code[significant - 3 : significant] == "000":
        raise DomainError(
            _("The code's own digits for this level cannot be all zeros."),
            code="area_code_shape",
            fields={"code": "shape"},
        )
    if parent is not None and parent.code:
        parent_significant = {AreaKind.DISTRICT: 6, AreaKind.STREET: 9}[AreaKind(parent.kind)]
        if code[:parent_significant] != parent.code[:parent_significant]:
            raise DomainError(
                _("The code must begin with the parent area's code %(prefix)s.")
                % {"prefix": parent.code[:parent_significant]},
                code="area_code_parent",
                fields={"code": "parent"},
            )
    return code


def _last_child_number(parent: Area | None) -> int:
    siblings = Area.objects.filter(parent=parent) if parent else Area.objects.filter(parent__isnull=True)
    last = siblings.aggregate(m=Max("path"))["m"]
    return int(last[-PATH_STEP:]) if last else 0


def _child_path(parent: Area | None, number: int) -> str:
    if number >= 10**PATH_STEP:
        raise DomainError(_("This area has too many children."), code="area_full")
    return (parent.path if parent else "") + f"{number:0{PATH_STEP}d}"


def _next_child_path(parent: Area | None) -> str:
    return _child_path(parent, _last_child_number(parent) + 1)


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise DomainError(_("The name is required."), code="required", fields={"name": "required"})
    if len(name) > 100:
        raise DomainError(
            _("The name may have at most 100 characters."), code="too_long", fields={"name": "long"}
        )
    return name


def area_create(
    *,
    by: Any,
    parent: Area | None,
    name: str,
    code: str | None = None,
    address: str = "",
    latitude: Any = None,
    longitude: Any = None,
) -> Area:
    """A new area below `parent`. by=None is the operator at the command line (the only one who
    may create a district)."""
    if parent is None and by is not None:
        raise Forbidden(_("Only an operator can create a district, with the shequ command."))
    if parent is not None and by is not None:
        access.require(by, "area", "create", path=parent.path)
    kind = _child_kind(parent)
    name = _clean_name(name)
    code = _validate_code(kind=kind, code=code, parent=parent)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                if code and Area.objects.filter(code=code).exists():
                    raise DomainError(
                        _("Another area already has the code %(code)s.") % {"code": code},
                        code="area_code_taken",
                        fields={"code": "taken"},
                    )
                area = Area(
                    kind=kind,
                    name=name,
                    code=code,
                    parent=parent,
                    path=_next_child_path(parent),
                    address=address.strip(),
                    latitude=latitude,
                    longitude=longitude,
                )
                area.full_clean(exclude=["path"])
                area.save()
                audit_log(
                    action=AuditAction.CREATE,
                    actor=by,
                    obj=area,
                    area_path=area.path,
                    changes=diff({}, _area_fields(area)),
                )
                return area
        except IntegrityError:
            continue  # a sibling took the same path at the same moment; take the next one
    raise Conflict()


_AREA_FIELDS_SET_BY_RULES = [
    f.name for f in Area._meta.concrete_fields if f.name not in {"address", "latitude", "longitude"}
]


@dataclass(frozen=True)
class AreaRow:
    """One area of an import. `parent` is the `key` of an earlier row, or None for an area directly
    below the import's own parent (a district when the import has none)."""

    key: Hashable
    parent: Hashable | None
    name: str
    code: str | None = None
    address: str = ""
    latitude: Any = None
    longitude: Any = None


def areas_import(
    *, by: Any, parent: Area | None, rows: Iterable[AreaRow], batch_size: int = 2000
) -> dict[Hashable, int]:
    """Many areas at once, parents before children (a street's or a whole district's tree from a
    file). Every row is held to area_create's rules (permission, level, name, code shape, parent
    prefix and uniqueness, paths after the existing siblings, field validation); the rows are
    written with bulk_create in batches and the import is audited by one entry. All or nothing: a
    refused row raises its DomainError (with `fields["row"]` = its key) and nothing is written.
    Returns each row's key with the new area's id."""
    if parent is None and by is not None:
        raise Forbidden(_("Only an operator can create a district, with the shequ command."))
    ids: dict[Hashable, int] = {}
    # Areas that may still get children in this import (buildings cannot): ~1 in 10 of a tree.
    parents: dict[Hashable, Area] = {}
    last_number: dict[str, int] = {}  # path of a parent -> number of its last child so far
    codes: set[str] = set()
    keys: set[Hashable] = set()
    leaves: set[Hashable] = set()
    pending: list[tuple[Hashable, Area]] = []
    allowed: set[str] = set()  # parent paths the actor may create under (checked once each)
    count_by_kind: dict[str, int] = {}

    def flush() -> None:
        wanted = [a.code for _k, a in pending if a.code]
        taken = list(Area.objects.filter(code__in=wanted).values_list("code", flat=True)) if wanted else []
        if taken:
            key = next(k for k, a in pending if a.code == taken[0])
            raise DomainError(
                _("Another area already has the code %(code)s.") % {"code": taken[0]},
                code="area_code_taken",
                fields={"code": "taken", "row": str(key)},
            )
        # Shallower levels first, so that every parent has its id before its children are written.
        for depth in sorted({len(a.path) for _k, a in pending}):
            level = [a for _k, a in pending if len(a.path) == depth]
            for a in level:
                if a.parent is not None:
                    a.parent_id = a.parent.pk
            Area.objects.bulk_create(level)
        for k, a in pending:
            if a.pk is None:  # only a database without INSERT ... RETURNING (SQLite < 3.35)
                raise RuntimeError("bulk_create returned no ids; areas_import needs SQLite 3.35+")
            ids[k] = a.pk
        pending.clear()

    try:
        with transaction.atomic():
            for row in rows:
                try:
                    if row.key in keys:
                        raise DomainError(code="area_import_key", fields={"key": "duplicate"})
                    if row.parent is None:
                        above = parent
                    elif row.parent in parents:
                        above = parents[row.parent]
                    elif row.parent in leaves:
                        raise DomainError(
                            _("A building or lane cannot have areas below it."), code="area_leaf"
                        )
                    else:
                        raise NotFound(code="area_import_parent", fields={"parent": "unknown"})
                    above_path = above.path if above is not None else ""
                    if above is not None and by is not None and above_path not in allowed:
                        access.require(by, "area", "create", path=above_path)
                        allowed.add(above_path)
                    kind = _child_kind(above)
                    name = _clean_name(row.name)
                    code = _validate_code(kind=kind, code=row.code, parent=above)
                    if code in codes:
                        raise DomainError(
                            _("Another area already has the code %(code)s.") % {"code": code},
                            code="area_code_taken",
                            fields={"code": "taken"},
                        )
                    if above_path not in last_number:
                        # An area made in this import has no children yet; an existing one may.
                        last_number[above_path] = 0 if row.parent is not None else _last_child_number(above)
                    last_number[above_path] += 1
                    area = Area(
                        kind=kind,
                        name=name,
                        code=code,
                        parent=above,
                        path=_child_path(above, last_number[above_path]),
                        address=(row.address or "").strip(),
                        latitude=row.latitude,
                        longitude=row.longitude,
                    )
                    # The fields area_create's full_clean could still refuse: the rest were set
                    # above by the rules themselves (kind, name, code, parent, path), uniqueness is
                    # checked above and per batch, and the kind and code check constraints hold
                    # by construction (and in the database itself).
                    area.clean_fields(exclude=_AREA_FIELDS_SET_BY_RULES)
                except DomainError as exc:
                    exc.fields = {**exc.fields, "row": str(row.key)}
                    raise
                keys.add(row.key)
                if code:
                    codes.add(code)
                if kind != AreaKind.BUILDING:
                    parents[row.key] = area
                else:
                    leaves.add(row.key)
                count_by_kind[str(kind)] = count_by_kind.get(str(kind), 0) + 1
                pending.append((row.key, area))
                if len(pending) >= batch_size:
                    flush()
            if pending:
                flush()
            if ids:
                first = next(iter(parents.values()), None)
                audit_log(
                    action=AuditAction.IMPORT,
                    actor=by,
                    obj=parent,
                    area_path=parent.path if parent is not None else (first.path if first else ""),
                    object_repr=str(parent) if parent is not None else "areas",
                    changes={f"areas.{kind}": [0, n] for kind, n in sorted(count_by_kind.items())},
                )
    except IntegrityError:
        raise Conflict() from None  # someone added a sibling or took a code meanwhile; nothing was written
    return ids


def _area_fields(area: Area) -> dict[str, Any]:
    return {
        "name": area.name,
        "code": area.code,
        "address": area.address,
        "latitude": area.latitude,
        "longitude": area.longitude,
    }


def area_update(*, by: Any, area: Area, version: int, **fields: Any) -> Area:
    """Edit name, code, address or position. `version` is what the editor saw: a stale edit is refused."""
    access.require(by, "area", "update", path=area.path)
    allowed = {"name", "code", "address", "latitude", "longitude"}
    unknown = set(fields) - allowed
    if unknown:
        raise DomainError(_("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))})
    with transaction.atomic():
        current = Area.objects.select_for_update().get(pk=area.pk)
        if current.version != version:
            raise Conflict()
        before = _area_fields(current)
        if "name" in fields:
            current.name = _clean_name(fields["name"])
        if "code" in fields:
            new_code = _validate_code(kind=current.kind, code=fields["code"], parent=current.parent)
            if new_code and Area.objects.filter(code=new_code).exclude(pk=current.pk).exists():
                raise DomainError(
                    _("Another area already has the code %(code)s.") % {"code": new_code},
                    code="area_code_taken",
                    fields={"code": "taken"},
                )
            current.code = new_code
        for key in ("address", "latitude", "longitude"):
            if key in fields:
                value = fields[key]
                setattr(current, key, value.strip() if isinstance(value, str) else value)
        changes = diff(before, _area_fields(current))
        if not changes:
            return current
        current.version += 1
        current.full_clean(exclude=["path"])
        current.save()
        audit_log(action=AuditAction.UPDATE, actor=by, obj=current, area_path=current.path, changes=changes)
        return current


def area_delete(*, by: Any, area: Area) -> None:
    """Delete an empty area. Anything that still points at it (children, roles, and what the apps
    register as blockers: residents, organisations…) is a clear refusal; so is any other record the
    database protects, named by its kind — never a 500."""
    access.require(by, "area", "delete", path=area.path)
    with transaction.atomic():
        area = Area.objects.select_for_update().get(pk=area.pk)  # log what is deleted, not a stale copy
        if Area.objects.filter(parent=area).exists():
            raise DomainError(_("Delete or move the areas below it first."), code="area_has_children")
        if RoleAssignment.objects.filter(area=area).exists():
            raise DomainError(_("People still hold roles on this area."), code="area_has_roles")
        for blocker in area_blockers():
            if blocker.blocks(area):
                raise DomainError(blocker.message, code=blocker.code)
        audit_log(
            action=AuditAction.DELETE,
            actor=by,
            obj=area,
            area_path=area.path,
            changes=diff(_area_fields(area), {}),
        )
        try:
            area.delete()
        except (ProtectedError, RestrictedError) as exc:
            kinds = sorted({str(o._meta.verbose_name_plural) for o in exc.args[1]})
            raise DomainError(
                _("Records still point at this area (%(kinds)s). Move or delete them first.")
                % {"kinds": "、".join(kinds)},
                code="area_in_use",
            ) from exc


# --- accounts and roles -------------------------------------------------------------------------


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(
            " ".join(exc.messages),
            code="password_rules",
            fields={"password": "rules"},  # nosec B105 # an error code, not a password
        ) from exc


def user_create(
    *,
    by: Any,
    username: str,
    password: str,
    display_name: str = "",
    role: Role | str,
    area: Area,
    ends_on: date | None = None,
) -> User:
    """A new account holding one role on one area. Operators pass by=None (the CLI)."""
    username = (username or "").strip()
    if not re.match(r"^[\w.@+-]{3,150}$", username):
        raise DomainError(
            _("A user name has 3 to 150 letters, digits or . @ + - _"),
            code="username",
            fields={"username": "format"},
        )
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise DomainError(
                _("The user name is taken."), code="username_taken", fields={"username": "taken"}
            )
        user = User(username=username, display_name=display_name.strip())
        user._shequ_new_role = Role(role)  # type: ignore[attr-defined]  # staff rules apply before it is held
        _check_password(password, user)
        user.set_password(password)
        user.password_changed_at = timezone.now()
        user.save()
        audit_log(
            action=AuditAction.CREATE,
            actor=by,
            obj=user,
            area_path=area.path,
            changes={"username": [None, username]},
        )
        _assignment_create(by=by, user=user, role=role, area=area, ends_on=ends_on)
        return user


def assignment_create(
    *, by: Any, user: User, role: Role | str, area: Area, ends_on: date | None = None
) -> RoleAssignment:
    """One role on one area for an account the granter may already see (core.selectors.accounts_for):
    an account of another community answers as one that does not exist. A third-party evaluator's
    role always ends (their engagement's last day, by default SHEQU_EVALUATOR_ENGAGEMENT_DAYS from
    today); other roles end only when given a date."""
    if by is not None:
        account_for(by, "assignment", "create", pk=user.pk)
    return _assignment_create(by=by, user=user, role=role, area=area, ends_on=ends_on)


def _assignment_create(
    *, by: Any, user: User, role: Role | str, area: Area, ends_on: date | None = None
) -> RoleAssignment:
    try:
        role = Role(role)
    except ValueError as exc:
        raise DomainError(_("Unknown role."), code="role_unknown") from exc
    explicit_end = ends_on is not None
    if role == Role.EVALUATOR and ends_on is None:
        ends_on = timezone.localdate() + timedelta(days=settings.EVALUATOR_ENGAGEMENT_DAYS)
    if ends_on is not None and ends_on < timezone.localdate():
        raise DomainError(
            _("The end date has already passed."), code="ends_on_past", fields={"ends_on": "past"}
        )
    if area.kind not in ROLE_AREA_KINDS[role]:
        raise DomainError(
            _("A %(role)s cannot be assigned to a %(kind)s.")
            % {"role": role.label, "kind": AreaKind(area.kind).label},
            code="role_area_kind",
        )
    if by is not None:
        access.require(by, "assignment", "create", path=area.path)
        if role not in access.grantable_roles(by, area):
            raise Forbidden(_("You cannot grant this role."))
    with transaction.atomic():
        assignment, created = RoleAssignment.objects.get_or_create(
            user=user, role=role, area=area, defaults={"granted_by": by, "ends_on": ends_on}
        )
        if created:
            audit_log(
                action=AuditAction.PERMISSION_CHANGE,
                actor=by,
                obj=assignment,
                area_path=area.path,
                changes={"granted": [None, f"{user.username}:{role.value}@{area.name}"]}
                | ({"ends_on": [None, str(ends_on)]} if ends_on else {}),
            )
        elif explicit_end and assignment.ends_on != ends_on:
            # Granting a held role again sets its end date (an engagement extended or shortened).
            audit_log(
                action=AuditAction.PERMISSION_CHANGE,
                actor=by,
                obj=assignment,
                area_path=area.path,
                changes={"ends_on": [str(assignment.ends_on or ""), str(ends_on or "")]},
            )
            assignment.ends_on = ends_on
            assignment.save(update_fields=["ends_on"])
    access.forget_roles(user)
    return assignment


def assignment_delete(*, by: Any, assignment: RoleAssignment) -> None:
    access.require(by, "assignment", "delete", path=assignment.area.path)
    if Role(assignment.role) not in access.grantable_roles(by, assignment.area):
        raise Forbidden(_("You cannot revoke this role."))
    if assignment.user_id == getattr(by, "pk", None):
        raise DomainError(_("You cannot revoke your own role."), code="revoke_self")
    with transaction.atomic():
        audit_log(
            action=AuditAction.PERMISSION_CHANGE,
            actor=by,
            obj=assignment,
            area_path=assignment.area.path,
            changes={
                "revoked": [f"{assignment.user.username}:{assignment.role}@{assignment.area.name}", None]
            },
        )
        assignment.delete()
        if not RoleAssignment.objects.filter(user_id=assignment.user_id).exists():
            _tokens_end(user=assignment.user, by=by, why="last_role_revoked")
    access.forget_roles(assignment.user)


def _primary_path(user: User) -> str:
    held = access.held_roles(user)
    return min((h.path for h in held), key=len, default="")


class AccountLocked(AuthenticationFailed):
    code = "account_locked"


def login_attempt(*, username: str, password: str, otp: str | None = None) -> User:
    """Check a password and, for staff, the authenticator code, counting failures of either: the 5th in
    a row locks the account. The same call serves the login page and the API's token issuing; the page
    passes no code and gets SecondFactorNeeded, then finishes with login_second_step."""
    _refuse_a_busy_address(username)
    refusal = _login_check(username=username, password=password)
    if isinstance(refusal, AuthenticationFailed):
        raise refusal  # raised after the transaction, so the failure count and its audit entry stay
    user = refusal
    if factors.required(user):
        enrolled = factors.enrolled(user)
        if otp is None or not enrolled:
            raise factors.SecondFactorNeeded(user, enrolled=enrolled)
        return login_second_step(user=user, code=otp)
    login_record(user=user)
    return user


def _typed_name(username: str) -> str:
    """A user name as typed, for the log of a failed sign-in; masked when it looks like an ID number or
    a phone (a resident may type theirs as the user name), so the log never holds one in full."""
    typed = (username or "").strip()[:150]
    digits = typed.upper().rstrip("X")
    if len(typed) >= 11 and digits.isdigit():
        return mask_id_number(typed) if len(typed) >= 15 else mask_phone(typed)
    return typed


class AddressThrottled(AuthenticationFailed):
    status = 429
    code = "too_many_attempts"

    def default_message(self) -> object:
        return _("Too many failed sign-ins from this address. Please try again in a few minutes.")


THROTTLED = "address throttled"


def _refuse_a_busy_address(username: str) -> None:
    """Many failures from one address across accounts (password spraying): refuse before any password
    is checked, until the window has passed. The refusal is logged but does not count itself, so the
    address is free again once the failures stop."""
    ip = (current_request.get() or NO_REQUEST).ip
    if not ip or not settings.LOGIN_ADDRESS_LIMIT:
        return
    since = timezone.now() - timedelta(seconds=settings.LOGIN_ADDRESS_WINDOW_SECONDS)
    failures = (
        AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED, ip=ip, at__gte=since)
        .exclude(object_repr=THROTTLED)
        .count()
    )
    if failures >= settings.LOGIN_ADDRESS_LIMIT:
        audit_log(action=AuditAction.LOGIN_FAILED, actor_name=_typed_name(username), object_repr=THROTTLED)
        raise AddressThrottled()


def login_second_step(*, user: User, code: str) -> User:
    """The authenticator code (or a recovery code) after a right password."""
    now = timezone.now()
    refusal: AuthenticationFailed | None = None
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_locked(now):
            refusal = AccountLocked(_locked_message(user.locked_until))
        elif not (user.is_active and factors.code_accepted(user=user, code=code)):
            refusal = _count_failure(user, now, why="second factor")
    if refusal is not None:
        raise refusal  # after the transaction: the failure count and its audit entry stay
    login_record(user=user)
    return user


def login_record(*, user: User) -> None:
    """Both factors passed: clear the failure count and write the login."""
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None, last_login=timezone.now())
    audit_log(action=AuditAction.LOGIN, actor=user, obj=user, area_path=_primary_path(user))


def _login_check(*, username: str, password: str) -> User | AuthenticationFailed:
    now = timezone.now()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username__iexact=(username or "").strip()).first()
        if user is None:
            return _unknown_name_failure(username, password, now)
        if user.is_locked(now):
            _spend_a_password_check(password)  # a locked account answers as slowly as any other
            audit_log(
                action=AuditAction.LOGIN_FAILED,
                actor=user,
                obj=user,
                area_path=_primary_path(user),
                object_repr="locked",
            )
            return AccountLocked(_locked_message(user.locked_until))
        if not user.is_active or not user.check_password(password):
            return _count_failure(user, now, why="")
        # The failure count is cleared only when every factor passed (login_record): a known password
        # must not reset the count of wrong authenticator codes.
        return user


def _count_failure(user: User, now: Any, *, why: str) -> AuthenticationFailed:
    """One more failure, inside the caller's transaction; the 5th in a row locks the account."""
    user.failed_logins += 1
    locked = user.failed_logins >= settings.LOGIN_FAILURE_LIMIT
    if locked:
        user.locked_until = now + timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
        user.failed_logins = 0
    user.save(update_fields=["failed_logins", "locked_until"])
    changes: dict[str, Any] = {"locked_until": [None, str(user.locked_until)]} if locked else {}
    if why:
        changes["step"] = why
    audit_log(
        action=AuditAction.LOGIN_FAILED,
        actor=user,
        obj=user,
        area_path=_primary_path(user),
        changes=changes,
    )
    if locked:
        return AccountLocked(_locked_message(user.locked_until))
    if why:
        return AuthenticationFailed(_("The code is wrong or expired. Check the phone's clock and try again."))
    return AuthenticationFailed()


UNKNOWN_NAME = "unknown user"
UNKNOWN_NAME_LOCKED = "unknown user, locked"
# How far back the failures of a name no account has are read: the lockout of a real account forgets
# nothing until a success, this one forgets after a day of silence; the read stays small either way.
UNKNOWN_NAME_MEMORY = timedelta(days=1)


def _spend_a_password_check(password: str) -> None:
    User().set_password(password)  # the same hasher, the same time as checking a real account's


def _unknown_name_failure(username: str, password: str, now: Any) -> AuthenticationFailed:
    """A name no account has answers exactly as an account would, lockout included, so that neither the
    answer nor its time tells which names exist. Its failures are counted from the audit entries each
    one writes anyway (no store of its own to fill up), replaying the account's rule: the 5th in a row
    locks for LOGIN_LOCKOUT_SECONDS, and tries while locked do not count."""
    _spend_a_password_check(password)
    typed = _typed_name(username)
    until = _unknown_name_locked_until(typed, now)
    if until is None:
        audit_log(action=AuditAction.LOGIN_FAILED, actor_name=typed, object_repr=UNKNOWN_NAME)
        until = _unknown_name_locked_until(typed, now)  # this failure may be the one that locks
        return AccountLocked(_locked_message(until)) if until else AuthenticationFailed()
    audit_log(action=AuditAction.LOGIN_FAILED, actor_name=typed, object_repr=UNKNOWN_NAME_LOCKED)
    return AccountLocked(_locked_message(until))


def _unknown_name_locked_until(typed: str, now: Any) -> Any:
    failures = (
        AuditEntry.objects.filter(
            action=AuditAction.LOGIN_FAILED,
            actor_id__isnull=True,
            actor_name__iexact=typed,
            object_repr=UNKNOWN_NAME,
            at__gte=now - UNKNOWN_NAME_MEMORY,
        )
        .order_by("at")
        .values_list("at", flat=True)
    )
    count, until = 0, None
    for at in failures[:1000]:
        count += 1
        if count >= settings.LOGIN_FAILURE_LIMIT:
            count, until = 0, at + timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    return until if until is not None and until > now else None


def _locked_message(locked_until: Any) -> str:
    until = timezone.localtime(locked_until)
    return str(
        _("Too many failed attempts. The account is locked until %(time)s.") % {"time": f"{until:%H:%M}"}
    )


def logout_record(*, user: User) -> None:
    audit_log(action=AuditAction.LOGOUT, actor=user, obj=user, area_path=_primary_path(user))


def password_change(*, user: User, old_password: str, new_password: str) -> None:
    if not user.check_password(old_password):
        raise AuthenticationFailed(_("The current password is wrong."))
    if old_password == new_password:
        raise DomainError(_("The new password must differ from the current one."), code="password_same")
    _check_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.password_changed_at = timezone.now()
        user.save(update_fields=["password", "password_changed_at"])
        audit_log(action=AuditAction.PASSWORD_CHANGE, actor=user, obj=user, area_path=_primary_path(user))
        _tokens_end(user=user, by=user, why="password_change")


def user_set_language(*, user: User, language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise DomainError(_("Unknown language."), code="language")
    user.language = language
    user.save(update_fields=["language"])


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_issue(*, username: str, password: str, otp: str = "", name: str = "") -> tuple[str, ApiToken]:
    """Sign in for an API client: the same checks, factors and lockout as the login page."""
    user = login_attempt(username=username, password=password, otp=otp or None)
    with transaction.atomic():
        return _token_create(user=user, name=name)


def _token_create(*, user: User, name: str, changes: dict[str, Any] | None = None) -> tuple[str, ApiToken]:
    token = "shq_" + secrets.token_urlsafe(32)
    record = ApiToken.objects.create(
        user=user,
        digest=token_digest(token),
        name=name[:100],
        expires_at=timezone.now() + timedelta(hours=settings.API_TOKEN_HOURS),
        password_stamp=user.get_session_auth_hash(),
    )
    audit_log(
        action=AuditAction.TOKEN_ISSUED,
        actor=user,
        obj=record,
        area_path=_primary_path(user),
        changes=changes or {},
    )
    return token, record


def token_for(token: str) -> ApiToken | None:
    """The live token behind a bearer value: not expired, not revoked, its account active and its
    password unchanged since it was issued (a change by any path, an operator's reset included)."""
    record = (
        ApiToken.objects.select_related("user")
        .filter(
            digest=token_digest(token),
            expires_at__gt=timezone.now(),
            revoked_at__isnull=True,
            user__is_active=True,
        )
        .first()
    )
    if record is None:
        return None
    if not constant_time_compare(record.password_stamp, record.user.get_session_auth_hash()):
        return None  # the password changed since
    ended = access.engagement_ended(record.user)
    if ended is not None:
        raise EngagementEnded(ended)
    now = timezone.now()
    if record.last_used_at is None or now - record.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
    return record


def token_revoke(*, record: ApiToken, why: str) -> None:
    """The caller ends their own token (signing out a client, or refreshing it)."""
    with transaction.atomic():
        ApiToken.objects.filter(pk=record.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        audit_log(
            action=AuditAction.TOKEN_REVOKED,
            actor=record.user,
            obj=record,
            area_path=_primary_path(record.user),
            changes={"why": why},
        )


def token_refresh(*, record: ApiToken) -> tuple[str, ApiToken]:
    """A new token for a live one, which ends: a client keeps working past the short lifetime without
    keeping the password, and a stolen token is good for API_TOKEN_HOURS at most once it is refreshed."""
    with transaction.atomic():
        ended = ApiToken.objects.filter(pk=record.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if not ended:  # refreshed twice at once: only the first gets a new token
            raise AuthenticationFailed(_("The token has ended. Please sign in again."), code="token_ended")
        return _token_create(
            user=record.user, name=record.name, changes={"refreshed_from": [record.pk, None]}
        )


def _tokens_end(*, user: User, by: Any, why: str) -> int:
    """Every live token of an account ends (inside the caller's transaction), with one audit entry."""
    ended = ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()).update(
        revoked_at=timezone.now()
    )
    if ended:
        audit_log(
            action=AuditAction.TOKEN_REVOKED,
            actor=by,
            obj=user,
            area_path=_primary_path(user),
            changes={"why": why, "tokens": [ended, 0]},
        )
    return ended


class EngagementEnded(Forbidden):
    """Every role the user held has ended (a third-party evaluator after their engagement)."""

    code = "engagement_ended"

    def __init__(self, ended_on: date) -> None:
        super().__init__(
            _(
                "Your engagement ended on %(date)s: this account no longer has access to any data. "
                "Ask the district's civil affairs office if it has been extended."
            )
            % {"date": ended_on.isoformat()}
        )
