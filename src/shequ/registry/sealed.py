"""The registry's sealed fields and special groups, read by its writes and its reads alike: each
encrypted field's context (a value sealed under one context cannot be opened under another) and, per
special group, the related name on Resident and the fields a user supplies."""

from __future__ import annotations

ID_CONTEXT = "registry.resident.id_number"
PHONE_CONTEXT = "registry.resident.phone"
CARD_CONTEXT = "registry.disability.card_number"
HEALTH_CONTEXT = "registry.chronic_illness.conditions"

GROUP_MODELS: dict[str, tuple[str, tuple[str, ...]]] = {
    # group key -> (related name on Resident, the fields a user supplies)
    "disabled": ("disability", ("category", "level", "card_number")),
    "dibao": ("assistance", ("kind", "since", "monthly_amount")),
    "left_behind": ("left_behind", ("guardian_name", "guardian_relation", "parents_whereabouts")),
    "veteran": ("veteran", ("served_from", "served_to")),
    "supervision": ("supervision", ("kind", "starts_on", "ends_on")),
    "pregnant": ("pregnancy", ("expected_on",)),
    "chronic": ("chronic_illness", ("conditions",)),
}
