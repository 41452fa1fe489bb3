"""One rule table per workflow: each action's permission, the states it starts from and leads to, the
input it takes, and the extra rules (guards) that may refuse it.

Everything that acts on a workflow reads its table, so a rule is written once:
- services call `workflow.check(by, obj, "dispatch")` before they write (and `next_state`);
- pages draw the buttons of `workflow.available(user, obj)` with the inputs of each action, and parse
  a posted form with `workflow.parse(action, data, user=…, obj=…)`;
- the API builds one endpoint per action with `workflow.input_schema(action)` and the same `parse`;
- the permission matrix probes every action of every table, for every role, inside and outside.

A guard is a named rule beside the access layer's (e.g. "the one who did the work does not verify it"):
it is part of the table, so buttons hide it, the API refuses it and the matrix sees it. Guards answer
with their own code and status (403 for "not you", 409/400 for "not now"). A grant is the other way
round: a named rule that lets someone act without the role's permission (e.g. "the one who reported
it verifies it", whatever their role); guards still apply to them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from pydantic import create_model

from shequ.core import access
from shequ.core.errors import Conflict, DomainError, Forbidden, NotFound


@dataclass(frozen=True)
class Field:
    """One input of an action. `kind`: text (one line), textarea, int, choice, bool, files (uploads), or
    ref (the id of another object, turned into the object by `resolve(user, obj, raw)` — the same
    resolver for page and API, scoped to the user, so "not yours" answers as "not found")."""

    name: str
    label: str | Promise
    kind: str = "text"
    required: bool = False
    max_length: int = 1000
    choices: Callable[[], Iterable[tuple[str, str]]] | None = None
    min_value: int | None = None
    max_value: int | None = None
    resolve: Callable[[Any, Any, str], Any] | None = None
    help: str | Promise = ""


@dataclass(frozen=True)
class Guard:
    """A rule that may refuse an action beyond the role's permission: `allows(user, obj)`."""

    name: str
    allows: Callable[[Any, Any], bool]
    message: str | Promise | Callable[[Any], str]  # a callable names the object (its level, its state)
    code: str
    status: int = 403

    def refusal(self, obj: Any) -> DomainError:
        """The error it answers with: a Forbidden for 403 and a Conflict for 409, so that callers
        catching those types see guards the same as the access layer's refusals."""
        message = self.message(obj) if callable(self.message) else self.message
        kind = {403: Forbidden, 409: Conflict}.get(self.status, DomainError)
        error = kind(message, code=self.code)
        error.status = self.status
        return error


@dataclass(frozen=True)
class Grant:
    """A rule that permits an action without the role's permission: `allows(user, obj)`."""

    name: str
    allows: Callable[[Any, Any], bool]


@dataclass(frozen=True)
class Action:
    name: str
    label: str | Promise
    permission: str  # the policy action on the workflow's resource (core/policy.py)
    sources: tuple[str, ...] = ()  # the states it starts from; empty: any state
    target: str | None = None  # the state it leads to; None: the state stays
    fields: tuple[Field, ...] = ()
    guards: tuple[Guard, ...] = ()
    grants: tuple[Grant, ...] = ()  # who may act without the role's permission
    style: str = "secondary"  # the button: primary, secondary, danger
    confirm: str | Promise = ""  # asked before the button submits, when set
    button: str | Promise = ""  # the button's words when they differ from the label
    help: str | Promise = ""  # a line under the form, when set

    @property
    def button_label(self) -> str | Promise:
        return self.button or self.label

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


class Workflow:
    """The table of one workflow over the objects of one resource of the policy."""

    def __init__(
        self,
        resource: str,
        actions: Iterable[Action],
        *,
        state_of: Callable[[Any], str] = lambda obj: str(obj.stage),
        state_label: Callable[[Any], str] | None = None,
    ) -> None:
        self.resource = resource
        self.state_of = state_of
        self.actions = {a.name: a for a in actions}
        self.state_label = state_label or (lambda obj: self.state_of(obj))

    # --- what may be done -------------------------------------------------------------------------

    def action(self, name: str) -> Action:
        try:
            return self.actions[name]
        except KeyError:
            raise NotFound() from None

    def _path(self, obj: Any) -> str:
        return access.path_of(self.resource, obj)

    def permitted(self, user: Any, obj: Any, action: Action) -> bool:
        """The role's permission (the access layer) or one of the action's grants, whatever the state."""
        if user is None or any(g.allows(user, obj) for g in action.grants):
            return True
        return access.can(user, self.resource, action.permission, path=self._path(obj))

    def allowed_now(self, user: Any, obj: Any, action: Action) -> bool:
        """Permission, state and every guard: what a button shows."""
        if action.sources and self.state_of(obj) not in action.sources:
            return False
        if not self.permitted(user, obj, action):
            return False
        return all(g.allows(user, obj) for g in action.guards)

    def available(self, user: Any, obj: Any) -> list[Action]:
        return [a for a in self.actions.values() if self.allowed_now(user, obj, a)]

    def check(self, user: Any, obj: Any, name: str) -> Action:
        """Refuse the action with the reason, in this order: the role (403, or 404 for one who may
        not even see the object), the state (400 illegal_transition), the guards (their own answer).
        user=None is the system (the scheduler, the demo loader): it passes permission and guards."""
        action = self.action(name)
        if user is not None and not any(g.allows(user, obj) for g in action.grants):
            access.require(user, self.resource, action.permission, path=self._path(obj))
        if action.sources and self.state_of(obj) not in action.sources:
            raise DomainError(
                _("This cannot be done now: it is %(state)s.") % {"state": self.state_label(obj)},
                code="illegal_transition",
            )
        if user is not None:
            for guard in action.guards:
                if not guard.allows(user, obj):
                    raise guard.refusal(obj)
        return action

    def next_state(self, obj: Any, name: str) -> str:
        action = self.action(name)
        return action.target if action.target is not None else self.state_of(obj)

    # --- input --------------------------------------------------------------------------------------

    def parse(self, name: str, data: Mapping[str, Any], *, user: Any, obj: Any, files: Any = None) -> dict:
        """The keyword arguments of the action's service from a posted form or an API body: every field
        checked the same way for both, refs resolved within the user's scope."""
        action = self.action(name)
        values: dict[str, Any] = {}
        for f in action.fields:
            if f.kind == "files":
                values[f.name] = (
                    list(files.getlist(f.name)) if files is not None else list(data.get(f.name) or [])
                )
                continue
            raw = data.get(f.name)
            values[f.name] = parse_value(f, raw, user=user, obj=obj)
        return values

    def input_schema(self, name: str, *, versioned: bool = False) -> Any:
        """A django-ninja schema of the action's body (files come as form parts, not in it).
        versioned: the body also carries the version the user saw, read with `version_of`, so that
        "abc" is refused as a 400 naming the field, like every other input, not a 422."""
        from ninja import Schema

        action = self.action(name)
        types: dict[str, Any] = {"version": (int | str, ...)} if versioned else {}
        for f in action.fields:
            if f.kind == "files":
                continue
            kind: Any = {"int": int, "bool": bool}.get(f.kind, str)
            if f.kind == "ref":
                kind = int | str
            types[f.name] = (kind, ...) if f.required else (kind | None, None)
        model_name = "".join(p.capitalize() for p in f"{self.resource}_{name}_in".split("_"))
        return create_model(model_name, __base__=Schema, **types)


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def parse_value(f: Field, raw: Any, *, user: Any, obj: Any) -> Any:
    """One field's value, refused with {code, message, field} when it is not what the field takes."""
    if _blank(raw):
        if f.required:
            raise DomainError(_("This field is required."), code="required", fields={f.name: "required"})
        return None if f.kind in ("int", "ref") else (False if f.kind == "bool" else "")
    if f.kind == "bool":
        return raw is True or str(raw).lower() in ("1", "true", "on", "yes")
    if f.kind == "int":
        value = int_value(raw, field=f.name)
        if (f.min_value is not None and value < f.min_value) or (
            f.max_value is not None and value > f.max_value
        ):
            raise DomainError(
                _("Give a number from %(low)s to %(high)s.") % {"low": f.min_value, "high": f.max_value},
                code="out_of_range",
                fields={f.name: "range"},
            )
        return value
    text = str(raw).strip()
    if len(text) > f.max_length:
        raise DomainError(
            _("At most %(n)d characters.") % {"n": f.max_length}, code="too_long", fields={f.name: "long"}
        )
    if f.kind == "choice" and f.choices is not None and text not in {k for k, _label in f.choices()}:
        raise DomainError(_("Choose one of the options."), code="invalid_choice", fields={f.name: "choice"})
    if f.kind == "ref":
        if f.resolve is None:
            raise TypeError(f"ref field {f.name} needs a resolver")
        return f.resolve(user, obj, text)
    return text


def text_value(raw: Any, *, field: str, limit: int, required: bool = False) -> str:
    """A line of text typed by a user, trimmed: refused on `field` when required and empty, or longer
    than `limit` characters (the column's size, so the database never truncates it)."""
    value = ("" if raw is None else str(raw)).strip()
    if required and not value:
        raise DomainError(_("This field is required."), code="required", fields={field: "required"})
    if len(value) > limit:
        raise DomainError(
            _("At most %(n)d characters.") % {"n": limit}, code="too_long", fields={field: "long"}
        )
    return value


def int_value(raw: Any, *, field: str) -> int:
    """A whole number typed by a user (a form value, a query parameter): never a bare int() that turns
    "abc" into a 500."""
    if isinstance(raw, bool):
        raise DomainError(_("Give a whole number."), code="not_a_number", fields={field: "number"})
    if isinstance(raw, int):
        return raw
    text = str(raw).strip()
    if not text.lstrip("-").isdigit() or len(text) > 18:
        raise DomainError(_("Give a whole number."), code="not_a_number", fields={field: "number"})
    return int(text)


def version_of(data: Mapping[str, Any]) -> int:
    """The version of the record the user saw (optimistic locking): required, a whole number."""
    raw = data.get("version")
    if _blank(raw):
        raise DomainError(
            _("The form is out of date. Reload the page."), code="version_required", fields={"version": "x"}
        )
    return int_value(raw, field="version")
