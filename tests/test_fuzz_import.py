"""The import parser under atheris for a bounded time (tests/fuzz/fuzz_tabular.py), and the inputs it
found that once crashed it, replayed every run. A hostile or broken file must be refused with a clear
DomainError, never crash the import with a 500."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from shequ.core.errors import DomainError
from shequ.core.tabular import open_table

pytestmark = pytest.mark.no_database  # the parser alone

HERE = Path(__file__).resolve().parent
TARGET = HERE / "fuzz" / "fuzz_tabular.py"
CRASHES = HERE / "fuzz" / "crashes"
SECONDS = int(os.environ.get("SHEQU_FUZZ_SECONDS", "30"))


def read_all(data: bytes, filename: str) -> None:
    for _row in open_table(io.BytesIO(data), filename).rows:
        pass


@pytest.mark.slow
def test_the_import_parser_survives_bounded_fuzzing(tmp_path: Path) -> None:
    pytest.importorskip("atheris")
    corpus, artifacts = tmp_path / "corpus", tmp_path / "artifacts"
    corpus.mkdir()
    artifacts.mkdir()
    env = {**os.environ, "SHEQU_DATA_DIR": str(tmp_path / "data"), "DJANGO_SETTINGS_MODULE": "shequ.settings"}
    done = subprocess.run(
        [
            sys.executable,
            str(TARGET),
            str(corpus),
            str(HERE / "hostile"),
            str(CRASHES),
            f"-max_total_time={SECONDS}",
            "-runs=1000000",
            "-timeout=20",  # seconds for one input: longer is a hang
            "-rss_limit_mb=2048",  # the memory budget for one input, as for a real import
            f"-artifact_prefix={artifacts}/",
            "-print_final_stats=1",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=SECONDS + 120,
        check=False,
    )
    found = sorted(artifacts.iterdir())
    if done.returncode != 0 or found:
        shown = "\n".join(f"{p}: {p.read_bytes()[:300]!r} ({p.stat().st_size} bytes)" for p in found)
        output = done.stdout + done.stderr  # atheris prints the Python traceback on stdout
        report = output[max(output.find("=== Uncaught"), 0) :]
        pytest.fail(f"the fuzzer crashed the parser (exit {done.returncode}):\n{shown}\n{report[:3000]}")
    assert "stat::number_of_executed_units" in done.stderr  # it really ran


def test_a_damaged_zip_member_is_refused_not_crashed() -> None:
    """Found by the fuzzer: a member whose header points before the archive (ValueError in zipfile)."""
    with pytest.raises(DomainError) as refused:
        read_all((CRASHES / "negative-seek.xlsx").read_bytes(), "a.xlsx")
    assert refused.value.code == "not_xlsx"


def test_a_corrupt_deflate_stream_is_refused_not_crashed() -> None:
    with pytest.raises(DomainError):
        read_all((CRASHES / "zlib-error.xlsx").read_bytes(), "a.xlsx")


@pytest.mark.parametrize("path", sorted(p for p in (HERE / "hostile").iterdir() if p.suffix != ".py"))
def test_every_hostile_seed_is_refused_or_read_as_csv_and_as_xlsx(path: Path) -> None:
    """The fuzzer's seeds, as the fuzz target reads them: each either reads or is refused."""
    data = path.read_bytes()
    for name in ("a.xlsx", "a.csv"):
        with contextlib.suppress(DomainError):
            read_all(data, name)
