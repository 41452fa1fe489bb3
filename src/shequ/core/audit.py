"""The one audit call. Services call it inside their transaction, so an entry exists iff the change does."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Model

from shequ.core.context import NO_REQUEST, current_request
from shequ.core.models import AuditAction, AuditEntry, AuditHead

# Values of these fields never enter the log, only the fact that they changed.
SECRET_FIELDS = {"password", "id_number", "phone", "id_number_encrypted", "phone_encrypted"}


def _plain(value: Any) -> Any:
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, datetime | date | Decimal):
        return str(value)
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields that changed; secrets masked."""
    out: dict[str, list[Any]] = {}
    for key in sorted(set(before) | set(after)):
        old, new = _plain(before.get(key)), _plain(after.get(key))
        if old != new:
            out[key] = ["***", "***"] if key in SECRET_FIELDS else [old, new]
    return out


def audit_log(
    *,
    action: AuditAction | str,
    actor: Any = None,
    obj: Model | None = None,
    area_path: str = "",
    changes: dict[str, Any] | None = None,
    object_repr: str | None = None,
    actor_name: str | None = None,
) -> AuditEntry:
    info = current_request.get() or NO_REQUEST
    entry = AuditEntry(
        actor_id=getattr(actor, "pk", None),
        actor_name=actor_name if actor_name is not None else (getattr(actor, "username", "") or ""),
        ip=info.ip,
        user_agent=info.user_agent[:200],
        action=str(action),
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=(object_repr if object_repr is not None else (str(obj) if obj is not None else ""))[:200],
        area_path=area_path,
        # Through JSON once, so the hash covers exactly what the database gives back (no tuples, dates).
        changes=json.loads(json.dumps(changes or {}, default=str)),
    )
    entry.ip = AuditEntry._meta.get_field("ip").to_python(entry.ip)
    with transaction.atomic():
        head = _lock_head()
        entry.prev_hash = head.last_hash
        entry.hash = entry_hash(entry, head.last_hash)
        entry.save()
        AuditHead.objects.filter(pk=head.pk).update(last_id=entry.pk, last_hash=entry.hash)
    return entry


def _lock_head() -> AuditHead:
    """The chain's head, locked for this transaction: an UPDATE takes PostgreSQL's row lock and
    SQLite's write lock alike, so no other writer reads the same head before this entry is in."""
    for _attempt in range(2):
        if AuditHead.objects.filter(pk=1).update(last_id=F("last_id")):
            return AuditHead.objects.get(pk=1)
        try:
            with transaction.atomic():
                AuditHead.objects.create(pk=1, **_newest_link())
        except IntegrityError:  # another writer made it first: lock theirs
            pass
    raise RuntimeError("the audit chain's head could not be locked")


def _newest_link() -> dict[str, Any]:
    last = AuditEntry.objects.exclude(hash="").order_by("-id").values("id", "hash").first()
    return {"last_id": last["id"], "last_hash": last["hash"]} if last else {"last_id": 0, "last_hash": ""}


def entry_hash(entry: AuditEntry, prev_hash: str) -> str:
    """SHA-256 over the previous hash and the entry's content in a canonical form."""
    content = [
        prev_hash,
        entry.at.astimezone(UTC).isoformat(),
        entry.actor_id,
        entry.actor_name,
        entry.ip or "",
        entry.user_agent,
        entry.action,
        entry.object_type,
        entry.object_id,
        entry.object_repr,
        entry.area_path,
        entry.changes,
    ]
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    checked: int  # entries checked in the chain
    unchained: int  # entries from before the chain began
    broken_at: int | None  # id of the first entry whose link is broken
    reason: str


def verify_chain(batch: int = 2000) -> ChainReport:
    """Walk the log in id order and recompute each link; name the first that does not hold. Streams in
    batches: the log of a district runs to millions of entries."""
    prev: str | None = None  # None until the first chained entry
    checked = unchained = 0
    last_id = 0
    while True:
        rows = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not rows:
            break
        for entry in rows:
            last_id = entry.pk
            if prev is None and not entry.hash:  # older than the chain: only before its first link
                unchained += 1
                continue
            expected_prev = prev or ""
            if entry.prev_hash != expected_prev:
                return ChainReport(checked, unchained, entry.pk, "prev_hash")
            if entry_hash(entry, expected_prev) != entry.hash:
                return ChainReport(checked, unchained, entry.pk, "hash")
            prev = entry.hash
            checked += 1
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and prev is not None and (head.last_hash != prev or head.last_id != last_id):
        return ChainReport(checked, unchained, head.last_id, "head")
    return ChainReport(checked, unchained, None, "")


def export_lines(since: datetime | None = None, batch: int = 2000) -> Iterator[str]:
    """The log as JSON lines with its hashes, oldest first, to ship off-host."""
    last_id = 0
    qs = AuditEntry.objects.all() if since is None else AuditEntry.objects.filter(at__gte=since)
    while True:
        rows = list(qs.filter(id__gt=last_id).order_by("id")[:batch])
        if not rows:
            return
        for e in rows:
            last_id = e.pk
            yield json.dumps(
                {
                    "id": e.pk,
                    "at": e.at.astimezone(UTC).isoformat(),
                    "actor_id": e.actor_id,
                    "actor_name": e.actor_name,
                    "ip": e.ip,
                    "user_agent": e.user_agent,
                    "action": e.action,
                    "object_type": e.object_type,
                    "object_id": e.object_id,
                    "object_repr": e.object_repr,
                    "area_path": e.area_path,
                    "changes": e.changes,
                    "prev_hash": e.prev_hash,
                    "hash": e.hash,
                },
                ensure_ascii=False,
                sort_keys=True,
            )
