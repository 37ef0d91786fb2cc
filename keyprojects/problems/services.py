"""The life of a problem: raise, assign, respond, confirm and close (销号), reopen, merge,
withdraw. Its resolution and escalation follow its tasks (`tracking`).

Each assignment of a responsible unit is a supervised task (督办事项); a unit's response is
its own row here and is mirrored into the task's history, so the task page and the problem
page tell the same story. When every live task of a problem is done, the problem is
resolved and waits for the raiser's confirmation.

Every change goes through here, so that the pages, the API and the nightly run refuse the
same illegal moves with the same reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.organisations.models import Unit
from keyprojects.projects.choices import Stage
from keyprojects.projects.models import Project
from keyprojects.supervision import services as supervision
from keyprojects.supervision.choices import SourceKind, TaskStatus
from keyprojects.supervision.models import Task
from keyprojects.supervision.sources import tasks_of

from . import files, rules
from .choices import EventKind, ProblemStatus, Severity
from .deadlines import deadline_for
from .events import (
    IllegalMove,
    bump,
    is_user,
    jurisdiction_ids,
    live_tasks,
    log,
    offices_for,
    people_of,
    require,
    status_refusal,
    tell,
)
from .models import Problem, ProblemResponse
from .tracking import (
    ProblemDeadlineRun,
    agenda_problems,
    follow_task,
    problems_check_deadlines,
)

__all__ = [
    "IllegalMove",
    "ProblemDeadlineRun",
    "agenda_problems",
    "follow_task",
    "problem_assign",
    "problem_confirm",
    "problem_merge",
    "problem_raise",
    "problem_reopen",
    "problem_respond",
    "problem_set_deadline",
    "problem_withdraw",
    "problems_check_deadlines",
]


# -- raise ------------------------------------------------------------------------------------


def problem_raise(
    *,
    user: Any,
    project: Project,
    category: str,
    title: str,
    need: str,
    severity: str = Severity.GENERAL,
    description: str = "",
    raised_by_unit: Unit | None = None,
    needed_from_unit: Unit | None = None,
    needed_from: str = "",
    upload: Any = None,
) -> Problem:
    """An owner or responsible unit raises a problem on its project; the office may record
    one for either of them."""
    allowed = rules.raising_units(user, project)
    if not allowed:
        raise PermissionDenied
    if raised_by_unit is None:
        require(
            len(allowed) == 1,
            _("Say which unit raises the problem: the project's owner or responsible unit."),
        )
        raised_by_unit = allowed[0]
    if raised_by_unit.pk not in {u.pk for u in allowed}:
        raise ValidationError(
            {"raised_by_unit": _("A problem is raised by the project's owner or responsible unit.")}
        )
    require(
        project.stage != Stage.CANCELLED,
        _("The project was cancelled (终止); no problem can be raised on it."),
    )
    if needed_from_unit is not None and needed_from_unit.jurisdiction_id not in (
        jurisdiction_ids(project)
    ):
        raise ValidationError({"needed_from_unit": _("That unit belongs to another jurisdiction.")})
    problem = Problem(
        jurisdiction_id=project.jurisdiction_id,
        project=project,
        raised_by_unit=raised_by_unit,
        raised_by=user if is_user(user) else None,
        category=category,
        severity=severity,
        title=(title or "").strip(),
        description=(description or "").strip(),
        need=(need or "").strip(),
        needed_from_unit=needed_from_unit,
        needed_from=(needed_from or "").strip(),
    )
    problem.full_clean(exclude=["attachment"])
    with transaction.atomic():
        if upload is not None:
            files.store(upload, problem.attachment)
        problem.save()
        recorded = user.is_programme_office and raised_by_unit.pk != user.unit_id
        log(
            problem,
            EventKind.RAISED,
            user,
            _("Recorded by the programme office for %(unit)s.") % {"unit": raised_by_unit}
            if recorded
            else "",
            unit=raised_by_unit,
        )
        tell(
            [u for u in offices_for(problem) if u.pk != getattr(user, "pk", None)],
            problem,
            "problem_raised",
            "raised",
            _("New problem from %(unit)s: %(title)s")
            % {"unit": raised_by_unit, "title": problem.title},
            problem.need,
        )
    return problem


# -- triage and assignment --------------------------------------------------------------------


def problem_assign(
    problem: Problem,
    *,
    user: Any,
    units: Sequence[Unit],
    severity: str | None = None,
    deadline: dt.date | None = None,
    note: str = "",
    today: dt.date | None = None,
) -> list[Task]:
    """The office assigns the problem to one or more responsible units, each getting a
    supervised task with the deadline its severity sets (or the one given). On a problem in
    progress it adds units."""
    if not rules.can_triage(user, problem):
        raise PermissionDenied
    today = today or timezone.localdate()
    require(
        problem.status in (ProblemStatus.RAISED, ProblemStatus.ASSIGNED),
        status_refusal(
            problem,
            _(
                "Only a problem awaiting assignment or in progress can be assigned; this one is "
                "%(status)s."
            ),
        ),
    )
    units = list({u.pk: u for u in units}.values())
    require(bool(units), _("Choose at least one responsible unit."))
    severity = severity or problem.severity
    require(severity in Severity.values, _("Choose a severity."))
    allowed = set(problem.jurisdiction.subtree_ids())
    for unit in units:
        require(
            unit.jurisdiction_id in allowed,
            _("%(unit)s belongs to another jurisdiction.") % {"unit": unit},
        )
        require(
            unit.pk != problem.raised_by_unit_id,
            _("%(unit)s raised the problem; assign it to the units that can solve it.")
            % {"unit": unit},
        )
    busy = set(
        tasks_of(problem)
        .filter(status__in=[TaskStatus.OPEN, TaskStatus.SUBMITTED], owner_unit__in=units)
        .values_list("owner_unit__name", flat=True)
    )
    require(
        not busy,
        _("Already working on this problem: %(units)s.") % {"units": "、".join(sorted(busy))},
    )
    if deadline is not None:
        require(deadline >= today, _("The deadline has already passed."))
    first = problem.status == ProblemStatus.RAISED
    if first:
        problem_deadline = deadline or deadline_for(severity, today)
        task_deadline = problem_deadline
    else:
        problem_deadline = problem.deadline or deadline_for(severity, today)
        task_deadline = deadline or (
            problem_deadline if problem_deadline >= today else deadline_for(severity, today)
        )
    note = (note or "").strip()
    now = timezone.now()
    with transaction.atomic():
        fields: dict[str, Any] = {"status": ProblemStatus.ASSIGNED, "severity": severity}
        if first:
            fields.update(deadline=problem_deadline, triaged_at=now)
        bump(problem, **fields)
        tasks = [
            supervision.create_task(
                title=problem.title,
                detail=_task_detail(problem, note),
                source_kind=SourceKind.PROBLEM,
                source=problem,
                project=problem.project,
                owner_unit=unit,
                deadline=task_deadline,
                issued_by=user,
            )
            for unit in units
        ]
        for unit in units:
            log(
                problem,
                EventKind.ASSIGNED,
                user,
                _("Deadline %(date)s.") % {"date": task_deadline.isoformat()}
                + (f" {note}" if note else ""),
                unit=unit,
            )
        tell(
            people_of([problem.raised_by_unit_id]),
            problem,
            "problem_assigned",
            f"assigned:{problem.version}",
            _("Assigned to %(units)s: %(title)s")
            % {"units": "、".join(str(u) for u in units), "title": problem.title},
            _("Deadline %(date)s.") % {"date": task_deadline.isoformat()},
        )
    return tasks


def _task_detail(problem: Problem, note: str) -> str:
    parts = [
        _("Problem raised by %(unit)s (%(category)s, %(severity)s).")
        % {
            "unit": problem.raised_by_unit,
            "category": problem.get_category_display(),
            "severity": problem.get_severity_display(),
        },
        problem.description,
        _("What is needed: %(need)s") % {"need": problem.need},
        note,
    ]
    return "\n".join(p for p in parts if p)


def problem_set_deadline(
    problem: Problem,
    *,
    user: Any,
    deadline: dt.date,
    reason: str,
    today: dt.date | None = None,
) -> Problem:
    """The office moves the deadline of a problem in progress, and of its open tasks."""
    if not rules.can_triage(user, problem):
        raise PermissionDenied
    today = today or timezone.localdate()
    require(
        problem.status == ProblemStatus.ASSIGNED,
        status_refusal(
            problem,
            _("Only a problem in progress has a deadline to change; this one is %(status)s."),
        ),
    )
    reason = (reason or "").strip()
    require(bool(reason), _("Say why the deadline changes."))
    require(deadline >= today, _("The deadline has already passed."))
    require(deadline != problem.deadline, _("That is already the deadline."))
    old = problem.deadline
    with transaction.atomic():
        bump(problem, deadline=deadline, escalated_at=None)
        for task in (
            tasks_of(problem)
            .filter(status__in=[TaskStatus.OPEN, TaskStatus.SUBMITTED])
            .exclude(deadline=deadline)
        ):
            supervision.task_extend(task, user=user, deadline=deadline, reason=reason)
        log(
            problem,
            EventKind.DEADLINE,
            user,
            f"{old.isoformat() if old else '—'} → {deadline.isoformat()}: {reason}",
        )
    return problem


# -- responses --------------------------------------------------------------------------------


def problem_respond(
    problem: Problem, *, user: Any, text: str, upload: Any = None, done: bool = False
) -> ProblemResponse:
    """A responsible unit answers: what it did, what it needs. With `done`, it reports its
    part done, which the office then accepts. Never refused for someone else's answer
    arriving first: each response is its own row."""
    task = rules.responder_task(user, problem)
    if task is None:
        raise PermissionDenied
    require(
        problem.status == ProblemStatus.ASSIGNED,
        status_refusal(
            problem,
            _("Responses are taken while the problem is in progress; this one is %(status)s."),
        ),
    )
    text = (text or "").strip()
    require(bool(text), _("Write the response."))
    if done:
        require(
            task.status == TaskStatus.OPEN,
            _("Your unit's part was already reported done (%(status)s).")
            % {"status": task.get_status_display()},
        )
    now = timezone.now()
    with transaction.atomic():
        response = ProblemResponse(
            problem=problem, task=task, unit=task.owner_unit, author=user, text=text,
            reports_done=done, at=now,
        )  # fmt: skip
        if upload is not None:
            files.store(upload, response.file, response.thumbnail)
        response.save()
        # Locked, not versioned: a response never conflicts with another one.
        locked = Problem.objects.select_for_update().get(pk=problem.pk)
        if locked.first_response_at is None:
            locked.first_response_at = now
            locked.save(update_fields=["first_response_at"])
        problem.first_response_at = locked.first_response_at
        mirrored = text
        if response.file:
            mirrored += "\n" + _("(A file is attached to the response on the problem's page.)")
        if done:
            supervision.task_submit(task, user=user, text=mirrored)
        else:
            supervision.task_comment(task, user=user, text=mirrored)
        tell(
            people_of([problem.raised_by_unit_id]),
            problem,
            "problem_responded",
            f"response:{response.pk}",
            _("%(unit)s responded: %(title)s") % {"unit": task.owner_unit, "title": problem.title},
            text,
        )
    return response


# -- the raiser's decision --------------------------------------------------------------------


def problem_confirm(problem: Problem, *, user: Any, rating: int, comment: str = "") -> Problem:
    """The raiser confirms the resolution and rates it; the problem is closed (销号)."""
    if not rules.speaks_for_raiser(user, problem):
        raise PermissionDenied
    require(
        problem.status == ProblemStatus.RESOLVED,
        status_refusal(
            problem, _("Only a resolved problem can be confirmed; this one is %(status)s.")
        ),
    )
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ValidationError({"rating": _("Rate the resolution from 1 to 5.")})
    comment = (comment or "").strip()
    if rating <= 2 and not comment:
        raise ValidationError({"comment": _("Say what was unsatisfactory.")})
    with transaction.atomic():
        bump(
            problem,
            status=ProblemStatus.CLOSED,
            rating=rating,
            rating_comment=comment,
            closed_at=timezone.now(),
        )
        log(problem, EventKind.CLOSED, user, "★" * rating + (f" {comment}" if comment else ""))
        units = set(live_tasks(problem).values_list("owner_unit_id", flat=True))
        tell(
            people_of(units) + offices_for(problem),
            problem,
            "problem_closed",
            f"closed:{problem.version}",
            _("Closed (销号), rated %(rating)d of 5: %(title)s")
            % {"rating": rating, "title": problem.title},
            comment,
        )
    return problem


def problem_reopen(
    problem: Problem, *, user: Any, reason: str, today: dt.date | None = None
) -> list[Task]:
    """Back to work: the units whose part was done get a new assignment with a fresh
    deadline; the earlier ones stay in the history."""
    if not (rules.speaks_for_raiser(user, problem) or rules.can_triage(user, problem)):
        raise PermissionDenied
    require(
        problem.status in (ProblemStatus.RESOLVED, ProblemStatus.CLOSED),
        status_refusal(
            problem,
            _("Only a resolved or closed problem can be reopened; this one is %(status)s."),
        ),
    )
    require(
        rules.can_reopen(user, problem),
        _("A problem closed (销号) is reopened by the programme office; ask it."),
    )
    reason = (reason or "").strip()
    require(bool(reason), _("Say why the problem is reopened."))
    today = today or timezone.localdate()
    deadline = deadline_for(problem.severity, today)
    unit_ids = list(
        dict.fromkeys(
            tasks_of(problem)
            .filter(status=TaskStatus.DONE)
            .order_by("created_at", "id")
            .values_list("owner_unit_id", flat=True)
        )
    )
    units = list(Unit.objects.filter(pk__in=unit_ids))
    office = rules.can_triage(user, problem)
    with transaction.atomic():
        bump(
            problem,
            status=ProblemStatus.ASSIGNED if units else ProblemStatus.RAISED,
            deadline=deadline if units else None,
            resolved_at=None,
            closed_at=None,
            escalated_at=None,
            rating=None,
            rating_comment="",
            reopened_count=problem.reopened_count + 1,
        )
        log(problem, EventKind.REOPENED, user, reason)
        tasks = [
            supervision.create_task(
                title=problem.title,
                detail=_("Reopened: %(reason)s") % {"reason": reason}
                + "\n"
                + _task_detail(problem, ""),
                source_kind=SourceKind.PROBLEM,
                source=problem,
                project=problem.project,
                owner_unit=unit,
                deadline=deadline,
                # Reported-done notices go to whoever issued the task: the office decides.
                issued_by=user if office else None,
            )
            for unit in units
        ]
        for unit in units:
            log(
                problem,
                EventKind.ASSIGNED,
                user,
                _("Deadline %(date)s.") % {"date": deadline.isoformat()},
                unit=unit,
            )
        tell(
            offices_for(problem),
            problem,
            "problem_reopened",
            f"reopened:{problem.version}",
            _("Reopened: %(title)s") % {"title": problem.title},
            reason,
        )
    return tasks


def problem_withdraw(problem: Problem, *, user: Any, reason: str) -> Problem:
    """The raiser takes the problem back before the office has assigned it."""
    if not rules.speaks_for_raiser(user, problem):
        raise PermissionDenied
    require(
        problem.status == ProblemStatus.RAISED,
        status_refusal(
            problem,
            _("Only a problem not yet assigned can be withdrawn; this one is %(status)s."),
        ),
    )
    reason = (reason or "").strip()
    require(bool(reason), _("Say why the problem is withdrawn."))
    with transaction.atomic():
        bump(problem, status=ProblemStatus.WITHDRAWN)
        log(problem, EventKind.WITHDRAWN, user, reason)
        tell(
            offices_for(problem),
            problem,
            "problem_withdrawn",
            "withdrawn",
            _("Withdrawn: %(title)s") % {"title": problem.title},
            reason,
        )
    return problem


def problem_merge(problem: Problem, *, user: Any, into: Problem, reason: str = "") -> Problem:
    """The office marks `problem` a duplicate of `into`. Its open tasks are cancelled with the
    reason; its responses and history stay readable on its page."""
    if not rules.can_triage(user, problem):
        raise PermissionDenied
    require(
        problem.is_open,
        status_refusal(problem, _("Only an open problem can be merged; this one is %(status)s.")),
    )
    require(into.pk != problem.pk, _("A problem cannot be merged into itself."))
    require(
        into.jurisdiction_id == problem.jurisdiction_id,
        _("The problems belong to different jurisdictions."),
    )
    require(
        into.is_open,
        status_refusal(
            into,
            _("Merge into an open problem; the one chosen is %(status)s."),
        ),
    )
    reason = (reason or "").strip()
    text = _("Duplicate of %(target)s.") % {"target": into} + (f" {reason}" if reason else "")
    with transaction.atomic():
        bump(problem, status=ProblemStatus.MERGED, merged_into=into)
        for task in tasks_of(problem).filter(status__in=[TaskStatus.OPEN, TaskStatus.SUBMITTED]):
            supervision.task_cancel(task, user=user, reason=text, system=True)
        log(problem, EventKind.MERGED, user, text)
        log(
            into,
            EventKind.ABSORBED,
            user,
            _("%(duplicate)s was merged into this problem.") % {"duplicate": problem}
            + (f" {reason}" if reason else ""),
            unit=problem.raised_by_unit,
        )
        tell(
            people_of([problem.raised_by_unit_id]),
            problem,
            "problem_merged",
            "merged",
            _("Merged as a duplicate: %(title)s") % {"title": problem.title},
            text,
        )
    return problem
