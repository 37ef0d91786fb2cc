"""Inspections in the JSON API, for the phone app that records them on site: checklists,
inspections with their results and photos, hazards and their rectification, incidents.

Visibility is the pages' (the same querysets); an illegal move answers 422 with the reason.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, File, Form, Router, Schema, UploadedFile
from ninja.params import P, QueryEx

from keyprojects.api.auth import caller
from keyprojects.api.errors import invalid, not_found
from keyprojects.api.schemas import DecimalIn, ErrorOut, Yuan
from keyprojects.organisations.models import Unit
from keyprojects.projects.models import Project
from keyprojects.supervision.choices import UpdateKind
from keyprojects.supervision.models import TaskUpdate

from . import incidents, services
from .checklists import templates_ensure
from .choices import (
    HazardStatus,
    IncidentKind,
    IncidentSeverity,
    InspectionKind,
    InspectionStatus,
    ItemSeverity,
    Outcome,
)
from .models import (
    ChecklistTemplate,
    Hazard,
    HazardQuerySet,
    Incident,
    Inspection,
    InspectionResult,
)

router = Router(tags=["inspections"])
ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
Offset = QueryEx[int, P(ge=0)]
Limit = QueryEx[int, P(ge=1, le=500)]


# -- schemas ----------------------------------------------------------------------------------


class ItemOut(Schema):
    id: int
    position: int
    text: str
    category: str
    severity: ItemSeverity
    rectification_days: int


class TemplateOut(Schema):
    id: int
    name: str
    kind: InspectionKind
    active: bool
    version: int = Field(description="Send it with a new inspection to be sure of the items.")
    jurisdiction_id: int
    items: list[ItemOut]


class ResultOut(Schema):
    position: int
    text: str
    category: str
    severity: ItemSeverity
    rectification_days: int
    outcome: Outcome | None
    note: str
    photo_url: str | None
    deadline: dt.date | None
    responsible_unit_id: int | None
    hazard_id: int | None


class InspectionOut(Schema):
    id: int
    project_id: int
    project: str
    kind: InspectionKind
    template_id: int
    template_version: int
    date: dt.date
    inspectors: str
    inspecting_unit_id: int | None
    note: str
    status: InspectionStatus
    completed_at: dt.datetime | None


class InspectionDetailOut(InspectionOut):
    results: list[ResultOut]


class InspectionPage(Schema):
    count: int
    items: list[InspectionOut]


class ResultIn(Schema):
    """One item as found, by its position in the checklist (1 for the first)."""

    position: int = Field(ge=1)
    outcome: Outcome | None = Field(None, description="pass, fail or na; null to unmark.")
    note: str | None = Field(None, max_length=500)
    deadline: dt.date | None = Field(
        None, description="For a failed item; null for the checklist's usual number of days."
    )
    responsible_unit_id: int | None = Field(
        None, description="For a failed item; null for the project's owner unit."
    )


class InspectionIn(Schema):
    project_id: int
    template_id: int
    template_version: int | None = Field(
        None, description="The checklist version read; a changed checklist is refused."
    )
    date: dt.date
    inspectors: str = Field("", max_length=200, description="Names; the caller's by default.")
    inspecting_unit_id: int | None = None
    note: str = ""
    results: list[ResultIn] = []
    complete: bool = Field(
        False, description="Complete at once: every item must be marked; no photos then."
    )


class InspectionPatch(Schema):
    date: dt.date | None = None
    inspectors: str | None = Field(None, max_length=200)
    note: str | None = None
    results: list[ResultIn] = []


class EvidenceOut(Schema):
    kind: UpdateKind
    text: str
    author: str | None
    file_url: str | None
    at: dt.datetime


class HazardOut(Schema):
    id: int
    project_id: int
    project: str
    inspection_id: int
    kind: InspectionKind
    description: str
    category: str
    severity: ItemSeverity
    deadline: dt.date
    overdue: bool
    escalated: bool
    responsible_unit_id: int
    responsible_unit: str
    status: HazardStatus
    task_id: int | None
    task_version: int | None = Field(description="Send it back with a decision.")
    rectified_at: dt.datetime | None
    closed_at: dt.datetime | None


class HazardDetailOut(HazardOut):
    photo_url: str | None
    history: list[EvidenceOut]


class HazardPage(Schema):
    count: int
    items: list[HazardOut]


class DecisionIn(Schema):
    text: str = Field("", description="A remark; for a return, the reason (required).")
    version: int | None = Field(None, description="The task_version read.")


class IncidentOut(Schema):
    id: int
    project_id: int
    project: str
    occurred_on: dt.date
    kind: IncidentKind
    severity: IncidentSeverity
    deaths: int
    serious_injuries: int
    direct_loss: Yuan
    description: str
    measures: str
    created_at: dt.datetime


class IncidentPage(Schema):
    count: int
    items: list[IncidentOut]


class IncidentIn(Schema):
    project_id: int
    occurred_on: dt.date
    kind: IncidentKind
    severity: IncidentSeverity | None = Field(
        None, description="Null for the least grade the casualties and the loss allow."
    )
    deaths: int = Field(0, ge=0)
    serious_injuries: int = Field(0, ge=0)
    direct_loss: DecimalIn = Field(Decimal(0), description="Yuan.")
    description: str
    measures: str = ""


# -- checklists -------------------------------------------------------------------------------


def template_out(template: ChecklistTemplate) -> dict[str, Any]:
    return {
        "id": template.pk,
        "name": template.name,
        "kind": template.kind,
        "active": template.active,
        "version": template.version,
        "jurisdiction_id": template.jurisdiction_id,
        "items": [
            {
                "id": i.pk,
                "position": n,
                "text": i.text,
                "category": i.category,
                "severity": i.severity,
                "rectification_days": i.rectification_days,
            }
            for n, i in enumerate(template.items.all(), start=1)
        ],
    }


@router.get(
    "/inspection-templates/",
    response={200: list[TemplateOut], **ERRORS},
    summary="List the checklists",
)
def list_templates(request: HttpRequest, include_inactive: bool = False) -> list[dict[str, Any]]:
    """The checklists the caller's jurisdiction uses, with their items, in use by default."""
    user = caller(request)
    templates_ensure(jurisdiction=user.jurisdiction)
    templates = ChecklistTemplate.objects.visible_to(user).prefetch_related("items")
    if not include_inactive:
        templates = templates.filter(active=True)
    return [template_out(t) for t in templates.order_by("kind", "name")]


@router.get(
    "/inspection-templates/{template_id}/",
    response={200: TemplateOut, **ERRORS},
    summary="Read a checklist",
)
def get_template(request: HttpRequest, template_id: int) -> dict[str, Any]:
    template = (
        ChecklistTemplate.objects.visible_to(caller(request))
        .prefetch_related("items")
        .filter(pk=template_id)
        .first()
    )
    if template is None:
        raise not_found()
    return template_out(template)


# -- inspections ------------------------------------------------------------------------------


def _file_url(request: HttpRequest, field: Any) -> str | None:
    return request.build_absolute_uri(field.url) if field else None


def inspection_out(inspection: Inspection) -> dict[str, Any]:
    return {
        "id": inspection.pk,
        "project_id": inspection.project_id,
        "project": inspection.project.name,
        "kind": inspection.kind,
        "template_id": inspection.template_id,
        "template_version": inspection.template_version,
        "date": inspection.date,
        "inspectors": inspection.inspectors,
        "inspecting_unit_id": inspection.inspecting_unit_id,
        "note": inspection.note,
        "status": inspection.status,
        "completed_at": inspection.completed_at,
    }


def _result_out(request: HttpRequest, result: InspectionResult) -> dict[str, Any]:
    hazard = getattr(result, "hazard", None) if result.outcome == Outcome.FAIL else None
    return {
        "position": result.position,
        "text": result.text,
        "category": result.category,
        "severity": result.severity,
        "rectification_days": result.rectification_days,
        "outcome": result.outcome or None,
        "note": result.note,
        "photo_url": _file_url(request, result.photo),
        "deadline": result.deadline,
        "responsible_unit_id": result.responsible_unit_id,
        "hazard_id": hazard.pk if hazard else None,
    }


def _inspection_detail(request: HttpRequest, inspection_id: int) -> dict[str, Any]:
    inspection = _inspection(request, inspection_id)
    results = inspection.results.select_related("hazard").order_by("position")
    return {
        **inspection_out(inspection),
        "results": [_result_out(request, r) for r in results],
    }


def _inspection(request: HttpRequest, inspection_id: int) -> Inspection:
    inspection = (
        Inspection.objects.visible_to(caller(request))
        .select_related("project")
        .filter(pk=inspection_id)
        .first()
    )
    if inspection is None:
        raise not_found()
    return inspection


@router.get("/inspections/", response={200: InspectionPage, **ERRORS}, summary="List inspections")
def list_inspections(
    request: HttpRequest,
    project_id: int | None = None,
    kind: InspectionKind | None = None,
    status: InspectionStatus | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> dict[str, Any]:
    """Inspections the caller may read, latest first."""
    items = Inspection.objects.visible_to(caller(request)).select_related("project")
    if project_id:
        items = items.filter(project_id=project_id)
    if kind:
        items = items.filter(kind=kind)
    if status:
        items = items.filter(status=status)
    if date_from:
        items = items.filter(date__gte=date_from)
    if date_to:
        items = items.filter(date__lte=date_to)
    items = items.order_by("-date", "-id")
    return {
        "count": items.count(),
        "items": [inspection_out(i) for i in items[offset : offset + limit]],
    }


@router.get(
    "/inspections/{inspection_id}/",
    response={200: InspectionDetailOut, **ERRORS},
    summary="Read an inspection",
)
def get_inspection(request: HttpRequest, inspection_id: int) -> dict[str, Any]:
    return _inspection_detail(request, inspection_id)


def _entries(request: HttpRequest, inspection: Inspection, rows: list[ResultIn]) -> list[Any]:
    by_position = {r.position: r.pk for r in inspection.results.all()}
    units = {u.pk: u for u in services.units_for_project(inspection.project)}
    entries = []
    for row in rows:
        result_id = by_position.get(row.position)
        if result_id is None:
            raise invalid("results.position", f"{row.position}: no such item")
        given = row.model_fields_set
        unit = None
        if row.responsible_unit_id is not None:
            unit = units.get(row.responsible_unit_id)
            if unit is None:
                raise invalid("results.responsible_unit_id", "unknown unit")
        entries.append(
            services.ResultEntry(
                result_id=result_id,
                outcome=(row.outcome or "") if "outcome" in given else None,
                note=row.note if "note" in given else None,
                deadline=row.deadline,
                clear_deadline="deadline" in given and row.deadline is None,
                responsible_unit=unit,
                clear_responsible_unit="responsible_unit_id" in given and unit is None,
            )
        )
    return entries


@router.post(
    "/inspections/", response={201: InspectionDetailOut, **ERRORS}, summary="Record an inspection"
)
def create_inspection(request: HttpRequest, payload: InspectionIn) -> tuple[int, dict[str, Any]]:
    """Start an inspection of a project with a checklist, with the results found so far;
    `complete` completes it at once, turning failed items into hazards. Photos are sent
    one by one to `/inspections/{id}/results/{position}/photo/` before completing."""
    user = caller(request)
    project = Project.objects.visible_to(user).filter(pk=payload.project_id).first()
    if project is None:
        raise invalid("project_id", "unknown project")
    templates_ensure(jurisdiction=project.jurisdiction)
    template = ChecklistTemplate.objects.visible_to(user).filter(pk=payload.template_id).first()
    if template is None:
        raise invalid("template_id", "unknown checklist")
    if payload.template_version is not None and payload.template_version != template.version:
        raise invalid("template_version", "the checklist changed since it was read; read it again")
    unit = None
    if payload.inspecting_unit_id is not None:
        unit = Unit.objects.filter(pk=payload.inspecting_unit_id).first()
        if unit is None:
            raise invalid("inspecting_unit_id", "unknown unit")
    with transaction.atomic():
        inspection = services.inspection_start(
            user=user,
            project=project,
            template=template,
            date=payload.date,
            inspectors=payload.inspectors,
            inspecting_unit=unit,
            note=payload.note,
        )
        if payload.results:
            services.inspection_record(
                user=user,
                inspection=inspection,
                entries=_entries(request, inspection, payload.results),
            )
        if payload.complete:
            services.inspection_complete(user=user, inspection=inspection)
    return 201, _inspection_detail(request, inspection.pk)


@router.patch(
    "/inspections/{inspection_id}/",
    response={200: InspectionDetailOut, **ERRORS},
    summary="Record more of a draft inspection",
)
def update_inspection(
    request: HttpRequest, inspection_id: int, payload: InspectionPatch
) -> dict[str, Any]:
    """Change the header or the results of a draft; results not sent stay as they are."""
    user = caller(request)
    inspection = _inspection(request, inspection_id)
    services.inspection_record(
        user=user,
        inspection=inspection,
        entries=_entries(request, inspection, payload.results),
        date=payload.date,
        inspectors=payload.inspectors,
        note=payload.note,
    )
    return _inspection_detail(request, inspection_id)


@router.post(
    "/inspections/{inspection_id}/results/{position}/photo/",
    response={200: InspectionDetailOut, **ERRORS},
    summary="Attach a photo to an item",
)
def upload_photo(
    request: HttpRequest, inspection_id: int, position: int, photo: File[UploadedFile]
) -> dict[str, Any]:
    """A JPEG, PNG or HEIC photo of what was found (multipart/form-data, field `photo`). It is
    re-encoded; nothing of the original file, its position included, is kept."""
    inspection = _inspection(request, inspection_id)
    result = inspection.results.filter(position=position).first()
    if result is None:
        raise not_found()
    services.inspection_record(
        user=caller(request),
        inspection=inspection,
        entries=[services.ResultEntry(result_id=result.pk, photo=photo)],
    )
    return _inspection_detail(request, inspection_id)


@router.post(
    "/inspections/{inspection_id}/complete/",
    response={200: InspectionDetailOut, **ERRORS},
    summary="Complete an inspection",
)
def complete_inspection(request: HttpRequest, inspection_id: int) -> dict[str, Any]:
    """Fix the results; each failed item becomes a hazard with a rectification task."""
    inspection = _inspection(request, inspection_id)
    services.inspection_complete(user=caller(request), inspection=inspection)
    return _inspection_detail(request, inspection_id)


@router.delete(
    "/inspections/{inspection_id}/",
    response={204: None, **ERRORS},
    summary="Delete an inspection",
)
def delete_inspection(request: HttpRequest, inspection_id: int) -> tuple[int, None]:
    """A draft, by its inspectors; a completed one only by the programme office (its hazards'
    tasks stay, marked, and their owners are told)."""
    inspection = _inspection(request, inspection_id)
    services.inspection_delete(user=caller(request), inspection=inspection)
    return 204, None


# -- hazards ----------------------------------------------------------------------------------


def hazard_out(hazard: Hazard, today: dt.date) -> dict[str, Any]:
    task = hazard.task
    return {
        "id": hazard.pk,
        "project_id": hazard.project_id,
        "project": hazard.project.name,
        "inspection_id": hazard.inspection_id,
        "kind": hazard.kind,
        "description": hazard.description,
        "category": hazard.category,
        "severity": hazard.severity,
        "deadline": hazard.deadline,
        "overdue": hazard.is_overdue(today),
        "escalated": hazard.escalated_at is not None,
        "responsible_unit_id": hazard.responsible_unit_id,
        "responsible_unit": hazard.responsible_unit.name,
        "status": hazard.status,
        "task_id": hazard.task_id,
        "task_version": task.version if task else None,
        "rectified_at": hazard.rectified_at,
        "closed_at": hazard.closed_at,
    }


def _hazards(request: HttpRequest) -> HazardQuerySet:
    return Hazard.objects.visible_to(caller(request)).select_related(
        "project", "responsible_unit", "task", "result"
    )


def _hazard(request: HttpRequest, hazard_id: int) -> Hazard:
    hazard = _hazards(request).filter(pk=hazard_id).first()
    if hazard is None:
        raise not_found()
    return hazard


def _hazard_detail(request: HttpRequest, hazard_id: int) -> dict[str, Any]:
    hazard = _hazard(request, hazard_id)
    history = [
        {
            "kind": u.kind,
            "text": u.text,
            "author": str(u.author) if u.author_id else None,
            "file_url": _file_url(request, u.file),
            "at": u.at,
        }
        for u in TaskUpdate.objects.filter(task=hazard.task).select_related("author")
    ]
    return {
        **hazard_out(hazard, timezone.localdate()),
        "photo_url": _file_url(request, hazard.result.photo),
        "history": history,
    }


@router.get("/hazards/", response={200: HazardPage, **ERRORS}, summary="List hazards")
def list_hazards(
    request: HttpRequest,
    status: HazardStatus | None = None,
    overdue: bool = False,
    severity: ItemSeverity | None = None,
    kind: InspectionKind | None = None,
    project_id: int | None = None,
    responsible_unit_id: int | None = None,
    q: str = "",
    offset: Offset = 0,
    limit: Limit = 50,
) -> dict[str, Any]:
    """Hazards the caller may read, soonest deadline first; those not closed by default,
    `overdue` for those past their deadline and not rectified."""
    today = timezone.localdate()
    hazards = _hazards(request)
    if overdue:
        hazards = hazards.overdue(today)
    elif status:
        hazards = hazards.filter(status=status)
    else:
        hazards = hazards.unresolved()
    if severity:
        hazards = hazards.filter(severity=severity)
    if kind:
        hazards = hazards.filter(kind=kind)
    if project_id:
        hazards = hazards.filter(project_id=project_id)
    if responsible_unit_id:
        hazards = hazards.filter(responsible_unit_id=responsible_unit_id)
    if q.strip():
        hazards = hazards.filter(
            Q(description__icontains=q.strip()) | Q(project__name__icontains=q.strip())
        )
    hazards = hazards.order_by("deadline", "id")
    return {
        "count": hazards.count(),
        "items": [hazard_out(h, today) for h in hazards[offset : offset + limit]],
    }


@router.get(
    "/hazards/{hazard_id}/", response={200: HazardDetailOut, **ERRORS}, summary="Read a hazard"
)
def get_hazard(request: HttpRequest, hazard_id: int) -> dict[str, Any]:
    """A hazard, the photo as found, and its rectification history with the evidence."""
    return _hazard_detail(request, hazard_id)


@router.post(
    "/hazards/{hazard_id}/rectify/",
    response={200: HazardDetailOut, **ERRORS},
    summary="Report a hazard rectified",
)
def rectify_hazard(
    request: HttpRequest,
    hazard_id: int,
    file: File[UploadedFile],
    text: Form[str] = "",
    version: Form[int | None] = None,
) -> dict[str, Any]:
    """The responsible unit reports the rectification with its evidence (multipart/form-data:
    `file`, a photo or document, required; `text`; `version`, the task_version read)."""
    hazard = _hazard(request, hazard_id)
    services.hazard_rectify(
        user=caller(request), hazard=hazard, text=text, upload=file, version=version
    )
    return _hazard_detail(request, hazard_id)


@router.post(
    "/hazards/{hazard_id}/accept/",
    response={200: HazardDetailOut, **ERRORS},
    summary="Accept a rectification (销号)",
)
def accept_hazard(request: HttpRequest, hazard_id: int, payload: DecisionIn) -> dict[str, Any]:
    hazard = _hazard(request, hazard_id)
    services.hazard_accept(
        user=caller(request), hazard=hazard, text=payload.text, version=payload.version
    )
    return _hazard_detail(request, hazard_id)


@router.post(
    "/hazards/{hazard_id}/return/",
    response={200: HazardDetailOut, **ERRORS},
    summary="Return a rectification",
)
def return_hazard(request: HttpRequest, hazard_id: int, payload: DecisionIn) -> dict[str, Any]:
    hazard = _hazard(request, hazard_id)
    services.hazard_return(
        user=caller(request), hazard=hazard, reason=payload.text, version=payload.version
    )
    return _hazard_detail(request, hazard_id)


# -- incidents --------------------------------------------------------------------------------


def incident_out(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.pk,
        "project_id": incident.project_id,
        "project": incident.project.name,
        "occurred_on": incident.occurred_on,
        "kind": incident.kind,
        "severity": incident.severity,
        "deaths": incident.deaths,
        "serious_injuries": incident.serious_injuries,
        "direct_loss": incident.direct_loss,
        "description": incident.description,
        "measures": incident.measures,
        "created_at": incident.created_at,
    }


@router.get("/incidents/", response={200: IncidentPage, **ERRORS}, summary="List incidents")
def list_incidents(
    request: HttpRequest,
    project_id: int | None = None,
    kind: IncidentKind | None = None,
    severity: IncidentSeverity | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> dict[str, Any]:
    items = Incident.objects.visible_to(caller(request)).select_related("project")
    if project_id:
        items = items.filter(project_id=project_id)
    if kind:
        items = items.filter(kind=kind)
    if severity:
        items = items.filter(severity=severity)
    if date_from:
        items = items.filter(occurred_on__gte=date_from)
    if date_to:
        items = items.filter(occurred_on__lte=date_to)
    items = items.order_by("-occurred_on", "-id")
    return {
        "count": items.count(),
        "items": [incident_out(i) for i in items[offset : offset + limit]],
    }


@router.get(
    "/incidents/{incident_id}/", response={200: IncidentOut, **ERRORS}, summary="Read an incident"
)
def get_incident(request: HttpRequest, incident_id: int) -> dict[str, Any]:
    incident = (
        Incident.objects.visible_to(caller(request))
        .select_related("project")
        .filter(pk=incident_id)
        .first()
    )
    if incident is None:
        raise not_found()
    return incident_out(incident)


@router.post("/incidents/", response={201: IncidentOut, **ERRORS}, summary="Record an incident")
def create_incident(request: HttpRequest, payload: IncidentIn) -> tuple[int, dict[str, Any]]:
    """The office or the project's units record an incident. Without a `severity`, the least
    grade the figures allow; a lower one is refused."""
    user = caller(request)
    project = Project.objects.visible_to(user).filter(pk=payload.project_id).first()
    if project is None:
        raise invalid("project_id", "unknown project")
    incident = incidents.incident_save(
        user=user,
        project=project,
        occurred_on=payload.occurred_on,
        kind=payload.kind,
        severity=payload.severity or "",
        deaths=payload.deaths,
        serious_injuries=payload.serious_injuries,
        direct_loss=payload.direct_loss,
        description=payload.description,
        measures=payload.measures,
    )
    return 201, incident_out(incident)
