"""Fault: the process importing a large residents file dies half-way through writing (kill -9, power
loss). The registry holds none of the file afterwards, and the same import run again writes it all.

In-process, registry/tests/test_importing.py covers a conflict half-way (the transaction is rolled
back by the code). Here nothing gets to roll back: the operating system ends `shequ import-residents`
while its transaction holds 10,000 uncommitted residents, and the database must drop them itself.
"""

from __future__ import annotations

import signal
import subprocess
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.db import connection
from test_backup import SHEQU, new_instance

from shequ.core.idnumber import make_id_number

ROWS = 12_000
TREE = (
    "from shequ.core.services import area_create as a; "
    "d = a(by=None, parent=None, name='南海区', code='440605000000'); "
    "s = a(by=None, parent=d, name='大沥镇', code='440605121000'); "
    "c = a(by=None, parent=s, name='平地社区', code='440605121001'); "
    "g = a(by=None, parent=c, name='第1网格'); "
    "a(by=None, parent=g, name='布匹市场1座'); print(0)"
)
COUNTS = (
    "import json; from shequ.core.models import AuditEntry; "
    "from shequ.registry.models import Household, Resident; "
    "print(json.dumps([Resident.objects.count(), Household.objects.count(), "
    "AuditEntry.objects.filter(action='import').count()]))"
)


def residents_csv(path: Path) -> Path:
    lines = ["姓名,证件号码,网格,楼栋,房号"]
    for i in range(ROWS):
        number = make_id_number("440605", date(1950, 1, 1) + timedelta(days=i // 400), i % 400, "MF"[i % 2])
        lines.append(f"居民{i},{number},第1网格,布匹市场1座,{i // 3 + 101}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.slow
def test_an_import_killed_while_writing_leaves_nothing_and_can_be_run_again(tmp_path: Path) -> None:
    instances = new_instance(connection.vendor, tmp_path / "instance")
    target = next(instances)
    try:
        target.python(TREE)
        data = residents_csv(tmp_path / "residents.csv")
        command = [SHEQU, "import-residents", str(data), "--area", "440605121001"]
        proc = subprocess.Popen(command, env=target.env(), stderr=subprocess.PIPE, stdout=subprocess.DEVNULL)
        assert proc.stderr is not None
        seen = b""
        deadline = time.monotonic() + 240
        # Progress ("\r写入 / written 10,000"): kill once the write phase has passed 10,000 residents.
        while b"10,000" not in seen.partition(b"written")[2]:
            assert time.monotonic() < deadline, seen[-500:]
            assert proc.poll() is None, seen[-500:]
            seen += proc.stderr.read1(4096)  # type: ignore[attr-defined]
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL

        assert target.python(COUNTS) == [0, 0, 0]

        again = subprocess.run(command, env=target.env(), capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stderr
        assert f"已登记 {ROWS} 名居民" in again.stdout
        residents, households, imports = target.python(COUNTS)
        assert residents == ROWS
        assert households == ROWS // 3
        assert imports == 1
    finally:
        instances.close()
