"""Every write of the registry, one module per aggregate: residents and households, personal data
(sealing, reveal, a person's rights), special groups, organisations and buildings. Sensitive values are
validated and encrypted here and nowhere else; each change writes a ResidentEvent (the person's
history) and an audit entry in one transaction. The exports, which are reads, are registry/exports.py;
every name is still importable from here."""

from shequ.registry.exports import (
    EXPORT_HEADERS,
    HOUSEHOLD_EXPORT_HEADERS,
    ORGANISATION_EXPORT_HEADERS,
    PERSONAL_EXPORTS,
    bulk_export_check,
    households_export,
    organisations_export,
    residents_export,
)
from shequ.registry.sealed import (
    CARD_CONTEXT,
    GROUP_MODELS,
    HEALTH_CONTEXT,
    ID_CONTEXT,
    PHONE_CONTEXT,
)
from shequ.registry.services.organisations import (
    ORGANISATION_FIELDS,
    building_profile_update,
    clean_organisation,
    organisation_create,
    organisation_update,
)
from shequ.registry.services.personal_data import (
    ANONYMISED_PREFIX,
    ID_PROBLEMS,
    OTHER_ID_PATTERNS,
    SealedPersonalData,
    check_phone,
    pinyin_of,
    resident_anonymise,
    resident_erase,
    resident_personal_data,
    resident_reveal,
    seal_personal_data,
)
from shequ.registry.services.residents import (
    PERSON_FIELDS,
    household_create,
    resident_leave,
    resident_move,
    resident_register,
    resident_return,
    resident_update,
)
from shequ.registry.services.special_groups import (
    special_group_clear,
    special_group_set,
)

__all__ = [
    "ANONYMISED_PREFIX",
    "CARD_CONTEXT",
    "EXPORT_HEADERS",
    "GROUP_MODELS",
    "HEALTH_CONTEXT",
    "HOUSEHOLD_EXPORT_HEADERS",
    "ID_CONTEXT",
    "ID_PROBLEMS",
    "ORGANISATION_EXPORT_HEADERS",
    "ORGANISATION_FIELDS",
    "OTHER_ID_PATTERNS",
    "PERSONAL_EXPORTS",
    "PERSON_FIELDS",
    "PHONE_CONTEXT",
    "SealedPersonalData",
    "building_profile_update",
    "bulk_export_check",
    "check_phone",
    "clean_organisation",
    "household_create",
    "households_export",
    "organisation_create",
    "organisation_update",
    "organisations_export",
    "pinyin_of",
    "resident_anonymise",
    "resident_erase",
    "resident_leave",
    "resident_move",
    "resident_personal_data",
    "resident_register",
    "resident_return",
    "resident_reveal",
    "resident_update",
    "residents_export",
    "seal_personal_data",
    "special_group_clear",
    "special_group_set",
]
