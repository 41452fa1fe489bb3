"""The inputs of the appeal loop that name another object, turned into the object the same way for the
page and the API, within what the acting user may see ("not yours" answers as "not found")."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from shequ.appeals import selectors
from shequ.appeals.models import Appeal, Category
from shequ.core import access
from shequ.core.errors import DomainError
from shequ.core.models import User
from shequ.core.selectors import account_for
from shequ.core.workflow import int_value
from shequ.registry.models import Organisation


def category(code: str) -> Category:
    """A category in use, by its code (the report form's list and the API's `category`)."""
    found = selectors.categories().filter(code=str(code)[:40]).first()
    if found is None:
        raise DomainError(_("Choose a category."), code="category_invalid", fields={"category": "invalid"})
    return found


def merge_target(user: Any, appeal: Appeal, raw: str) -> Appeal:
    """The appeal a duplicate repeats, typed as its number (with or without "#")."""
    return selectors.appeal_for(user, int_value(raw.lstrip("#"), field="into_id"))


def dispatch_person(user: Any, appeal: Appeal, raw: str) -> User:
    """A person to send the appeal to, among the accounts the dispatcher may already see: one outside
    their areas answers exactly as one that does not exist, with no name (issue 13). The service
    checks that they work where the appeal is."""
    return account_for(user, "appeal", "triage", pk=int_value(raw, field="user_id"), field="handler")


def dispatch_team(user: Any, appeal: Appeal, raw: str) -> Any:
    """A volunteer team the acting user may see (the service checks it serves where the appeal is)."""
    return access.get_for(user, "team", "view", pk=int_value(raw, field="team_id"))


def dispatch_organisation(user: Any, appeal: Appeal, raw: str) -> Organisation:
    """A team or unit of the registry the acting user may see."""
    found = access.get_for(user, "organisation", "view", pk=int_value(raw, field="organisation_id"))
    assert isinstance(found, Organisation)
    return found
