"""Permission-matrix probes for sensitive-access grants and correction requests (issue 9); imported
by test_permission_matrix.py. Each probe sets up its target, tries the action, and says whether it
was allowed, and the path of the target."""

from __future__ import annotations

from typing import Any

from django.test import Client

from conftest import make_user
from shequ.core import grants
from shequ.core.crypto import encrypt
from shequ.core.models import GrantStatus, SensitiveAccessGrant
from shequ.core.roles import Role
from shequ.core.tests.probes import grid, listed, outcome
from shequ.registry.models import CorrectionRequest
from shequ.registry.rights import CORRECTION_CONTEXT


def _pending(c: Any) -> SensitiveAccessGrant:
    """A bulk-export request of a grid worker of the target grid (someone other than the actor)."""
    requester = make_user(Role.GRID_WORKER, grid(c), username=f"asker_{c.side}")
    return grants.grant_request(by=requester, kind="bulk_export", area=grid(c), reason="年度台账核对需要")


grant_view_page, grant_view_api = listed(_pending, page="/grants/", api="/api/grants", where=grid)


def _asked(c: Any) -> bool:
    return SensitiveAccessGrant.objects.filter(requested_by=c.user, area=grid(c)).exists()


def grant_request_page(c: Any, client: Client) -> tuple[bool, str]:
    r = client.post(
        "/grants/new/", {"kind": "bulk_export", "area": grid(c).pk, "reason": "年度台账核对需要", "days": 30}
    )
    return outcome(_asked(c), r, 302), grid(c).path


def grant_request_api(c: Any, client: Client) -> tuple[bool, str]:
    r = client.post(
        "/api/grants",
        {"kind": "bulk_export", "area_id": grid(c).pk, "reason": "年度台账核对需要"},
        content_type="application/json",
    )
    return outcome(_asked(c), r, 201), grid(c).path


def _approved(grant: SensitiveAccessGrant) -> bool:
    return SensitiveAccessGrant.objects.get(pk=grant.pk).status == GrantStatus.APPROVED


def grant_approve_page(c: Any, client: Client) -> tuple[bool, str]:
    grant = _pending(c)
    r = client.post(f"/grants/{grant.pk}/decide/", {"decision": "approve"})
    return outcome(_approved(grant), r, 302), grid(c).path


def grant_approve_api(c: Any, client: Client) -> tuple[bool, str]:
    grant = _pending(c)
    r = client.post(f"/api/grants/{grant.pk}/decide", {"approve": True}, content_type="application/json")
    return outcome(_approved(grant), r, 200), grid(c).path


def _correction(c: Any) -> CorrectionRequest:
    person = c.resident_factory(c.building, name="更正居民")
    return CorrectionRequest.objects.create(
        resident=person, field="address", details_encrypted=encrypt("应为3-302室", context=CORRECTION_CONTEXT)
    )


correction_view_page, correction_view_api = listed(
    _correction, page="/corrections/", api="/api/corrections", api_may_refuse=True
)


def _resolved(correction: CorrectionRequest) -> bool:
    return CorrectionRequest.objects.get(pk=correction.pk).status == CorrectionRequest.Status.CORRECTED


def correction_resolve_page(c: Any, client: Client) -> tuple[bool, str]:
    correction = _correction(c)
    r = client.post(f"/corrections/{correction.pk}/", {"corrected": "yes", "answer": "已更正"})
    return outcome(_resolved(correction), r, 302), c.building.path


def correction_resolve_api(c: Any, client: Client) -> tuple[bool, str]:
    correction = _correction(c)
    r = client.post(
        f"/api/corrections/{correction.pk}/resolve",
        {"corrected": True, "answer": "已更正"},
        content_type="application/json",
    )
    return outcome(_resolved(correction), r, 200), c.building.path


SENSITIVE_PROBES = {
    ("sensitive_grant", "view", "list"): (grant_view_page, grant_view_api),
    ("sensitive_grant", "request", ""): (grant_request_page, grant_request_api),
    ("sensitive_grant", "approve", ""): (grant_approve_page, grant_approve_api),
    ("correction", "view", "list"): (correction_view_page, correction_view_api),
    ("correction", "resolve", ""): (correction_resolve_page, correction_resolve_api),
}
