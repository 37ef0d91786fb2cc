"""Every jurisdiction starts with a rule of each kind, with the default settings. A
jurisdiction made later gets its rules the first time they are read."""

from django.db import migrations

# The defaults as they were when this migration was written; later changes to the defaults
# apply to jurisdictions made afterwards, not to rules an office may already have tuned.
DEFAULTS = {
    "pace_lag": ({"yellow_points": None, "red_points": None}, True, "owner_unit"),
    "start_overdue": ({"red_after_days": 90}, True, "responsible_unit"),
    "milestone_slip": ({"yellow_days": 5.0, "red_days": 20.0}, True, "owner_unit"),
    "negative_float": ({"yellow_days": 0.0, "red_days": 10.0}, True, "owner_unit"),
    "report_late": ({"grace_days": 0, "red_after_days": 10}, False, "owner_unit"),
    "task_overdue": ({"grace_days": 0, "red_after_days": 14}, False, "record_unit"),
    "problem_overdue": ({"grace_days": 0, "red_after_days": 14}, False, "record_unit"),
    "hazard_overdue": ({"grace_days": 0, "red_after_days": 7}, False, "record_unit"),
    "over_estimate": ({"yellow_percent": 0.0, "red_percent": 5.0}, True, "owner_unit"),
}


def create_rules(apps, schema_editor):
    from django.conf import settings

    Jurisdiction = apps.get_model("organisations", "Jurisdiction")
    AlertRule = apps.get_model("alerts", "AlertRule")
    lights = {
        "yellow_points": float(settings.KEYPROJECTS_LIGHT_YELLOW_POINTS),
        "red_points": float(settings.KEYPROJECTS_LIGHT_RED_POINTS),
    }
    have = set(AlertRule.objects.values_list("jurisdiction_id", "kind"))
    AlertRule.objects.bulk_create(
        [
            AlertRule(
                jurisdiction_id=jid,
                kind=kind,
                params=lights if kind == "pace_lag" else params,
                creates_task=creates_task,
                owner=owner,
            )
            for jid in Jurisdiction.objects.values_list("pk", flat=True)
            for kind, (params, creates_task, owner) in DEFAULTS.items()
            if (jid, kind) not in have
        ]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0001_alert_rules_and_alerts"),
        ("organisations", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_rules, migrations.RunPython.noop)]
