"""Deliberation for the benchmark (issue 18): 2,000 residents of a community voting online within a
minute, and the community's public decisions page under load.

The vote goes through the product's real path: `POST /api/votes/{id}/cast` with each resident's own
bearer token, handled by `services.vote_cast` (the vote's row locked, one ballot per voter key, the
tally and the audit entry in the same transaction). Its baseline is a raw INSERT of the same ballot
rows, one committed statement each, as a resident's request commits one. The accounts, tokens and
the meeting are written in bulk beforehand: what is measured is the voting.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

VOTERS = 2_000  # the "2,000 residents of a community voting within a minute"
VOTERS_QUICK = 400  # CI's --quick run
POSTED = 30  # decisions on the community's public page
DELEGATES = 10


@dataclass
class VoteBurst:
    vote_id: int
    community_code: str
    residents: list[int]  # resident ids, one per request, in order
    requests: list[Any]  # loadgen.Request, one per resident


def prepare_vote(n: int = VOTERS) -> VoteBurst:
    """A residents' meeting of the first community, in session, with an online ballot vote; `n` of its
    adult residents get an account of the resident role on their building, linked to their record,
    and an API token."""
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from bench.loadgen import Request
    from shequ.core.models import ApiToken, Area, RoleAssignment, User
    from shequ.core.services import token_digest
    from shequ.deliberation.services import attendance, meetings, votes
    from shequ.registry.models import Resident

    community = Area.objects.filter(kind="community").order_by("path").first()
    assert community is not None
    now = timezone.now()
    meeting = meetings.meeting_create(
        by=None,
        area=community,
        kind="residents",
        title="居民会议：小区停车改造方案表决",
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(hours=3),
        chair="社区书记",
        recorder="社工",
        place="社区广场",
        notice_days=0,
        # The residents' meeting of group delegates (2–3 per 居民小组); the residents vote online.
        quorum_base="delegates",
        delegates_expected=DELEGATES,
    )
    meeting = meetings.meeting_notify(by=None, meeting=meeting, version=meeting.version)
    meeting = meetings.meeting_open(by=None, meeting=meeting, version=meeting.version)
    for resident in Resident.objects.filter(area__path__startswith=community.path, status="active").order_by(
        "-id"
    )[:DELEGATES]:
        attendance.attendance_record(by=None, meeting=meeting, resident=resident, is_delegate=True)
    vote = votes.vote_open(
        by=None,
        meeting=meeting,
        question="是否同意停车改造方案",
        method="ballot",
        unit="person",
        rule="majority",
    )
    residents = list(
        Resident.objects.filter(area__path__startswith=community.path, status="active", user__isnull=True)
        .order_by("id")
        .values_list("id", "area_id")[:n]
    )
    password = make_password(None)
    tokens = [f"shq_bench_vote_{i}_{secrets.token_urlsafe(16)}" for i in range(len(residents))]
    with transaction.atomic():
        users = User.objects.bulk_create(
            [
                User(username=f"bench_voter_{i}", display_name=f"投票居民{i}", password=password)
                for i in range(len(residents))
            ]
        )
        RoleAssignment.objects.bulk_create(
            [
                RoleAssignment(user_id=u.pk, role="resident", area_id=building)
                for u, (_pk, building) in zip(users, residents, strict=True)
            ]
        )
        for u, (pk, _building) in zip(users, residents, strict=True):
            Resident.objects.filter(pk=pk).update(user_id=u.pk)
        ApiToken.objects.bulk_create(
            [
                ApiToken(
                    user_id=u.pk,
                    digest=token_digest(t),
                    name="bench",
                    expires_at=now + timedelta(hours=settings.API_TOKEN_HOURS),
                    password_stamp=u.get_session_auth_hash(),
                )
                for u, t in zip(users, tokens, strict=True)
            ]
        )
    choices = ("for", "for", "for", "against")
    requests = [
        Request(
            "POST",
            f"/api/votes/{vote.pk}/cast",
            {"Authorization": f"Bearer {t}", "Content-Type": "application/json"},
            json.dumps({"choice": choices[i % 4]}).encode(),
        )
        for i, t in enumerate(tokens)
    ]
    return VoteBurst(vote.pk, community.code or "", [pk for pk, _b in residents], requests)


def raw_insert_rate(burst: VoteBurst) -> tuple[float, float]:
    """The same ballot rows inserted by hand into a second vote of the meeting, one committed INSERT
    each: (rows per second, seconds). The second vote is removed afterwards."""
    from django.db import connection, transaction
    from django.utils import timezone

    from shequ.deliberation.models import Vote

    first = Vote.objects.get(pk=burst.vote_id)
    second = Vote.objects.create(
        meeting_id=first.meeting_id, question="基线", method="ballot", unit="person", opened_at=timezone.now()
    )
    now = timezone.now()
    started = time.perf_counter()
    with connection.cursor() as c:
        for pk in burst.residents:
            with transaction.atomic():
                c.execute(
                    "INSERT INTO deliberation_ballot (vote_id, voter, resident_id, channel, choice,"
                    " floor_area, cast_at) VALUES (%s, %s, %s, 'online', 'for', 0, %s)",
                    [second.pk, f"resident:{pk}", pk, now],
                )
    seconds = time.perf_counter() - started
    second.delete()
    return len(burst.residents) / seconds if seconds else 0.0, seconds


def ballots_after(vote_id: int) -> tuple[int, int, int]:
    """(ballots, distinct voters, the vote's tallied total) of the vote."""
    from django.db import connection

    with connection.cursor() as c:
        c.execute(
            "SELECT COUNT(*), COUNT(DISTINCT voter) FROM deliberation_ballot WHERE vote_id = %s", [vote_id]
        )
        rows, voters = c.fetchone()
        c.execute(
            "SELECT votes_for + votes_against + votes_abstain FROM deliberation_vote WHERE id = %s", [vote_id]
        )
        (tallied,) = c.fetchone()
    return int(rows), int(voters), int(tallied)


def post_decisions(burst: VoteBurst, n: int = POSTED) -> int:
    """Close the vote and post `n` decisions of the meeting on the community's public page (the first
    rests on the vote; the rest were agreed by consultation). Returns how many are posted."""
    from shequ.deliberation.models import Vote
    from shequ.deliberation.services import decisions, meetings, votes

    vote = Vote.objects.select_related("meeting").get(pk=burst.vote_id)
    vote = votes.vote_close(by=None, vote=vote, version=vote.version)
    meeting = meetings.meeting_close(by=None, meeting=vote.meeting, version=vote.meeting.version)
    posted = 0
    for i in range(n):
        decision = decisions.decision_record(
            by=None,
            meeting=meeting,
            text=f"第{i + 1}项：小区停车改造第{i + 1}期实施方案，由物业公司负责落实。",
            responsible="物业公司",
            vote=vote if i == 0 else None,
        )
        if decision.valid:
            decisions.decision_post(by=None, decision=decision, version=decision.version, days=20)
            posted += 1
    return posted
