"""The demo community: a district with two streets, one of them holding 平地社区 as the seeds describe it
(14 party branches, 330 party members, 200+ youth-league members, a fabric market, a dragon dance).

`build(seed)` is pure and deterministic (same seed, same plan); `load(plan)` writes it in one transaction.

The plan is demo/plan.py; `load` (demo/loader.py) writes the areas and accounts and calls a loader
per domain (demo/load_<domain>.py), then each app's own `<app>/demo.py`.
"""

from shequ.demo.load_needs import (
    NEED_TEXTS,
)
from shequ.demo.loader import (
    load,
)
from shequ.demo.plan import (
    DEMO_PASSWORD,
    DEMO_RESIDENT_NAME,
    DEMO_SEED,
    DEMO_TODAY,
    GIVEN,
    LOCAL_REGION,
    MIGRANT_REGIONS,
    PINGDI_BRANCHES,
    STREETS,
    SURNAMES,
    AccountPlan,
    AppealPlan,
    AreaPlan,
    DemoPlan,
    HouseholdPlan,
    OrganisationPlan,
    PersonPlan,
    ResourcePlan,
    build,
)
from shequ.demo.plan import _age as _age  # a person's age as the plan counts it (the tests read it)

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_RESIDENT_NAME",
    "DEMO_SEED",
    "DEMO_TODAY",
    "GIVEN",
    "LOCAL_REGION",
    "MIGRANT_REGIONS",
    "NEED_TEXTS",
    "PINGDI_BRANCHES",
    "STREETS",
    "SURNAMES",
    "AccountPlan",
    "AppealPlan",
    "AreaPlan",
    "DemoPlan",
    "HouseholdPlan",
    "OrganisationPlan",
    "PersonPlan",
    "ResourcePlan",
    "build",
    "load",
]
