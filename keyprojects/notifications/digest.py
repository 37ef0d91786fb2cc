"""The daily digest: one email a day per person, at the hour they chose, with the notices they
have not read since their last digest and their open and overdue supervised tasks.

Run it every hour (cron: `keyprojects digest`) or leave it to the nightly run: that sends the
digests already due and queues a run on the task worker for each later hour someone chose.
A person gets at most one digest a day, however often it runs; a day with nothing to say
sends no email.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from keyprojects.audit.choices import Channel
from keyprojects.audit.context import acting
from keyprojects.organisations.models import User
from keyprojects.supervision.models import Task

from .models import Digest, Notification, NotificationPreference
from .services import absolute

log = logging.getLogger(__name__)

# A digest lists this many notices and tasks, and says how many more there are.
SHOWN = 30
# Unread notices older than this are not repeated in a digest after a long pause.
LONGEST_PERIOD = dt.timedelta(days=31)


@dataclass
class DigestRun:
    sent: int = 0
    quiet: int = 0  # due, but nothing to say: no email
    failed: int = 0
    later_hours: list[int] = field(default_factory=list)


def _preference(user: User) -> NotificationPreference:
    try:
        return user.notification_preference
    except NotificationPreference.DoesNotExist:
        return NotificationPreference(user_id=user.pk)


def send_digests(now: dt.datetime | None = None, *, schedule_later: bool = True) -> DigestRun:
    """Send today's digest to everyone whose hour has come and who has not had it yet; with
    `schedule_later`, queue runs for the later hours people chose today."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    today = local.date()
    run = DigestRun()
    people = list(
        User.objects.filter(is_active=True)
        .exclude(email="")
        .exclude(digests__day=today)
        .filter(
            Q(notification_preference__isnull=True)
            | Q(notification_preference__digest_enabled=True)
        )
        .select_related("notification_preference", "unit")
        .order_by("pk")
    )
    prefs = {p.pk: _preference(p) for p in people}
    due = [p for p in people if prefs[p.pk].digest_hour <= local.hour]
    run.later_hours = sorted({prefs[p.pk].digest_hour for p in people} - set(range(local.hour + 1)))
    if schedule_later:
        _schedule(local, run.later_hours)
    if not due:
        return run
    last = dict(
        Digest.objects.filter(user__in=due)
        .values("user_id")
        .annotate(last=Max("created_at"))
        .values_list("user_id", "last")
    )
    oldest = now - LONGEST_PERIOD
    since = {p.pk: max(last.get(p.pk) or now - dt.timedelta(days=1), oldest) for p in due}
    unread: dict[int, list[Notification]] = {p.pk: [] for p in due}
    candidates = Notification.objects.filter(
        user__in=due, read_at__isnull=True, created_at__gt=min(since.values()), created_at__lte=now
    ).order_by("-created_at", "-pk")
    for notice in candidates:
        pref = prefs[notice.user_id]
        if notice.created_at > since[notice.user_id] and not pref.is_muted(notice.kind):
            unread[notice.user_id].append(notice)
    with translation.override(settings.LANGUAGE_CODE):
        for person in due:
            tasks = _tasks_of(person) if prefs[person.pk].digest_tasks else []
            outcome = _send_one(person, unread[person.pk], tasks, today=today, now=now)
            if outcome in ("sent", "quiet", "failed"):
                setattr(run, outcome, getattr(run, outcome) + 1)
    return run


def _tasks_of(person: User) -> list[Task]:
    return list(
        Task.objects.inbox(person)
        .select_related("owner_unit", "project")
        .order_by("deadline", "id")
    )


def _send_one(
    person: User,
    notices: list[Notification],
    tasks: list[Task],
    *,
    today: dt.date,
    now: dt.datetime,
) -> str:
    """Record and email one person's digest: "sent", "quiet" (nothing to say), "failed" (a
    later run tries again) or "done" (another run sent it)."""
    overdue = [t for t in tasks if t.deadline < today]
    try:
        with transaction.atomic():
            digest = Digest.objects.create(
                user=person, day=today, created_at=now, notices=len(notices), tasks=len(tasks),
                overdue=len(overdue), emailed=bool(notices or tasks),
            )  # fmt: skip
    except IntegrityError:
        return "done"  # another run got there first
    if not digest.emailed:
        return "quiet"
    subject, text, html = render_digest(person, notices, tasks, today=today)
    message = EmailMultiAlternatives(subject, text, None, [person.email])
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except Exception:
        log.exception("the digest for %s could not be sent", person.username)
        digest.delete()  # a later run tries again
        return "failed"
    return "sent"


def render_digest(
    person: User, notices: list[Notification], tasks: list[Task], *, today: dt.date
) -> tuple[str, str, str]:
    overdue = [t for t in tasks if t.deadline < today]
    subject = _("Key projects digest for %(date)s") % {"date": today.isoformat()}
    parts = []
    if notices:
        parts.append(
            ngettext("%(count)d new notice", "%(count)d new notices", len(notices))
            % {"count": len(notices)}
        )
    if overdue:
        parts.append(
            ngettext("%(count)d overdue task", "%(count)d overdue tasks", len(overdue))
            % {"count": len(overdue)}
        )
    if parts:
        subject = f"{subject}: {' · '.join(parts)}"
    context: dict[str, Any] = {
        "person": person,
        "today": today,
        "notices": [
            {
                "title": n.title,
                "body": n.body if n.body != n.title else "",
                "kind": n.kind_info.label,
                "at": timezone.localtime(n.created_at),
                "url": absolute(n.url) or absolute(reverse("notifications:inbox")),
            }
            for n in notices[:SHOWN]
        ],
        "more_notices": max(0, len(notices) - SHOWN),
        "tasks": [
            {
                "title": t.title,
                "deadline": t.deadline,
                "days_overdue": (today - t.deadline).days if t.deadline < today else 0,
                "status": t.get_status_display(),
                "unit": t.owner_unit.name,
                "project": t.project.name if t.project_id and t.project else "",
                "url": absolute(reverse("supervision:detail", args=[t.pk])),
            }
            for t in tasks[:SHOWN]  # by deadline: the overdue ones first
        ],
        "more_tasks": max(0, len(tasks) - SHOWN),
        "open_count": len(tasks),
        "overdue_count": len(overdue),
        "inbox_url": absolute(reverse("notifications:inbox")),
        "tasks_url": absolute(reverse("supervision:inbox")),
        "settings_url": absolute(reverse("notifications:settings")),
    }
    text = render_to_string("notifications/email/digest.txt", context)
    html = render_to_string("notifications/email/digest.html", context)
    return subject, text, html


def _schedule(local: dt.datetime, hours: list[int]) -> None:
    from django_tasks import task_backends

    if not hours or not task_backends[digest_at_hour.backend].supports_defer:
        return
    for hour in hours:
        at = local.replace(hour=hour, minute=0, second=0, microsecond=0)
        digest_at_hour.using(run_after=at).enqueue()


@task()
def digest_at_hour() -> int:
    """Queued by the nightly run for each hour someone wants their digest at."""
    with acting(channel=Channel.TASK):
        return send_digests(schedule_later=False).sent
