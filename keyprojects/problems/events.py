"""What every change to a problem shares: refusals, the version check, the timeline, the
notices."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from keyprojects.notifications.services import notify
from keyprojects.organisations.choices import Role
from keyprojects.organisations.models import Jurisdiction, Unit, User
from keyprojects.projects.models import Project
from keyprojects.supervision.choices import TaskStatus
from keyprojects.supervision.sources import tasks_of

from .models import Problem, ProblemEvent


class IllegalMove(ValidationError):
    """A change the problem's state does not allow; the message says why."""


def require(condition: bool, message: str) -> None:
    if not condition:
        raise IllegalMove(message)


def is_user(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "pk", None))


def status_refusal(problem: Problem, message: str) -> str:
    return message % {"status": problem.get_status_display()}


# -- notices ----------------------------------------------------------------------------------


def people_of(unit_ids: Iterable[int]) -> list[User]:
    return list(User.objects.filter(unit_id__in=list(unit_ids), is_active=True))


def offices_for(problem: Problem) -> list[User]:
    return list(
        User.objects.filter(
            role=Role.PROGRAMME_OFFICE, jurisdiction_id=problem.jurisdiction_id, is_active=True
        )
    )


def tell(
    users: Iterable[User], problem: Problem, kind: str, key: str, title: str, body: str = ""
) -> None:
    notify(
        [u for u in users if u is not None],
        kind=kind,
        key=f"{problem.pk}:{key}",
        title=title,
        body=body or problem.title,
        url=problem.get_absolute_url(),
    )


def log(
    problem: Problem, kind: str, user: Any = None, text: str = "", unit: Unit | None = None
) -> ProblemEvent:
    return ProblemEvent.objects.create(
        problem=problem,
        kind=kind,
        author=user if is_user(user) else None,
        unit=unit,
        text=text,
    )


def bump(problem: Problem, **fields: Any) -> None:
    """Save `fields` and move the version on, refusing when someone else changed the problem
    since it was read: two people deciding at once, the second is told, nothing is lost."""
    with transaction.atomic():
        current = (
            Problem.objects.select_for_update()
            .filter(pk=problem.pk)
            .values_list("version", flat=True)
            .first()
        )
        if current != problem.version:
            raise IllegalMove(
                _("Someone else changed this problem first. Reload it and try again.")
            )
        for name, value in fields.items():
            setattr(problem, name, value)
        problem.version += 1
        problem.save(update_fields=[*fields, "version"])


def live_tasks(problem: Problem) -> Any:
    """The problem's assignments that still count: every one not cancelled."""
    return tasks_of(problem).exclude(status=TaskStatus.CANCELLED)


def jurisdiction_ids(project: Project) -> set[int]:
    ids: set[int] = set()
    node: Jurisdiction | None = project.jurisdiction
    while node is not None:
        ids.add(node.pk)
        node = node.parent
    return ids
