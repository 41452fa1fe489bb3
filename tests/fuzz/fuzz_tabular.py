"""Fuzzing the import parser with atheris (coverage-guided, libFuzzer): every input is read as an .xlsx
and as a .csv by shequ.core.tabular.open_table, all rows included. A refusal (DomainError) is the right
answer to a bad file; any other exception is a crash.

    .venv/bin/python tests/fuzz/fuzz_tabular.py CORPUS_DIR tests/hostile -max_total_time=60

The first folder receives what the fuzzer finds; the tiny valid workbook and CSV are written into it
when it is empty. tests/test_fuzz_import.py runs this for a bounded time in CI.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
from pathlib import Path

import atheris

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.settings")
os.environ.setdefault("SHEQU_DATA_DIR", tempfile.mkdtemp(prefix="shequ-fuzz-"))

import django

django.setup()

with atheris.instrument_imports(include=["shequ", "openpyxl", "zipfile", "csv", "codecs"]):
    from shequ.core.errors import DomainError
    from shequ.core.tabular import open_table


def read_all(data: bytes, filename: str) -> None:
    try:
        table = open_table(io.BytesIO(data), filename, max_rows=10_000)
        for _row in table.rows:
            pass
    except DomainError:
        pass  # refused with a clear message: what a bad file should get


def test_one_input(data: bytes) -> None:
    read_all(data, "fuzz.xlsx")
    read_all(data, "fuzz.csv")


def write_seeds(folder: Path) -> None:
    """A tiny valid workbook and CSV, so that the fuzzer starts from files that get past the checks."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["姓名", "证件号码", "手机号", "出生日期"])
    sheet.append(["张三", "440605198005170013", "13800001234", "1980-05-17"])
    sheet.append(["李四", 12345, 3.5, None])
    out = io.BytesIO()
    workbook.save(out)
    (folder / "valid.xlsx").write_bytes(out.getvalue())
    csv_text = '姓名,证件号码,手机号\r\n张三,440605198005170013,13800001234\r\n李四,"a,b",\r\n'
    (folder / "valid.csv").write_bytes(csv_text.encode("utf-8"))
    (folder / "valid-gb18030.csv").write_bytes(csv_text.encode("gb18030"))


def main() -> None:
    folders = [a for a in sys.argv[1:] if not a.startswith("-")]
    if folders and Path(folders[0]).is_dir() and not any(Path(folders[0]).iterdir()):
        write_seeds(Path(folders[0]))
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
