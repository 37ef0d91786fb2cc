"""Reminders of monthly reports: before the due day, and every day after it until submitted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from keyprojects.audit.choices import Channel
from keyprojects.audit.context import acting
from keyprojects.notifications.services import notify
from keyprojects.organisations.choices import Role
from keyprojects.organisations.models import User
from keyprojects.projects.choices import Stage
from keyprojects.projects.models import Project

from .choices import ReportStatus
from .models import MonthlyReport
from .services import report_due_date


def reporting_period(today: dt.date) -> tuple[int, int]:
    """The month being reported now: the one before today's."""
    return (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)


@dataclass(frozen=True)
class Missing:
    project: Project
    due: dt.date
    late: bool


def missing_reports(
    projects: QuerySet[Project], year: int, month: int, today: dt.date
) -> list[Missing]:
    """Projects under construction with no report submitted for the month."""
    due = report_due_date(year, month)
    done = MonthlyReport.objects.filter(
        year=year, month=month, status__in=[ReportStatus.SUBMITTED, ReportStatus.ACCEPTED]
    ).values("project_id")
    waiting = projects.filter(stage=Stage.CONSTRUCTION).exclude(pk__in=done)
    return [
        Missing(p, due, today > due)
        for p in waiting.select_related("owner_unit").order_by("owner_unit__name", "name")
    ]


def remind_reports(today: dt.date) -> int:
    """Send the day's reminders; running twice in a day sends nothing twice."""
    year, month = reporting_period(today)
    due = report_due_date(year, month)
    days_before = settings.KEYPROJECTS_REMIND_DAYS_BEFORE
    if today < due - dt.timedelta(days=days_before):
        return 0
    sent = 0
    for item in missing_reports(Project.objects.all(), year, month, today):
        people = User.objects.filter(
            role=Role.UNIT_USER, unit_id=item.project.owner_unit_id, is_active=True
        )
        url = reverse("progress:report", args=[item.project.pk, year, month])
        values = {"project": item.project.name, "period": f"{year}-{month:02d}", "due": due}
        if today <= due:
            title = _("Monthly report due %(due)s: %(project)s, %(period)s") % values
            key = f"{item.project.pk}:{year}-{month}"
            kind = "report_due"
        else:
            title = _("Monthly report late (due %(due)s): %(project)s, %(period)s") % values
            key = f"{item.project.pk}:{year}-{month}:{today.isoformat()}"
            kind = "report_late"
        sent += len(notify(people, kind=kind, key=key, title=title, url=url))
    return sent


@task()
def remind_monthly_reports() -> int:
    """Run daily (cron: `keyprojects remind`, or enqueue this task)."""
    from django.utils import timezone

    with acting(channel=Channel.TASK):
        return remind_reports(timezone.localdate())
