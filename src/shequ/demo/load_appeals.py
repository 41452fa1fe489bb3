"""The demo's appeals, written through the appeals' own services so each is where its plan says."""

from __future__ import annotations

from datetime import timedelta

from shequ.demo.plan import DemoPlan


def _load_appeals(plan: DemoPlan, by_key: dict) -> None:
    """The demo appeals, through the product's own services (steps at their planned times)."""
    from django.utils import timezone

    from shequ.appeals import services as appeals
    from shequ.appeals.models import Category
    from shequ.core.models import User

    users = {u.username: u for u in User.objects.filter(username__in=[a.username for a in plan.accounts])}
    categories = {c.code: c for c in Category.objects.all()}
    now = timezone.now().replace(second=0, microsecond=0)
    for a in plan.appeals:
        at = now - timedelta(hours=a.hours_ago)
        appeal = appeals.appeal_report(
            by=users[a.reporter],
            area=by_key[a.area],
            category=categories[a.category],
            description=a.description,
            channel=a.channel,
            priority=a.priority,
            contact_name=a.contact_name,
            now=at,
        )
        for action, actor, hours, extra in a.steps:
            kwargs = {k: users[str(v)] if k == "to_user" else v for k, v in extra.items()}
            appeal = getattr(appeals, f"appeal_{action}")(
                appeal=appeal,
                by=users[actor],
                version=appeal.version,
                now=at + timedelta(hours=hours),
                **kwargs,
            )
        if a.publish:
            appeals.appeal_publish(appeal=appeal, by=users["pingdi_shequ"], version=appeal.version, now=now)
