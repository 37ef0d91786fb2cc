"""The project ledger: read it as the list page does, change it through the services."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.params import P, PathEx, QueryEx

from keyprojects.organisations.models import Jurisdiction, Unit
from keyprojects.projects.choices import Stage
from keyprojects.projects.filtersets import ProjectFilterSet, annotate_ledger, visible_units
from keyprojects.projects.models import AnnualPlan, Project
from keyprojects.projects.services import (
    EditConflict,
    annual_plan_set,
    project_advance_stage,
    project_create,
    project_update,
)

from .auth import caller
from .errors import ApiError, forbidden, invalid, not_found
from .openapi import filterset_parameters
from .schemas import (
    AnnualPlanIn,
    AnnualPlanOut,
    ConflictOut,
    ErrorOut,
    ProjectCreate,
    ProjectOut,
    ProjectPage,
    ProjectPatch,
    StageIn,
)

router = Router(tags=["projects"])

MAX_LIMIT = 500
READ_ERRORS: dict[int, Any] = {401: ErrorOut, 404: ErrorOut, 422: ErrorOut}
WRITE_ERRORS: dict[int, Any] = {**READ_ERRORS, 400: ErrorOut, 403: ErrorOut}
Year = PathEx[int, P(ge=1900, le=2200)]


def _related(queryset: QuerySet[Project]) -> QuerySet[Project]:
    return queryset.select_related("jurisdiction", "owner_unit", "responsible_unit")


def _visible(request: HttpRequest) -> QuerySet[Project]:
    return Project.objects.visible_to(caller(request))


def _get_visible(request: HttpRequest, project_id: int) -> Project:
    project = _visible(request).filter(pk=project_id).first()
    if project is None:
        raise not_found()
    return project


def _get_editable(request: HttpRequest, project_id: int) -> Project:
    project = _get_visible(request, project_id)
    editable = Project.objects.editable_by(caller(request))
    if not editable.filter(pk=project.pk).exists():
        raise forbidden()
    return project


def _out(request: HttpRequest, project_id: int, year: int | None = None) -> dict[str, Any]:
    year = year or timezone.localdate().year
    project = _related(annotate_ledger(_visible(request).filter(pk=project_id), year)).get()
    return project_out(project, year)


def project_out(project: Any, year: int) -> dict[str, Any]:
    """A project annotated by `annotate_ledger`, as `ProjectOut`."""
    names = [name for name in ProjectOut.model_fields if hasattr(project, name)]
    data = {name: getattr(project, name) for name in names}
    data.update(year=year, batch=project.batch)
    return data


def _unit(request: HttpRequest, field: str, unit_id: int) -> Unit:
    unit = visible_units(caller(request)).filter(pk=unit_id).first()
    if unit is None:
        raise invalid(
            field, _("Select a valid choice. That choice is not one of the available choices.")
        )
    return unit


def _clean_fields(request: HttpRequest, fields: dict[str, Any]) -> dict[str, Any]:
    """Turn unit ids into units and a blank code into none; the model checks the rest."""
    for name in ("owner_unit", "responsible_unit"):
        if name in fields:
            fields[name] = _unit(request, name, fields[name])
    if "code" in fields:
        fields["code"] = (fields["code"] or "").strip() or None
    return fields


@router.get(
    "/projects/",
    response={200: ProjectPage, **READ_ERRORS},
    openapi_extra={"parameters": filterset_parameters(ProjectFilterSet)},
    summary="List the ledger",
)
def list_projects(
    request: HttpRequest,
    limit: QueryEx[int, P(ge=1, le=MAX_LIMIT)] = 100,
    offset: QueryEx[int, P(ge=0)] = 0,
) -> Any:
    """The projects the caller can see, filtered and sorted like the ledger page."""
    filterset = ProjectFilterSet(request.GET, _visible(request), request=request)
    if not filterset.is_valid():
        raise ApiError(
            422,
            _("Some values are not valid."),
            {k: [e["message"] for e in v] for k, v in filterset.errors.get_json_data().items()},
        )
    projects = _related(filterset.qs)
    year = filterset.selected_year
    return {
        "count": projects.count(),
        "limit": limit,
        "offset": offset,
        "year": year,
        "items": [project_out(p, year) for p in projects[offset : offset + limit]],
    }


@router.get("/projects/{project_id}/", response={200: ProjectOut, **READ_ERRORS})
def get_project(
    request: HttpRequest, project_id: int, year: QueryEx[int | None, P(ge=1900, le=2200)] = None
) -> Any:
    """One project; `year` chooses the year of the batch and annual target."""
    _get_visible(request, project_id)
    return _out(request, project_id, year)


@router.post("/projects/", response={201: ProjectOut, **WRITE_ERRORS})
def create_project(request: HttpRequest, payload: ProjectCreate) -> Any:
    """Enter a project in the ledger. Only the programme office does."""
    user: Any = caller(request)
    if not user.is_programme_office:
        raise forbidden()
    fields = payload.model_dump()
    jurisdiction_id = fields.pop("jurisdiction") or user.jurisdiction_id
    visible = user.visible_jurisdiction_ids()
    if not jurisdiction_id or not Jurisdiction.objects.filter(pk=jurisdiction_id).exists():
        raise invalid("jurisdiction", _("This field is required."))
    if visible is not None and jurisdiction_id not in visible:
        raise invalid(
            "jurisdiction",
            _("Select a valid choice. That choice is not one of the available choices."),
        )
    stage = fields.pop("stage")
    project = project_create(
        jurisdiction_id=jurisdiction_id, stage=stage, **_clean_fields(request, fields)
    )
    return Status(201, _out(request, project.pk))


@router.patch(
    "/projects/{project_id}/", response={200: ProjectOut, 409: ConflictOut, **WRITE_ERRORS}
)
def update_project(request: HttpRequest, project_id: int, payload: ProjectPatch) -> Any:
    """Change some fields. `version` must be the one read: a later save by someone else
    answers 409 with what they changed."""
    project = _get_editable(request, project_id)
    fields = payload.model_dump(exclude_unset=True)
    version = fields.pop("version")
    try:
        project_update(project=project, version=version, **_clean_fields(request, fields))
    except EditConflict as conflict:
        return Status(409, _conflict(conflict))
    return _out(request, project_id)


def _conflict(conflict: EditConflict) -> dict[str, Any]:
    return {
        "detail": str(conflict),
        "errors": {},
        "version": conflict.project.version,
        "changes": [
            {
                "field": change.field.removesuffix("_id"),
                "label": change.label,
                "theirs": change.theirs,
                "by": change.by,
                "at": change.at,
            }
            for change in conflict.changes
        ],
    }


@router.post("/projects/{project_id}/stage/", response={200: ProjectOut, **WRITE_ERRORS})
def advance_stage(request: HttpRequest, project_id: int, payload: StageIn) -> Any:
    """Move the project to another stage of its lifecycle, giving the reason."""
    project = _get_editable(request, project_id)
    if payload.to not in Stage.values:
        raise invalid(
            "to",
            _("Select a valid choice. %(value)s is not one of the available choices.")
            % {"value": payload.to},
        )
    project_advance_stage(
        project=project,
        to=payload.to,
        reason=payload.reason,
        effective_date=payload.effective_date,
    )
    return _out(request, project_id)


@router.get("/projects/{project_id}/plans/{year}/", response={200: AnnualPlanOut, **READ_ERRORS})
def get_annual_plan(request: HttpRequest, project_id: int, year: Year) -> Any:
    """The project's annual plan for `year`."""
    project = _get_visible(request, project_id)
    plan = AnnualPlan.objects.filter(project=project, year=year).first()
    if plan is None:
        raise ApiError(404, _("This project has no plan for %(year)s.") % {"year": year})
    return plan


@router.put(
    "/projects/{project_id}/plans/{year}/",
    response={200: AnnualPlanOut, 201: AnnualPlanOut, **WRITE_ERRORS},
)
def set_annual_plan(
    request: HttpRequest, project_id: int, payload: AnnualPlanIn, year: Year
) -> Any:
    """Set the whole annual plan for `year`; fields left out are cleared."""
    project = _get_editable(request, project_id)
    existed = AnnualPlan.objects.filter(project=project, year=year).exists()
    plan = annual_plan_set(project=project, year=year, **payload.model_dump())
    return Status(200 if existed else 201, plan)
