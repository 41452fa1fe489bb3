"""Backups at the bench's scale (issue 24), on whatever the run has loaded by then.

- `shequ backup` and `shequ restore` (the database-neutral archive that SQLite installs rely on)
  against the engine's own tool in the same run: SQLite's online backup API (what `sqlite3 .backup`
  does, a copy of the pages) and `pg_dump -Fc` / `pg_restore`. Time, archive size and peak memory (the
  restore runs as the operator runs it, `shequ restore FILE --yes` into a migrated empty database, and
  its peak is the child process's).
- On PostgreSQL, where the server's programs are on the machine: point-in-time recovery on a cluster of
  its own (initdb on a free loopback port, archiving on) loaded with the same database by pg_restore
  (not timed): `shequ pitr base`, then the recovery to a moment after it into a new cluster until it
  is promoted, and `shequ pitr verify`: together the recovery time (RTO) of this database.
"""

from __future__ import annotations

import os
import pwd
import resource
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.databases import Backend, PostgresBackend, SqliteBackend
from bench.results import Result, peak_mib, reset_peak

SHEQU = str(Path(sys.executable).with_name("shequ"))


def log(message: str) -> None:
    print(f"  [{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _mib(path: Path) -> float:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20
    return path.stat().st_size / 2**20


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHEQU_", "DATABASE_URL", "DJANGO_"))}
    env["SHEQU_DEBUG"] = "0"
    env.update(extra)
    return env


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run_measured(args: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """Run to the end; seconds, the child's peak resident memory (its VmHWM, read until it exits) and
    its CPU seconds (on a shared machine the wall time can be many times the work done)."""
    cpu = _children_cpu()
    started = time.perf_counter()
    child = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # noqa: S603 # nosec B603 # our own arguments
    peak = 0.0
    while child.poll() is None:
        peak = max(peak, peak_mib(child.pid))
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    out, err = child.communicate()
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:3])} failed: {err.strip()[-800:] or out.strip()[-800:]}")
    return seconds, peak, _children_cpu() - cpu


def _check(args: list[str], **kw: Any) -> str:
    done = subprocess.run(args, capture_output=True, text=True, check=False, **kw)  # noqa: S603 # nosec B603
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:3])} failed: {(done.stderr or done.stdout).strip()[-800:]}")
    return done.stdout


def measure(backend: Backend, folder: Path) -> list[Result]:
    from shequ.core import backup

    work = folder / "backups"
    work.mkdir()
    archive = work / "shequ.tar.gz"
    reset_peak()
    cpu = time.process_time()
    started = time.perf_counter()
    manifest = backup.backup_create(output=archive)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    peak = peak_mib()
    rows = sum(t["rows"] for t in manifest["tables"])
    log(f"shequ backup: {rows:,} rows in {seconds:.1f}s, {_mib(archive):.1f} MiB")

    started = time.perf_counter()
    if isinstance(backend, SqliteBackend):
        baseline, copy = "sqlite3 .backup (page copy)", work / "copy.sqlite3"
        with sqlite3.connect(backend.main) as src, sqlite3.connect(copy) as dst:
            src.backup(dst)
        src.close()
        dst.close()
    else:
        assert isinstance(backend, PostgresBackend)
        baseline, copy = "pg_dump -Fc", work / "dump.pgc"
        _check(["pg_dump", "-Fc", "-f", str(copy), backend.django_url()])
    base_seconds = time.perf_counter() - started
    results = [
        Result(
            scenario="backup: shequ backup",
            backend=backend.name,
            size=rows,
            seconds=seconds,
            rate=rows / seconds,
            baseline=baseline,
            baseline_rate=rows / base_seconds,
            target_ratio=0.02 if backend.name == "sqlite" else 0.25,
            peak_mib=peak,
            notes={
                "archive_mib": round(_mib(archive), 1),
                "baseline_mib": round(_mib(copy), 1),
                "cpu_seconds": round(cpu, 1),
            },
        )
    ]

    restored = work / "restored"
    env = _env(
        DATABASE_URL=backend.empty_url(),
        SHEQU_DATA_DIR=str(restored),
        SHEQU_MEDIA_DIR=str(restored / "media"),
    )
    seconds, peak, cpu = _run_measured([SHEQU, "restore", str(archive), "--yes"], env)
    log(f"shequ restore: {rows:,} rows in {seconds:.1f}s, peak {peak:.0f} MiB")
    started = time.perf_counter()
    if isinstance(backend, SqliteBackend):
        with sqlite3.connect(copy) as src, sqlite3.connect(work / "restored-raw.sqlite3") as dst:
            src.backup(dst)
        src.close()
        dst.close()
    else:
        assert isinstance(backend, PostgresBackend)
        target = backend.admin_database(f"{backend.main}_pg_restore")
        _check(["pg_restore", "--no-owner", "-d", target, str(copy)])
    base_seconds = time.perf_counter() - started
    results.append(
        Result(
            scenario="restore: shequ restore",
            backend=backend.name,
            size=rows,
            seconds=seconds,
            rate=rows / seconds,
            baseline="sqlite3 backup API back" if backend.name == "sqlite" else "pg_restore",
            baseline_rate=rows / base_seconds,
            target_ratio=0.02 if backend.name == "sqlite" else 0.25,
            peak_mib=peak,
            notes={
                "includes": "the process's start and the archive's whole check before writing",
                "cpu_seconds": round(cpu, 1),
            },
        )
    )
    if isinstance(backend, PostgresBackend):
        try:
            measured = _pitr(backend.name, work, copy, rows)
            results += [measured] if measured else []
        except Exception as exc:  # the other two figures stand; the run still fails on this one
            results.append(
                Result(scenario="pitr: base backup + recovery", backend=backend.name, error=str(exc))
            )
    return results


# --- point-in-time recovery on a cluster of its own -------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server(args: list[str]) -> list[str]:
    """PostgreSQL does not run as root: under root the bench's cluster runs as `postgres`."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def _own(path: Path) -> None:
    if os.geteuid() == 0:
        entry = pwd.getpwnam("postgres")
        for p in [path, *path.rglob("*")]:
            os.chown(p, entry.pw_uid, entry.pw_gid)


def _pitr(backend: str, work: Path, dump: Path, rows: int) -> Result | None:
    from shequ.core import pitr

    try:
        for name in ("initdb", "pg_ctl", "pg_basebackup", "pg_verifybackup", "pg_waldump", "pg_restore"):
            pitr._bin(name)
        if os.geteuid() == 0:
            pwd.getpwnam("postgres")
    except (pitr.PitrError, KeyError) as exc:  # not a failure of the product: nothing to measure with
        log(f"pitr: skipped, the server's programs or its user are not on this machine ({exc})")
        return None
    # Its own folder: the bench's is its user's only, and the cluster runs as the server's user.
    folder = Path(tempfile.mkdtemp(prefix="shequ_bench_pitr_"))
    folder.chmod(0o755)
    archive, data, recovered = folder / "archive", folder / "cluster", folder / "recovered"
    pitr.archive_prepare(archive)
    _own(folder)
    port, port2 = _free_port(), _free_port()
    url = f"postgres://postgres@127.0.0.1:{port}/shequ"
    pg_ctl = pitr._bin("pg_ctl")
    try:
        _check(
            _as_server([pitr._bin("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"])
        )
        with (data / "postgresql.conf").open("a") as conf:
            conf.write(f"listen_addresses = '127.0.0.1'\nunix_socket_directories = '{folder}'\n")
            conf.write("\n".join(pitr.setup_lines(archive)) + "\nmax_wal_size = 4GB\n")
        _check(
            _as_server(
                [
                    pg_ctl,
                    "-D",
                    str(data),
                    "-l",
                    str(folder / "cluster.log"),
                    "-o",
                    f"-p {port}",
                    "-w",
                    "start",
                ]
            )
        )
        _check([pitr._bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "shequ"])
        started = time.perf_counter()
        _check([pitr._bin("pg_restore"), "--no-owner", "-d", url, str(dump)])
        log(f"pitr: the cluster loaded by pg_restore in {time.perf_counter() - started:.1f}s (not timed)")
        env = _env(DATABASE_URL=url, SHEQU_DATA_DIR=str(folder / "data"))
        _check([SHEQU, "pitr", "--archive", str(archive), "setup"], env=env)
        base_seconds, base_peak, base_cpu = _run_measured(
            [SHEQU, "pitr", "--archive", str(archive), "base"], env
        )
        base = pitr.bases(archive)[-1]
        # A change after the base and a moment after it: the recovery replays WAL, as after a disaster.
        psql = [pitr._bin("psql"), url, "-Atq", "-c"]
        _check([*psql, "CREATE TABLE bench_after (at timestamptz DEFAULT now())"])
        time.sleep(1.1)
        moment = _check(
            [*psql, "SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"]
        ).strip()
        moment += "+00:00"
        time.sleep(1.1)
        _check([*psql, "INSERT INTO bench_after DEFAULT VALUES"])
        _check([*psql, "SELECT pg_switch_wal()"])
        deadline = time.monotonic() + 60
        while (
            pitr.wal_coverage(archive, base).last_change or pitr.parse_time("2000-01-01")
        ) < pitr.parse_time(moment):
            if time.monotonic() > deadline:
                raise RuntimeError("the moment after the base never reached the archive")
            time.sleep(0.5)
        started = time.perf_counter()
        pitr.restore(archive=archive, target=recovered, to=pitr.parse_time(moment), media=None)
        prepare_seconds = time.perf_counter() - started
        _own(recovered)
        started = time.perf_counter()
        log_file = recovered / "recovery.log"
        _check(
            _as_server(
                [pg_ctl, "-D", str(recovered), "-l", str(log_file), "-o", f"-p {port2}", "-w", "start"]
            )
        )
        while (recovered / "recovery.signal").exists():
            if time.perf_counter() - started > 3600:
                raise RuntimeError("the recovery did not finish in an hour")
            time.sleep(0.2)
        replay_seconds = time.perf_counter() - started
        verify_env = _env(
            DATABASE_URL=f"postgres://postgres@127.0.0.1:{port2}/shequ",
            SHEQU_DATA_DIR=str(folder / "data"),
        )
        started = time.perf_counter()
        _check([SHEQU, "pitr", "--archive", str(archive), "verify", "--to", moment], env=verify_env)
        verify_seconds = time.perf_counter() - started
        rto = prepare_seconds + replay_seconds + verify_seconds
        log(
            f"pitr: base {base_seconds:.1f}s, prepare {prepare_seconds:.1f}s, replay {replay_seconds:.1f}s,"
            f" verify {verify_seconds:.1f}s"
        )
        return Result(
            scenario="pitr: base backup + recovery",
            backend=backend,
            size=rows,
            seconds=rto,
            rate=rows / rto,
            baseline="",
            peak_mib=base_peak,
            notes={
                "base_seconds": round(base_seconds, 1),
                "base_cpu_seconds": round(base_cpu, 1),
                "base_mib": round(base["size"] / 2**20, 1),
                "cluster_mib": round(_mib(data / "base"), 1),
                "prepare_seconds": round(prepare_seconds, 1),
                "replay_seconds": round(replay_seconds, 1),
                "verify_seconds": round(verify_seconds, 1),
                "wal_segments": pitr.status(archive=archive)["wal_segments"],
                "rto": "prepare + replay until promoted + verify",
            },
        )
    finally:
        for cluster in (recovered, data):
            if (cluster / "postmaster.pid").exists():
                stop = _as_server([pg_ctl, "-D", str(cluster), "-m", "immediate", "stop"])
                subprocess.run(stop, capture_output=True, check=False)  # noqa: S603 # nosec B603
        shutil.rmtree(folder, ignore_errors=True)
