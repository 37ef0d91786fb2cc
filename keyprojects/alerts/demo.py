"""Demo alerts: the rules run once over the demo district, as the nightly run would, and a
few alerts are then acknowledged and resolved, as the units and the office would."""

from __future__ import annotations

import random

from django.utils import timezone

from keyprojects.organisations.choices import Role
from keyprojects.organisations.models import Jurisdiction, User

from .choices import AlertStatus
from .models import Alert
from .services import alert_acknowledge, alert_resolve, alerts_nightly

NOTES = [
    "已组织参建单位召开专题会，倒排工期，增加作业班组，力争下月追回进度。",
    "已协调资金拨付，本月底前完成进度款支付，下月填报时同步更新。",
    "已安排专人负责，正在补充相关资料。",
]


def populate(district: Jurisdiction) -> None:
    rng = random.Random(77)
    alerts_nightly(today=timezone.localdate())
    office = User.objects.filter(role=Role.PROGRAMME_OFFICE, jurisdiction=district).first()
    open_alerts = list(
        Alert.objects.filter(jurisdiction=district, status=AlertStatus.OPEN)
        .exclude(owner_unit=None)
        .order_by("pk")
    )
    rng.shuffle(open_alerts)
    for alert in open_alerts[:3]:
        person = User.objects.filter(
            unit=alert.owner_unit, role=Role.UNIT_USER, is_active=True
        ).first()
        if person is not None:
            alert_acknowledge(alert, user=person, note=rng.choice(NOTES))
    if office is not None:
        for alert in open_alerts[3:4]:
            alert_resolve(alert, user=office, note="经核实，情况已在调度会上专题研究，先行销号。")
