"""Transfer and referral are different: a transfer moves ownership when the receiver accepts; a
referral gives its receiver a limited summary until revoked. Both refused without the client's
recorded consent."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import Tree, login_client, make_user, token_client
from shequ.casework.models import Case, Transfer
from shequ.casework.services import ACTIONS, case_open
from shequ.core.errors import DomainError
from shequ.core.roles import Role

pytestmark = pytest.mark.django_db

NOTE = "个案记录：不应转介出去的内容"


@pytest.fixture
def w(tree: Tree, resident_factory: Any) -> dict[str, Any]:
    worker = make_user(Role.SOCIAL_WORKER, tree.community, username="sheg")
    case = case_open(
        by=worker, source="walk_in", resident=resident_factory(tree.building), problem="残疾人就业困难"
    )
    ACTIONS["note"](by=worker, case=case, version=case.version, text=NOTE)
    return {
        "case": case,
        "worker": worker,
        "colleague": make_user(Role.SOCIAL_WORKER, tree.community, username="sheg2"),
        "third": make_user(Role.SOCIAL_WORKER, tree.community, username="sheg3"),
        "far": make_user(Role.SOCIAL_WORKER, tree.far_community, username="far"),
        "staff": make_user(Role.COMMUNITY_STAFF, tree.community, username="jugan"),
        "canlian": make_user(Role.VOLUNTEER, tree.community, username="canlian_zhuanyuan"),
    }


def act(name: str, by: Any, case: Case, **values: Any) -> Any:
    case.refresh_from_db()
    return ACTIONS[name](by=by, case=case, version=case.version, **values)


def code_of(name: str, by: Any, case: Case, **values: Any) -> str:
    with pytest.raises(DomainError) as caught:
        act(name, by, case, **values)
    return caught.value.code


def consent(w: dict[str, Any], purpose: str, sensitive: bool = False) -> None:
    act(
        "record_consent",
        w["worker"],
        w["case"],
        purpose=purpose,
        given_to="残联",
        how="written",
        sensitive=sensitive,
    )


def test_a_transfer_needs_consent_and_moves_ownership_only_when_the_receiver_accepts(
    w: dict[str, Any],
) -> None:
    case, worker, colleague = w["case"], w["worker"], w["colleague"]
    assert code_of("transfer", worker, case, to=colleague, reason="工作调整") == "consent_required"
    consent(w, "transfer")
    for wrong in ("far", "staff"):
        assert code_of("transfer", worker, case, to=w[wrong], reason="工作调整") == "bad_receiver"
    act("transfer", worker, case, to=colleague, reason="工作调整")
    assert code_of("accept_transfer", w["third"], case) == "not_receiver"
    act("refuse_transfer", colleague, case, reason="个案量已满")
    case.refresh_from_db()
    assert case.owner == worker
    assert Transfer.objects.get().refusal_reason == "个案量已满"
    # The consent was spent by the first transfer: a second one asks again.
    assert code_of("transfer", worker, case, to=w["third"], reason="再次调整") == "consent_required"
    consent(w, "transfer")
    act("transfer", worker, case, to=w["third"], reason="再次调整")
    assert code_of("transfer", worker, case, to=colleague, reason="x") == "transfer_pending"
    act("accept_transfer", w["third"], case)
    case.refresh_from_db()
    assert case.owner == w["third"]
    assert code_of("contact", worker, case, on="2026-01-01", kind="phone", summary="x") in {
        "not_case_worker",
        "illegal_transition",
    }
    assert code_of("note", worker, case, text="前社工") == "not_case_worker"


def test_a_referral_needs_consent_shows_a_limited_summary_and_is_revoked_with_403(w: dict[str, Any]) -> None:
    case, worker, canlian = w["case"], w["worker"], w["canlian"]
    assert code_of(
        "refer", worker, case, to_kind="disabled_federation", receiver=canlian, note="协助就业"
    ) == ("consent_required")
    consent(w, "referral")
    referral = act(
        "refer", worker, case, to_kind="disabled_federation", receiver=canlian, note="协助办理就业登记"
    )
    api, page = token_client(canlian), login_client(canlian)
    r = api.get(f"/api/casework/referrals/{referral.pk}")
    assert r.status_code == 200
    assert r.json()["problem"] == "残疾人就业困难"
    assert r.json()["assessment"] is None  # no separate consent to share sensitive information
    assert NOTE not in r.content.decode()
    assert [i["id"] for i in api.get("/api/casework/referrals").json()["items"]] == [referral.pk]
    html = page.get(f"/casework/referred/{referral.pk}/").content.decode()
    assert "协助办理就业登记" in html
    assert NOTE not in html
    # The case itself stays out of the receiver's reach, and another person's referral is not found.
    assert api.get(f"/api/casework/cases/{case.pk}").status_code == 404
    assert token_client(w["colleague"]).get(f"/api/casework/referrals/{referral.pk}").status_code == 404
    act("revoke_referral", worker, case, referral=referral)
    revoked = api.get(f"/api/casework/referrals/{referral.pk}")
    assert revoked.status_code == 403
    assert revoked.json()["code"] == "referral_revoked"
    assert page.get(f"/casework/referred/{referral.pk}/").status_code == 403
    assert api.get("/api/casework/referrals").json()["items"] == []
    assert code_of("revoke_referral", worker, case, referral=referral) == "no_referral"


def test_the_transfer_buttons_through_the_api(w: dict[str, Any]) -> None:
    case = w["case"]
    api = token_client(w["worker"])

    def post(action: str, **body: Any) -> Any:
        version = Case.objects.get(pk=case.pk).version
        return api.post(
            f"/api/casework/cases/{case.pk}/{action}",
            {"version": version, **body},
            content_type="application/json",
        )

    refused = post("transfer", to="sheg2", reason="调整")
    assert refused.status_code == 409
    assert refused.json()["code"] == "consent_required"
    assert post("record_consent", purpose="transfer", given_to="社工sheg2", how="oral").status_code == 200
    unknown = post("transfer", to="nobody", reason="调整")
    assert unknown.status_code == 400
    assert unknown.json()["code"] == "unknown_user"
    assert post("transfer", to="sheg2", reason="调整").status_code == 200
    mine = token_client(w["colleague"]).get("/api/casework/cases", {"mine": True}).json()["items"]
    assert [c["id"] for c in mine] == [case.pk]  # the receiver finds the waiting transfer among their cases
