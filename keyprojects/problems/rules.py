"""Who may do what with a problem. The services ask these before every change; the pages and
the API ask them to show only the actions a person can take."""

from __future__ import annotations

from typing import Any

from keyprojects.organisations.choices import Role
from keyprojects.organisations.models import Unit
from keyprojects.projects.models import Project
from keyprojects.supervision.choices import TaskStatus
from keyprojects.supervision.models import Task
from keyprojects.supervision.sources import tasks_of

from .choices import ProblemStatus
from .models import Problem


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_office_for(user: Any, jurisdiction_id: int) -> bool:
    if not _signed_in(user):
        return False
    if user.is_superuser:
        return True
    return user.role == Role.PROGRAMME_OFFICE and jurisdiction_id in (
        user.visible_jurisdiction_ids() or []
    )


def raising_units(user: Any, project: Project) -> list[Unit]:
    """The units `user` may raise a problem for on `project`: their own unit when it owns or
    answers for the project; for the office, either of those units (recording for it)."""
    if not _signed_in(user):
        return []
    if is_office_for(user, project.jurisdiction_id):
        units = [project.owner_unit]
        if project.responsible_unit_id != project.owner_unit_id:
            units.append(project.responsible_unit)
        return units
    if user.role == Role.UNIT_USER and user.unit_id in {
        project.owner_unit_id,
        project.responsible_unit_id,
    }:
        return [user.unit]
    return []


def can_raise(user: Any, project: Project) -> bool:
    return bool(raising_units(user, project))


def may_raise_somewhere(user: Any) -> bool:
    return _signed_in(user) and (
        user.is_programme_office or (user.role == Role.UNIT_USER and bool(user.unit_id))
    )


def can_triage(user: Any, problem: Problem) -> bool:
    """Assign, add units, change the deadline, merge: the programme office."""
    return is_office_for(user, problem.jurisdiction_id)


def speaks_for_raiser(user: Any, problem: Problem) -> bool:
    """Confirm and rate, withdraw: the raising unit's people, or the office recording for it."""
    if not _signed_in(user):
        return False
    if is_office_for(user, problem.jurisdiction_id):
        return True
    return user.role == Role.UNIT_USER and user.unit_id == problem.raised_by_unit_id


def can_reopen(user: Any, problem: Problem) -> bool:
    """A resolved problem goes back to work when the raiser is not satisfied; reopening one
    already closed (销号) is the office's decision."""
    if problem.status == ProblemStatus.CLOSED:
        return is_office_for(user, problem.jurisdiction_id)
    return speaks_for_raiser(user, problem)


def responder_task(user: Any, problem: Problem) -> Task | None:
    """The assignment of the user's unit on this problem (its latest one not cancelled)."""
    if not _signed_in(user) or user.role != Role.UNIT_USER or not user.unit_id:
        return None
    return (
        tasks_of(problem)
        .filter(owner_unit_id=user.unit_id)
        .exclude(status=TaskStatus.CANCELLED)
        .order_by("-created_at", "-id")
        .first()
    )


def can_respond(user: Any, problem: Problem) -> bool:
    return responder_task(user, problem) is not None


def actions_for(user: Any, problem: Problem) -> list[str]:
    """The changes `user` can make to `problem` in its present state."""
    actions: list[str] = []
    status = problem.status
    office = can_triage(user, problem)
    if office and status in (ProblemStatus.RAISED, ProblemStatus.ASSIGNED):
        actions.append("assign")
    if office and status == ProblemStatus.ASSIGNED:
        actions.append("deadline")
    if status == ProblemStatus.ASSIGNED and can_respond(user, problem):
        actions.append("respond")
    if status == ProblemStatus.RESOLVED and speaks_for_raiser(user, problem):
        actions.append("confirm")
    if status in (ProblemStatus.RESOLVED, ProblemStatus.CLOSED) and can_reopen(user, problem):
        actions.append("reopen")
    if office and problem.is_open:
        actions.append("merge")
    if status == ProblemStatus.RAISED and speaks_for_raiser(user, problem):
        actions.append("withdraw")
    return actions
