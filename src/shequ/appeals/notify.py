"""Telling people about appeals. The product's own notifications are rows read on the site; other
channels (SMS, WeChat) plug in as adapters with the same `send` and are not implemented here.

`settings.APPEAL_NOTIFIERS` (a list of dotted paths) chooses the adapters; the in-product one is the
default. Adapters that leave the database run after the transaction commits, so a refused or
rolled-back step never sends a message.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from shequ.appeals.models import Appeal, Notification

DEFAULT_NOTIFIERS = ["shequ.appeals.notify.InProductNotifier"]


class Notifier(Protocol):
    """One channel of notifications. `in_transaction` adapters write with the step (the product's own
    table); the others are called once the step is committed."""

    in_transaction: bool

    def send(self, *, users: list[Any], appeal: Appeal, action: str, at: datetime) -> None: ...


class InProductNotifier:
    """Notifications shown on the site (the bell in the header and the notifications page)."""

    in_transaction = True

    def send(self, *, users: list[Any], appeal: Appeal, action: str, at: datetime) -> None:
        Notification.objects.bulk_create(
            [Notification(user=u, appeal=appeal, action=action, created_at=at) for u in users]
        )


def notifiers() -> list[Notifier]:
    paths = getattr(settings, "APPEAL_NOTIFIERS", DEFAULT_NOTIFIERS)
    return [import_string(p)() for p in paths]


def notify(*, users: Iterable[Any], appeal: Appeal, action: str, at: datetime, actor: Any = None) -> None:
    """Tell each user (once, never the actor themself) that `action` happened to `appeal`."""
    seen: set[int] = set()
    chosen = []
    for user in users:
        if user is None or user.pk in seen or (actor is not None and user.pk == actor.pk):
            continue
        if not user.is_active:
            continue
        seen.add(user.pk)
        chosen.append(user)
    if not chosen:
        return
    for notifier in notifiers():
        if notifier.in_transaction:
            notifier.send(users=chosen, appeal=appeal, action=action, at=at)
        else:
            transaction.on_commit(
                lambda n=notifier: n.send(users=chosen, appeal=appeal, action=action, at=at)  # type: ignore[misc]
            )
