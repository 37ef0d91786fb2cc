"""Alerts: the rules the office sets, the moves people make on an alert, and the evaluations,
on a change and every night (`alerts_nightly`).

Every change goes through here, so that the pages, the API and the nightly run refuse the same
illegal moves with the same reason.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from keyprojects.audit.choices import Channel
from keyprojects.audit.context import acting, current
from keyprojects.jobs.models import Job
from keyprojects.organisations.choices import Role
from keyprojects.organisations.models import Jurisdiction
from keyprojects.projects.models import Project

from .choices import AlertKind, AlertStatus, EventKind
from .evaluation import (
    Outcome,
    cancel_tasks,
    evaluate_scope,
    make_tasks,
    tell_summary,
)
from .models import RED_FIRST, Alert, AlertEvent, AlertRule
from .params import check_params, check_rule, defaults, plain
from .rules import SCOPE_LIMIT, Scope, assessed_month, installed
from .signals import SCHEDULE_KINDS, paused


class IllegalMove(ValidationError):
    """A change the alert's state does not allow; the message says why."""


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise IllegalMove(message)


def _is_user(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "pk", None))


# -- who may do what --------------------------------------------------------------------------


def is_office_for(user: Any, jurisdiction_id: int) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return user.role == Role.PROGRAMME_OFFICE and jurisdiction_id in (
        user.visible_jurisdiction_ids() or []
    )


def can_acknowledge(user: Any, alert: Alert) -> bool:
    """The unit that answers for the alert, or the programme office."""
    if is_office_for(user, alert.jurisdiction_id):
        return True
    return (
        getattr(user, "is_authenticated", False)
        and user.role == Role.UNIT_USER
        and bool(user.unit_id)
        and user.unit_id == alert.owner_unit_id
    )


def can_resolve(user: Any, alert: Alert) -> bool:
    return is_office_for(user, alert.jurisdiction_id)


def can_manage_rules(user: Any, jurisdiction_id: int) -> bool:
    return is_office_for(user, jurisdiction_id)


# -- rules ------------------------------------------------------------------------------------


def rules_for(jurisdiction_id: int) -> dict[str, AlertRule]:
    """The jurisdiction's rule of each kind, made with the defaults the first time."""
    rules = {r.kind: r for r in AlertRule.objects.filter(jurisdiction_id=jurisdiction_id)}
    missing = [kind for kind in AlertKind.values if kind not in rules]
    if missing:
        starting = defaults()
        with transaction.atomic():
            for kind in missing:
                d = starting[kind]
                rule, _made = AlertRule.objects.get_or_create(
                    jurisdiction_id=jurisdiction_id,
                    kind=kind,
                    defaults={
                        "enabled": d.enabled,
                        "params": plain(kind, d.params),
                        "owner": d.owner,
                        "creates_task": d.creates_task,
                        "task_severity": d.task_severity,
                        "task_deadline_days": d.task_deadline_days,
                    },
                )
                rules[kind] = rule
    return {kind: rules[kind] for kind in AlertKind.values}


RULE_FIELDS = {"enabled", "params", "owner", "creates_task", "task_severity", "task_deadline_days"}

# Above this many projects (or alerts of a rule), a jurisdiction is evaluated by the worker
# rather than while a page waits.
INLINE_LIMIT = 10_000


@dataclass
class RuleSaved:
    rule: AlertRule
    job: Job | None = None  # the re-evaluation, when the worker does it


def too_large(jurisdiction_id: int, rule: AlertRule | None = None) -> bool:
    """Whether evaluating the jurisdiction (for `rule`) would keep a page waiting."""
    if Project.objects.filter(jurisdiction_id=jurisdiction_id).count() > INLINE_LIMIT:
        return True
    alerts = Alert.objects.filter(jurisdiction_id=jurisdiction_id, tracked=True)
    if rule is not None:
        alerts = alerts.filter(rule=rule)
    return alerts.count() > INLINE_LIMIT


def evaluate_later(*, user: Any, jurisdiction_id: int, kinds: list[str] | None, title: str) -> Job:
    """Have the worker evaluate the jurisdiction's rules; the job page follows it."""
    from .tasks import evaluate_alerts

    job = Job.objects.create(
        kind="alerts_evaluate",
        user=user if _is_user(user) else None,
        title=title[:200],
        params={"jurisdiction_id": jurisdiction_id, "kinds": kinds, "language": get_language()},
    )
    transaction.on_commit(lambda: evaluate_alerts.enqueue(str(job.pk)))
    return job


def rule_update(
    *, rule: AlertRule, user: Any, version: int | None = None, today: dt.date | None = None,
    **fields: Any,
) -> RuleSaved:  # fmt: skip
    """Change a rule's settings. Settings the rule could not compute with are refused with
    the reason, and nothing changes. Switching a rule off resolves its open alerts; any
    other change re-evaluates the rule, so the alerts follow the new settings: at once, or
    in a district too large for that, by the worker (the job is returned)."""
    if not can_manage_rules(user, rule.jurisdiction_id):
        raise PermissionDenied
    unknown = set(fields) - RULE_FIELDS
    if unknown:
        raise ValueError(f"not a rule setting: {sorted(unknown)}")
    if "params" in fields:
        problems = check_params(rule.kind, fields["params"])
        if problems:
            raise ValidationError(
                {(f"params.{name}" if name else "params"): msgs for name, msgs in problems.items()}
            )
        fields["params"] = plain(rule.kind, fields["params"])
    with transaction.atomic():
        current_rule = AlertRule.objects.select_for_update().get(pk=rule.pk)
        if version is not None and current_rule.version != version:
            raise IllegalMove(
                _("Someone changed this rule after you opened it; reload and try again.")
            )
        was_on = current_rule.enabled
        for name, value in fields.items():
            setattr(current_rule, name, value)
        problems = check_rule(
            kind=current_rule.kind,
            creates_task=current_rule.creates_task,
            owner=current_rule.owner,
            task_severity=current_rule.task_severity,
            task_deadline_days=current_rule.task_deadline_days,
        )
        if problems:
            raise ValidationError(problems)
        current_rule.full_clean()
        current_rule.version += 1
        current_rule.save()
        if was_on and not current_rule.enabled:
            _switch_off(current_rule, user)
    saved = RuleSaved(current_rule)
    if current_rule.enabled and installed(current_rule.kind):
        jid = current_rule.jurisdiction_id
        if too_large(jid, current_rule):
            title = _("Alerts after a change to “%(rule)s”") % {
                "rule": current_rule.get_kind_display()
            }
            saved.job = evaluate_later(
                user=user, jurisdiction_id=jid, kinds=[current_rule.kind], title=title
            )
        else:
            day = today or timezone.localdate()
            outcome = evaluate_scope(rules=[current_rule], scope=Scope(jid), today=day)
            tell_summary(outcome, day, key=f"rule:{current_rule.pk}:{current_rule.version}")
            make_tasks(outcome.needing, day)
    rule.__dict__.update(current_rule.__dict__)
    return saved


def _switch_off(rule: AlertRule, user: Any) -> None:
    """Resolve the rule's open alerts and stop following the others, set-wise: the rule's
    change is what the audit trail records; each alert's events tell what followed from it."""
    now = timezone.now()
    actor = user if _is_user(user) else None
    tracked = Alert.objects.filter(rule=rule, tracked=True)
    with_tasks = list(tracked.active().filter(task__isnull=False))
    tracked.active().update(
        status=AlertStatus.RESOLVED, resolved_at=now, resolved_by=actor, tracked=False,
        version=F("version") + 1,
    )  # fmt: skip
    tracked.update(tracked=False, version=F("version") + 1)
    table, events = Alert._meta.db_table, AlertEvent._meta.db_table
    at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{events}" ("alert_id", "kind", "at", "actor_id", "severity", '
            f'"params", "note") SELECT "id", %s, %s, %s, "severity", "params", %s FROM "{table}" '
            'WHERE "rule_id" = %s AND "status" = %s AND "resolved_at" = %s',
            [EventKind.RULE_OFF.value, at, getattr(actor, "pk", None), "", rule.pk,
             AlertStatus.RESOLVED.value, at],
        )  # fmt: skip
    with paused():
        cancel_tasks(with_tasks, now, user=user)


# -- moves on an alert ------------------------------------------------------------------------


def _save(alert: Alert, version: int | None, **values: Any) -> Alert:
    """Save `values` on the alert as it is now in the database, refusing when someone else
    changed it since `version` was read."""
    fresh = Alert.objects.select_for_update().get(pk=alert.pk)
    if version is not None and fresh.version != version:
        raise IllegalMove(_("Someone else changed this alert first. Reload it and try again."))
    for name, value in values.items():
        setattr(fresh, name, value)
    fresh.version += 1
    fresh.save()
    return fresh


def alert_acknowledge(alert: Alert, *, user: Any, note: str, version: int | None = None) -> Alert:
    """The unit that answers for it (or the office) says it has seen the alert and what it is
    doing about it."""
    if not can_acknowledge(user, alert):
        raise PermissionDenied
    _require(
        alert.status == AlertStatus.OPEN,
        _("Only an open alert can be acknowledged; this one is %(status)s.")
        % {"status": alert.get_status_display()},
    )
    note = (note or "").strip()
    _require(bool(note), _("Say what is being done about it."))
    with transaction.atomic():
        fresh = _save(
            alert, version, status=AlertStatus.ACKNOWLEDGED, acknowledged_at=timezone.now(),
            acknowledged_by=user,
        )  # fmt: skip
        AlertEvent.objects.create(
            alert=fresh, kind=EventKind.ACKNOWLEDGED, actor=user, severity=fresh.severity,
            params=fresh.params, note=note,
        )  # fmt: skip
    return fresh


def alert_resolve(alert: Alert, *, user: Any, note: str, version: int | None = None) -> Alert:
    """The office closes an alert. While its condition still holds it is not raised again,
    unless it grows worse; once the condition clears and comes back, that is a new alert."""
    if not can_resolve(user, alert):
        raise PermissionDenied
    _require(
        alert.is_active,
        _("Only an open or acknowledged alert can be resolved; this one is %(status)s.")
        % {"status": alert.get_status_display()},
    )
    note = (note or "").strip()
    _require(bool(note), _("Say why the alert is resolved."))
    now = timezone.now()
    with transaction.atomic():
        fresh = _save(
            alert, version, status=AlertStatus.RESOLVED, resolved_at=now, resolved_by=user,
            resolved_by_itself=False,
        )  # fmt: skip
        AlertEvent.objects.create(
            alert=fresh, kind=EventKind.RESOLVED, actor=user, severity=fresh.severity,
            params=fresh.params, note=note,
        )  # fmt: skip
        if fresh.task_id:
            from keyprojects.supervision.services import task_cancel

            task = fresh.task
            if task is not None and task.is_open:
                reason = _("The alert that made this task was resolved: %(note)s") % {"note": note}
                with paused():
                    task_cancel(task, user=user, reason=reason, system=True)
                AlertEvent.objects.create(
                    alert=fresh, kind=EventKind.TASK_CANCELLED, actor=user,
                    severity=fresh.severity, params=fresh.params, note=reason,
                )  # fmt: skip
    return fresh


# -- reading ----------------------------------------------------------------------------------


def project_alerts(project: Project) -> QuerySet[Alert]:
    """A project's open and acknowledged alerts, red first: for the project's page."""
    return (
        Alert.objects.active()
        .filter(project=project)
        .select_related("owner_unit", "task")
        .order_by(RED_FIRST, "-opened_at", "-id")
    )


# -- evaluating -------------------------------------------------------------------------------


def alerts_evaluate(
    *,
    jurisdiction_id: int,
    project_ids: Iterable[int] | None = None,
    kinds: Iterable[str] | None = None,
    today: dt.date | None = None,
) -> Outcome:
    """Evaluate a jurisdiction's rules (of `kinds`, else all) for some of its projects, or all
    of them, and tell people of what opened or turned red."""
    today = today or timezone.localdate()
    wanted = set(kinds) if kinds is not None else set(AlertKind.values)
    ids = frozenset(project_ids) if project_ids is not None else None
    scope = Scope(jurisdiction_id, None if ids is not None and len(ids) > SCOPE_LIMIT else ids)
    rules = [
        r
        for kind, r in rules_for(jurisdiction_id).items()
        if kind in wanted and r.enabled and installed(kind)
    ]
    outcome = evaluate_scope(rules=rules, scope=scope, today=today)
    tell_summary(outcome, today, key=timezone.now().isoformat())
    outcome.tasks_made = make_tasks(outcome.needing, today)[0]
    return outcome


def alerts_reevaluate(
    *,
    projects: Mapping[str, set[int]],
    schedules: Iterable[int] = (),
    contracts: Iterable[int] = (),
    tasks: Iterable[int] = (),
    lights: Iterable[int] = (),
    today: dt.date | None = None,
) -> Outcome:
    """Evaluate the rules that read what changed, for the projects it changed in; `lights`
    names projects whose figures changed, whose light of the assessed month is rebuilt
    first."""
    from keyprojects.money.models import Contract
    from keyprojects.progress.services import lights_rebuild
    from keyprojects.scheduling.models import ProjectSchedule
    from keyprojects.supervision.models import Task

    today = today or timezone.localdate()
    lights = set(lights)
    if lights:
        year, month = assessed_month(today)
        which = sorted(lights) if len(lights) <= SCOPE_LIMIT else None  # else all of them
        with paused():  # the rebuild's own note would evaluate again
            lights_rebuild(year=year, month=month, projects=which)
    by_kind: dict[str, set[int]] = {str(kind): set(ids) for kind, ids in projects.items()}
    schedules, contracts, tasks = set(schedules), set(contracts), set(tasks)
    if schedules:
        ids = set(
            ProjectSchedule.objects.filter(pk__in=schedules).values_list("project_id", flat=True)
        )
        for schedule_kind in SCHEDULE_KINDS:
            by_kind.setdefault(schedule_kind, set()).update(ids)
    if contracts:
        ids = set(Contract.objects.filter(pk__in=contracts).values_list("project_id", flat=True))
        by_kind.setdefault(AlertKind.OVER_ESTIMATE, set()).update(ids)
    loose_tasks = Task.objects.filter(project__isnull=True)
    if len(tasks) <= SCOPE_LIMIT:
        loose_tasks = loose_tasks.filter(pk__in=tasks)
    task_places = {
        pk: jid
        for pk, jid in loose_tasks.values_list("pk", "jurisdiction_id").iterator(2000)
        if pk in tasks
    }
    if task_places:
        by_kind.setdefault(AlertKind.TASK_OVERDUE, set())
    every = set().union(*by_kind.values()) if by_kind else set()
    projects_of = (
        Project.objects.all() if len(every) > SCOPE_LIMIT else Project.objects.filter(pk__in=every)
    )
    places = {
        pk: jid
        for pk, jid in projects_of.values_list("pk", "jurisdiction_id").iterator(2000)
        if pk in every
    }
    outcome = Outcome()
    context = current()
    with acting(actor=None, channel=Channel.SYSTEM, correlation_id=context.correlation_id):
        for jid in sorted(set(places.values()) | set(task_places.values())):
            rules = rules_for(jid)
            for kind, ids in by_kind.items():
                rule = rules[kind]
                if not rule.enabled or not installed(kind):
                    continue
                mine = frozenset(p for p in ids if places.get(p) == jid)
                loose = frozenset(t for t, j in task_places.items() if j == jid)
                loose = loose if kind == AlertKind.TASK_OVERDUE else frozenset()
                if not mine and not loose:
                    continue
                if len(mine) > SCOPE_LIMIT or len(loose) > SCOPE_LIMIT:
                    scope = Scope(jid)  # so many that evaluating them all costs less
                else:
                    scope = Scope(jid, mine, loose)
                outcome.add(evaluate_scope(rules=[rule], scope=scope, today=today))
        tell_summary(outcome, today, key=timezone.now().isoformat())
        outcome.tasks_made = make_tasks(outcome.needing, today)[0]
    return outcome


@dataclass
class NightlyRun:
    day: str
    assessed_month: str
    lights_kept: int = 0
    opened: int = 0
    raised: int = 0
    lowered: int = 0
    updated: int = 0
    cleared: int = 0
    tasks_made: int = 0
    tasks_waiting: int = 0
    tasks_cancelled: int = 0
    notices: int = 0
    not_installed: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def alerts_nightly(today: dt.date | None = None) -> NightlyRun:
    """Every rule of every jurisdiction over all its projects, once a day: keep the month's
    light of every project (the light history), then open, follow and resolve alerts."""
    from keyprojects.progress.services import lights_rebuild

    today = today or timezone.localdate()
    year, month = assessed_month(today)
    run = NightlyRun(day=today.isoformat(), assessed_month=f"{year}-{month:02d}")
    started = time.perf_counter()
    with paused():  # every rule is evaluated below
        run.lights_kept = lights_rebuild(year=year, month=month)
    run.seconds["lights"] = round(time.perf_counter() - started, 2)
    run.not_installed = [k for k in AlertKind.values if not installed(k)]
    total = Outcome()
    for jid in Jurisdiction.objects.order_by("pk").values_list("pk", flat=True):
        scope = Scope(jid)
        for kind, rule in rules_for(jid).items():
            if kind in run.not_installed:
                continue
            begun = time.perf_counter()
            if rule.enabled:
                total.add(evaluate_scope(rules=[rule], scope=scope, today=today))
            elif Alert.objects.filter(rule=rule, tracked=True).exists():
                with transaction.atomic():
                    _switch_off(rule, None)
            run.seconds[kind] = round(run.seconds.get(kind, 0) + time.perf_counter() - begun, 2)
    for name, value in total.counts().items():
        setattr(run, name, value)
    begun = time.perf_counter()
    run.notices = tell_summary(total, today, key=today.isoformat())
    run.seconds["notices"] = round(time.perf_counter() - begun, 2)
    # Every alert still without the task it should have, not only tonight's.
    begun = time.perf_counter()
    run.tasks_made, run.tasks_waiting = make_tasks(None, today)
    run.seconds["tasks"] = round(time.perf_counter() - begun, 2)
    run.seconds["total"] = round(time.perf_counter() - started, 2)
    return run
