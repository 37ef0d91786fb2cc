"""The life of a supervised task: assign, work, report done, accept or return, escalate.

Every change goes through here, so that pages, the API and the jobs refuse the same illegal
moves with the same message, and everything lands in the audit trail and the task's history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.notifications.services import notify
from keyprojects.organisations.choices import Role
from keyprojects.organisations.models import Unit, User
from keyprojects.projects.models import Project

from .choices import OPEN_STATUSES, SourceKind, TaskStatus, UpdateKind
from .models import Task, TaskUpdate
from .sources import checking_units, source_fields, tasks_of

# Sent after a task changes status, so its source can follow (a problem whose tasks are all
# done becomes resolved, a hazard whose task is accepted is rectified).
task_status_changed = Signal()  # sender=Task, task=..., old=..., new=..., user=...


class IllegalMove(ValidationError):
    """A change the task's state does not allow; the message says why."""


# -- who may do what --------------------------------------------------------------------------


def can_work(user: Any, task: Task) -> bool:
    """Log progress, attach evidence, report done: the owner unit's people and the office."""
    if not getattr(user, "is_authenticated", False):
        return False
    if _is_office_for(user, task):
        return True
    return user.role == Role.UNIT_USER and (
        user.unit_id == task.owner_unit_id or user.pk == task.owner_person_id
    )


def can_decide(user: Any, task: Task) -> bool:
    """Accept, return, extend, reassign, cancel: the programme office, or the leader who
    issued it."""
    if not getattr(user, "is_authenticated", False):
        return False
    if _is_office_for(user, task):
        return True
    return user.role == Role.LEADER and task.issued_by_id == user.pk


def can_check(user: Any, task: Task) -> bool:
    """Accept or return what was reported done: whoever decides on the task, or a person of a
    unit its source names to check it (`sources.register_checker`)."""
    if can_decide(user, task):
        return True
    return bool(
        getattr(user, "is_authenticated", False)
        and user.role == Role.UNIT_USER
        and user.unit_id
        and user.unit_id in checking_units(task)
    )


def checkers_of(task: Task) -> list[User]:
    units = checking_units(task)
    return list(User.objects.filter(unit_id__in=units, is_active=True)) if units else []


def _is_office_for(user: Any, task: Task) -> bool:
    if user.is_superuser:
        return True
    if user.role != Role.PROGRAMME_OFFICE:
        return False
    return task.jurisdiction_id in (user.visible_jurisdiction_ids() or [])


def can_issue(user: Any) -> bool:
    return getattr(user, "is_authenticated", False) and (
        user.is_programme_office or user.role == Role.LEADER
    )


# -- notices ----------------------------------------------------------------------------------


def task_url(task: Task) -> str:
    return reverse("supervision:detail", args=[task.pk])


def owners_of(task: Task) -> list[User]:
    if task.owner_person_id:
        return [task.owner_person]  # type: ignore[list-item]
    return list(User.objects.filter(unit_id=task.owner_unit_id, is_active=True))


def offices_of(task: Task) -> list[User]:
    return list(
        User.objects.filter(
            role=Role.PROGRAMME_OFFICE, jurisdiction_id=task.jurisdiction_id, is_active=True
        )
    )


def leaders_for(project: Project | None, jurisdiction_id: int) -> list[User]:
    """The leader in charge of the project, found by name or position (exactly: 区长 is not
    分管城建副区长) among the district's leaders; all of them when none matches."""
    leaders = list(
        User.objects.filter(role=Role.LEADER, jurisdiction_id=jurisdiction_id, is_active=True)
    )
    name = (project.leader_in_charge if project else "").strip()
    if name:
        named = [u for u in leaders if name in {u.full_name, u.username, u.position}]
        if named:
            return named
    return leaders


def _tell(
    users: list[User], task: Task, kind: str, title: str, body: str = "", url: str = ""
) -> None:
    stamp = f"{task.pk}:{task.version}"
    url = url or task_url(task)
    notify(users, kind=kind, key=stamp, title=title, body=body or task.title, url=url)


# -- changes ----------------------------------------------------------------------------------


def _log(task: Task, kind: str, user: Any, text: str = "", upload: Any = None) -> TaskUpdate:
    update = TaskUpdate(task=task, kind=kind, author=user if _is_user(user) else None, text=text)
    if upload is not None:
        _attach(update, upload)
    update.save()
    return update


def _is_user(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "pk", None))


def _attach(update: TaskUpdate, upload: Any) -> None:
    """Keep a file as sent; a photo is re-encoded (EXIF position stripped) with a thumbnail."""
    name = getattr(upload, "name", "") or "evidence"
    size = getattr(upload, "size", None)
    if size is not None and size > settings.KEYPROJECTS_MAX_UPLOAD_BYTES:
        raise ValidationError(_("The file is larger than the limit."))
    data = upload.read()
    lower = name.lower()
    if lower.endswith((".jpg", ".jpeg", ".png", ".heic", ".heif", ".webp")):
        from keyprojects.progress.photos import process

        processed = process(data)  # raises ValidationError on a file that is not an image
        stem = lower.rsplit(".", 1)[0][:60]
        update.file.save(f"{stem}.jpg", ContentFile(processed.image), save=False)
        update.thumbnail.save(f"{stem}-thumb.jpg", ContentFile(processed.thumbnail), save=False)
    else:
        update.file.save(name[-100:], ContentFile(data), save=False)


def _bump(task: Task, **fields: Any) -> None:
    """Save `fields` and move the version on, refusing when someone else changed the task
    since it was read (two people deciding at once: the second is told, nothing is lost)."""
    with transaction.atomic():
        current = (
            Task.objects.select_for_update()
            .filter(pk=task.pk)
            .values_list("version", flat=True)
            .first()
        )
        if current != task.version:
            raise IllegalMove(_("Someone else changed this task first. Reload it and try again."))
        for name, value in fields.items():
            setattr(task, name, value)
        task.version += 1
        task.save(update_fields=[*fields, "version"])


def create_task(
    *,
    title: str,
    owner_unit: Unit,
    deadline: dt.date,
    source_kind: str = SourceKind.INSTRUCTION,
    source: models.Model | None = None,
    project: Project | None = None,
    owner_person: User | None = None,
    issued_by: Any = None,
    detail: str = "",
    needs_evidence: bool = False,
    jurisdiction_id: int | None = None,
) -> Task:
    """Assign a task to a unit (and optionally a person in it), linked to what made it."""
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("A task needs a title."))
    if owner_person is not None and owner_person.unit_id != owner_unit.pk:
        raise ValidationError(_("The person responsible must belong to the owner unit."))
    jurisdiction_id = (
        jurisdiction_id
        or (project.jurisdiction_id if project else None)
        or (owner_unit.jurisdiction_id)
    )
    if owner_unit.jurisdiction_id != jurisdiction_id and not _within(
        owner_unit.jurisdiction_id, jurisdiction_id
    ):
        raise ValidationError(_("The owner unit belongs to another jurisdiction."))
    with transaction.atomic():
        task = Task(
            jurisdiction_id=jurisdiction_id,
            project=project,
            title=title[:300],
            detail=detail,
            source_kind=source_kind,
            owner_unit=owner_unit,
            owner_person=owner_person,
            issued_by=issued_by if _is_user(issued_by) else None,
            deadline=deadline,
            needs_evidence=needs_evidence,
            **source_fields(source),
        )
        task.full_clean(exclude=["source_type"])
        task.save()
        _log(task, UpdateKind.CREATED, issued_by, detail)
        _tell(
            owners_of(task),
            task,
            "task_assigned",
            _("New task: %(title)s") % {"title": task.title},
            _("Deadline %(date)s.") % {"date": task.deadline.isoformat()},
        )
    return task


def _within(child_id: int, parent_id: int) -> bool:
    from keyprojects.organisations.models import Jurisdiction

    parent = Jurisdiction.objects.get(pk=parent_id)
    return child_id in parent.subtree_ids()


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise IllegalMove(message)


def _changed(task: Task, old: str, user: Any) -> None:
    task_status_changed.send(sender=Task, task=task, old=old, new=task.status, user=user)


def task_comment(task: Task, *, user: Any, text: str = "", upload: Any = None) -> TaskUpdate:
    """Progress or evidence from the owner (or the office)."""
    if not can_work(user, task):
        raise PermissionDenied
    text = (text or "").strip()
    _require(bool(text or upload), _("Write what was done or attach a file."))
    _require(task.status != TaskStatus.CANCELLED, _("The task was cancelled."))
    kind = UpdateKind.EVIDENCE if upload is not None else UpdateKind.COMMENT
    with transaction.atomic():
        return _log(task, kind, user, text, upload)


def task_submit(task: Task, *, user: Any, text: str = "", upload: Any = None) -> Task:
    """The owner reports the task done; the office (or the issuing leader) then accepts it."""
    if not can_work(user, task):
        raise PermissionDenied
    _require(
        task.status == TaskStatus.OPEN,
        _("Only a task to do can be reported done; this one is %(status)s.")
        % {"status": task.get_status_display()},
    )
    text = (text or "").strip()
    _require(bool(text or upload), _("Say what was done before reporting the task done."))
    with transaction.atomic():
        if upload is not None:
            _log(task, UpdateKind.EVIDENCE, user, "", upload)
        if task.needs_evidence:
            has_file = task.updates.exclude(file="").exists()
            _require(has_file, _("This task is closed only with evidence: attach a file or photo."))
        _bump(task, status=TaskStatus.SUBMITTED, submitted_at=timezone.now())
        _log(task, UpdateKind.SUBMITTED, user, text)
        deciders = [task.issued_by] if task.issued_by_id else offices_of(task)
        title = _("Reported done: %(title)s") % {"title": task.title}
        _tell([u for u in deciders if u], task, "task_submitted", title, text)
        # A checking unit reads the task where it came from (a hazard's page), not the task.
        checkers = [u for u in checkers_of(task) if u not in deciders]
        if checkers:
            _tell(checkers, task, "task_submitted", title, text, url=task.source_url)
        _changed(task, TaskStatus.OPEN, user)
    return task


def task_accept(task: Task, *, user: Any, text: str = "") -> Task:
    if not can_check(user, task):
        raise PermissionDenied
    _require(
        task.status == TaskStatus.SUBMITTED,
        _("Only a task reported done can be accepted; this one is %(status)s.")
        % {"status": task.get_status_display()},
    )
    with transaction.atomic():
        _bump(task, status=TaskStatus.DONE, closed_at=timezone.now())
        _log(task, UpdateKind.ACCEPTED, user, (text or "").strip())
        _tell(
            owners_of(task), task, "task_accepted", _("Accepted: %(title)s") % {"title": task.title}
        )
        _changed(task, TaskStatus.SUBMITTED, user)
    return task


def task_return(task: Task, *, user: Any, reason: str) -> Task:
    if not can_check(user, task):
        raise PermissionDenied
    _require(
        task.status == TaskStatus.SUBMITTED,
        _("Only a task reported done can be returned; this one is %(status)s.")
        % {"status": task.get_status_display()},
    )
    reason = (reason or "").strip()
    _require(bool(reason), _("Say why the task is returned."))
    with transaction.atomic():
        _bump(task, status=TaskStatus.OPEN, submitted_at=None)
        _log(task, UpdateKind.RETURNED, user, reason)
        _tell(
            owners_of(task),
            task,
            "task_returned",
            _("Returned: %(title)s") % {"title": task.title},
            reason,
        )
        _changed(task, TaskStatus.SUBMITTED, user)
    return task


def task_cancel(task: Task, *, user: Any, reason: str, system: bool = False) -> Task:
    if not system and not can_decide(user, task):
        raise PermissionDenied
    _require(task.is_open, _("Only an open task can be cancelled."))
    reason = (reason or "").strip()
    _require(bool(reason), _("Say why the task is cancelled."))
    old = task.status
    with transaction.atomic():
        _bump(task, status=TaskStatus.CANCELLED, closed_at=timezone.now())
        _log(task, UpdateKind.CANCELLED, user, reason)
        _tell(
            owners_of(task),
            task,
            "task_cancelled",
            _("Cancelled: %(title)s") % {"title": task.title},
            reason,
        )
        _changed(task, old, user)
    return task


def task_reopen(task: Task, *, user: Any, reason: str, system: bool = False) -> Task:
    if not system and not can_decide(user, task):
        raise PermissionDenied
    _require(not task.is_open, _("The task is still open."))
    reason = (reason or "").strip()
    _require(bool(reason), _("Say why the task is reopened."))
    old = task.status
    with transaction.atomic():
        _bump(task, status=TaskStatus.OPEN, closed_at=None, submitted_at=None)
        _log(task, UpdateKind.REOPENED, user, reason)
        _tell(
            owners_of(task),
            task,
            "task_reopened",
            _("Reopened: %(title)s") % {"title": task.title},
            reason,
        )
        _changed(task, old, user)
    return task


def task_extend(task: Task, *, user: Any, deadline: dt.date, reason: str) -> Task:
    if not can_decide(user, task):
        raise PermissionDenied
    _require(task.is_open, _("Only an open task's deadline can change."))
    reason = (reason or "").strip()
    _require(bool(reason), _("Say why the deadline changes."))
    _require(deadline != task.deadline, _("That is already the deadline."))
    old = task.deadline
    with transaction.atomic():
        fields: dict[str, Any] = {"deadline": deadline}
        if deadline >= timezone.localdate():
            fields.update(escalation_level=0, escalated_at=None, reminded_on=None)
        _bump(task, **fields)
        _log(
            task, UpdateKind.EXTENDED, user, f"{old.isoformat()} → {deadline.isoformat()}: {reason}"
        )
        _tell(
            owners_of(task),
            task,
            "task_extended",
            _("New deadline %(date)s: %(title)s")
            % {"date": deadline.isoformat(), "title": task.title},
            reason,
        )
    return task


def task_reassign(
    task: Task, *, user: Any, owner_unit: Unit, owner_person: User | None = None, reason: str = ""
) -> Task:
    if not can_decide(user, task):
        raise PermissionDenied
    _require(task.is_open, _("Only an open task can be reassigned."))
    if owner_person is not None and owner_person.unit_id != owner_unit.pk:
        raise ValidationError(_("The person responsible must belong to the owner unit."))
    _require(
        (owner_unit.pk, getattr(owner_person, "pk", None))
        != (task.owner_unit_id, task.owner_person_id),
        _("The task already belongs to them."),
    )
    with transaction.atomic():
        before = str(task.owner_person or task.owner_unit)
        _bump(task, owner_unit_id=owner_unit.pk, owner_person_id=getattr(owner_person, "pk", None))
        task.owner_unit, task.owner_person = owner_unit, owner_person
        _log(
            task,
            UpdateKind.REASSIGNED,
            user,
            f"{before} → {owner_person or owner_unit}" + (f": {reason}" if reason else ""),
        )
        _tell(
            owners_of(task), task, "task_assigned", _("New task: %(title)s") % {"title": task.title}
        )
    return task


# -- sources ----------------------------------------------------------------------------------


def source_removed(source: models.Model) -> int:
    """The record that made these tasks is being deleted: keep the tasks, mark them, tell
    their owners. Returns how many tasks were marked."""
    tasks = list(tasks_of(source).select_related("owner_person"))
    if not tasks:
        return 0
    label = str(source)
    now = timezone.now()
    for task in tasks:
        _bump(task, source_removed_at=now)
        _log(
            task,
            UpdateKind.SOURCE_REMOVED,
            None,
            _("The record that made this task (%(label)s) was deleted.") % {"label": label},
        )
        if task.is_open:
            _tell(
                owners_of(task),
                task,
                "task_source_removed",
                _("Source deleted: %(title)s") % {"title": task.title},
                _("Ask the office whether the task still stands."),
            )
    return len(tasks)


# -- deadlines --------------------------------------------------------------------------------


@dataclass
class DeadlineRun:
    reminded: int = 0
    escalated: int = 0
    to_leaders: int = 0


def tasks_check_deadlines(today: dt.date | None = None) -> DeadlineRun:
    """Remind owners before the deadline; when overdue, escalate to the office and the next
    dispatch meeting (level 1), and after KEYPROJECTS_ESCALATE_LEADER_DAYS to the leader in
    charge (level 2). Running it twice a day sends nothing twice."""
    today = today or timezone.localdate()
    run = DeadlineRun()
    soon = today + dt.timedelta(days=settings.KEYPROJECTS_REMIND_DAYS_BEFORE)
    due = (
        Task.objects.open()
        .filter(deadline__gte=today, deadline__lte=soon, reminded_on__isnull=True)
        .select_related("owner_person")
    )
    for task in due.iterator():
        _tell(
            owners_of(task),
            task,
            "task_due",
            _("Due %(date)s: %(title)s") % {"date": task.deadline.isoformat(), "title": task.title},
        )
        _bump(task, reminded_on=today)
        run.reminded += 1
    late = (
        Task.objects.overdue(today)
        .filter(escalation_level=0)
        .select_related("owner_person", "project")
    )
    for task in late.iterator():
        with transaction.atomic():
            _bump(task, escalation_level=1, escalated_at=timezone.now())
            days = (today - task.deadline).days
            _log(
                task,
                UpdateKind.ESCALATED,
                None,
                _(
                    "Overdue by %(days)d days: raised to the programme office and the next "
                    "dispatch meeting."
                )
                % {"days": days},
            )
            _tell(
                owners_of(task) + offices_of(task),
                task,
                "task_overdue",
                _("Overdue: %(title)s") % {"title": task.title},
            )
        run.escalated += 1
    leader_day = today - dt.timedelta(days=settings.KEYPROJECTS_ESCALATE_LEADER_DAYS)
    later = (
        Task.objects.overdue(leader_day)
        .filter(escalation_level=1)
        .select_related("owner_person", "project")
    )
    for task in later.iterator():
        with transaction.atomic():
            _bump(task, escalation_level=2)
            _log(
                task,
                UpdateKind.ESCALATED,
                None,
                _("Still overdue: raised to the leader in charge."),
            )
            _tell(
                leaders_for(task.project, task.jurisdiction_id),
                task,
                "task_escalated",
                _("Overdue task for your attention: %(title)s") % {"title": task.title},
            )
        run.to_leaders += 1
    return run


def open_statuses() -> tuple[str, ...]:
    return tuple(OPEN_STATUSES)
