"""Dispatch meetings and site visits in the JSON API, with the same visibility and the same
refusals as the pages (a phone app or another system can run a meeting or record a visit)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import File, Form, Router
from ninja.files import UploadedFile
from ninja.params import P, QueryEx

from keyprojects.api.auth import caller
from keyprojects.api.errors import invalid, not_found
from keyprojects.api.schemas import ErrorOut
from keyprojects.organisations.choices import Role
from keyprojects.organisations.models import Jurisdiction, Unit, User
from keyprojects.projects.models import Project

from . import agenda, attendance, services, visits
from .agenda import agenda_propose, item_state, opening, with_sources
from .choices import MeetingStatus
from .forms import people_scope
from .models import (
    AgendaItem,
    Attendance,
    Decision,
    Instruction,
    Meeting,
    SiteVisit,
    VisitPhoto,
    VisitStop,
    outcome_of,
)
from .schemas import (
    AgendaItemIn,
    AgendaItemOut,
    AttendanceIn,
    AttendanceMarksIn,
    AttendanceOut,
    MeetingCancelIn,
    MeetingDecisionIn,
    MeetingDecisionOut,
    MeetingDetailOut,
    MeetingIn,
    MeetingMinutesIn,
    MeetingOut,
    MeetingPage,
    MeetingVersionIn,
    VisitDetailOut,
    VisitIn,
    VisitInstructionIn,
    VisitInstructionOut,
    VisitPage,
    VisitPhotoOut,
    VisitStopIn,
)

router = Router(tags=["meetings"])
VISITS = ["site visits"]
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


# -- lookups: every id from a request is found within what the caller may see --------------------


def _meeting(request: HttpRequest, meeting_id: int) -> Meeting:
    meeting = (
        Meeting.objects.visible_to(caller(request))
        .select_related("jurisdiction", "chair")
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None:
        raise not_found()
    return meeting


def _visit(request: HttpRequest, visit_id: int) -> SiteVisit:
    visit = (
        SiteVisit.objects.visible_to(caller(request))
        .select_related("jurisdiction")
        .filter(pk=visit_id)
        .first()
    )
    if visit is None:
        raise not_found()
    return visit


def _jurisdiction(request: HttpRequest, jurisdiction_id: int | None) -> Jurisdiction:
    user = caller(request)
    ids = user.visible_jurisdiction_ids()
    choices = Jurisdiction.objects.all() if ids is None else Jurisdiction.objects.filter(pk__in=ids)
    found = choices.filter(pk=jurisdiction_id or user.jurisdiction_id or 0).first()
    if found is None:
        raise invalid("jurisdiction_id", "unknown jurisdiction")
    return found


def _unit(unit_id: int | None, jurisdiction: Jurisdiction, field: str) -> Unit | None:
    if unit_id is None:
        return None
    unit = Unit.objects.filter(pk=unit_id, jurisdiction_id__in=jurisdiction.subtree_ids()).first()
    if unit is None:
        raise invalid(field, "unknown unit")
    return unit


def _person(person_id: int | None, jurisdiction: Jurisdiction, field: str) -> User | None:
    if person_id is None:
        return None
    person = User.objects.filter(
        pk=person_id, is_active=True, jurisdiction_id__in=people_scope(jurisdiction)
    ).first()
    if person is None:
        raise invalid(field, "unknown person")
    return person


def _project(request: HttpRequest, project_id: int | None) -> Project | None:
    if project_id is None:
        return None
    project = Project.objects.visible_to(caller(request)).filter(pk=project_id).first()
    if project is None:
        raise invalid("project_id", "unknown project")
    return project


# -- output -------------------------------------------------------------------------------------


def meeting_out(meeting: Meeting) -> dict[str, Any]:
    return {
        **{name: getattr(meeting, name) for name in MeetingOut.model_fields if name != "chair"},
        "chair": meeting.chair_label,
    }


def decision_out(decision: Decision, today: dt.date) -> dict[str, Any]:
    return {
        **{
            name: getattr(decision, name)
            for name in MeetingDecisionOut.model_fields
            if name not in {"owner_unit", "outcome"}
        },
        "owner_unit": str(decision.owner_unit),
        "outcome": outcome_of(decision.task, today),
    }


def _agenda_out(item: AgendaItem, today: dt.date) -> dict[str, Any]:
    return {
        "id": item.pk,
        "order": item.order,
        "kind": item.kind,
        "text": item.text,
        "project_id": item.project_id,
        "unit_id": item.unit_id,
        "unit": str(item.unit) if item.unit_id else None,
        "source_type": (
            f"{item.source_type.app_label}.{item.source_type.model}" if item.source_type else None
        ),
        "source_id": item.source_id,
        "source_label": item.source_label,
        "state": item_state(item, today),
    }


def _attendance_out(row: Attendance) -> dict[str, Any]:
    return {
        "id": row.pk,
        "unit_id": row.unit_id,
        "person_id": row.person_id,
        "name": row.name,
        "label": row.label,
        "presence": row.presence,
        "delegate": row.delegate,
    }


def _meeting_detail(meeting_id: int) -> dict[str, Any]:
    meeting = Meeting.objects.select_related("jurisdiction", "chair").get(pk=meeting_id)
    today = timezone.localdate()
    decisions = meeting.decisions.select_related("owner_unit", "task")
    agenda = with_sources(meeting.agenda.all())
    first = opening(meeting, today)
    return {
        **meeting_out(meeting),
        "previous_meeting_id": first.previous.pk if first.previous else None,
        "previous_decisions": [decision_out(d, today) for d in first.decisions],
        "agenda": [_agenda_out(item, today) for item in agenda],
        "attendance": [
            _attendance_out(row) for row in meeting.attendance.select_related("unit", "person")
        ],
        "decisions": [decision_out(d, today) for d in decisions],
    }


# -- meetings -----------------------------------------------------------------------------------


@router.get("/meetings/", response={200: MeetingPage, **ERRORS}, summary="List meetings")
def list_meetings(
    request: HttpRequest,
    status: MeetingStatus | None = None,
    year: int | None = None,
    offset: QueryEx[int, P(ge=0)] = 0,
    limit: QueryEx[int, P(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    """Dispatch meetings the caller may read, latest first."""
    meetings: QuerySet[Meeting] = Meeting.objects.visible_to(caller(request)).select_related(
        "chair"
    )
    if status:
        meetings = meetings.filter(status=status)
    if year:
        meetings = meetings.filter(date__year=year)
    meetings = meetings.order_by("-date", "-id")
    return {
        "count": meetings.count(),
        "items": [meeting_out(m) for m in meetings[offset : offset + limit]],
    }


@router.post("/meetings/", response={201: MeetingDetailOut, **ERRORS}, summary="Plan a meeting")
def create_meeting(request: HttpRequest, payload: MeetingIn) -> tuple[int, dict[str, Any]]:
    """The programme office plans a dispatch meeting; it starts `planned`."""
    user = caller(request)
    if not user.is_programme_office:
        raise PermissionDenied
    jurisdiction = _jurisdiction(request, payload.jurisdiction_id)
    chair = _person(payload.chair_id, jurisdiction, "chair_id")
    meeting = services.meeting_create(
        user=user,
        jurisdiction=jurisdiction,
        date=payload.date,
        title=payload.title,
        start_time=payload.start_time,
        place=payload.place,
        chair=chair,
        chair_name=payload.chair_name,
    )
    return 201, _meeting_detail(meeting.pk)


@router.get(
    "/meetings/{meeting_id}/", response={200: MeetingDetailOut, **ERRORS}, summary="Read a meeting"
)
def get_meeting(request: HttpRequest, meeting_id: int) -> dict[str, Any]:
    """The meeting with what the last meeting decided and what became of it, its agenda,
    attendance, minutes and decisions with the state of their tasks."""
    return _meeting_detail(_meeting(request, meeting_id).pk)


@router.post(
    "/meetings/{meeting_id}/agenda/propose/",
    response={200: list[AgendaItemOut], **ERRORS},
    summary="Propose the agenda",
)
def propose(request: HttpRequest, meeting_id: int) -> list[dict[str, Any]]:
    """Add what calls for the meeting and is not on the agenda yet: decisions of earlier
    meetings still open, overdue or escalated tasks and problems, and projects whose latest
    light is red or yellow. Returns the items added (none when called again)."""
    meeting = _meeting(request, meeting_id)
    added = agenda_propose(meeting, user=caller(request))
    today = timezone.localdate()
    return [_agenda_out(item, today) for item in added]


@router.post(
    "/meetings/{meeting_id}/agenda/",
    response={201: AgendaItemOut, **ERRORS},
    summary="Add an agenda item",
)
def add_agenda_item(
    request: HttpRequest, meeting_id: int, payload: AgendaItemIn
) -> tuple[int, dict[str, Any]]:
    meeting = _meeting(request, meeting_id)
    item = agenda.agenda_add(
        meeting,
        user=caller(request),
        text=payload.text,
        kind=payload.kind,
        project=_project(request, payload.project_id),
        unit=_unit(payload.unit_id, meeting.jurisdiction, "unit_id"),
    )
    return 201, _agenda_out(item, timezone.localdate())


@router.delete(
    "/meetings/{meeting_id}/agenda/{item_id}/",
    response={204: None, **ERRORS},
    summary="Remove an agenda item",
)
def remove_agenda_item(request: HttpRequest, meeting_id: int, item_id: int) -> tuple[int, None]:
    meeting = _meeting(request, meeting_id)
    item = meeting.agenda.filter(pk=item_id).first()
    if item is None:
        raise not_found()
    item.meeting = meeting
    agenda.agenda_remove(item, user=caller(request))
    return 204, None


@router.post(
    "/meetings/{meeting_id}/attendance/",
    response={201: AttendanceOut, **ERRORS},
    summary="Invite someone",
)
def invite(
    request: HttpRequest, meeting_id: int, payload: AttendanceIn
) -> tuple[int, dict[str, Any]]:
    """Invite a unit, a person, or someone by name or position."""
    meeting = _meeting(request, meeting_id)
    row = attendance.attendance_add(
        meeting,
        user=caller(request),
        unit=_unit(payload.unit_id, meeting.jurisdiction, "unit_id"),
        person=_person(payload.person_id, meeting.jurisdiction, "person_id"),
        name=payload.name,
    )
    return 201, _attendance_out(row)


@router.put(
    "/meetings/{meeting_id}/attendance/",
    response={200: list[AttendanceOut], **ERRORS},
    summary="Record attendance",
)
def mark_attendance(
    request: HttpRequest, meeting_id: int, payload: AttendanceMarksIn
) -> list[dict[str, Any]]:
    """Who came (`present`), sent someone (`delegate`, with who), or did not (`absent`);
    from the meeting day on. All marks are saved, or none."""
    meeting = _meeting(request, meeting_id)
    attendance.attendance_mark(
        meeting,
        user=caller(request),
        marks={m.id: (m.presence, m.delegate) for m in payload.marks},
    )
    return [_attendance_out(row) for row in meeting.attendance.select_related("unit", "person")]


@router.put(
    "/meetings/{meeting_id}/minutes/",
    response={200: MeetingDetailOut, **ERRORS},
    summary="Save the minutes",
)
def save_minutes(
    request: HttpRequest, meeting_id: int, payload: MeetingMinutesIn
) -> dict[str, Any]:
    """Draft while planned, correct while held; final once the meeting is closed."""
    meeting = _meeting(request, meeting_id)
    services.meeting_minutes_save(
        meeting, user=caller(request), minutes=payload.minutes, version=payload.version
    )
    return _meeting_detail(meeting.pk)


@router.post(
    "/meetings/{meeting_id}/hold/",
    response={200: MeetingDetailOut, **ERRORS},
    summary="Record the meeting as held",
)
def hold(request: HttpRequest, meeting_id: int, payload: MeetingMinutesIn) -> dict[str, Any]:
    """planned → held, with the minutes; everyone invited must be marked and someone present."""
    meeting = _meeting(request, meeting_id)
    services.meeting_hold(
        meeting, user=caller(request), minutes=payload.minutes, version=payload.version
    )
    return _meeting_detail(meeting.pk)


@router.post(
    "/meetings/{meeting_id}/decisions/",
    response={201: MeetingDecisionOut, **ERRORS},
    summary="Record a decision",
)
def add_decision(
    request: HttpRequest, meeting_id: int, payload: MeetingDecisionIn
) -> tuple[int, dict[str, Any]]:
    """A decision of a planned or held meeting; it is issued as a task when the meeting
    closes."""
    meeting = _meeting(request, meeting_id)
    item = None
    if payload.agenda_item_id is not None:
        item = meeting.agenda.filter(pk=payload.agenda_item_id).first()
        if item is None:
            raise invalid("agenda_item_id", "not an item of this meeting")
    owner_unit = _unit(payload.owner_unit_id, meeting.jurisdiction, "owner_unit_id")
    assert owner_unit is not None
    decision = services.decision_add(
        meeting,
        user=caller(request),
        text=payload.text,
        owner_unit=owner_unit,
        owner_person=_person(payload.owner_person_id, meeting.jurisdiction, "owner_person_id"),
        deadline=payload.deadline,
        project=_project(request, payload.project_id),
        agenda_item=item,
        needs_evidence=payload.needs_evidence,
    )
    return 201, decision_out(decision, timezone.localdate())


@router.post(
    "/meetings/{meeting_id}/close/",
    response={200: MeetingDetailOut, **ERRORS},
    summary="Close the meeting and issue its decisions as tasks",
)
def close(request: HttpRequest, meeting_id: int, payload: MeetingVersionIn) -> dict[str, Any]:
    """held → closed: the minutes become final and each decision becomes a supervised task
    (all of them, or none when one cannot be issued)."""
    meeting = _meeting(request, meeting_id)
    services.meeting_close(meeting, user=caller(request), version=payload.version)
    return _meeting_detail(meeting.pk)


@router.post(
    "/meetings/{meeting_id}/cancel/",
    response={200: MeetingDetailOut, **ERRORS},
    summary="Cancel a planned meeting",
)
def cancel(request: HttpRequest, meeting_id: int, payload: MeetingCancelIn) -> dict[str, Any]:
    meeting = _meeting(request, meeting_id)
    services.meeting_cancel(
        meeting, user=caller(request), reason=payload.reason, version=payload.version
    )
    return _meeting_detail(meeting.pk)


# -- site visits --------------------------------------------------------------------------------


def _visit_out(visit: SiteVisit) -> dict[str, Any]:
    return {
        "id": visit.pk,
        "jurisdiction_id": visit.jurisdiction_id,
        "date": visit.date,
        "title": visit.title,
        "leader_ids": sorted(leader.pk for leader in visit.leaders.all()),
        "leader_names": visit.leader_names,
        "unit_ids": sorted(unit.pk for unit in visit.units.all()),
        "summary": visit.summary,
    }


def _photo_out(request: HttpRequest, photo: VisitPhoto) -> dict[str, Any]:
    return {
        "id": photo.pk,
        "caption": photo.caption,
        "image_url": request.build_absolute_uri(photo.image.url),
        "thumbnail_url": request.build_absolute_uri(photo.thumbnail.url),
        "taken_at": photo.taken_at,
    }


def instruction_out(instruction: Instruction, today: dt.date) -> dict[str, Any]:
    return {
        "id": instruction.pk,
        "visit_id": instruction.visit_id,
        "stop_id": instruction.stop_id,
        "leader_id": instruction.leader_id,
        "leader": instruction.leader_label,
        "text": instruction.text,
        "project_id": instruction.project_id,
        "owner_unit_id": instruction.owner_unit_id,
        "owner_unit": str(instruction.owner_unit),
        "owner_person_id": instruction.owner_person_id,
        "deadline": instruction.deadline,
        "needs_evidence": instruction.needs_evidence,
        "task_id": instruction.task_id,
        "outcome": outcome_of(instruction.task, today),
        "created_at": instruction.created_at,
    }


def _visit_detail(request: HttpRequest, visit_id: int) -> dict[str, Any]:
    visit = SiteVisit.objects.prefetch_related("leaders", "units").get(pk=visit_id)
    today = timezone.localdate()
    stops = visit.stops.prefetch_related("photos")
    instructions = visit.instructions.select_related("leader", "owner_unit", "task")
    return {
        **_visit_out(visit),
        "stops": [
            {
                "id": stop.pk,
                "order": stop.order,
                "project_id": stop.project_id,
                "name": stop.name,
                "findings": stop.findings,
                "photos": [_photo_out(request, p) for p in stop.photos.all()],
            }
            for stop in stops
        ],
        "instructions": [instruction_out(i, today) for i in instructions],
    }


@router.get(
    "/visits/", response={200: VisitPage, **ERRORS}, summary="List site visits", tags=VISITS
)
def list_visits(
    request: HttpRequest,
    year: int | None = None,
    offset: QueryEx[int, P(ge=0)] = 0,
    limit: QueryEx[int, P(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    found: QuerySet[SiteVisit] = SiteVisit.objects.visible_to(caller(request))
    if year:
        found = found.filter(date__year=year)
    found = found.prefetch_related("leaders", "units").order_by("-date", "-id")
    return {
        "count": found.count(),
        "items": [_visit_out(v) for v in found[offset : offset + limit]],
    }


@router.post(
    "/visits/", response={201: VisitDetailOut, **ERRORS}, summary="Record a site visit", tags=VISITS
)
def create_visit(request: HttpRequest, payload: VisitIn) -> tuple[int, dict[str, Any]]:
    user = caller(request)
    if not user.is_programme_office:
        raise PermissionDenied
    jurisdiction = _jurisdiction(request, payload.jurisdiction_id)
    leaders = list(
        User.objects.filter(
            pk__in=payload.leader_ids,
            role=Role.LEADER,
            jurisdiction_id__in=people_scope(jurisdiction),
        )
    )
    if len(leaders) != len(set(payload.leader_ids)):
        raise invalid("leader_ids", "unknown leader")
    units = list(
        Unit.objects.filter(pk__in=payload.unit_ids, jurisdiction_id__in=jurisdiction.subtree_ids())
    )
    if len(units) != len(set(payload.unit_ids)):
        raise invalid("unit_ids", "unknown unit")
    visit = visits.visit_create(
        user=user,
        jurisdiction=jurisdiction,
        date=payload.date,
        title=payload.title,
        leaders=leaders,
        leader_names=payload.leader_names,
        units=units,
        summary=payload.summary,
    )
    return 201, _visit_detail(request, visit.pk)


@router.get(
    "/visits/{visit_id}/",
    response={200: VisitDetailOut, **ERRORS},
    summary="Read a site visit",
    tags=VISITS,
)
def get_visit(request: HttpRequest, visit_id: int) -> dict[str, Any]:
    """The route in order with findings and photos, and the instructions with the state of
    their tasks."""
    return _visit_detail(request, _visit(request, visit_id).pk)


@router.post(
    "/visits/{visit_id}/stops/",
    response={201: VisitDetailOut, **ERRORS},
    summary="Add a stop to the route",
    tags=VISITS,
)
def add_stop(
    request: HttpRequest, visit_id: int, payload: VisitStopIn
) -> tuple[int, dict[str, Any]]:
    visit = _visit(request, visit_id)
    visits.stop_add(
        visit,
        user=caller(request),
        project=_project(request, payload.project_id),
        name=payload.name,
        findings=payload.findings,
    )
    return 201, _visit_detail(request, visit.pk)


def _stop(visit: SiteVisit, stop_id: int) -> VisitStop:
    stop = visit.stops.filter(pk=stop_id).first()
    if stop is None:
        raise not_found()
    stop.visit = visit
    return stop


def _stop_field(visit: SiteVisit, stop_id: int | None) -> VisitStop | None:
    if stop_id is None:
        return None
    stop = visit.stops.filter(pk=stop_id).first()
    if stop is None:
        raise invalid("stop_id", "not a stop of this visit")
    return stop


@router.post(
    "/visits/{visit_id}/stops/{stop_id}/photos/",
    response={201: VisitPhotoOut, **ERRORS},
    summary="Add a photo to a stop",
    tags=VISITS,
)
def add_photo(
    request: HttpRequest,
    visit_id: int,
    stop_id: int,
    photo: File[UploadedFile],
    caption: Form[str] = "",
) -> tuple[int, dict[str, Any]]:
    """`multipart/form-data`: a JPEG, PNG or HEIC photo, re-encoded on arrival. The office
    or a leader who took part."""
    visit = _visit(request, visit_id)
    added = visits.photo_add(
        _stop(visit, stop_id), user=caller(request), data=photo.read(), caption=caption
    )
    return 201, _photo_out(request, added)


@router.post(
    "/visits/{visit_id}/instructions/",
    response={201: VisitInstructionOut, **ERRORS},
    summary="Record an instruction (批示)",
    tags=VISITS,
)
def add_instruction(
    request: HttpRequest, visit_id: int, payload: VisitInstructionIn
) -> tuple[int, dict[str, Any]]:
    """A leader who took part records their own instruction; the office records any
    visiting leader's (`leader_id`, or `leader_name` for one without an account). It is
    issued as a supervised task at once."""
    visit = _visit(request, visit_id)
    jurisdiction = visit.jurisdiction
    owner_unit = _unit(payload.owner_unit_id, jurisdiction, "owner_unit_id")
    assert owner_unit is not None
    instruction = visits.instruction_add(
        visit,
        user=caller(request),
        text=payload.text,
        owner_unit=owner_unit,
        deadline=payload.deadline,
        stop=_stop_field(visit, payload.stop_id),
        leader=_person(payload.leader_id, jurisdiction, "leader_id"),
        leader_name=payload.leader_name,
        owner_person=_person(payload.owner_person_id, jurisdiction, "owner_person_id"),
        project=_project(request, payload.project_id),
        needs_evidence=payload.needs_evidence,
    )
    return 201, instruction_out(instruction, timezone.localdate())
