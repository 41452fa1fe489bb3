"""`python -m bench --scale small`: run every scenario on SQLite and, when DATABASE_URL is set, on
PostgreSQL; print one table; keep it as JSON in bench/results/. Exits non-zero only when a scenario
fails to run, never because of a time (timings on shared machines are noise; ratios are kept).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.generator import BENCH_SEED, SCALES
from bench.results import Result, table

RESULTS = Path(__file__).resolve().parent / "results"


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--scale", choices=[s for s in SCALES if s != "tiny"], default="small")
    parser.add_argument("--seed", type=int, default=BENCH_SEED)
    parser.add_argument("--quick", action="store_true", help="short timings, for CI")
    parser.add_argument("--seconds", type=float, help="seconds of load per HTTP target (default 10; 3 quick)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent HTTP clients")
    parser.add_argument(
        "--db",
        choices=["sqlite", "postgres"],
        action="append",
        help="engines to run (default: sqlite, and postgres when DATABASE_URL is set)",
    )
    parser.add_argument(
        "--steps", default="", help="only these steps, comma-separated (writes first: the others read them)"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # internal: one engine in this process
    parser.add_argument("--out", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _worker(args: argparse.Namespace) -> int:
    from bench.scenarios import Options, run

    # Stopped from outside, still drop the databases and the server (the cleanup is in `finally`).
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))

    options = Options(
        scale=args.scale,
        seed=args.seed,
        quick=args.quick,
        seconds=args.seconds or (3.0 if args.quick else 10.0),
        clients=args.clients,
        steps=tuple(s for s in args.steps.split(",") if s),
    )
    results = run(args.worker, options, admin_url=os.environ.get("BENCH_ADMIN_URL", ""))
    Path(args.out).write_text(json.dumps([r.as_json() for r in results], ensure_ascii=False, indent=1))
    return 0


def _run_engine(engine: str, args: argparse.Namespace, admin_url: str) -> list[Result]:
    """One engine in its own process: Django's settings are per process, and so is peak memory."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        out_path = Path(out.name)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["BENCH_ADMIN_URL"] = admin_url
    command = [sys.executable, "-m", "bench", "--worker", engine, "--out", str(out_path)]
    command += ["--scale", args.scale, "--seed", str(args.seed), "--clients", str(args.clients)]
    command += ["--quick"] if args.quick else []
    command += ["--steps", args.steps] if args.steps else []
    command += ["--seconds", str(args.seconds)] if args.seconds else []
    print(f"== {engine}: scale {args.scale}", file=sys.stderr, flush=True)
    try:
        done = subprocess.run(command, env=env, cwd=Path(__file__).resolve().parent.parent, check=False)  # noqa: S603 # nosec B603 # our own interpreter and arguments
        results = [Result.from_json(r) for r in json.loads(out_path.read_text() or "[]")]
        if done.returncode != 0 and not any(r.error for r in results):
            results.append(Result(scenario="run", backend=engine, error=f"worker exited {done.returncode}"))
        return results
    finally:
        out_path.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    if args.worker:
        return _worker(args)
    admin_url = os.environ.get("DATABASE_URL", "")
    engines = args.db or (["sqlite", "postgres"] if admin_url else ["sqlite"])
    if "postgres" in engines and not admin_url.startswith(("postgres://", "postgresql://")):
        print("postgres needs DATABASE_URL=postgres://user@127.0.0.1:5432/db", file=sys.stderr)
        return 2
    started = time.time()
    results: list[Result] = []
    for engine in engines:
        results.extend(_run_engine(engine, args, admin_url))
    text = table(results)
    print()
    print(f"Shequ benchmark · scale {args.scale} ({SCALES[args.scale].about}) · seed {args.seed}")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, {_memory()} · {time.time() - started:.0f}s"
    )
    print("ratio = the product's throughput ÷ the baseline's, measured in the same run")
    print(text)
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = RESULTS / f"{stamp}-{args.scale}.json"
    path.write_text(
        json.dumps(
            {
                "scale": args.scale,
                "seed": args.seed,
                "quick": args.quick,
                "clients": args.clients,
                "machine": {
                    "cores": os.cpu_count(),
                    "memory": _memory(),
                    "python": platform.python_version(),
                },
                "started": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(started)),
                "seconds": round(time.time() - started, 1),
                "results": [r.as_json() for r in results],
            },
            ensure_ascii=False,
            indent=1,
        )
    )
    print(f"\nwritten to {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
    return 1 if any(r.error for r in results) else 0


def _memory() -> str:
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        return f"{kib / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        return "unknown memory"


if __name__ == "__main__":
    sys.exit(main())
