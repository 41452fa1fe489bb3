"""A person's rights under PIPL, for the operator: see everything held on them, or erase it."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from shequ.core.audit import audit_log
from shequ.core.crypto import blind_index
from shequ.core.idnumber import normalise_id_number
from shequ.core.models import AuditAction
from shequ.registry import services
from shequ.registry.models import Resident


class Command(BaseCommand):
    help = (
        "shequ person export|erase ID_NUMBER — everything held on a person, or erase it (PIPL arts. 45, 47)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("action", choices=["export", "erase"])
        parser.add_argument("id_number")
        parser.add_argument("--id-type", default="resident_id")
        parser.add_argument("--yes", action="store_true", help="erase without asking")

    def handle(self, *args: Any, action: str, id_number: str, id_type: str, yes: bool, **o: Any) -> None:
        number = normalise_id_number(id_number)
        key = number if id_type == "resident_id" else f"{id_type}:{number}"
        resident = (
            Resident.objects.select_related("area", "household")
            .filter(id_number_index=blind_index(key, context=services.ID_CONTEXT))
            .first()
        )
        if resident is None:
            raise CommandError("没有登记此证件号码的居民 / no resident with this ID number")
        if action == "export":
            data = services.resident_personal_data(resident=resident)
            audit_log(
                action=AuditAction.EXPORT,
                obj=resident,
                area_path=resident.area.path,
                object_repr="personal data (PIPL)",
            )
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str))
            return
        if not yes:
            raise CommandError("删除不可撤销，确认请加 --yes / erasure cannot be undone: add --yes")
        services.resident_erase(by=None, resident=resident)
        self.stdout.write("已删除 / erased")
