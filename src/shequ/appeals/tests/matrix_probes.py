"""The permission matrix's probes of the appeal loop, one per action of its rule table (workflow.py),
through the page and the API: each sets up an appeal where the action may start and its guards hold
for whoever holds the permission there, then reports whether the action took effect. A new action of
the table without a setup here fails `test_every_action_of_the_table_is_probed`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.test import Client
from django.utils import timezone

from shequ.appeals.models import Appeal, Category
from shequ.appeals.workflow import APPEAL
from shequ.core.tests.probes import outcome


@dataclass(frozen=True)
class Setup:
    stage: str
    done: Callable[[Appeal, Appeal], bool]  # (before, after) -> did the action take effect
    data: Callable[[Any, Appeal], dict] = lambda c, a: {}  # the body, for the page and the API
    page: Callable[[Any, Appeal], dict] | None = None  # when the page names its input differently
    fields: dict[str, Any] = field(default_factory=dict)  # set on the appeal before the probe


def _appeal(c: Any, stage: str, **fields: Any) -> Appeal:
    from shequ.appeals.services import appeal_report

    appeal = appeal_report(
        by=None,
        area=c.building,
        category=Category.objects.get(code="roads_facilities"),
        description="探针诉求",
        title="探针诉求",
        channel="patrol",
    )
    Appeal.objects.filter(pk=appeal.pk).update(stage=stage, **fields)
    return Appeal.objects.get(pk=appeal.pk)


def _handler(c: Any, a: Appeal) -> Any:
    from conftest import make_user
    from shequ.core.roles import Role

    return make_user(Role.GRID_WORKER, c.grid, username=f"probe_handler_{c.side}")


def _stage(stage: str) -> Callable[[Appeal, Appeal], bool]:
    return lambda before, after: after.stage == stage


SETUPS: dict[str, Setup] = {
    "accept": Setup("reported", _stage("accepted")),
    "reject": Setup("reported", _stage("rejected"), lambda c, a: {"reason": "探针理由"}),
    "merge": Setup("reported", _stage("merged"), lambda c, a: {"into_id": _appeal(c, "accepted").pk}),
    "dispatch": Setup(
        "accepted",
        _stage("dispatched"),
        lambda c, a: {"user_id": _handler(c, a).pk},
        page=lambda c, a: {"to": f"user:{_handler(c, a).pk}"},
    ),
    "start": Setup("dispatched", _stage("in_progress")),
    "handle": Setup("in_progress", _stage("handled"), lambda c, a: {"result": "已加固"}),
    "rework": Setup("handled", _stage("in_progress"), lambda c, a: {"reason": "还没修好"}),
    "verify": Setup("handled", _stage("verified")),
    "close": Setup("verified", _stage("closed")),
    "reopen": Setup("closed", _stage("accepted"), lambda c, a: {"reason": "又坏了"}),
    "evaluate": Setup("closed", _stage("evaluated"), lambda c, a: {"score": 5}),
    "escalate": Setup(
        "reported", lambda before, after: after.level != before.level, lambda c, a: {"reason": "本级解决不了"}
    ),
    "publish": Setup("closed", lambda before, after: after.published_at is not None),
    "unpublish": Setup(
        "closed", lambda before, after: after.published_at is None, fields={"published_at": timezone.now}
    ),
    "mark_for_meeting": Setup("reported", lambda before, after: after.for_deliberation),
    "unmark_for_meeting": Setup(
        "reported", lambda before, after: not after.for_deliberation, fields={"for_deliberation": True}
    ),
}


def _probe(name: str, channel: str) -> Callable[[Any, Client], tuple[bool, str]]:
    setup = SETUPS[name]

    def probe(c: Any, client: Client) -> tuple[bool, str]:
        fields = {k: v() if callable(v) else v for k, v in setup.fields.items()}
        before = _appeal(c, setup.stage, **fields)
        make = setup.page if channel == "page" and setup.page is not None else setup.data
        body = {"version": before.version, **make(c, before)}
        if channel == "page":
            r = client.post(f"/appeals/{before.pk}/{name}/", body)
        else:
            r = client.post(f"/api/appeals/{before.pk}/{name}", body, content_type="application/json")
        done = setup.done(before, Appeal.objects.get(pk=before.pk))
        return outcome(done, r, 302 if channel == "page" else 200), c.building.path

    probe.__name__ = f"appeal_{name}_{channel}"
    return probe


def _deadline_set(c: Any) -> bool:
    from shequ.appeals.models import StageDeadline

    found = StageDeadline.objects.filter(category__code="parking", priority="urgent", stage="handled")
    return found.filter(hours=7).exists()


def configure_page(c: Any, client: Client) -> tuple[bool, str]:
    body = {"category": "parking", "priority": "urgent", "stage": "handled", "hours": "7"}
    r = client.post("/appeals/deadlines/", body)
    # One taxonomy for the whole district: the rule is held, not placed, so there is no outside.
    return outcome(_deadline_set(c), r, 302), c.tree.building.path


def configure_api(c: Any, client: Client) -> tuple[bool, str]:
    body = {"category": "parking", "priority": "urgent", "stage": "handled", "hours": 7}
    r = client.put("/api/appeals/deadlines", body, content_type="application/json")
    return outcome(_deadline_set(c), r, 200), c.tree.building.path


# (resource, policy action, what) -> (page probe, api probe), one per action of the table.
PROBES = {
    ("appeal", action.permission, name): (_probe(name, "page"), _probe(name, "api"))
    for name, action in APPEAL.actions.items()
}
PROBES[("appeal", "configure", "deadlines")] = (configure_page, configure_api)
