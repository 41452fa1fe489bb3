"""The demo's resource register and venues, written from the plan."""

from __future__ import annotations

from shequ.demo.plan import DemoPlan


def _load_resources(plan: DemoPlan, by_key: dict) -> None:
    """The resource register, through its service (by=None: the operator)."""
    from shequ.registry.models import Organisation
    from shequ.resources.services import resource_create

    for r in plan.resources:
        area = by_key[r.area]
        organisations = {o.name: o for o in Organisation.objects.filter(area=area)}
        fields = dict(r.fields)
        if r.provider_organisation:
            fields["provider_organisation"] = organisations[r.provider_organisation]
        venue = dict(r.venue) if r.venue is not None else None
        if venue is not None and r.venue_owner_organisation:
            venue["owner_organisation"] = organisations[r.venue_owner_organisation]
        resource_create(by=None, area=area, name=r.name, kind=r.kind, status=r.status, venue=venue, **fields)
