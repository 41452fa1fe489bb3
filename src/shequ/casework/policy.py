"""Who may do what in casework: its resources and the roles per action (form: core/policy.py).

A supervisor is a social worker linked to the workers they supervise (`SupervisionLink`), not a role:
supervision is a relation between two people (the 1:8 ratio counts links), a street's social worker
may supervise the community's, and no new role widens every other app's matrix. The role rule says
which roles may ever do an action; the case's rule table (workflow.py) adds who among them: the case
worker works the case, their supervisor approves the plan and the closure.
"""

from __future__ import annotations

from shequ.core import grants
from shequ.core.models import GrantKind
from shequ.core.policy import ADMINS, R, Resource, Rule, declare, unscoped

SOCIAL_WORKER = frozenset({R.SOCIAL_WORKER})

declare(
    # Cases: seen by the area's staff and social workers (never by evaluators, grid workers or
    # residents: a case is about a vulnerable person), worked by social workers. Notes: the case
    # worker, the supervisor, and whoever holds an approved case-notes grant (core/grants.py) among
    # the staff who may ask for one.
    Resource(
        "case",
        "casework.Case",
        "area_path",
        {
            "view": Rule(ADMINS | SOCIAL_WORKER),
            "create": Rule(SOCIAL_WORKER),
            "work": Rule(SOCIAL_WORKER),
            "approve": Rule(SOCIAL_WORKER),
            "view_notes": Rule(SOCIAL_WORKER | {R.COMMUNITY_STAFF, R.STREET_OFFICIAL}),
        },
    ),
    # Who supervises whom: set by the area's administrators, seen by them and by social workers; a
    # supervisor records the sessions with their supervisees (services.supervision adds: only the
    # link's supervisor records, only its two parties sign).
    Resource(
        "supervision",
        "casework.SupervisionLink",
        "area_path",
        {"view": Rule(ADMINS | SOCIAL_WORKER), "manage": Rule(ADMINS), "record": Rule(SOCIAL_WORKER)},
    ),
    # Group work (MZ/T 095-2017): seen by the area's staff and social workers, run by social workers
    # (the group's rule table adds: only its group worker works it).
    Resource(
        "group",
        "casework.Group",
        "area_path",
        {"view": Rule(ADMINS | SOCIAL_WORKER), "create": Rule(SOCIAL_WORKER), "work": Rule(SOCIAL_WORKER)},
    ),
)

grants.declare(GrantKind.CASE_NOTES, resource="case", action="view_notes")

unscoped(
    {
        "casework.CaseEvent": "the history of its case, read through the case (scoped under case)",
        "casework.Assessment": "part of its case, read through the case (scoped under case)",
        "casework.Plan": "part of its case, read through the case (scoped under case)",
        "casework.Goal": "part of its case's plan",
        "casework.PlanTask": "part of its case's plan",
        "casework.Contact": "part of its case, read through the case (scoped under case)",
        "casework.Consent": "part of its case, read through the case (scoped under case)",
        "casework.Transfer": "part of its case, read through the case; answered by its receiver through the "
        "case's rule table (a social worker of the case's area)",
        "casework.Referral": "part of its case; its named receiver alone reads its limited summary "
        "(services.transfers.referral_received), until revoked (403)",
        "casework.SupervisionSession": "part of its supervision link, read through the links the user "
        "may see (selectors.sessions_for); recorded by the link's supervisor, signed by its two parties",
        "casework.Tie": "part of its case (what its ecomap and genogram draw), read through the case",
        "casework.GroupMember": "part of its group, read through the group (scoped under group)",
        "casework.GroupSession": "part of its group, read through the group (scoped under group)",
        "casework.CaseNote": "read only through services.notes.notes_read: the case's view_notes, "
        "checked and audited on every read",
    }
)
