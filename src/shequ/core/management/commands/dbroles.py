"""`shequ dbroles APP_ROLE`: on PostgreSQL, give the role the web app connects as exactly what it needs,
and no UPDATE, DELETE or TRUNCATE on the audit log.

Run it as the database owner (who runs `shequ migrate`) after each migration. The app role is not the
owner, so it cannot drop or disable the audit log's trigger either: the log's append-only promise is kept
by the database's grants, not only by the code (等保 8.1.4.3 audit protection)."""

from __future__ import annotations

import re
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from shequ.core.models import AuditEntry, AuditHead

ROLE_NAME = r"^[a-z_][a-z0-9_]{0,62}$"


class Command(BaseCommand):
    help = "PostgreSQL: grant the app's role what the product needs, and no change of the audit log."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("role", help="the role the web app and workers connect as")
        parser.add_argument("--create", action="store_true", help="create the role (LOGIN) if it is missing")

    def handle(self, *args: Any, role: str, create: bool, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("只适用于 PostgreSQL / dbroles is for PostgreSQL (set DATABASE_URL)")
        if not re.match(ROLE_NAME, role):
            raise CommandError(f"角色名无效 / not a plain role name: {role!r}")
        audit = AuditEntry._meta.db_table
        head = AuditHead._meta.db_table
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                if not create:
                    raise CommandError(
                        f"角色 {role} 不存在（加 --create 创建）/ no role {role} (add --create)"
                    )
                cursor.execute(f'CREATE ROLE "{role}" LOGIN')
            cursor.execute("SELECT current_user, current_database()")
            owner, database = cursor.fetchone()
            if owner == role:
                raise CommandError(
                    "应用角色不能是数据库所有者 / the app role must not be the owner that migrates"
                )
            cursor.execute(f'GRANT CONNECT ON DATABASE "{database}" TO "{role}"')
            cursor.execute(f'GRANT USAGE ON SCHEMA public TO "{role}"')
            cursor.execute(f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"')
            cursor.execute(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"')
            cursor.execute(f'REVOKE UPDATE, DELETE, TRUNCATE ON "{audit}" FROM "{role}"')
            # The chain's head row is updated by every audited write; it holds no history itself.
            cursor.execute(f'GRANT SELECT, INSERT, UPDATE ON "{head}" TO "{role}"')
            cursor.execute(f'REVOKE DELETE, TRUNCATE ON "{head}" FROM "{role}"')
        self.stdout.write(
            f"{role}: 可读写业务表，审计日志只可追加 / may read and write the product's tables; "
            f"the audit log ({audit}) only by INSERT"
        )
