"""Create an account with a role on an area, as the operator (audited with no actor)."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from shequ.core import services
from shequ.core.errors import DomainError
from shequ.core.models import Area
from shequ.core.roles import Role


class Command(BaseCommand):
    help = "Create an account holding a role on an area (area by statistical code or path)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=[r.value for r in Role])
        parser.add_argument("--area", required=True, help="12-digit statistical code or area path")
        parser.add_argument("--name", default="")
        parser.add_argument(
            "--password-env", default="", help="read the password from this environment variable"
        )

    def handle(
        self, *args: Any, username: str, role: str, area: str, name: str, password_env: str, **o: Any
    ) -> None:
        target = Area.objects.filter(code=area).first() or Area.objects.filter(path=area).first()
        if target is None:
            raise CommandError(f"找不到区域 / no area with code or path {area}")
        password = os.environ.get(password_env, "") if password_env else getpass.getpass("密码 / password: ")
        try:
            services.user_create(
                by=None, username=username, password=password, display_name=name, role=role, area=target
            )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"已创建 / created {username} ({role} @ {target.name})")
