"""The conditions themselves: for a set of projects (or every one of a jurisdiction), what holds
now. Each function is set-wise, a few queries whatever the number of projects, and reads the
figures where the capability that owns them keeps them (lights, schedules, money, tasks).

Each returns one `Finding` per subject; `evaluation.reconcile` turns them into alerts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from importlib import import_module
from typing import Any

from django.db.models import Count, F, FloatField, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Cast

from keyprojects.projects.choices import Stage
from keyprojects.projects.models import Project

from .choices import AlertKind, Owner, Severity
from .models import Alert, AlertRule

# Above this many projects, evaluating "these projects" costs more than "all of them".
SCOPE_LIMIT = 2000


@dataclass(frozen=True)
class Scope:
    """What to evaluate: every project of a jurisdiction, or some of them (after a change),
    and tasks that belong to no project."""

    jurisdiction_id: int
    project_ids: frozenset[int] | None = None
    task_ids: frozenset[int] = frozenset()

    def projects(self) -> QuerySet[Project]:
        qs = Project.objects.filter(jurisdiction_id=self.jurisdiction_id)
        if self.project_ids is not None:
            qs = qs.filter(pk__in=self.project_ids)
        return qs

    def on_projects(self, path: str = "project") -> Q:
        """Records of the scope's projects, reached through `path`."""
        q = Q(**{f"{path}__jurisdiction_id": self.jurisdiction_id})
        if self.project_ids is not None:
            q &= Q(**{f"{path}_id__in": self.project_ids})
        return q

    def alerts(self, rule: AlertRule) -> QuerySet[Alert]:
        """The rule's tracked alerts this evaluation speaks for."""
        qs = Alert.objects.filter(rule=rule, tracked=True)
        if self.project_ids is None:
            return qs
        q = Q(project_id__in=self.project_ids)
        if self.task_ids:
            q |= Q(subject__in=[f"task:{pk}" for pk in self.task_ids])
        return qs.filter(q)


@dataclass(frozen=True)
class Finding:
    subject: str
    severity: str
    params: dict[str, Any]
    project_id: int | None = None
    label: str = ""
    owner_unit_id: int | None = None
    responsible_unit_id: int | None = None
    record_unit_id: int | None = None

    def owner(self, rule: AlertRule) -> int | None:
        """The unit the rule names, else the nearest one that answers."""
        named: dict[str, int | None] = {
            Owner.OWNER_UNIT: self.owner_unit_id,
            Owner.RESPONSIBLE_UNIT: self.responsible_unit_id,
            Owner.RECORD_UNIT: self.record_unit_id,
        }
        first = named.get(rule.owner)
        return first or self.record_unit_id or self.owner_unit_id or self.responsible_unit_id


# -- periods ----------------------------------------------------------------------------------


def reporting_period(today: dt.date) -> tuple[int, int]:
    from keyprojects.progress.reminders import reporting_period as period

    return period(today)


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year, month - 1) if month > 1 else (year - 1, 12)


def assessed_month(today: dt.date) -> tuple[int, int]:
    """The latest month whose report was due before today: its light is the one to judge.
    Before the due day the month is still being reported, so the month before stands."""
    from keyprojects.progress.services import report_due_date

    year, month = reporting_period(today)
    if today <= report_due_date(year, month):
        return previous_month(year, month)
    return year, month


def _escalated(days: int, red_after: int) -> str:
    return Severity.RED if days > red_after else Severity.YELLOW


def _iso(day: dt.date | dt.datetime | None) -> str | None:
    return day.isoformat() if day is not None else None


# -- 序时进度 -----------------------------------------------------------------------------------


def pace_lag(rule: AlertRule, scope: Scope, today: dt.date) -> list[Finding]:
    """Projects behind the time-proportional target in the assessed month, by the light the
    progress capability keeps for that month (and its rule: red turns back only to green)."""
    from keyprojects.progress import pace
    from keyprojects.progress.models import MonthlyLight

    year, month = assessed_month(today)
    yellow = Decimal(str(rule.params["yellow_points"]))
    red = Decimal(str(rule.params["red_points"]))
    lights = MonthlyLight.objects.filter(scope.on_projects()).exclude(
        project__stage=Stage.CANCELLED
    )
    py, pm = previous_month(year, month)
    before = dict(lights.filter(year=py, month=pm).values_list("project_id", "light"))
    rows = lights.filter(year=year, month=month).values_list(
        "project_id", "gap_points", "expected_share", "actual_share", "annual_target",
        "ytd_completed", "project__name", "project__owner_unit_id", "project__responsible_unit_id",
    )  # fmt: skip
    found = []
    for pid, gap, expected, actual, target, ytd, name, owner, responsible in rows:
        light = pace.light_for(gap, yellow=yellow, red=red, previous=before.get(pid))
        if light == "green":
            continue
        found.append(
            Finding(
                subject=f"project:{pid}",
                severity=Severity.RED if light == "red" else Severity.YELLOW,
                params={
                    "year": year,
                    "month": month,
                    "gap": str(gap),
                    "expected": str(expected),
                    "actual": str(actual),
                    "target": str(target),
                    "ytd": str(ytd),
                },
                project_id=pid,
                label=name,
                owner_unit_id=owner,
                responsible_unit_id=responsible,
            )
        )
    return found


# -- 开工 ---------------------------------------------------------------------------------------


def start_overdue(rule: AlertRule, scope: Scope, today: dt.date) -> list[Finding]:
    """Projects whose planned start month has passed without 开工, by the same rule as the
    start-of-works light on the "behind schedule" page, for the month being reported."""
    from keyprojects.progress.services import start_overdue as late_starts

    year, month = reporting_period(today)
    red_after = int(rule.params["red_after_days"])
    rows = (
        late_starts(scope.projects(), year, month)
        .order_by()
        .values_list("pk", "name", "planned_start", "owner_unit_id", "responsible_unit_id")
    )
    return [
        Finding(
            subject=f"project:{pid}",
            severity=_escalated((today - start).days, red_after),
            params={"planned_start": start.isoformat()},
            project_id=pid,
            label=name,
            owner_unit_id=owner,
            responsible_unit_id=responsible,
        )
        for pid, name, start, owner, responsible in rows
    ]


# -- 月报 ---------------------------------------------------------------------------------------


def report_late(rule: AlertRule, scope: Scope, today: dt.date) -> list[Finding]:
    """Projects under construction whose monthly report is not submitted some days after it
    was due: this month's by the reminders' own rule, and each earlier month still missing
    that an alert already follows (until it is submitted or the project stops building)."""
    from keyprojects.progress.choices import ReportStatus
    from keyprojects.progress.models import MonthlyReport
    from keyprojects.progress.reminders import missing_reports
    from keyprojects.progress.services import report_due_date

    grace = int(rule.params["grace_days"])
    red_after = int(rule.params["red_after_days"])
    year, month = reporting_period(today)
    found: dict[str, Finding] = {}

    def finding(
        pid: int, y: int, m: int, name: str, owner: int | None, responsible: int | None
    ) -> None:
        due = report_due_date(y, m)
        late = (today - due).days
        if late <= grace:
            return
        subject = f"report:{pid}:{y}-{m:02d}"
        found[subject] = Finding(
            subject=subject,
            severity=_escalated(late, red_after),
            params={"year": y, "month": m, "due": due.isoformat()},
            project_id=pid,
            label=name,
            owner_unit_id=owner,
            responsible_unit_id=responsible,
        )

    if today > report_due_date(year, month) + dt.timedelta(days=grace):
        for item in missing_reports(scope.projects(), year, month, today):
            p = item.project
            finding(p.pk, year, month, p.name, p.owner_unit_id, p.responsible_unit_id)

    current = f"{year}-{month:02d}"
    earlier = [
        (a.project_id, int(a.params["year"]), int(a.params["month"]))
        for a in scope.alerts(rule).only("project_id", "subject", "params")
        if a.project_id and not a.subject.endswith(current)
    ]
    if earlier:
        pids = {pid for pid, _y, _m in earlier}
        submitted = set(
            MonthlyReport.objects.filter(
                project_id__in=pids,
                status__in=[ReportStatus.SUBMITTED, ReportStatus.ACCEPTED],
            ).values_list("project_id", "year", "month")
        )
        building = {
            pid: (name, owner, responsible)
            for pid, name, owner, responsible in Project.objects.filter(
                pk__in=pids, stage=Stage.CONSTRUCTION
            ).values_list("pk", "name", "owner_unit_id", "responsible_unit_id")
        }
        for pid, y, m in earlier:
            if (pid, y, m) not in submitted and pid in building:
                finding(pid, y, m, *building[pid])
    return list(found.values())


# -- schedules --------------------------------------------------------------------------------


def milestone_slip(rule: AlertRule, scope: Scope, today: dt.date) -> list[Finding]:
    """Milestones not yet reached that are later than in the schedule's latest baseline, in
    working days as the schedule's own comparison counts them."""
    from keyprojects.scheduling.choices import ActivityKind
    from keyprojects.scheduling.models import Activity, Baseline, ProjectSchedule, wall
    from keyprojects.scheduling.services import baseline_compare

    yellow = float(rule.params["yellow_days"])
    red = float(rule.params["red_days"])
    kinds = [ActivityKind.START_MILESTONE, ActivityKind.FINISH_MILESTONE]
    milestones = list(
        Activity.objects.filter(
            scope.on_projects("schedule__project"), kind__in=kinds, actual_finish__isnull=True
        ).values_list(
            "pk",
            "key",
            "schedule_id",
            "code",
            "name",
            "kind",
            "early_start",
            "early_finish",
            "actual_start",
        )
    )
    if not milestones:
        return []
    latest: dict[int, Baseline] = {}
    for baseline in Baseline.objects.filter(schedule_id__in={m[2] for m in milestones}).order_by(
        "schedule_id", "-created_at", "-id"
    ):
        latest.setdefault(baseline.schedule_id, baseline)

    def current(kind: str, early_start: Any, early_finish: Any, actual_start: Any) -> Any:
        when = (actual_start or early_start) if kind == ActivityKind.START_MILESTONE else None
        return wall(when or early_finish or early_start)

    # Only a milestone later than its baseline date can have slipped: compare those schedules.
    candidates: set[int] = set()
    for _pk, key, sid, _code, _name, kind, es, ef, ast in milestones:
        base = latest.get(sid)
        then = base.dates.get(key) if base else None
        now = current(kind, es, ef, ast)
        if then and now is not None:
            index = 0 if kind == ActivityKind.START_MILESTONE else 1
            if now > dt.datetime.fromisoformat(then[index]):
                candidates.add(sid)
    if not candidates:
        return []
    schedules = ProjectSchedule.objects.filter(pk__in=candidates).select_related("project")
    by_key = {(m[2], m[1]): m for m in milestones}
    found = []
    for schedule in schedules:
        baseline = latest[schedule.pk]
        project = schedule.project
        for slip in baseline_compare(schedule=schedule, baseline=baseline):
            row = by_key.get((schedule.pk, slip.activity_id))
            if row is None or slip.status != "compared":
                continue
            start_kind = row[5] == ActivityKind.START_MILESTONE
            days = slip.start_slip_days if start_kind else slip.finish_slip_days
            if days is None or days <= yellow:
                continue
            then = slip.baseline_start if start_kind else slip.baseline_finish
            now = slip.current_start if start_kind else slip.current_finish
            found.append(
                Finding(
                    subject=f"activity:{row[0]}",
                    severity=Severity.RED if days > red else Severity.YELLOW,
                    params={
                        "baseline": baseline.name,
                        "baseline_date": _iso(then.date() if then else None),
                        "current_date": _iso(now.date() if now else None),
                        "slip_days": round(days, 1),
                    },
                    project_id=project.pk,
                    label=f"{row[3]} {row[4]}".strip(),
                    owner_unit_id=project.owner_unit_id,
                    responsible_unit_id=project.responsible_unit_id,
                )
            )
    return found


def negative_float(rule: AlertRule, scope: Scope, today: dt.date) -> list[Finding]:
    """Projects whose schedule has unfinished activities with negative total float: the
    deadline cannot be met as scheduled. Measured in each activity's working days."""
    from keyprojects.scheduling.models import Activity, wall

    yellow = float(rule.params["yellow_days"])
    red = float(rule.params["red_days"])
    float_days = Cast(F("total_float_minutes"), FloatField()) / (F("hours_per_day") * 60.0)
    rows = (
        Activity.objects.filter(
            scope.on_projects("schedule__project"),
            actual_finish__isnull=True,
            total_float_minutes__lt=0,
        )
        .values(
            "schedule__project_id",
            "schedule__deadline",
            "schedule__finish",
            "schedule__project__name",
            "schedule__project__owner_unit_id",
            "schedule__project__responsible_unit_id",
        )
        .annotate(worst=Min(float_days), count=Count("id"))
        .order_by()
    )
    found = []
    for row in rows:
        late = round(-float(row["worst"]), 1)
        if late <= yellow:
            continue
        deadline, finish = wall(row["schedule__deadline"]), wall(row["schedule__finish"])
        pid = row["schedule__project_id"]
        found.append(
            Finding(
                subject=f"project:{pid}",
                severity=Severity.RED if late > red else Severity.YELLOW,
                params={
                    "late_days": late,
                    "activities": row["count"],
                    "deadline": _iso(deadline.date() if deadline else None),
                    "finish": _iso(finish.date() if finish else None),
                },
                project_id=pid,
                label=row["schedule__project__name"],
                owner_unit_id=row["schedule__project__owner_unit_id"],
                responsible_unit_id=row["schedule__project__responsible_unit_id"],
            )
        )
    return found


# -- money ------------------------------------------------------------------------------------


def over_estimate(rule: AlertRule, scope: Scope, today: dt.date) -> list[Finding]:
    """Projects whose contracts (with variations) or payments pass the approved estimate, as
    the money summary totals them."""
    from keyprojects.money.models import Contract, Estimate, Payment, Variation

    yellow = Decimal(str(rule.params["yellow_percent"]))
    red = Decimal(str(rule.params["red_percent"]))
    estimates = {
        pid: (amount, name, owner, responsible)
        for pid, amount, name, owner, responsible in Estimate.objects.filter(
            scope.on_projects()
        ).values_list(
            "project_id",
            "amount",
            "project__name",
            "project__owner_unit_id",
            "project__responsible_unit_id",
        )
    }
    if not estimates:
        return []

    def totals(qs: QuerySet[Any], path: str, amount: str) -> dict[int, Decimal]:
        return dict(
            qs.filter(**{f"{path}__in": list(estimates)})
            .values_list(path)
            .annotate(s=Sum(amount))
            .order_by()
        )

    contracts = totals(Contract.objects.all(), "project_id", "value")
    variations = totals(Variation.objects.all(), "contract__project_id", "amount")
    paid = totals(Payment.objects.all(), "contract__project_id", "amount")
    found = []
    for pid, (estimate, name, owner, responsible) in estimates.items():
        contracted = contracts.get(pid, Decimal(0)) + variations.get(pid, Decimal(0))
        for what, amount in (("contracts", contracted), ("payments", paid.get(pid, Decimal(0)))):
            if amount <= estimate:
                continue
            over = (amount - estimate) * 100 / estimate if estimate > 0 else None
            if over is not None and over <= yellow:
                continue
            found.append(
                Finding(
                    subject=f"{what}:{pid}",
                    severity=Severity.RED if over is None or over > red else Severity.YELLOW,
                    params={
                        "what": what,
                        "amount": str(amount),
                        "estimate": str(estimate),
                        "percent": str(over.quantize(Decimal("0.1"))) if over is not None else None,
                    },
                    project_id=pid,
                    label=name,
                    owner_unit_id=owner,
                    responsible_unit_id=responsible,
                )
            )
    return found


# -- assigned records -------------------------------------------------------------------------


def task_overdue(rule: AlertRule, scope: Scope, today: dt.date) -> list[Finding]:
    """Open supervised tasks past their deadline (and the grace days). A task that carries out
    a problem or a hazard is left to that record's own rule where it is on: one alert, about
    the problem or hazard, rather than two."""
    from keyprojects.supervision.choices import SourceKind
    from keyprojects.supervision.models import Task

    grace = int(rule.params["grace_days"])
    red_after = int(rule.params["red_after_days"])
    tasks = Task.objects.overdue(today - dt.timedelta(days=grace)).filter(
        jurisdiction_id=scope.jurisdiction_id
    )
    covered: dict[str, str] = {
        AlertKind.PROBLEM_OVERDUE: SourceKind.PROBLEM,
        AlertKind.HAZARD_OVERDUE: SourceKind.INSPECTION,
    }
    on = AlertRule.objects.filter(
        jurisdiction_id=rule.jurisdiction_id, kind__in=list(covered), enabled=True
    ).values_list("kind", flat=True)
    left = [covered[kind] for kind in on if installed(kind)]
    if left:
        tasks = tasks.exclude(source_kind__in=left)
    if scope.project_ids is not None:
        tasks = tasks.filter(Q(project_id__in=scope.project_ids) | Q(pk__in=scope.task_ids))
    rows = tasks.order_by().values_list(
        "pk", "title", "deadline", "owner_unit_id", "project_id", "project__owner_unit_id",
        "project__responsible_unit_id",
    )  # fmt: skip
    return [
        Finding(
            subject=f"task:{pk}",
            severity=_escalated((today - deadline).days, red_after),
            params={"deadline": deadline.isoformat()},
            project_id=project,
            label=title[:300],
            owner_unit_id=owner,
            responsible_unit_id=responsible,
            record_unit_id=unit,
        )
        for pk, title, deadline, unit, project, owner, responsible in rows
    ]


def _model(path: str) -> Any:
    """A model of a capability that may not be installed yet; None when it is not."""
    module_name, _, name = path.rpartition(".")
    try:
        module = import_module(module_name)
    except ModuleNotFoundError as missing:
        if not missing.name or not (module_name + ".").startswith(missing.name + "."):
            raise
        return None
    return getattr(module, name, None)


PROBLEM_MODEL = "keyprojects.problems.models.Problem"
HAZARD_MODEL = "keyprojects.inspections.models.Hazard"


def problem_overdue(rule: AlertRule, scope: Scope, today: dt.date) -> list[Finding]:
    """Assigned problems past their deadline (and the grace days)."""
    problem = _model(PROBLEM_MODEL)
    if problem is None:
        return []
    from keyprojects.problems.models import tasks_for_problems
    from keyprojects.supervision.choices import TaskStatus

    grace = int(rule.params["grace_days"])
    red_after = int(rule.params["red_after_days"])
    # The unit it was assigned to first (a problem may be assigned to several).
    assigned = (
        tasks_for_problems()
        .filter(source_id=OuterRef("pk"))
        .exclude(status=TaskStatus.CANCELLED)
        .order_by("pk")
        .values("owner_unit_id")[:1]
    )
    rows = (
        problem.objects.overdue(today - dt.timedelta(days=grace))
        .filter(scope.on_projects())
        .annotate(assigned_unit=Subquery(assigned))
        .order_by()
        .values_list(
            "pk",
            "title",
            "deadline",
            "assigned_unit",
            "needed_from_unit_id",
            "project_id",
            "project__owner_unit_id",
            "project__responsible_unit_id",
        )
    )
    return [
        Finding(
            subject=f"problem:{pk}",
            severity=_escalated((today - deadline).days, red_after),
            params={"deadline": deadline.isoformat()},
            project_id=project,
            label=str(title)[:300],
            owner_unit_id=owner,
            responsible_unit_id=responsible,
            record_unit_id=unit or needed or responsible,
        )
        for pk, title, deadline, unit, needed, project, owner, responsible in rows
    ]


def hazard_overdue(rule: AlertRule, scope: Scope, today: dt.date) -> list[Finding]:
    """Hazards not rectified by their deadline (and the grace days); a major one is red."""
    hazard = _model(HAZARD_MODEL)
    if hazard is None:
        return []
    grace = int(rule.params["grace_days"])
    red_after = int(rule.params["red_after_days"])
    rows = (
        hazard.objects.overdue(today - dt.timedelta(days=grace))
        .filter(scope.on_projects())
        .order_by()
        .values_list(
            "pk",
            "description",
            "deadline",
            "severity",
            "responsible_unit_id",
            "project_id",
            "project__owner_unit_id",
            "project__responsible_unit_id",
        )
    )
    found = []
    for pk, text, deadline, grade, unit, project, owner, responsible in rows:
        major = grade == "major"
        severity = _escalated((today - deadline).days, red_after)
        found.append(
            Finding(
                subject=f"hazard:{pk}",
                severity=Severity.RED if major else severity,
                params={"deadline": deadline.isoformat(), "major": major},
                project_id=project,
                label=str(text)[:300],
                owner_unit_id=owner,
                responsible_unit_id=responsible,
                record_unit_id=unit,
            )
        )
    return found


Evaluator = Callable[[AlertRule, Scope, dt.date], list[Finding]]

EVALUATORS: dict[str, Evaluator] = {
    AlertKind.PACE_LAG: pace_lag,
    AlertKind.START_OVERDUE: start_overdue,
    AlertKind.MILESTONE_SLIP: milestone_slip,
    AlertKind.NEGATIVE_FLOAT: negative_float,
    AlertKind.REPORT_LATE: report_late,
    AlertKind.TASK_OVERDUE: task_overdue,
    AlertKind.PROBLEM_OVERDUE: problem_overdue,
    AlertKind.HAZARD_OVERDUE: hazard_overdue,
    AlertKind.OVER_ESTIMATE: over_estimate,
}

# Rules whose records belong to a capability that may not be installed.
NEEDS: dict[str, str] = {
    AlertKind.PROBLEM_OVERDUE: PROBLEM_MODEL,
    AlertKind.HAZARD_OVERDUE: HAZARD_MODEL,
}


def installed(kind: str) -> bool:
    """Whether the records this kind of rule reads exist in this installation."""
    path = NEEDS.get(kind)
    return path is None or _model(path) is not None


def evaluate(rule: AlertRule, scope: Scope, today: dt.date) -> list[Finding]:
    return EVALUATORS[rule.kind](rule, scope, today)
