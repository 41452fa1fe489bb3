"""The demo's registry: households, their members (sealed as the registry seals them, by the bulk
path), each person's first event, the heads of household, the special groups and the organisations."""

from __future__ import annotations

from typing import Any

from shequ.demo.plan import DEMO_TODAY, LOCAL_REGION, DemoPlan


def _load_registry(plan: DemoPlan, by_key: dict) -> tuple[list[Any], list[Any]]:
    """(households, residents) written from the plan, inside the caller's transaction."""
    from shequ.core.crypto import encrypt
    from shequ.registry.models import Household, Organisation, Resident, ResidentEvent
    from shequ.registry.services import (
        CARD_CONTEXT,
        GROUP_MODELS,
        HEALTH_CONTEXT,
        pinyin_of,
        seal_personal_data,
    )

    residents: list[Resident] = []
    household_rows = Household.objects.bulk_create(
        [Household(area=by_key[h.building], room=h.room, address=h.address) for h in plan.households]
    )
    for h, row in zip(plan.households, household_rows, strict=True):
        for m in h.members:
            sealed = seal_personal_data(id_number=m.id_number, phone=m.phone, today=DEMO_TODAY)
            initials, full = pinyin_of(m.name)
            residents.append(
                Resident(
                    area=row.area,
                    household=row,
                    relation=m.relation,
                    name=m.name,
                    name_initials=initials,
                    name_pinyin=full,
                    political_status=m.political_status,
                    living_alone=m.living_alone,
                    registration="household" if m.id_number.startswith(LOCAL_REGION) else "floating",
                    **sealed.__dict__,
                )
            )
    Resident.objects.bulk_create(residents, batch_size=500)
    by_id = {p.id_number: r for p, r in zip(plan.residents(), residents, strict=True)}
    ResidentEvent.objects.bulk_create(
        [
            ResidentEvent(resident=r, kind=ResidentEvent.Kind.REGISTERED, changes={"demo": True})
            for r in residents
        ],
        batch_size=1000,
    )
    heads = [Household(pk=r.household_id, head=r) for r in residents if r.relation == "户主"]
    Household.objects.bulk_update(heads, ["head"], batch_size=500)
    records: dict[str, list] = {group: [] for group in GROUP_MODELS}
    for person in plan.residents():
        for group, values in person.groups.items():
            values = dict(values)
            if "card_number" in values:
                values["card_number_encrypted"] = encrypt(values.pop("card_number"), context=CARD_CONTEXT)
            if "conditions" in values:
                values["conditions_encrypted"] = encrypt(values.pop("conditions"), context=HEALTH_CONTEXT)
            model: Any = Resident._meta.get_field(GROUP_MODELS[group][0]).related_model
            records[group].append(model(resident=by_id[person.id_number], **values))
    for rows in records.values():
        if rows:
            type(rows[0]).objects.bulk_create(rows, batch_size=500)
    for o in plan.organisations:
        org = Organisation.objects.create(area=by_key[o.area], kind=o.kind, name=o.name)
        if o.member_ids:
            org.members.add(*[by_id[i] for i in o.member_ids])
    return household_rows, residents
