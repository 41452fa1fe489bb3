"""Writing the demo's plan, all or nothing: the areas and the accounts here, the registry and each
domain by its own loader (demo/load_<domain>.py), then each app's own `<app>/demo.py`."""

from __future__ import annotations

from shequ.demo.load_appeals import _load_appeals
from shequ.demo.load_needs import _load_needs
from shequ.demo.load_registry import _load_registry
from shequ.demo.load_resources import _load_resources
from shequ.demo.load_volunteering import _load_volunteering
from shequ.demo.plan import DEMO_PASSWORD, DemoPlan


def load(plan: DemoPlan, *, password: str = DEMO_PASSWORD) -> dict[str, int]:
    """Write the plan, all or nothing, through the product's own services (bulk paths for people)."""
    from django.db import transaction

    from shequ.core import services
    from shequ.core.audit import audit_log
    from shequ.core.models import Area, AuditAction

    with transaction.atomic():
        by_key: dict[str, Area] = {}
        for a in plan.areas:
            by_key[a.key] = services.area_create(
                by=None,
                parent=by_key[a.parent] if a.parent else None,
                name=a.name,
                code=a.code,
                address=a.address,
                latitude=a.latitude,
                longitude=a.longitude,
            )
        household_rows, residents = _load_registry(plan, by_key)
        _load_resources(plan, by_key)
        for acc in plan.accounts:
            services.user_create(
                by=None,
                username=acc.username,
                password=password,
                display_name=acc.display_name,
                role=acc.role,
                area=by_key[acc.area],
            )
        _load_appeals(plan, by_key)
        _load_volunteering(by_key)
        _load_needs(by_key)
        _load_apps(by_key)
        audit_log(
            action=AuditAction.IMPORT,
            object_repr="demo community",
            area_path=by_key["nanhai"].path,
            changes={"residents": [0, len(residents)], "households": [0, len(household_rows)]},
        )
    return {"areas": len(plan.areas), "households": len(household_rows), "residents": len(residents)}


def _load_apps(by_key: dict) -> None:
    """Each app may add its part of the demo in `<app>/demo.py` with `load(areas)`: `areas` maps the
    plan's area keys ("nanhai" the district, "pingdi" the demo community, "pingdi-g1" its first grid,
    "pingdi-g1-b1" a building, ...) to Area rows. It runs after the registry, resources, accounts,
    appeals, volunteering and needs are written, in INSTALLED_APPS order; nothing here changes when an
    app adds its part."""
    from importlib import import_module
    from importlib.util import find_spec

    from shequ.core.appconfig import shequ_apps

    for config in shequ_apps():
        if config.name == "shequ.demo" or find_spec(f"{config.name}.demo") is None:
            continue
        import_module(f"{config.name}.demo").load(by_key)
