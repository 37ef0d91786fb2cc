"""Problems and demands in the JSON API: read them as the pages show them, raise and answer
them from a phone, and every move of the workflow. An illegal move answers 422 with the
reason; a stale `version` answers 422 and changes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.params import P, QueryEx

from keyprojects.api.auth import caller
from keyprojects.api.errors import invalid, not_found
from keyprojects.api.schemas import ErrorOut
from keyprojects.organisations.choices import Role
from keyprojects.organisations.models import Unit
from keyprojects.projects.models import Project
from keyprojects.supervision.choices import TaskStatus
from keyprojects.supervision.sources import tasks_of

from . import rules, services
from .choices import Category, EventKind, ProblemStatus, Severity
from .models import Problem, ProblemQuerySet
from .statistics import unit_statistics
from .views import assigned_units, filter_problems, with_status

router = Router(tags=["problems"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
VERSION = Field(description="The `version` read; a stale one is refused.")
STATUS_HELP = (
    "Empty: the open ones (awaiting assignment, in progress, awaiting confirmation); `any`; "
    "or one of " + ", ".join(ProblemStatus.values) + "."
)


class AssignmentOut(Schema):
    task_id: int
    unit_id: int
    unit: str
    status: TaskStatus
    deadline: dt.date
    version: int


class ProblemOut(Schema):
    id: int
    project_id: int
    project: str
    raised_by_unit_id: int
    raised_by_unit: str
    raised_by_id: int | None
    category: Category
    severity: Severity
    title: str
    description: str
    need: str
    needed_from_unit_id: int | None
    needed_from: str
    status: ProblemStatus
    deadline: dt.date | None
    overdue: bool
    escalated: bool
    merged_into_id: int | None
    rating: int | None
    rating_comment: str
    raised_at: dt.datetime
    triaged_at: dt.datetime | None
    first_response_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    attachment_url: str | None
    assignments: list[AssignmentOut]
    version: int = Field(description="Send it back with a change; a stale one is refused.")


class ResponseOut(Schema):
    id: int
    unit_id: int
    unit: str
    author: str | None
    text: str
    reports_done: bool
    file_url: str | None
    at: dt.datetime


class ProblemEventOut(Schema):
    kind: EventKind
    label: str
    unit: str | None
    author: str | None
    text: str
    at: dt.datetime


class ProblemDetailOut(ProblemOut):
    responses: list[ResponseOut]
    events: list[ProblemEventOut]
    actions: list[str] = Field(
        description="What the caller may do now: assign, deadline, respond, confirm, reopen, "
        "merge, withdraw."
    )


class ProblemPage(Schema):
    count: int
    items: list[ProblemOut]


class ProblemIn(Schema):
    project_id: int
    raised_by_unit_id: int | None = Field(
        None, description="For the office recording a problem: the owner or responsible unit."
    )
    category: Category
    severity: Severity = Severity.GENERAL
    title: str = Field(max_length=200)
    description: str = ""
    need: str
    needed_from_unit_id: int | None = None
    needed_from: str = Field("", max_length=200)


class AssignIn(Schema):
    unit_ids: list[int]
    severity: Severity | None = None
    deadline: dt.date | None = Field(None, description="Empty: the time the severity gives.")
    note: str = ""
    version: int = VERSION


class DeadlineIn(Schema):
    deadline: dt.date
    reason: str
    version: int = VERSION


class ConfirmIn(Schema):
    rating: int = Field(ge=1, le=5)
    comment: str = ""
    version: int = VERSION


class ReasonIn(Schema):
    reason: str
    version: int = VERSION


class MergeIn(Schema):
    into_id: int
    reason: str = ""
    version: int = VERSION


class UnitStatsOut(Schema):
    unit_id: int
    unit: str
    raised: int
    assigned: int
    responded: int
    average_response_hours: float | None
    done: int
    closure_rate: float | None
    overdue: int
    rated: int
    satisfaction: float | None


def _url(request: HttpRequest, field: Any) -> str | None:
    return request.build_absolute_uri(field.url) if field else None


def problem_out(
    request: HttpRequest, problem: Problem, tasks: list[Any], today: dt.date
) -> dict[str, Any]:
    return {
        "id": problem.pk,
        "project_id": problem.project_id,
        "project": problem.project.name,
        "raised_by_unit_id": problem.raised_by_unit_id,
        "raised_by_unit": str(problem.raised_by_unit),
        "raised_by_id": problem.raised_by_id,
        "category": problem.category,
        "severity": problem.severity,
        "title": problem.title,
        "description": problem.description,
        "need": problem.need,
        "needed_from_unit_id": problem.needed_from_unit_id,
        "needed_from": problem.needed_from,
        "status": problem.status,
        "deadline": problem.deadline,
        "overdue": problem.is_overdue(today),
        "escalated": problem.escalated_at is not None,
        "merged_into_id": problem.merged_into_id,
        "rating": problem.rating,
        "rating_comment": problem.rating_comment,
        "raised_at": problem.raised_at,
        "triaged_at": problem.triaged_at,
        "first_response_at": problem.first_response_at,
        "resolved_at": problem.resolved_at,
        "closed_at": problem.closed_at,
        "attachment_url": _url(request, problem.attachment),
        "assignments": [
            {
                "task_id": t.pk,
                "unit_id": t.owner_unit_id,
                "unit": str(t.owner_unit),
                "status": t.status,
                "deadline": t.deadline,
                "version": t.version,
            }
            for t in tasks
        ],
        "version": problem.version,
    }


def _visible(request: HttpRequest) -> ProblemQuerySet:
    return Problem.objects.visible_to(caller(request)).select_related("project", "raised_by_unit")


def _get(request: HttpRequest, problem_id: int) -> Problem:
    problem = _visible(request).filter(pk=problem_id).first()
    if problem is None:
        raise not_found()
    return problem


def _detail(request: HttpRequest, problem_id: int) -> dict[str, Any]:
    problem = _get(request, problem_id)
    user = caller(request)
    tasks = list(tasks_of(problem).select_related("owner_unit").order_by("created_at", "id"))
    responses = [
        {
            "id": r.pk,
            "unit_id": r.unit_id,
            "unit": str(r.unit),
            "author": str(r.author) if r.author_id else None,
            "text": r.text,
            "reports_done": r.reports_done,
            "file_url": _url(request, r.file),
            "at": r.at,
        }
        for r in problem.responses.select_related("unit", "author")
    ]
    events = [
        {
            "kind": e.kind,
            "label": e.get_kind_display(),
            "unit": str(e.unit) if e.unit_id else None,
            "author": str(e.author) if e.author_id else None,
            "text": e.text,
            "at": e.at,
        }
        for e in problem.events.select_related("unit", "author")
    ]
    return {
        **problem_out(request, problem, tasks, timezone.localdate()),
        "responses": responses,
        "events": events,
        "actions": rules.actions_for(user, problem),
    }


def _stale(problem: Problem, version: int) -> Problem:
    problem.version = version
    return problem


@router.get(
    "/problems/statistics/",
    response={200: list[UnitStatsOut], **ERRORS},
    summary="Statistics by unit",
)
def statistics(
    request: HttpRequest, start: dt.date | None = None, end: dt.date | None = None
) -> list[dict[str, Any]]:
    """Per unit, for problems raised and assignments made from `start` (default: 1 January)
    to `end` (default: today): response time in hours, closure rate in percent, overdue
    count, average satisfaction out of 5. A unit user gets its own unit's row."""
    user = caller(request)
    today = timezone.localdate()
    start = start or dt.date(today.year, 1, 1)
    end = end or today
    if end < start:
        raise invalid("end", "The end of the period must not be before its start.")
    unit_ids = None
    if not (user.is_superuser or user.role in {Role.PROGRAMME_OFFICE, Role.LEADER, Role.AUDITOR}):
        unit_ids = [user.unit_id] if user.unit_id else []
    rows = unit_statistics(
        jurisdiction_ids=user.visible_jurisdiction_ids(),
        start=start,
        end=end,
        today=today,
        unit_ids=unit_ids,
    )
    return [
        {
            "unit_id": r.unit.pk,
            "unit": str(r.unit),
            "raised": r.raised,
            "assigned": r.assigned,
            "responded": r.responded,
            "average_response_hours": r.average_response_hours,
            "done": r.done,
            "closure_rate": r.closure_rate,
            "overdue": r.overdue,
            "rated": r.rated,
            "satisfaction": r.satisfaction,
        }
        for r in rows
    ]


@router.get("/problems/", response={200: ProblemPage, **ERRORS}, summary="List problems")
def list_problems(
    request: HttpRequest,
    status: QueryEx[str, P(description=STATUS_HELP)] = "",
    category: Category | None = None,
    severity: Severity | None = None,
    unit_id: QueryEx[int | None, P(description="Raised by or assigned to this unit.")] = None,
    project_id: int | None = None,
    overdue: bool = False,
    q: str = "",
    offset: QueryEx[int, P(ge=0)] = 0,
    limit: QueryEx[int, P(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    """Problems the caller may read, newest first, with the same filters as the list page."""
    user = caller(request)
    today = timezone.localdate()
    if status not in {"", "any", *ProblemStatus.values}:
        raise invalid("status", "unknown status")
    data: dict[str, Any] = {"q": q, "category": category, "severity": severity}
    if unit_id is not None:
        ids = user.visible_jurisdiction_ids()
        units = Unit.objects.all() if ids is None else Unit.objects.filter(jurisdiction_id__in=ids)
        data["unit"] = units.filter(pk=unit_id).first()
        if data["unit"] is None:
            raise invalid("unit_id", "unknown unit")
    if project_id is not None:
        data["project"] = Project.objects.visible_to(user).filter(pk=project_id).first()
        if data["project"] is None:
            raise invalid("project_id", "unknown project")
    data["overdue"] = overdue
    problems = with_status(filter_problems(_visible(request), data, today), status)
    problems = problems.order_by("-raised_at", "-id")
    page = list(problems[offset : offset + limit])
    tasks = assigned_units([p.pk for p in page])
    return {
        "count": problems.count(),
        "items": [problem_out(request, p, tasks.get(p.pk, []), today) for p in page],
    }


@router.get(
    "/problems/{problem_id}/", response={200: ProblemDetailOut, **ERRORS}, summary="Read a problem"
)
def get_problem(request: HttpRequest, problem_id: int) -> dict[str, Any]:
    """A problem with its assignments, responses, timeline, and what the caller may do."""
    return _detail(request, problem_id)


@router.post("/problems/", response={201: ProblemDetailOut, **ERRORS}, summary="Raise a problem")
def raise_problem(request: HttpRequest, payload: ProblemIn) -> tuple[int, dict[str, Any]]:
    """A unit user of the project's owner or responsible unit raises a problem; the office
    may record one for either unit (`raised_by_unit_id`)."""
    user = caller(request)
    project = Project.objects.visible_to(user).filter(pk=payload.project_id).first()
    if project is None:
        raise invalid("project_id", "unknown project")
    unit = None
    if payload.raised_by_unit_id is not None:
        unit = Unit.objects.filter(pk=payload.raised_by_unit_id).first()
        if unit is None:
            raise invalid("raised_by_unit_id", "unknown unit")
    needed_from_unit = None
    if payload.needed_from_unit_id is not None:
        needed_from_unit = Unit.objects.filter(pk=payload.needed_from_unit_id).first()
        if needed_from_unit is None:
            raise invalid("needed_from_unit_id", "unknown unit")
    problem = services.problem_raise(
        user=user,
        project=project,
        raised_by_unit=unit,
        category=payload.category,
        severity=payload.severity,
        title=payload.title,
        description=payload.description,
        need=payload.need,
        needed_from_unit=needed_from_unit,
        needed_from=payload.needed_from,
    )
    return 201, _detail(request, problem.pk)


@router.post(
    "/problems/{problem_id}/assign/",
    response={200: ProblemDetailOut, **ERRORS},
    summary="Assign a problem",
)
def assign(request: HttpRequest, problem_id: int, payload: AssignIn) -> dict[str, Any]:
    """The office assigns the problem to responsible units (or adds units to one in
    progress); each gets a supervised task with the deadline the severity sets."""
    problem = _stale(_get(request, problem_id), payload.version)
    units = list(Unit.objects.filter(pk__in=payload.unit_ids))
    if len(units) != len(set(payload.unit_ids)):
        raise invalid("unit_ids", "unknown unit")
    services.problem_assign(
        problem,
        user=caller(request),
        units=units,
        severity=payload.severity,
        deadline=payload.deadline,
        note=payload.note,
    )
    return _detail(request, problem_id)


@router.post(
    "/problems/{problem_id}/deadline/",
    response={200: ProblemDetailOut, **ERRORS},
    summary="Change a problem's deadline",
)
def change_deadline(request: HttpRequest, problem_id: int, payload: DeadlineIn) -> dict[str, Any]:
    problem = _stale(_get(request, problem_id), payload.version)
    services.problem_set_deadline(
        problem, user=caller(request), deadline=payload.deadline, reason=payload.reason
    )
    return _detail(request, problem_id)


@router.post(
    "/problems/{problem_id}/responses/",
    response={201: ProblemDetailOut, **ERRORS},
    summary="Respond to a problem",
)
def respond(
    request: HttpRequest,
    problem_id: int,
    text: Form[str],
    done: Form[bool] = False,
    file: File[UploadedFile | None] = None,
) -> tuple[int, dict[str, Any]]:
    """A responsible unit answers, as `multipart/form-data` so a photo or file can go with
    it. `done` reports the unit's part done, for the office to accept. Responses from two
    units at once are both kept."""
    problem = _get(request, problem_id)
    services.problem_respond(problem, user=caller(request), text=text, upload=file, done=done)
    return 201, _detail(request, problem_id)


@router.post(
    "/problems/{problem_id}/confirm/",
    response={200: ProblemDetailOut, **ERRORS},
    summary="Confirm, rate and close a problem",
)
def confirm(request: HttpRequest, problem_id: int, payload: ConfirmIn) -> dict[str, Any]:
    """The raiser confirms the resolution and rates it from 1 to 5; the problem is closed
    (销号). A rating of 2 or lower needs a comment."""
    problem = _stale(_get(request, problem_id), payload.version)
    services.problem_confirm(
        problem, user=caller(request), rating=payload.rating, comment=payload.comment
    )
    return _detail(request, problem_id)


@router.post(
    "/problems/{problem_id}/reopen/",
    response={200: ProblemDetailOut, **ERRORS},
    summary="Reopen a problem",
)
def reopen(request: HttpRequest, problem_id: int, payload: ReasonIn) -> dict[str, Any]:
    """Back to the units with a fresh deadline: the raiser (or the office) when a resolved
    problem is not solved; the office for one already closed."""
    problem = _stale(_get(request, problem_id), payload.version)
    services.problem_reopen(problem, user=caller(request), reason=payload.reason)
    return _detail(request, problem_id)


@router.post(
    "/problems/{problem_id}/merge/",
    response={200: ProblemDetailOut, **ERRORS},
    summary="Merge a duplicate problem",
)
def merge(request: HttpRequest, problem_id: int, payload: MergeIn) -> dict[str, Any]:
    problem = _stale(_get(request, problem_id), payload.version)
    target = _visible(request).filter(pk=payload.into_id).first()
    if target is None:
        raise invalid("into_id", "unknown problem")
    services.problem_merge(problem, user=caller(request), into=target, reason=payload.reason)
    return _detail(request, problem_id)


@router.post(
    "/problems/{problem_id}/withdraw/",
    response={200: ProblemDetailOut, **ERRORS},
    summary="Withdraw a problem",
)
def withdraw(request: HttpRequest, problem_id: int, payload: ReasonIn) -> dict[str, Any]:
    problem = _stale(_get(request, problem_id), payload.version)
    services.problem_withdraw(problem, user=caller(request), reason=payload.reason)
    return _detail(request, problem_id)
