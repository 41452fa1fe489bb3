"""Fresh databases for one run, and the raw write baseline (executemany on SQLite, COPY on PostgreSQL).

Every run makes its own databases and removes them at the end: the product's database (written
through its services) and an empty twin for the baseline, cloned right after `migrate` so both
start from the same schema, indexes and constraints.
"""

from __future__ import annotations

import json
import os
import pickle  # nosec B403 # only our own files, written moments before (see below)
import re
import shutil
import sqlite3
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

NULL = r"\N"
# Rows per transaction on both paths, so commit costs are alike (~one product batch of households).
CHUNK_ROWS = 4000
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def tsv_line(values: list[object]) -> str:
    """One row of plain text fields (the product path's import file); values hold no tabs or newlines."""
    return "\t".join("" if v is None else str(v) for v in values) + "\n"


def _copy_text(value: object) -> str:
    """One value in PostgreSQL's COPY text format, as psycopg would have sent it."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if hasattr(value, "obj") and type(value).__name__ == "Jsonb":  # a JSONField's value on PostgreSQL
        value = json.dumps(value.obj, ensure_ascii=False)
    return str(value).translate(_COPY_ESCAPES)


class PreparedRows:
    """The baseline's input for one table, on disk so no table is held in memory: COPY text for
    PostgreSQL, pickled chunks of tuples for SQLite (what executemany takes, with no parsing)."""

    def __init__(self, backend: Backend, table: str, columns: list[str]) -> None:
        self.backend = backend
        self.table = table
        self.columns = columns
        self.path = backend.folder / f"{table}.{'copy' if backend.name == 'postgres' else 'pickle'}"
        self.count = 0
        self._file = self.path.open("wb")
        self._chunk: list[tuple[object, ...]] = []

    def add(self, values: list[object]) -> None:
        self.count += 1
        if self.backend.name == "postgres":
            self._file.write(("\t".join(_copy_text(v) for v in values) + "\n").encode())
            return
        self._chunk.append(tuple(str(v) if isinstance(v, Decimal) else v for v in values))
        if len(self._chunk) >= CHUNK_ROWS:
            pickle.dump(self._chunk, self._file, protocol=pickle.HIGHEST_PROTOCOL)
            self._chunk = []

    def close(self) -> None:
        if self._chunk:
            pickle.dump(self._chunk, self._file, protocol=pickle.HIGHEST_PROTOCOL)
            self._chunk = []
        self._file.close()


def _chunks(path: Path) -> Iterator[list[tuple[object, ...]]]:
    with path.open("rb") as f:
        while True:
            try:
                yield pickle.load(f)  # noqa: S301 - our own file, written moments ago # nosec B301 # our own file
            except EOFError:
                return


def _regexp(pattern: str | None, value: object) -> bool | None:
    # As Django's SQLite backend defines it.
    if pattern is None or value is None:
        return None
    return bool(re.search(pattern, str(value)))


class Backend:
    """One database engine: where the product's database is, and how to write the baseline."""

    name = ""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def django_url(self) -> str:
        raise NotImplementedError

    def clone_empty(self) -> None:
        raise NotImplementedError

    def empty_url(self) -> str:
        raise NotImplementedError

    def raw_load(self, rows: PreparedRows) -> int:
        raise NotImplementedError

    def drop(self) -> None:
        raise NotImplementedError


class SqliteBackend(Backend):
    name = "sqlite"

    def __init__(self, folder: Path) -> None:
        super().__init__(folder)
        self.main = folder / "bench.sqlite3"
        self.raw = folder / "baseline.sqlite3"
        self.empty = folder / "empty.sqlite3"  # migrated and empty: what `shequ restore` writes into

    def django_url(self) -> str:
        return f"sqlite:///{self.main}"

    def clone_empty(self) -> None:
        with sqlite3.connect(self.main) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        shutil.copyfile(self.main, self.raw)
        shutil.copyfile(self.main, self.empty)

    def empty_url(self) -> str:
        return f"sqlite:///{self.empty}"

    def raw_load(self, rows: PreparedRows) -> int:
        placeholders = ", ".join("?" * len(rows.columns))
        statement = f"INSERT INTO {rows.table} ({', '.join(rows.columns)}) VALUES ({placeholders})"  # nosec B608 # our table and column names
        conn = sqlite3.connect(self.raw, isolation_level=None)
        try:
            # The same pragmas the product's connections use (settings.py), and Django's foreign keys.
            conn.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;")
            # The area code's check constraint calls REGEXP, which SQLite leaves to the application.
            conn.create_function("REGEXP", 2, _regexp, deterministic=True)
            total = 0
            for chunk in _chunks(rows.path):
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany(statement, chunk)
                conn.execute("COMMIT")
                total += len(chunk)
            return total
        finally:
            conn.close()

    def drop(self) -> None:
        for base in (self.main, self.raw, self.empty):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{base}{suffix}").unlink(missing_ok=True)


class PostgresBackend(Backend):
    name = "postgres"

    def __init__(self, folder: Path, admin_url: str) -> None:
        super().__init__(folder)
        self.admin_url = admin_url
        self.main = f"shequ_bench_{os.getpid()}"
        self.raw = f"{self.main}_baseline"
        self.empty = f"{self.main}_empty"  # migrated and empty: what `shequ restore` writes into
        self._admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.main)))

    def _url(self, database: str) -> str:
        parts = urlsplit(self.admin_url)
        return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))

    def _admin(self, statement: sql.Composed) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(statement)

    def django_url(self) -> str:
        return self._url(self.main)

    def clone_empty(self) -> None:
        # A template must have no other sessions: the caller closes Django's connections first.
        self._admin(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(self.raw), sql.Identifier(self.main)
            )
        )
        self._admin(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(self.empty), sql.Identifier(self.main)
            )
        )

    def empty_url(self) -> str:
        return self._url(self.empty)

    def admin_database(self, name: str) -> str:
        """A new database of the bench's own (for a baseline's restore; dropped with the others)."""
        self._admin(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self._url(name)

    def raw_load(self, rows: PreparedRows) -> int:
        columns = sql.SQL(", ").join(sql.Identifier(c) for c in rows.columns)
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(rows.table), columns)
        with psycopg.connect(self._url(self.raw)) as conn, conn.cursor() as cur:
            with cur.copy(statement) as copy, rows.path.open("rb") as f:
                while block := f.read(1 << 20):
                    copy.write(block)
            conn.commit()
            return cur.rowcount

    def drop(self) -> None:
        for name in (self.raw, self.empty, f"{self.main}_pg_restore", self.main):
            self._admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
