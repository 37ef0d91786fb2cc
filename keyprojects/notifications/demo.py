"""Demo notification settings and the office's chat robots (switched off: their addresses are
placeholders to replace with a real robot's)."""

from __future__ import annotations

from keyprojects.organisations.choices import Role, UnitKind
from keyprojects.organisations.models import Jurisdiction, Unit, User

from .choices import WebhookFormat
from .models import NotificationPreference, Webhook

ROBOTS = [
    (
        "区重点项目调度工作群（企业微信机器人）",
        None,
        WebhookFormat.WECOM,
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=00000000-0000-0000-0000-000000000000",
        ["task_overdue", "task_escalated", "problem_overdue", "hazard_overdue", "alert_raised"],
    ),
    (
        "区城投公司项目推进群（钉钉机器人）",
        "区城投公司",
        WebhookFormat.DINGTALK,
        "https://oapi.dingtalk.com/robot/send?access_token=0000000000000000",
        ["task_assigned", "task_due", "task_returned", "report_due", "report_late"],
    ),
]


def populate(district: Jurisdiction) -> None:
    office = User.objects.filter(role=Role.PROGRAMME_OFFICE, jurisdiction=district).first()
    for name, unit_name, fmt, url, kinds in ROBOTS:
        unit = (
            Unit.objects.filter(jurisdiction=district, name=unit_name).first()
            if unit_name
            else None
        )
        if unit_name and unit is None:
            continue
        Webhook.objects.get_or_create(
            jurisdiction=district,
            name=name,
            defaults={
                "unit": unit, "format": fmt, "url": url, "kinds": kinds, "active": False,
                "created_by": office,
            },
        )  # fmt: skip
    # A leader does not need the reminders of due dates; a company reads its digest at the
    # end of the working day and does not want each notice by email.
    for leader in User.objects.filter(jurisdiction=district, role=Role.LEADER):
        NotificationPreference.objects.get_or_create(
            user=leader,
            defaults={"muted_kinds": ["report_due", "report_late", "task_due"], "digest_hour": 8},
        )
    companies = [UnitKind.STATE_COMPANY, UnitKind.PRIVATE_COMPANY]
    for person in User.objects.filter(
        jurisdiction=district, role=Role.UNIT_USER, unit__kind__in=companies
    ):
        NotificationPreference.objects.get_or_create(
            user=person, defaults={"email_enabled": False, "digest_hour": 17}
        )
