"""The appeal taxonomy of the issue, with deadlines per priority and stage (hours, wall-clock).
District administrators change them later; this only seeds a new database."""

from django.db import migrations

# code, name, starting level
CATEGORIES = [
    ("environment", "环境卫生", "estate"),
    ("roads_facilities", "道路设施", "estate"),
    ("parking", "停车管理", "estate"),
    ("property", "物业服务", "estate"),
    ("neighbour_dispute", "邻里纠纷", "estate"),
    ("safety_hazard", "安全隐患", "estate"),
    ("elderly_care", "养老助老", "community"),
    ("policy_question", "政策咨询", "community"),
    ("other", "其他", "estate"),
]
# priority -> stage -> hours: to accept, to dispatch, to start, to handle, to verify.
HOURS = {
    "normal": {"reported": 24, "accepted": 24, "dispatched": 24, "in_progress": 120, "handled": 72},
    "urgent": {"reported": 4, "accepted": 4, "dispatched": 4, "in_progress": 48, "handled": 24},
    "emergency": {"reported": 1, "accepted": 1, "dispatched": 1, "in_progress": 12, "handled": 12},
}
# A safety hazard waits half as long at normal priority; a policy question is answered, not repaired.
OVERRIDES = {
    ("safety_hazard", "normal"): {"reported": 12, "accepted": 12, "dispatched": 12, "in_progress": 72},
    ("policy_question", "normal"): {"in_progress": 72},
}


def seed(apps, schema_editor):
    Category = apps.get_model("appeals", "Category")
    StageDeadline = apps.get_model("appeals", "StageDeadline")
    for order, (code, name, level) in enumerate(CATEGORIES, start=1):
        category, _ = Category.objects.get_or_create(
            code=code, defaults={"name": name, "default_level": level, "order": order * 10}
        )
        for priority, stages in HOURS.items():
            hours = {**stages, **OVERRIDES.get((code, priority), {})}
            for stage, h in hours.items():
                StageDeadline.objects.get_or_create(
                    category=category, priority=priority, stage=stage, defaults={"hours": h}
                )


def unseed(apps, schema_editor):
    Category = apps.get_model("appeals", "Category")
    Category.objects.filter(code__in=[c for c, _n, _l in CATEGORIES], appeals__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("appeals", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
