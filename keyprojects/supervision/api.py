"""Supervised tasks in the JSON API: the inbox, a task's history, and every move on it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.params import P, QueryEx

from keyprojects.api.auth import caller
from keyprojects.api.errors import forbidden, invalid, not_found
from keyprojects.api.schemas import ErrorOut
from keyprojects.organisations.models import Unit, User
from keyprojects.projects.models import Project

from . import services
from .choices import SourceKind, TaskStatus, UpdateKind
from .models import Task, TaskQuerySet

router = Router(tags=["tasks"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class TaskOut(Schema):
    id: int
    title: str
    detail: str
    status: TaskStatus
    source_kind: SourceKind
    source_label: str
    source_removed: bool
    project_id: int | None
    owner_unit_id: int
    owner_unit: str
    owner_person_id: int | None
    issued_by_id: int | None
    deadline: dt.date
    overdue: bool
    escalation_level: int
    version: int = Field(description="Send it back with a change; a stale one is refused.")
    created_at: dt.datetime


class TaskUpdateOut(Schema):
    kind: UpdateKind
    text: str
    author: str | None
    file_url: str | None
    at: dt.datetime


class TaskDetailOut(TaskOut):
    updates: list[TaskUpdateOut]


class TaskPage(Schema):
    count: int
    items: list[TaskOut]


class TaskIn(Schema):
    title: str = Field(max_length=300)
    detail: str = ""
    project_id: int | None = None
    owner_unit_id: int
    owner_person_id: int | None = None
    deadline: dt.date
    needs_evidence: bool = False


class ActIn(Schema):
    action: str = Field(description="comment, submit, accept, return, cancel, reopen or extend")
    text: str = ""
    deadline: dt.date | None = None
    version: int


def task_out(task: Task, today: dt.date) -> dict[str, Any]:
    return {
        "id": task.pk,
        "title": task.title,
        "detail": task.detail,
        "status": task.status,
        "source_kind": task.source_kind,
        "source_label": task.source_label,
        "source_removed": task.source_removed_at is not None,
        "project_id": task.project_id,
        "owner_unit_id": task.owner_unit_id,
        "owner_unit": str(task.owner_unit),
        "owner_person_id": task.owner_person_id,
        "issued_by_id": task.issued_by_id,
        "deadline": task.deadline,
        "overdue": task.is_overdue(today),
        "escalation_level": task.escalation_level,
        "version": task.version,
        "created_at": task.created_at,
    }


def _visible(request: HttpRequest) -> TaskQuerySet:
    return Task.objects.visible_to(caller(request)).select_related("owner_unit")


def _get(request: HttpRequest, task_id: int) -> Task:
    task = _visible(request).filter(pk=task_id).first()
    if task is None:
        raise not_found()
    return task


@router.get("/tasks/", response={200: TaskPage, **ERRORS}, summary="List tasks")
def list_tasks(
    request: HttpRequest,
    mine: bool = False,
    status: TaskStatus | None = None,
    overdue: bool = False,
    owner_unit_id: int | None = None,
    project_id: int | None = None,
    offset: QueryEx[int, P(ge=0)] = 0,
    limit: QueryEx[int, P(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    """Tasks the caller may read. `mine` gives their inbox (open tasks on them, their unit,
    and for the office, those waiting for acceptance); open tasks by default."""
    user = caller(request)
    today = timezone.localdate()
    tasks = _visible(request)
    if mine:
        tasks = Task.objects.inbox(user).select_related("owner_unit")
    elif status:
        tasks = tasks.filter(status=status)
    else:
        tasks = tasks.open()
    if overdue:
        tasks = tasks.overdue(today)
    if owner_unit_id:
        tasks = tasks.filter(owner_unit_id=owner_unit_id)
    if project_id:
        tasks = tasks.filter(project_id=project_id)
    tasks = tasks.order_by("deadline", "id")
    return {
        "count": tasks.count(),
        "items": [task_out(t, today) for t in tasks[offset : offset + limit]],
    }


@router.get("/tasks/{task_id}/", response={200: TaskDetailOut, **ERRORS}, summary="Read a task")
def get_task(request: HttpRequest, task_id: int) -> dict[str, Any]:
    task = _get(request, task_id)
    return _detail(request, task)


def _detail(request: HttpRequest, task: Task) -> dict[str, Any]:
    updates = [
        {
            "kind": u.kind,
            "text": u.text,
            "author": str(u.author) if u.author_id else None,
            "file_url": request.build_absolute_uri(u.file.url) if u.file else None,
            "at": u.at,
        }
        for u in task.updates.select_related("author")
    ]
    return {**task_out(task, timezone.localdate()), "updates": updates}


@router.post("/tasks/", response={201: TaskDetailOut, **ERRORS}, summary="Assign a task")
def create_task(request: HttpRequest, payload: TaskIn) -> tuple[int, dict[str, Any]]:
    user = caller(request)
    if not services.can_issue(user):
        raise forbidden()
    ids = user.visible_jurisdiction_ids()
    units = Unit.objects.all() if ids is None else Unit.objects.filter(jurisdiction_id__in=ids)
    unit = units.filter(pk=payload.owner_unit_id).first()
    if unit is None:
        raise invalid("owner_unit_id", "unknown unit")
    project = None
    if payload.project_id is not None:
        project = Project.objects.visible_to(user).filter(pk=payload.project_id).first()
        if project is None:
            raise invalid("project_id", "unknown project")
    person = None
    if payload.owner_person_id is not None:
        person = User.objects.filter(pk=payload.owner_person_id, unit=unit).first()
        if person is None:
            raise invalid("owner_person_id", "not a person of the owner unit")
    task = services.create_task(
        title=payload.title,
        detail=payload.detail,
        project=project,
        owner_unit=unit,
        owner_person=person,
        deadline=payload.deadline,
        needs_evidence=payload.needs_evidence,
        issued_by=user,
        jurisdiction_id=(
            project.jurisdiction_id if project else user.jurisdiction_id or unit.jurisdiction_id
        ),
    )
    return 201, _detail(request, task)


@router.post(
    "/tasks/{task_id}/actions/", response={200: TaskDetailOut, **ERRORS}, summary="Act on a task"
)
def act(request: HttpRequest, task_id: int, payload: ActIn) -> dict[str, Any]:
    """Log progress (`comment`), report done (`submit`), or, for the office or the issuing
    leader, `accept`, `return`, `cancel`, `reopen`, `extend` (with `deadline`). An illegal
    move answers 422 with the reason; a stale `version` answers 422 and changes nothing."""
    user = caller(request)
    task = _get(request, task_id)
    task.version = payload.version
    text = payload.text
    if payload.action == "comment":
        services.task_comment(task, user=user, text=text)
    elif payload.action == "submit":
        services.task_submit(task, user=user, text=text)
    elif payload.action == "accept":
        services.task_accept(task, user=user, text=text)
    elif payload.action == "return":
        services.task_return(task, user=user, reason=text)
    elif payload.action == "cancel":
        services.task_cancel(task, user=user, reason=text)
    elif payload.action == "reopen":
        services.task_reopen(task, user=user, reason=text)
    elif payload.action == "extend":
        if payload.deadline is None:
            raise invalid("deadline", "required")
        services.task_extend(task, user=user, deadline=payload.deadline, reason=text)
    else:
        raise invalid("action", "unknown action")
    return _detail(request, _get(request, task_id))
