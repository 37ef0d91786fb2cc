"""The demo's alerts: raised by the rules themselves over the demo district, a few already
acknowledged or resolved, with their tasks, and an unbroken audit chain."""

from __future__ import annotations

import io

from django.core.management import call_command

from keyprojects.alerts.choices import AlertKind, AlertStatus, EventKind
from keyprojects.alerts.models import Alert, AlertEvent, AlertRule
from keyprojects.audit.services import verify_chain


def test_the_demo_has_real_alerts_in_each_state(db):
    call_command("demo", stdout=io.StringIO())

    alerts = Alert.objects.filter(jurisdiction__code="500103")
    kinds = set(alerts.values_list("kind", flat=True))
    assert {AlertKind.PACE_LAG, AlertKind.TASK_OVERDUE, AlertKind.PROBLEM_OVERDUE} <= kinds
    statuses = set(alerts.values_list("status", flat=True))
    assert {AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED, AlertStatus.RESOLVED} <= statuses
    assert alerts.filter(severity="red", task__isnull=False).exists()
    assert AlertEvent.objects.filter(kind=EventKind.ACKNOWLEDGED).exclude(note="").exists()
    assert AlertRule.objects.filter(jurisdiction__code="500103").count() == len(AlertKind)
    for alert in alerts.filter(status=AlertStatus.OPEN)[:20]:
        assert alert.message()
    assert verify_chain() is None
