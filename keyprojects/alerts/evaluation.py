"""From what holds now to alerts: open the new, follow the changed, resolve what cleared.

Set-wise: one pass over a rule's tracked alerts in the scope, bulk writes, and the audit trail
written in one batch, so that evaluating every project of a jurisdiction costs a few queries
per rule however many projects it has. Tasks are made (and cancelled) one by one through the
supervision services, for the few alerts that need them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from keyprojects.audit.choices import Action
from keyprojects.audit.services import Change, record_changes, snapshot
from keyprojects.notifications.services import notify
from keyprojects.organisations.choices import Role
from keyprojects.organisations.models import Unit
from keyprojects.projects.models import Project
from keyprojects.supervision.choices import SourceKind
from keyprojects.supervision.models import Task

from .choices import SEVERITY_RANK, AlertStatus, EventKind, Severity
from .models import Alert, AlertEvent, AlertRule
from .rules import Finding, Scope, evaluate

ALERT_FIELDS = [
    "severity", "params", "label", "owner_unit", "project", "status", "tracked",
    "resolved_at", "resolved_by_itself", "task", "version",
]  # fmt: skip


@dataclass
class Outcome:
    """What one evaluation changed."""

    opened: list[Alert] = field(default_factory=list)
    raised: list[Alert] = field(default_factory=list)
    lowered: int = 0
    updated: int = 0
    cleared: int = 0
    tasks_made: int = 0
    tasks_cancelled: int = 0

    def add(self, other: Outcome) -> None:
        self.opened += other.opened
        self.raised += other.raised
        self.lowered += other.lowered
        self.updated += other.updated
        self.cleared += other.cleared
        self.tasks_made += other.tasks_made
        self.tasks_cancelled += other.tasks_cancelled

    def counts(self) -> dict[str, int]:
        return {
            "opened": len(self.opened),
            "raised": len(self.raised),
            "lowered": self.lowered,
            "updated": self.updated,
            "cleared": self.cleared,
            "tasks_made": self.tasks_made,
            "tasks_cancelled": self.tasks_cancelled,
        }


def _new_alert(rule: AlertRule, finding: Finding, now: dt.datetime) -> Alert:
    return Alert(
        jurisdiction_id=rule.jurisdiction_id,
        rule=rule,
        kind=rule.kind,
        project_id=finding.project_id,
        subject=finding.subject,
        label=finding.label[:300],
        severity=finding.severity,
        owner_unit_id=finding.owner(rule),
        params=finding.params,
        status=AlertStatus.OPEN,
        tracked=True,
        opened_at=now,
    )


def _event(alert: Alert, kind: str, now: dt.datetime, note: str = "") -> AlertEvent:
    return AlertEvent(
        alert=alert, kind=kind, at=now, severity=alert.severity, params=alert.params, note=note
    )


def reconcile(*, rule: AlertRule, scope: Scope, findings: list[Finding], today: dt.date) -> Outcome:
    """Bring the rule's alerts in `scope` in line with `findings`."""
    now = timezone.now()
    outcome = Outcome()
    by_subject = {f.subject: f for f in findings}
    tracked = {a.subject: a for a in scope.alerts(rule)}
    updates: list[Alert] = []
    creates: list[Alert] = []
    events: list[AlertEvent] = []
    changes: list[Change] = []
    to_cancel: list[Alert] = []

    def changed(alert: Alert, before: dict[str, Any]) -> None:
        alert.version += 1
        updates.append(alert)
        changes.append(Change(Action.UPDATE, alert, before, snapshot(alert)))

    for subject, alert in tracked.items():
        finding = by_subject.get(subject)
        before = snapshot(alert)
        if finding is None:
            alert.tracked = False
            if alert.is_active:
                alert.status, alert.resolved_at = AlertStatus.RESOLVED, now
                alert.resolved_by_itself = True
                events.append(_event(alert, EventKind.CLEARED, now))
                outcome.cleared += 1
                if alert.task_id:
                    to_cancel.append(alert)
            changed(alert, before)
            continue
        if not alert.is_active:
            # The office resolved it while the condition held: it stays resolved unless the
            # condition grows worse, which is news.
            if SEVERITY_RANK[finding.severity] > SEVERITY_RANK[alert.severity]:
                alert.tracked = False
                changed(alert, before)
                creates.append(_new_alert(rule, finding, now))
            continue
        dirty = False
        if finding.severity != alert.severity:
            up = SEVERITY_RANK[finding.severity] > SEVERITY_RANK[alert.severity]
            alert.severity, alert.params = finding.severity, finding.params
            events.append(_event(alert, EventKind.RAISED if up else EventKind.LOWERED, now))
            if up:
                outcome.raised.append(alert)
            else:
                outcome.lowered += 1
            dirty = True
        owner = finding.owner(rule)
        label = finding.label[:300]
        if (finding.params, owner, label, finding.project_id) != (
            alert.params, alert.owner_unit_id, alert.label, alert.project_id,
        ):  # fmt: skip
            alert.params, alert.owner_unit_id = finding.params, owner
            alert.label, alert.project_id = label, finding.project_id
            dirty = True
        if dirty:
            outcome.updated += 1
            changed(alert, before)
    creates += [_new_alert(rule, f, now) for s, f in by_subject.items() if s not in tracked]

    with transaction.atomic():
        # Untracking comes first: a new alert may take the subject over.
        Alert.objects.bulk_update(updates, ALERT_FIELDS, batch_size=1000)
        Alert.objects.bulk_create(creates, batch_size=1000)
        events += [_event(alert, EventKind.OPENED, now) for alert in creates]
        AlertEvent.objects.bulk_create(events, batch_size=2000)
        changes += [Change(Action.CREATE, a, None, snapshot(a)) for a in creates]
        record_changes(changes)
        for alert in [*updates, *creates]:
            alert.refresh_audit_snapshot()
        outcome.opened = creates
        outcome.tasks_cancelled = cancel_tasks(to_cancel, now)
        needing = [
            a
            for a in [*creates, *tracked.values()]
            if a.is_active and a.task_id is None and rule.makes_task_for(a.severity)
        ]
        outcome.tasks_made = _make_tasks(rule, needing, today, now)
    return outcome


def task_title(alert: Alert, today: dt.date) -> str:
    """The task's title, in the site's language: a task is read by everyone."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("Alert %(kind)s: %(about)s") % {
            "kind": alert.get_kind_display(),
            "about": alert.label or alert.subject,
        }


def _make_tasks(rule: AlertRule, alerts: list[Alert], today: dt.date, now: dt.datetime) -> int:
    from keyprojects.supervision.services import create_task

    alerts = [a for a in alerts if a.owner_unit_id]
    if not alerts:
        return 0
    units = Unit.objects.in_bulk({a.owner_unit_id for a in alerts})
    projects = Project.objects.in_bulk({a.project_id for a in alerts if a.project_id})
    deadline = today + dt.timedelta(days=rule.task_deadline_days)
    events, changes = [], []
    for alert in alerts:
        with translation.override(settings.LANGUAGE_CODE):
            detail = alert.message(today)
        task = create_task(
            title=task_title(alert, today),
            detail=detail,
            owner_unit=units[alert.owner_unit_id],
            deadline=deadline,
            source_kind=SourceKind.ALERT,
            source=alert,
            project=projects.get(alert.project_id) if alert.project_id else None,
            jurisdiction_id=alert.jurisdiction_id,
        )
        before = snapshot(alert)
        alert.task = task
        alert.version += 1
        changes.append(Change(Action.UPDATE, alert, before, snapshot(alert)))
        events.append(_event(alert, EventKind.TASK_MADE, now, task.title))
    Alert.objects.bulk_update(alerts, ["task", "version"], batch_size=1000)
    AlertEvent.objects.bulk_create(events, batch_size=2000)
    record_changes(changes)
    for alert in alerts:
        alert.refresh_audit_snapshot()
    return len(alerts)


def cancel_tasks(alerts: list[Alert], now: dt.datetime, *, user: Any = None) -> int:
    """Cancel the open tasks of alerts that resolved by themselves."""
    from keyprojects.supervision.services import task_cancel

    tasks = Task.objects.in_bulk({a.task_id for a in alerts if a.task_id})
    cancelled = 0
    events = []
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("The alert that made this task resolved by itself: the condition cleared.")
    for alert in alerts:
        task = tasks.get(alert.task_id) if alert.task_id else None
        if task is None or not task.is_open:
            continue
        task_cancel(task, user=user, reason=reason, system=True)
        events.append(_event(alert, EventKind.TASK_CANCELLED, now, reason))
        cancelled += 1
    AlertEvent.objects.bulk_create(events)
    return cancelled


def evaluate_scope(
    *, rules: list[AlertRule], scope: Scope, today: dt.date, lock: bool = True
) -> Outcome:
    """Evaluate `rules` (of the scope's jurisdiction) and reconcile each in its own
    transaction, the rule's row locked so that two evaluations of it never interleave."""
    from .signals import paused

    total = Outcome()
    for rule in rules:
        with transaction.atomic():
            if lock:
                rule = AlertRule.objects.select_for_update().get(pk=rule.pk)
            if not rule.enabled:
                continue
            with paused():  # what the evaluation writes is no change to react to
                findings = evaluate(rule, scope, today)
                total.add(reconcile(rule=rule, scope=scope, findings=findings, today=today))
    return total


# -- notices ----------------------------------------------------------------------------------


def _offices(jurisdiction_ids: set[int]) -> dict[int, list[Any]]:
    people: dict[int, list[Any]] = defaultdict(list)
    for user in get_user_model().objects.filter(
        role=Role.PROGRAMME_OFFICE, jurisdiction_id__in=jurisdiction_ids, is_active=True
    ):
        if user.jurisdiction_id is not None:
            people[user.jurisdiction_id].append(user)
    return people


def _unit_people(unit_ids: set[int]) -> dict[int, list[Any]]:
    people: dict[int, list[Any]] = defaultdict(list)
    for user in get_user_model().objects.filter(unit_id__in=unit_ids, is_active=True):
        if user.unit_id is not None:
            people[user.unit_id].append(user)
    return people


def recipients(alerts: list[Alert]) -> dict[Any, list[Alert]]:
    """Each person to tell, with the alerts they are told of: the owner unit's people and
    the programme office of the alert's jurisdiction."""
    offices = _offices({a.jurisdiction_id for a in alerts})
    units = _unit_people({a.owner_unit_id for a in alerts if a.owner_unit_id})
    told: dict[Any, list[Alert]] = defaultdict(list)
    for alert in alerts:
        people = offices.get(alert.jurisdiction_id, [])
        if alert.owner_unit_id:
            people = people + units.get(alert.owner_unit_id, [])
        for person in {p.pk: p for p in people}.values():
            told[person].append(alert)
    return told


def _title(alert: Alert) -> str:
    return _("%(severity)s alert: %(kind)s, %(about)s") % {
        "severity": alert.get_severity_display(),
        "kind": alert.get_kind_display(),
        "about": alert.label or alert.subject,
    }


def _tell_one(person: Any, alert: Alert, kind: str, today: dt.date) -> int:
    key = f"{alert.pk}" if kind == "alert_opened" else f"{alert.pk}:{alert.version}"
    return len(
        notify(
            [person],
            kind=kind,
            key=key,
            title=_title(alert)[:200],
            body=alert.message(today),
            url=alert.get_absolute_url(),
        )
    )


SUMMARY_AFTER = 5


def tell_summary(outcome: Outcome, today: dt.date, *, key: str) -> int:
    """Tell each person of the alerts that opened or turned red for them: one notice per
    alert for a person with only a few, else one notice counting them by kind and severity,
    so that nobody wakes to a thousand messages. `key` names the run, to send it once."""
    news = outcome.opened + outcome.raised
    if not news:
        return 0
    sent = 0
    opened = {a.pk for a in outcome.opened}
    with translation.override(settings.LANGUAGE_CODE):
        for person, theirs in recipients(news).items():
            if len(theirs) <= SUMMARY_AFTER:
                for alert in theirs:
                    kind = "alert_opened" if alert.pk in opened else "alert_raised"
                    sent += _tell_one(person, alert, kind, today)
                continue
            red = sum(1 for a in theirs if a.severity == Severity.RED)
            by_kind = Counter(a.get_kind_display() for a in theirs)
            body = "\n".join(f"{kind}: {count}" for kind, count in by_kind.most_common())
            title = ngettext(
                "%(count)d new or worsened alert (%(red)d red)",
                "%(count)d new or worsened alerts (%(red)d red)",
                len(theirs),
            ) % {"count": len(theirs), "red": red}
            sent += len(
                notify(
                    [person],
                    kind="alerts_summary",
                    key=key[:100],
                    title=title,
                    body=body,
                    url=reverse("alerts:list"),
                )
            )
    return sent
