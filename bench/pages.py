"""`python -m bench.pages`: what each key page moves on a first visit — its requests (the document and
every script, stylesheet, icon and image it names) and their bytes as sent (WhiteNoise's gzip copy to
a browser that accepts gzip) and unpacked — on the demo community, with the production static
storage, through Django's test client. Written to bench/results/pages.json and docs/performance.md.

Runs in a throwaway data folder of its own; the settings are read after it is made."""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
FULL_ECHARTS = REPO / "node_modules" / "echarts" / "dist" / "echarts.min.js"
ASSET = re.compile(
    r"<(?:script[^>]*\bsrc|link[^>]*\bhref|img[^>]*\bsrc)=\"(/[^\"#?]+)[^\"]*\"", re.IGNORECASE
)


@dataclass
class Weight:
    page: str
    account: str
    path: str
    requests: int
    sent: int  # bytes on the wire (compressed where the server compresses)
    unpacked: int  # bytes after decompression
    documents: int  # the HTML alone: what a second visit moves (the hashed files are cached for a year)


def _body(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


def _unpacked(response: Any, body: bytes) -> int:
    return len(gzip.decompress(body)) if response.headers.get("Content-Encoding") == "gzip" else len(body)


def measure(client: Any, page: str, account: str, path: str) -> Weight:
    response = client.get(path, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    if response.status_code != 200:
        raise RuntimeError(f"{page}: {path} answered {response.status_code}")
    html = _body(response)
    sent, unpacked, requests = len(html), _unpacked(response, html), 1
    for asset in dict.fromkeys(ASSET.findall(html.decode())):
        answer = client.get(asset, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        if answer.status_code != 200:
            raise RuntimeError(f"{page}: {asset} answered {answer.status_code}")
        body = _body(answer)
        sent += len(body)
        unpacked += _unpacked(answer, body)
        requests += 1
    return Weight(page, account, path, requests, sent, unpacked, len(html))


def pages() -> list[tuple[str, str, str]]:
    """(page, demo account, path) of the key pages, found in the loaded demo."""
    from shequ.core.models import Area
    from shequ.volunteering.models import Activity

    community = Area.objects.get(code="440605121001")  # 平地社区
    activity = Activity.objects.filter(area__path__startswith=community.path).order_by("-starts_at").first()
    found = [
        ("login", "", "/login/"),
        ("home (grid worker)", "pingdi_wangge", "/"),
        ("home (community worker)", "pingdi_shequ", "/"),
        ("dashboard", "pingdi_shequ", f"/metrics/area/{community.pk}/"),
        ("home visit: pick a person", "pingdi_wangge", "/visits/new/"),
        ("appeals", "pingdi_shequ", "/appeals/"),
        ("activities", "pingdi_shegong", "/activities/"),
        ("monthly reports", "pingdi_shequ", "/reports/"),
    ]
    if activity is not None:
        found.append(("check-in list", "pingdi_shegong", f"/activities/{activity.pk}/attendance/"))
    return found


def run() -> list[Weight]:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from shequ import demo

    call_command("migrate", interactive=False, verbosity=0)
    demo.load(demo.build(demo.DEMO_SEED))
    call_command("collectstatic", interactive=False, verbosity=0)
    users = get_user_model().objects
    weights = []
    for page, account, path in pages():
        client = Client(HTTP_HOST="127.0.0.1")
        if account:
            client.force_login(users.get(username=account))
        weights.append(measure(client, page, account, path))
    return weights


def table(weights: list[Weight]) -> str:
    full = len(gzip.compress(FULL_ECHARTS.read_bytes(), 9)) if FULL_ECHARTS.exists() else 0
    lines = [
        "| page | account | requests | sent (KB) | unpacked (KB) | HTML alone (KB) |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for w in weights:
        lines.append(
            f"| {w.page} | {w.account or '—'} | {w.requests} | {w.sent / 1024:.0f} | "
            f"{w.unpacked / 1024:.0f} | {w.documents / 1024:.1f} |"
        )
    if full:
        lines.append(f"\n(The full ECharts build, for comparison: {full / 1024:.0f} KB gzipped.)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__)
    parser.add_argument("--out", default=str(RESULTS / "pages.json"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="shequ-pages-") as folder:
        # DEBUG off, as in production: pages name the hashed files and WhiteNoise sends their gzip copies.
        os.environ.update(SHEQU_DATA_DIR=folder, SHEQU_DEBUG="0", DJANGO_SETTINGS_MODULE="shequ.settings")
        os.environ.pop("DATABASE_URL", None)
        weights = run()
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps([asdict(w) for w in weights], ensure_ascii=False, indent=1))
    print(table(weights))
    return 0


if __name__ == "__main__":
    sys.exit(main())
