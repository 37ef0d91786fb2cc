"""Following a problem once it is assigned: its tasks' progress moves it, its deadline
escalates it, and the dispatch meeting takes up the overdue ones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.notifications.services import notify
from keyprojects.supervision import services as supervision
from keyprojects.supervision.choices import SourceKind, TaskStatus, UpdateKind
from keyprojects.supervision.models import Task

from .choices import EventKind, ProblemStatus
from .deadlines import add_days
from .events import live_tasks, log, offices_for, people_of, tell
from .models import Problem, ProblemQuerySet

TRIAGE_DAYS_DEFAULT = 2

# -- following the tasks ----------------------------------------------------------------------

# A task's new status, as the problem's timeline tells it, with the task history's line that
# carries the words (the unit's report, the office's remark or reason).
_TASK_EVENTS = {
    TaskStatus.SUBMITTED: (EventKind.UNIT_REPORTED, UpdateKind.SUBMITTED),
    TaskStatus.DONE: (EventKind.UNIT_ACCEPTED, UpdateKind.ACCEPTED),
    TaskStatus.CANCELLED: (EventKind.UNIT_CANCELLED, UpdateKind.CANCELLED),
}
_RETURNED = (EventKind.UNIT_RETURNED, UpdateKind.RETURNED)
_REOPENED = (EventKind.UNIT_REOPENED, UpdateKind.REOPENED)


def _problem_content_type_id() -> int:
    return ContentType.objects.get_for_model(Problem).pk


def follow_task(*, task: Task, old: str, new: str, user: Any) -> None:
    """A task made by a problem changed status: write it into the problem's timeline, and
    move the problem to resolved when every live task is done (or back to work, or back to
    the office when none is left)."""
    if (
        task.source_kind != SourceKind.PROBLEM
        or task.source_type_id != _problem_content_type_id()
        or task.source_id is None
    ):
        return
    with transaction.atomic():
        problem = (
            Problem.objects.select_for_update()
            .select_related("project")
            .filter(pk=task.source_id)
            .first()
        )
        if problem is None:
            return
        kinds = _TASK_EVENTS.get(TaskStatus(new))
        if new == TaskStatus.OPEN:
            kinds = _RETURNED if old == TaskStatus.SUBMITTED else _REOPENED
        if kinds is not None:
            log(problem, kinds[0], user, _task_words(task, kinds[1]), unit=task.owner_unit)
        _settle(problem, user)


def _task_words(task: Task, kind: str) -> str:
    """What was said with the change: the unit's report, the office's remark or reason."""
    update = task.updates.filter(kind=kind).order_by("-at", "-id").first()
    if update is None:
        return ""
    if kind == UpdateKind.SUBMITTED:
        answer = task.problem_responses.filter(reports_done=True).order_by("-at", "-id").first()
        if answer is not None and update.text.startswith(answer.text):
            return ""  # the unit's response on the problem already says it
    return update.text


def _settle(problem: Problem, user: Any) -> None:
    """The problem's status as its live tasks now have it. `problem` is locked."""
    if problem.status not in (
        ProblemStatus.ASSIGNED,
        ProblemStatus.RESOLVED,
        ProblemStatus.CLOSED,
    ):
        return
    statuses = list(live_tasks(problem).values_list("status", flat=True))
    now = timezone.now()
    changes: dict[str, Any] = {}
    if not statuses:
        if problem.status == ProblemStatus.ASSIGNED:
            changes = {"status": ProblemStatus.RAISED, "deadline": None, "escalated_at": None}
            log(problem, EventKind.BACK_TO_TRIAGE, None)
            tell(
                offices_for(problem),
                problem,
                "problem_unassigned",
                f"unassigned:{problem.version}",
                _("No unit is assigned any more: %(title)s") % {"title": problem.title},
            )
    elif all(s == TaskStatus.DONE for s in statuses):
        if problem.status == ProblemStatus.ASSIGNED:
            changes = {"status": ProblemStatus.RESOLVED, "resolved_at": now}
            log(problem, EventKind.RESOLVED, None)
            tell(
                people_of([problem.raised_by_unit_id]),
                problem,
                "problem_resolved",
                f"resolved:{problem.version}",
                _("Resolved, please confirm and rate: %(title)s") % {"title": problem.title},
            )
    elif problem.status in (ProblemStatus.RESOLVED, ProblemStatus.CLOSED):
        changes = {
            "status": ProblemStatus.ASSIGNED,
            "resolved_at": None,
            "closed_at": None,
            "rating": None,
            "rating_comment": "",
        }
        log(problem, EventKind.BACK_TO_WORK, user)
    if changes:
        for name, value in changes.items():
            setattr(problem, name, value)
        problem.version += 1
        problem.save(update_fields=[*changes, "version"])


def on_task_status_changed(
    sender: Any, task: Task, old: str, new: str, user: Any = None, **kw: Any
) -> None:
    follow_task(task=task, old=old, new=new, user=user)


# -- deadlines, escalation, the dispatch meeting's agenda -------------------------------------


@dataclass
class ProblemDeadlineRun:
    escalated: int = 0
    triage_reminders: int = 0


def problems_check_deadlines(today: dt.date | None = None) -> ProblemDeadlineRun:
    """Escalate each problem past its deadline and not resolved: once, to the leader in
    charge and the programme office, and onto the next dispatch meeting's agenda
    (`agenda_problems`). Remind the office of problems it has not assigned within
    KEYPROJECTS_PROBLEM_TRIAGE_DAYS working days. Running it twice sends nothing twice."""
    today = today or timezone.localdate()
    run = ProblemDeadlineRun()
    late = (
        Problem.objects.overdue(today)
        .filter(escalated_at__isnull=True)
        .select_related("project")
        .order_by("deadline", "id")
    )
    for problem in late:
        with transaction.atomic():
            locked = Problem.objects.select_for_update().get(pk=problem.pk)
            if not locked.is_overdue(today) or locked.escalated_at is not None:
                continue  # changed meanwhile
            locked.escalated_at = timezone.now()
            locked.version += 1
            locked.save(update_fields=["escalated_at", "version"])
            assert locked.deadline is not None
            days = (today - locked.deadline).days
            log(
                locked,
                EventKind.ESCALATED,
                None,
                _(
                    "Overdue by %(days)d days: raised to the leader in charge and the next "
                    "dispatch meeting."
                )
                % {"days": days},
            )
            tell(
                supervision.leaders_for(problem.project, problem.jurisdiction_id)
                + offices_for(problem),
                locked,
                "problem_overdue",
                f"escalated:{locked.deadline.isoformat()}",
                _("Overdue problem for your attention: %(title)s") % {"title": locked.title},
                _("Deadline %(date)s, overdue by %(days)d days.")
                % {"date": locked.deadline.isoformat(), "days": days},
            )
        run.escalated += 1
    triage_days = int(getattr(settings, "KEYPROJECTS_PROBLEM_TRIAGE_DAYS", TRIAGE_DAYS_DEFAULT))
    waiting = Problem.objects.filter(status=ProblemStatus.RAISED).order_by("raised_at", "id")
    for problem in waiting:
        raised_on = timezone.localdate(problem.raised_at)
        if add_days(raised_on, triage_days) >= today:
            continue
        sent = notify(
            offices_for(problem),
            kind="problem_untriaged",
            key=str(problem.pk),
            title=_("Waiting for assignment since %(date)s: %(title)s")
            % {"date": raised_on.isoformat(), "title": problem.title},
            body=problem.need,
            url=problem.get_absolute_url(),
        )
        if sent:
            run.triage_reminders += 1
    return run


def agenda_problems(
    jurisdiction_ids: Iterable[int] | None, today: dt.date | None = None
) -> ProblemQuerySet:
    """Problems for the next dispatch meeting (调度会): in progress and overdue, or escalated.
    `None` means every jurisdiction."""
    today = today or timezone.localdate()
    problems = Problem.objects.filter(status=ProblemStatus.ASSIGNED).filter(
        Q(deadline__lt=today) | Q(escalated_at__isnull=False)
    )
    if jurisdiction_ids is not None:
        problems = problems.filter(jurisdiction_id__in=list(jurisdiction_ids))
    return problems.select_related("project", "raised_by_unit").order_by("deadline", "id")
