"""The `shequ` command for operators. Its own words (demo, serve, check, ...) and every Django
management command ("shequ migrate", "shequ shell", ...)."""

from __future__ import annotations

import os
import sys

USAGE = """shequ — 社区 community governance

  shequ demo [--port 8000] [--fresh]   create the SQLite database, load the demo community, serve it
  shequ serve [--host H] [--port P]    serve the web app: gunicorn, one worker per core, in production
                                       (SHEQU_ENV=production or --workers N), else waitress; the scheduler
                                       beside it unless SHEQU_REDIS_URL is set (or --no-scheduler)
  shequ worker [--workers N]           run the task-queue worker (production, with SHEQU_REDIS_URL)
  shequ migrate                        create or upgrade the database schema
  shequ createuser USER --role R --area CODE|PATH   create an account holding a role on an area
  shequ check                          Django's deployment checks (use production settings)
  shequ import-residents FILE --area CODE [--good-rows-only] [--bad-rows OUT.xlsx] [--check-only]
  shequ person export|erase ID_NUMBER  everything held on a person, or erase it (PIPL)
  shequ backup [--output FILE]         the database and uploaded files in one .tar.gz (keys not included)
  shequ restore FILE [--yes] [--check] a backup into a new, empty, migrated database, in one transaction
  shequ pitr setup|base|files|status  PostgreSQL: continuous WAL archiving and daily base backups
  shequ pitr restore --to TIME --target DIR   a new cluster recovered to that minute; then `pitr verify`
  shequ audit verify|export            check the audit log's hash chain / ship it as JSON lines
  shequ dbroles APP_ROLE [--create]    PostgreSQL: the app's role may read and write, the audit log only grow
  shequ <django command> ...           any other Django management command

DATABASE_URL selects PostgreSQL (postgres://user@host/db); the default is SQLite in ./data.
"""

ALIASES = {
    "check": ["check", "--deploy", "--fail-level", "WARNING"],
    "import-residents": ["import_residents"],
}


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.settings")
    from django.core.management import execute_from_command_line

    words = ALIASES.get(argv[0], [argv[0]]) + argv[1:]
    execute_from_command_line(["shequ", *words])


if __name__ == "__main__":
    main()
