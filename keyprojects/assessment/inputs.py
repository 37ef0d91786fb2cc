"""The facts an assessment reads, per project, from the capabilities that keep them: the
序时 lights (progress), annual plans and milestones (projects), monthly reports (progress),
problems (problems, or supervised tasks made from problems), supervised tasks (supervision)
and safety (inspections). A fixed number of queries, whatever the number of projects.

Nothing here scores; `engine.py` does, from these facts.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from keyprojects.organisations.models import Unit
from keyprojects.progress.choices import ReportStatus
from keyprojects.progress.models import MonthlyReport
from keyprojects.progress.services import lights_of_month, report_due_date
from keyprojects.projects.choices import Batch, Milestone, Stage
from keyprojects.projects.models import AnnualPlan, Project, StageChange
from keyprojects.supervision.choices import SourceKind, TaskStatus
from keyprojects.supervision.models import Task

from .choices import IndicatorKind
from .scoring import CENT, rounded

HUNDRED = Decimal(100)
IN_PROGRAMME = (Batch.NEW_START, Batch.CONTINUING, Batch.COMPLETED)


@dataclass(frozen=True)
class Window:
    """What a period covers when it is scored: days from `start` up to, not including,
    `cutoff` (the day after the period, or today while it is open); the 序时 of `month`;
    and the figures as known on `evaluated_on`."""

    year: int
    start: dt.date
    cutoff: dt.date
    evaluated_on: dt.date
    month: int
    months: tuple[int, ...]

    @property
    def last_day(self) -> dt.date:
        return max(self.start, self.cutoff - dt.timedelta(days=1))


def window_for(start: dt.date, end: dt.date, *, closing: bool, today: dt.date) -> Window:
    cutoff = end + dt.timedelta(days=1) if closing else min(end + dt.timedelta(days=1), today)
    cutoff = max(cutoff, start)
    last = max(start, cutoff - dt.timedelta(days=1))
    months = tuple(range(start.month, end.month + 1))
    return Window(start.year, start, cutoff, today, last.month, months)


@dataclass(frozen=True)
class InvestmentFact:
    planned: Decimal
    completed: Decimal
    expected_share: Decimal
    expected: Decimal


@dataclass(frozen=True)
class MilestoneFact:
    kind: str
    deadline: dt.date
    reached_on: dt.date | None
    outcome: str  # on_time, late, missed, not_due, not_measurable


@dataclass(frozen=True)
class ReportFact:
    month: int
    due: dt.date
    submitted_on: dt.date | None
    on_time: bool


@dataclass(frozen=True)
class ItemFact:
    """A problem or task: on the desk in the window, closed by its end, or overdue then."""

    id: int
    title: str
    project_id: int | None
    owner_unit_id: int | None
    deadline: dt.date | None
    closed: bool
    overdue: bool


@dataclass(frozen=True)
class SafetyFact:
    overdue_hazards: int = 0
    open_hazards: int = 0
    incidents: dict[str, int] = field(default_factory=dict)


@dataclass
class ProjectFacts:
    id: int
    name: str
    owner_unit_id: int
    responsible_unit_id: int
    investment: InvestmentFact | None = None
    milestone: MilestoneFact | None = None
    reports: list[ReportFact] = field(default_factory=list)
    problems: list[ItemFact] = field(default_factory=list)
    tasks: list[ItemFact] = field(default_factory=list)
    safety: SafetyFact | None = None


@dataclass(frozen=True)
class UnitInfo:
    id: int
    name: str
    kind: str


@dataclass
class Facts:
    window: Window
    projects: dict[int, ProjectFacts]
    units: dict[int, UnitInfo]
    unit_tasks: dict[int, list[ItemFact]]
    problem_source: str  # "problems": the problem ledger; "tasks": tasks made from problems
    safety_available: bool


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _local(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(moment) if moment is not None else None


def scope(jurisdiction_id: int, year: int) -> Any:
    """The projects in the year's programme: new starts, continuing and completing, and any
    other with a plan for the year; never a cancelled one."""
    planned = AnnualPlan.objects.filter(project=OuterRef("pk"), year=year)
    return (
        Project.objects.filter(jurisdiction_id=jurisdiction_id)
        .exclude(stage=Stage.CANCELLED)
        .with_batch(year)
        .filter(Q(batch__in=IN_PROGRAMME) | Exists(planned))
    )


def load(
    jurisdiction_id: int, window: Window, *, kinds: Iterable[str], grace_days: int = 0
) -> Facts:
    kinds = set(kinds)
    rows = list(
        scope(jurisdiction_id, window.year)
        .order_by("name", "id")
        .values_list(
            "id",
            "name",
            "owner_unit_id",
            "responsible_unit_id",
            "actual_start",
            "actual_completion",
        )
    )
    projects = {pid: ProjectFacts(pid, name, owner, resp) for pid, name, owner, resp, *_ in rows}
    dates = {pid: (start, completion) for pid, _n, _o, _r, start, completion in rows}
    ids = list(projects)
    unit_ids = {p.owner_unit_id for p in projects.values()} | {
        p.responsible_unit_id for p in projects.values()
    }
    unit_tasks: dict[int, list[ItemFact]] = defaultdict(list)
    problem_source = "problems" if problem_model() is not None else "tasks"
    safety_available = False
    if ids and IndicatorKind.INVESTMENT_COMPLETION in kinds:
        _investment(projects, window)
    if ids and IndicatorKind.MILESTONES in kinds:
        _milestones(projects, dates, window)
    if ids and IndicatorKind.REPORTING_ON_TIME in kinds:
        _reports(projects, dates, window, grace_days)
    if ids and IndicatorKind.PROBLEM_CLOSURE in kinds:
        for item in problem_items(ids, window):
            if item.project_id in projects:
                projects[item.project_id].problems.append(item)
    if IndicatorKind.TASK_CLOSURE in kinds:
        for item in task_items(jurisdiction_id, window):
            if item.project_id in projects:
                projects[item.project_id].tasks.append(item)
            if item.owner_unit_id is not None:
                unit_tasks[item.owner_unit_id].append(item)
                unit_ids.add(item.owner_unit_id)
    if IndicatorKind.SAFETY in kinds:
        safety_available = _safety(projects, jurisdiction_id, window)
    units = {
        pk: UnitInfo(pk, name, kind)
        for pk, name, kind in Unit.objects.filter(pk__in=unit_ids).values_list("pk", "name", "kind")
    }
    return Facts(window, projects, units, dict(unit_tasks), problem_source, safety_available)


# -- investment: the month's 序时 light of each project ---------------------------------------


def _investment(projects: dict[int, ProjectFacts], window: Window) -> None:
    """Each project's light for the month, worked out afresh by progress's own set-wise rule
    (`lights_of_month`) so that a report accepted since is in it; reading the scores saves
    nothing (the nightly run keeps the lights)."""
    for light in lights_of_month(year=window.year, month=window.month, projects=list(projects)):
        planned, share = light.annual_target, light.expected_share
        expected = rounded(planned * share / HUNDRED, CENT)
        projects[light.project_id].investment = InvestmentFact(
            planned, light.ytd_completed, share, expected
        )


# -- milestones: the year's target milestone (开工/建成/…) against the project's own dates ----


def quarter_end(year: int, quarter: int | None) -> dt.date:
    if not quarter:
        return dt.date(year, 12, 31)
    month = 3 * quarter
    return dt.date(year, month, 31 if month in (3, 12) else 30)


MEASURABLE = (Milestone.START, Milestone.COMPLETION, Milestone.PRELIMINARY, Milestone.OPERATION)


def _milestones(
    projects: dict[int, ProjectFacts],
    dates: dict[int, tuple[dt.date | None, dt.date | None]],
    window: Window,
) -> None:
    plans = list(
        AnnualPlan.objects.filter(project_id__in=list(projects), year=window.year)
        .exclude(milestone="")
        .values_list("project_id", "milestone", "milestone_quarter")
    )
    if not plans:
        return
    entered: dict[tuple[int, str], dt.date] = {}
    for pid, stage, effective, at in (
        StageChange.objects.filter(project_id__in=[p[0] for p in plans])
        .filter(to_stage__in=[Stage.CONSTRUCTION, Stage.COMPLETED, Stage.OPERATING])
        .order_by("at")
        .values_list("project_id", "to_stage", "effective_date", "at")
    ):
        entered.setdefault((pid, stage), effective or timezone.localdate(at))
    permits = _permits_done([pid for pid, kind, _q in plans if kind == Milestone.PRELIMINARY])
    for pid, kind, quarter in plans:
        start, completion = dates[pid]
        reached: dt.date | None
        if kind == Milestone.START:
            reached = start or entered.get((pid, Stage.CONSTRUCTION))
        elif kind == Milestone.COMPLETION:
            reached = completion or entered.get((pid, Stage.COMPLETED))
        elif kind == Milestone.OPERATION:
            reached = entered.get((pid, Stage.OPERATING))
        elif kind == Milestone.PRELIMINARY:
            # The last approval needed before works start; without a checklist, the start.
            reached = permits.get(pid, start or entered.get((pid, Stage.CONSTRUCTION)))
        else:
            reached = None
        deadline = quarter_end(window.year, quarter)
        projects[pid].milestone = MilestoneFact(
            kind, deadline, reached, milestone_outcome(kind, deadline, reached, window.cutoff)
        )


def milestone_outcome(
    kind: str, deadline: dt.date, reached: dt.date | None, cutoff: dt.date
) -> str:
    if kind not in MEASURABLE:
        return "not_measurable"
    if reached is not None and reached < cutoff:
        return "on_time" if reached <= deadline else "late"
    return "missed" if deadline < cutoff else "not_due"


def _permits_done(ids: list[int]) -> dict[int, dt.date | None]:
    """Projects with a checklist of before-start procedures (前期手续): the day the last was
    approved once all are done or not needed, else None. Projects without a checklist, or
    whose steps carry no approval dates, are not in the answer."""
    if not ids:
        return {}
    from keyprojects.approvals.models import ProcedureStep, StepStatus

    steps: dict[int, list[tuple[str, dt.date | None]]] = defaultdict(list)
    for pid, status, approved in ProcedureStep.objects.filter(
        project_id__in=ids, before_start=True
    ).values_list("project_id", "status", "approved_on"):
        steps[pid].append((status, approved))
    done: dict[int, dt.date | None] = {}
    for pid, rows in steps.items():
        if any(status not in (StepStatus.DONE, StepStatus.NOT_NEEDED) for status, _a in rows):
            done[pid] = None
            continue
        days = [a for status, a in rows if status == StepStatus.DONE and a is not None]
        if days:
            done[pid] = max(days)
    return done


# -- monthly reports on time -----------------------------------------------------------------


def report_months(window: Window, grace_days: int) -> list[tuple[int, dt.date]]:
    """The period's months whose report was due (with the grace) before the evaluation day,
    with that due day."""
    found = []
    for month in window.months:
        due = report_due_date(window.year, month) + dt.timedelta(days=grace_days)
        if due < window.evaluated_on:
            found.append((month, due))
    return found


def _reports(
    projects: dict[int, ProjectFacts],
    dates: dict[int, tuple[dt.date | None, dt.date | None]],
    window: Window,
    grace_days: int,
) -> None:
    months = report_months(window, grace_days)
    if not months:
        return
    sent: dict[tuple[int, int], tuple[str, dt.datetime | None]] = {
        (pid, month): (status, at)
        for pid, month, status, at in MonthlyReport.objects.filter(
            project_id__in=list(projects), year=window.year, month__in=[m for m, _d in months]
        ).values_list("project_id", "month", "status", "submitted_at")
    }
    handed_in = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
    for pid, facts in projects.items():
        start, completion = dates[pid]
        for month, due in months:
            first = dt.date(window.year, month, 1)
            last = first.replace(day=calendar.monthrange(window.year, month)[1])
            status, at = sent.get((pid, month), ("", None))
            building = (
                start is not None
                and start <= last
                and not (completion is not None and completion < first)
            )
            if not building and status not in handed_in:
                continue
            submitted = _local(at) if status in handed_in else None
            on_time = submitted is not None and submitted <= due
            facts.reports.append(ReportFact(month, due, submitted, on_time))


# -- problems and tasks ----------------------------------------------------------------------


_problem_table_seen = False


def problem_model() -> Any:
    """The problem ledger's model when it is installed and migrated, else None (problem
    closure is then read from the supervised tasks made from problems)."""
    global _problem_table_seen
    try:
        from keyprojects.problems.models import Problem
    except ImportError:
        return None
    if not _problem_table_seen:
        if Problem._meta.db_table not in connection.introspection.table_names():
            return None
        _problem_table_seen = True
    return Problem


def problem_items(project_ids: list[int], window: Window) -> list[ItemFact]:
    """Problems of the projects on someone's desk in the window: raised before its end and
    not closed before its start. Closed = confirmed and closed (销号) before the end; overdue
    = past the deadline at the end without being resolved."""
    model = problem_model()
    start, cutoff = _aware(window.start), _aware(window.cutoff)
    if model is None:
        tasks = Task.objects.filter(source_kind=SourceKind.PROBLEM, project_id__in=project_ids)
        return _task_facts(tasks, window)
    rows = (
        model.objects.filter(project_id__in=project_ids, raised_at__lt=cutoff)
        .exclude(status__in=["merged", "withdrawn"])
        .exclude(closed_at__lt=start, status="closed")
        .order_by("raised_at", "id")
        .values_list("id", "title", "project_id", "status", "deadline", "resolved_at", "closed_at")
    )
    items = []
    for pk, title, pid, status, deadline, resolved_at, closed_at in rows:
        closed = status == "closed" and closed_at is not None and closed_at < cutoff
        settled = closed or (resolved_at is not None and resolved_at < cutoff)
        overdue = deadline is not None and deadline < window.cutoff and not settled
        items.append(ItemFact(pk, title, pid, None, deadline, closed, overdue))
    return items


def task_items(jurisdiction_id: int, window: Window) -> list[ItemFact]:
    """Supervised tasks of the jurisdiction on a desk in the window (cancelled ones aside)."""
    return _task_facts(Task.objects.filter(jurisdiction_id=jurisdiction_id), window)


def _task_facts(tasks: Any, window: Window) -> list[ItemFact]:
    start, cutoff = _aware(window.start), _aware(window.cutoff)
    rows = (
        tasks.filter(created_at__lt=cutoff)
        .exclude(status=TaskStatus.CANCELLED)
        .exclude(status=TaskStatus.DONE, closed_at__lt=start)
        .order_by("created_at", "id")
        .values_list(
            "id", "title", "project_id", "owner_unit_id", "status", "deadline", "closed_at"
        )
    )
    items = []
    for pk, title, pid, unit, status, deadline, closed_at in rows:
        closed = status == TaskStatus.DONE and closed_at is not None and closed_at < cutoff
        overdue = deadline < window.cutoff and not closed
        items.append(ItemFact(pk, title, pid, unit, deadline, closed, overdue))
    return items


# -- safety ---------------------------------------------------------------------------------


_inspection_table_seen = False


def safety_source() -> Callable[..., Any] | None:
    """Inspections' `safety_summary(jurisdiction_ids, start, end)` once inspections are
    installed and migrated, else None (work safety then has nothing to measure)."""
    global _inspection_table_seen
    try:
        from keyprojects.inspections.models import Hazard
        from keyprojects.inspections.selectors import safety_summary
    except ImportError:
        return None
    if not _inspection_table_seen:
        if Hazard._meta.db_table not in connection.introspection.table_names():
            return None
        _inspection_table_seen = True
    found: Callable[..., Any] = safety_summary
    return found


def _safety(projects: dict[int, ProjectFacts], jurisdiction_id: int, window: Window) -> bool:
    summary = safety_source()
    if summary is None:
        return False
    by_project = summary([jurisdiction_id], window.start, window.last_day).by_project
    for pid, facts in projects.items():
        counts = by_project.get(pid)
        facts.safety = SafetyFact() if counts is None else safety_fact(counts)
    return True


def safety_fact(counts: Any) -> SafetyFact:
    """One project's hazards and accidents from inspections' counts for the period: hazards
    late (rectified after the deadline, or due and not rectified by the end), hazards found
    in the period and not closed, accidents by grade."""
    return SafetyFact(
        overdue_hazards=int(counts.hazards_late),
        open_hazards=max(int(counts.hazards) - int(counts.hazards_closed), 0),
        incidents={str(k): int(v) for k, v in dict(counts.incidents_by_grade).items() if v},
    )
