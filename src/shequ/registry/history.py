"""A resident's history as people read it: each change under its field's label, the way a record was
made ("imported from a spreadsheet", "demo data") in words, never an internal key like `demo: True`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

from shequ.registry.models import Resident, ResidentEvent

# Markers a bulk path writes instead of field changes: how the record came to be.
MARKERS: dict[str, Any] = {
    "import": _("Imported from a spreadsheet"),
    "demo": _("Demo data"),
}
LABELS: dict[str, Any] = {"building": _("Building"), "household": _("Household")}


@dataclass(frozen=True)
class HistoryLine:
    label: Any
    change: Any  # [old, new], a value, or None for a marker


def _label(key: str) -> Any:
    if key in LABELS:
        return LABELS[key]
    try:
        field = Resident._meta.get_field(key)
    except FieldDoesNotExist:
        return key
    return getattr(field, "verbose_name", key)


def lines_of(event: ResidentEvent) -> list[HistoryLine]:
    changes = event.changes if isinstance(event.changes, dict) else {}
    return [
        HistoryLine(MARKERS[k], None) if k in MARKERS and v is True else HistoryLine(_label(k), v)
        for k, v in changes.items()
    ]


def history_of(resident: Resident, *, limit: int = 50) -> list[tuple[ResidentEvent, list[HistoryLine]]]:
    return [(e, lines_of(e)) for e in resident.events.all()[:limit]]
