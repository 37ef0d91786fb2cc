"""From what holds now to alerts: open the new, follow the changed, resolve what cleared.

Set-wise: one pass over a rule's tracked alerts in the scope, bulk writes, and the audit trail
written in one batch, so that evaluating every project of a jurisdiction costs a few queries
per rule however many projects it has. Tasks are made (and cancelled) one by one through the
supervision services, for the few alerts that need them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from keyprojects.notifications.services import notify
from keyprojects.organisations.choices import Role
from keyprojects.supervision.choices import SourceKind
from keyprojects.supervision.models import Task

from .choices import ACTIVE_STATUSES, SEVERITY_RANK, AlertKind, AlertStatus, EventKind, Severity
from .messages import describe
from .models import RED_FIRST, Alert, AlertEvent, AlertRule
from .rules import Finding, Scope, evaluate

ALERT_FIELDS = [
    "severity", "params", "label", "owner_unit", "project", "status", "tracked",
    "resolved_at", "resolved_by_itself", "task", "version",
]  # fmt: skip


@dataclass(frozen=True)
class News:
    """An alert that opened or turned red: what a notice of it needs."""

    pk: int
    jurisdiction_id: int
    owner_unit_id: int | None
    kind: str
    severity: str
    label: str
    subject: str
    params: dict[str, Any]
    version: int

    @classmethod
    def of(cls, alert: Alert) -> News:
        return cls(alert.pk, alert.jurisdiction_id, alert.owner_unit_id, alert.kind,
                   alert.severity, alert.label, alert.subject, alert.params,
                   alert.version)  # fmt: skip

    def message(self, today: dt.date) -> str:
        return describe(self.kind, self.params, self.label, today)

    def url(self) -> str:
        return reverse("alerts:detail", args=[self.pk])


@dataclass
class Outcome:
    """What one evaluation changed."""

    opened: list[News] = field(default_factory=list)
    needing: list[int] = field(default_factory=list)  # alerts that should have a task
    raised: list[News] = field(default_factory=list)
    lowered: int = 0
    updated: int = 0
    cleared: int = 0
    tasks_made: int = 0
    tasks_cancelled: int = 0

    def add(self, other: Outcome) -> None:
        self.opened += other.opened
        self.needing += other.needing
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


OPEN_COLUMNS = ("jurisdiction", "rule", "kind", "project", "subject", "label", "severity",
                "owner_unit", "params", "status", "tracked", "opened_at", "resolved_by_itself",
                "version")  # fmt: skip


def _open(rule: AlertRule, findings: list[Finding], now: dt.datetime) -> list[News]:
    """Write the new alerts and their "opened" events as plain rows: the first night opens
    hundreds of thousands, and model instances would cost more than the rest of the run.
    PostgreSQL takes them by COPY, several times faster than row-by-row inserts."""
    if not findings:
        return []
    meta = Alert._meta
    by_name = {f.name: f.column for f in meta.concrete_fields}
    columns = ", ".join(f'"{by_name[name]}"' for name in OPEN_COLUMNS)
    table, events = meta.db_table, AlertEvent._meta.db_table
    copying = connection.vendor == "postgresql"
    at = now if copying else connection.ops.adapt_datetimefield_value(now)
    as_json = meta.get_field("params")

    def params(value: dict[str, Any]) -> Any:
        return json.dumps(value) if copying else as_json.get_db_prep_save(value, connection)

    owners = [f.owner(rule) for f in findings]
    rows = [
        (rule.jurisdiction_id, rule.pk, rule.kind, f.project_id, f.subject, f.label[:300],
         f.severity, owner, params(f.params), AlertStatus.OPEN.value, True, at, False, 1)
        for f, owner in zip(findings, owners, strict=True)
    ]  # fmt: skip
    with connection.cursor() as cursor:
        if copying:
            with cursor.cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(OPEN_COLUMNS))
            cursor.executemany(f'INSERT INTO "{table}" ({columns}) VALUES ({marks})', rows)
        cursor.execute(
            f'INSERT INTO "{events}" ("alert_id", "kind", "at", "severity", "params", "note") '
            f'SELECT "id", %s, "opened_at", "severity", "params", %s FROM "{table}" '
            'WHERE "rule_id" = %s AND "tracked" AND "opened_at" = %s',
            [EventKind.OPENED.value, "", rule.pk, at],
        )
    ids = dict(
        Alert.objects.filter(rule=rule, tracked=True, opened_at=now).values_list("subject", "pk")
    )
    return [
        News(ids[f.subject], rule.jurisdiction_id, owner, rule.kind, f.severity, f.label[:300],
             f.subject, f.params, 1)
        for f, owner in zip(findings, owners, strict=True)
    ]  # fmt: skip


def _event(alert: Alert, kind: str, now: dt.datetime, note: str = "") -> AlertEvent:
    return AlertEvent(
        alert=alert, kind=kind, at=now, severity=alert.severity, params=alert.params, note=note
    )


COLUMNS = ("pk", "subject", "severity", "params", "status", "owner_unit_id", "label",
           "project_id", "task_id")  # fmt: skip


def reconcile(*, rule: AlertRule, scope: Scope, findings: list[Finding], today: dt.date) -> Outcome:
    """Bring the rule's alerts in `scope` in line with `findings`.

    The tracked alerts are read as plain rows; only those that change are loaded as records,
    so that a night when little changes costs little however many alerts are open. What the
    rules do to alerts is computed, like a light, and kept out of the audit trail: each
    alert's events tell it. What people do to them is audited."""
    now = timezone.now()
    outcome = Outcome()
    by_subject = {f.subject: f for f in findings}
    rows = {row[1]: row for row in scope.alerts(rule).values_list(*COLUMNS)}
    plan: dict[int, Finding | None] = {}  # alert → what it becomes (None: no longer holds)
    fresh: list[Finding] = []
    for subject, (pk, _s, severity, params, status, owner, label, project, task) in rows.items():
        finding = by_subject.get(subject)
        if finding is None:
            plan[pk] = None
        elif status not in ACTIVE_STATUSES:
            # The office resolved it while the condition held: it stays resolved unless the
            # condition grows worse, which is news.
            if SEVERITY_RANK[finding.severity] > SEVERITY_RANK[severity]:
                plan[pk] = None
                fresh.append(finding)
        elif (finding.severity, finding.params, finding.owner(rule), finding.label[:300],
              finding.project_id) != (severity, params, owner, label, project):  # fmt: skip
            plan[pk] = finding
        elif task is None and owner and rule.makes_task_for(severity):
            outcome.needing.append(pk)
    fresh += [f for s, f in by_subject.items() if s not in rows]

    updates: list[Alert] = []
    raised: list[Alert] = []
    events: list[AlertEvent] = []
    to_cancel: list[Alert] = []
    for alert in Alert.objects.in_bulk(list(plan)).values() if plan else ():
        finding = plan[alert.pk]
        if finding is None:
            alert.tracked = False
            if alert.is_active:
                alert.status, alert.resolved_at = AlertStatus.RESOLVED, now
                alert.resolved_by_itself = True
                events.append(_event(alert, EventKind.CLEARED, now))
                outcome.cleared += 1
                if alert.task_id:
                    to_cancel.append(alert)
        else:
            if finding.severity != alert.severity:
                up = SEVERITY_RANK[finding.severity] > SEVERITY_RANK[alert.severity]
                alert.severity, alert.params = finding.severity, finding.params
                events.append(_event(alert, EventKind.RAISED if up else EventKind.LOWERED, now))
                if up:
                    raised.append(alert)
                else:
                    outcome.lowered += 1
            alert.params, alert.owner_unit_id = finding.params, finding.owner(rule)
            alert.label, alert.project_id = finding.label[:300], finding.project_id
            outcome.updated += 1
            if (
                alert.task_id is None
                and alert.owner_unit_id
                and rule.makes_task_for(alert.severity)
            ):
                outcome.needing.append(alert.pk)
        alert.version += 1
        updates.append(alert)

    with transaction.atomic():
        # Untracking comes first: a new alert may take the subject over.
        Alert.objects.bulk_update(updates, ALERT_FIELDS, batch_size=2000)
        AlertEvent.objects.bulk_create(events, batch_size=2000)
        outcome.opened = _open(rule, fresh, now)
        outcome.raised = [News.of(a) for a in raised]
        outcome.needing += [
            n.pk for n in outcome.opened if n.owner_unit_id and rule.makes_task_for(n.severity)
        ]
        outcome.tasks_cancelled = cancel_tasks(to_cancel, now)
    return outcome


def task_title(alert: Alert) -> str:
    """The task's title, in the site's language: a task is read by everyone."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("Alert %(kind)s: %(about)s") % {
            "kind": alert.get_kind_display(),
            "about": alert.label or alert.subject,
        }


# At most this many tasks are made while an evaluation runs; more wait for the worker.
TASKS_INLINE = 20


def needing_tasks() -> QuerySet[Alert]:
    """Open alerts whose rule makes a task at their severity and that have none yet."""
    return (
        Alert.objects.active()
        .filter(
            task__isnull=True,
            owner_unit__isnull=False,
            rule__enabled=True,
            rule__creates_task=True,
        )
        .filter(Q(severity=Severity.RED) | Q(rule__task_severity=Severity.YELLOW))
    )


def make_tasks(
    alert_ids: list[int] | None, today: dt.date, *, everything: bool = False
) -> tuple[int, int]:
    """Make the supervised task of each alert that should have one (of `alert_ids`, else of
    any), red and oldest first, each in a transaction of its own, through the supervision
    services. Beyond TASKS_INLINE, unless asked for `everything`, the rest are left to the
    worker (`tasks.make_alert_tasks`). Returns how many were made and how many wait."""
    from .signals import paused
    from .tasks import make_alert_tasks

    alerts = needing_tasks()
    if alert_ids is not None:
        if not alert_ids:
            return 0, 0
        alerts = alerts.filter(pk__in=alert_ids)
    ids = list(alerts.order_by(RED_FIRST, "opened_at", "pk").values_list("pk", flat=True))
    chosen = ids if everything else ids[:TASKS_INLINE]
    made = 0
    with paused():
        for pk in chosen:
            made += _make_task(pk, today)
    waiting = len(ids) - len(chosen)
    if waiting:
        transaction.on_commit(lambda: make_alert_tasks.enqueue(), robust=True)
    return made, waiting


def _make_task(pk: int, today: dt.date) -> int:
    from keyprojects.supervision.services import create_task

    with transaction.atomic():
        alert = (
            needing_tasks()
            .select_for_update(of=("self",))
            .select_related("rule", "owner_unit", "project")
            .filter(pk=pk)
            .first()
        )
        if alert is None:  # made meanwhile, or no longer needed
            return 0
        assert alert.owner_unit is not None
        with translation.override(settings.LANGUAGE_CODE):
            detail = alert.message(today)
        task = create_task(
            title=task_title(alert),
            detail=detail,
            owner_unit=alert.owner_unit,
            deadline=today + dt.timedelta(days=alert.rule.task_deadline_days),
            source_kind=SourceKind.ALERT,
            source=alert,
            project=alert.project,
            jurisdiction_id=alert.jurisdiction_id,
        )
        alert.task = task
        Alert.objects.filter(pk=alert.pk).update(task=task, version=F("version") + 1)
        _event(alert, EventKind.TASK_MADE, timezone.now(), task.title).save()
    return 1


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


def recipients(alerts: list[News]) -> dict[Any, list[News]]:
    """Each person to tell, with the alerts they are told of: the owner unit's people and
    the programme office of the alert's jurisdiction."""
    offices = _offices({a.jurisdiction_id for a in alerts})
    units = _unit_people({a.owner_unit_id for a in alerts if a.owner_unit_id})
    told: dict[Any, list[News]] = defaultdict(list)
    for alert in alerts:
        people = offices.get(alert.jurisdiction_id, [])
        if alert.owner_unit_id:
            people = people + units.get(alert.owner_unit_id, [])
        for person in {p.pk: p for p in people}.values():
            told[person].append(alert)
    return told


def _title(alert: News) -> str:
    return _("%(severity)s alert: %(kind)s, %(about)s") % {
        "severity": Severity(alert.severity).label,
        "kind": AlertKind(alert.kind).label,
        "about": alert.label or alert.subject,
    }


def _tell_one(person: Any, alert: News, kind: str, today: dt.date) -> int:
    key = f"{alert.pk}" if kind == "alert_opened" else f"{alert.pk}:{alert.version}"
    return len(
        notify(
            [person],
            kind=kind,
            key=key,
            title=_title(alert)[:200],
            body=alert.message(today),
            url=alert.url(),
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
        labels = {kind: str(label) for kind, label in AlertKind.choices}
        for person, theirs in recipients(news).items():
            if len(theirs) <= SUMMARY_AFTER:
                for alert in theirs:
                    kind = "alert_opened" if alert.pk in opened else "alert_raised"
                    sent += _tell_one(person, alert, kind, today)
                continue
            red = sum(1 for a in theirs if a.severity == Severity.RED)
            by_kind = Counter(a.kind for a in theirs)
            body = "\n".join(f"{labels[kind]}: {count}" for kind, count in by_kind.most_common())
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
