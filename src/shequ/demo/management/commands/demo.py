"""Create the database, load the demo community once, print the demo accounts, and serve."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from shequ import demo


class Command(BaseCommand):
    help = "Migrate, load the demo community (if the database is empty), print accounts, serve."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="load and print, then exit")
        parser.add_argument("--fresh", action="store_true", help="empty the database first")
        parser.add_argument("--seed", type=int, default=demo.DEMO_SEED)

    def handle(
        self, *args: Any, host: str, port: int, no_serve: bool, fresh: bool, seed: int, **o: Any
    ) -> None:
        from shequ.core.models import Area

        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        if fresh:
            call_command("flush", interactive=False, verbosity=0)
        if Area.objects.exists():
            self.stdout.write(
                "数据库已有数据，跳过演示数据加载 / database not empty: demo data not loaded again."
            )
        else:
            self.stdout.write("正在加载演示社区 / loading the demo community ...")
            counts = demo.load(demo.build(seed))
            self.stdout.write(
                f"  {counts['areas']} 个区域 areas, {counts['households']} 户 households, "
                f"{counts['residents']} 名居民 residents"
            )
        self.stdout.write(f"\n演示账户 / demo accounts (密码 password: {demo.DEMO_PASSWORD})")
        for acc in demo.build(seed).accounts:
            self.stdout.write(f"  {acc.username:<18} {acc.role:<16} {acc.display_name}")
        self.stdout.write("")
        if not no_serve:
            call_command("serve", host=host, port=port)
