"""First run of an empty instance: migrate, create the top area (the district) from its 12-digit
statistical code, and its first administrator. Without it nothing creates the district, and
`shequ createuser` has no area to put the first account on."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from shequ.core import services
from shequ.core.errors import DomainError
from shequ.core.models import Area
from shequ.core.roles import Role


class Command(BaseCommand):
    help = "Set up an empty instance: migrate, create the district and its first administrator."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--code", required=True, help="the district's 12-digit statistical code")
        parser.add_argument("--name", required=True, help="the district's name, e.g. 南海区")
        parser.add_argument("--admin", required=True, help="the first administrator's username")
        parser.add_argument("--admin-name", default="", help="the administrator's display name")
        parser.add_argument(
            "--password-env",
            default="",
            help="read the administrator's password from this environment variable",
        )

    def handle(
        self,
        *args: Any,
        code: str,
        name: str,
        admin: str,
        admin_name: str,
        password_env: str,
        **o: Any,
    ) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if Area.objects.filter(parent__isnull=True).exists():
            raise CommandError(
                "已初始化：已有区县，请用 shequ createuser 添加账户 / already set up: a district exists, "
                "add accounts with shequ createuser"
            )
        if password_env:
            password = os.environ.get(password_env, "")
            if not password:
                raise CommandError(f"环境变量 {password_env} 为空 / the environment variable is empty")
        else:
            password = getpass.getpass("管理员密码 / administrator's password: ")
        try:
            with (
                transaction.atomic()
            ):  # the district only with its administrator: a refused password undoes both
                district = services.area_create(by=None, parent=None, name=name, code=code)
                services.user_create(
                    by=None,
                    username=admin,
                    password=password,
                    display_name=admin_name or admin,
                    role=Role.DISTRICT_ADMIN,
                    area=district,
                )
        except DomainError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(f"已创建 / created {district.name} ({district.code}) · {admin} (district_admin)")
