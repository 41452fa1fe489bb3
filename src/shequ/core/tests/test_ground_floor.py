"""Core is the ground floor: it imports no domain app, and each app registers what it adds itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.urls import reverse

from shequ.core.appconfig import shequ_apps
from shequ.core.extensions import area_blockers, nav_entries, retention_kinds
from shequ.core.policy import RESOURCES, UNSCOPED

CORE = Path(__file__).resolve().parents[1]


def _imports_above_core(path: Path) -> list[str]:
    """Every `shequ.<x>` module that a file imports, however it is spelled, but core itself and the
    project shell it serves (settings, wsgi)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "shequ" and len(parts) > 1 and parts[1] not in ("core", "settings", "wsgi"):
                found.append(f"{path.relative_to(CORE)}:{node.lineno} imports {name}")
    return found


def _core_modules() -> list[Path]:
    return [
        p
        for p in CORE.rglob("*.py")
        if "tests" not in p.relative_to(CORE).parts and "migrations" not in p.relative_to(CORE).parts
    ]


def test_core_imports_no_domain_app() -> None:
    found = [line for path in _core_modules() for line in _imports_above_core(path)]
    assert found == [], "core must not import a domain app:\n" + "\n".join(found)


def test_the_guard_sees_every_spelling_of_an_import(tmp_path: Path) -> None:
    sample = CORE / "_guard_sample_for_test.py"
    sample.write_text(
        "import shequ.appeals.models\nfrom shequ import registry\nfrom shequ.needs.services import x\n"
        "def f():\n    from shequ.volunteering import models\n",
        encoding="utf-8",
    )
    try:
        found = _imports_above_core(sample)
    finally:
        sample.unlink()
    assert len({line.split(" imports ")[0] for line in found}) == 4


def test_every_app_declares_its_own_resources() -> None:
    """Each resource's model belongs to the app that declares it (or is core's Area, for areas and
    dashboards), and every Shequ app with models says what they are."""
    labels = {c.label for c in shequ_apps()}
    for resource in RESOURCES.values():
        assert resource.model.split(".")[0] in labels
    assert {name.split(".")[0] for name in UNSCOPED} <= labels


@pytest.mark.django_db
def test_every_navigation_entry_leads_to_a_page() -> None:
    entries = nav_entries()
    assert len({e.key for e in entries}) == len(entries)
    for entry in entries:
        assert reverse(entry.url_name).startswith("/")


def test_the_apps_register_their_retention_and_area_blockers() -> None:
    assert {"appeal_contact", "moved_out_resident", "import_staging", "correction_request"} <= set(
        retention_kinds()
    )
    assert {"registry.people", "registry.organisations"} <= {b.key for b in area_blockers()}
