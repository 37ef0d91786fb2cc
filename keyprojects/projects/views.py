from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_filters.widgets import BaseCSVWidget

from keyprojects.audit.choices import Action
from keyprojects.audit.models import AuditEntry
from keyprojects.supervision.summary import project_supervision
from keyprojects.web.widgets import CompactMultiSelect

from .choices import Batch, Industry, Level, Light, Stage
from .filtersets import ProjectFilterSet, visible_units
from .forms import AnnualPlanForm, ProjectCreateForm, ProjectForm, StageForm
from .models import AnnualPlan, Project
from .permissions import programme_office_required
from .services import (
    EDITABLE_FIELDS,
    EditConflict,
    allowed_transitions,
    annual_plan_set,
    project_advance_stage,
    project_create,
    project_update,
)
from .tables import COLUMNS, LedgerPaginator, cached_totals, ledger_body
from .templatetags.ledger import wan

PAGE_SIZES = (25, 50, 100, 250)


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year") or 0)
    except ValueError:
        year = 0
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def ledger_queryset(request: HttpRequest) -> tuple[ProjectFilterSet, int]:
    """The visible projects with the year's figures, filtered and sorted as the page asks."""
    filterset = ProjectFilterSet(
        request.GET, Project.objects.visible_to(request.user), request=request
    )
    _compact_filter_form(filterset)
    return filterset, filterset.selected_year


class _HiddenCSV(BaseCSVWidget, forms.HiddenInput):
    """The sort order as a hidden comma-separated list: the sort field reads a list, and a
    plain hidden input would hand it `name` as the letters n, a, m, e."""

    surrogate = forms.HiddenInput


def _compact_filter_form(filterset: ProjectFilterSet) -> None:
    """Shape the shared filter form for the dense filter bar of the list page."""
    field: Any
    for name, field in filterset.form.fields.items():
        field.label = capfirst(field.label)
        if isinstance(field, forms.MultipleChoiceField) and not isinstance(
            field, forms.ModelMultipleChoiceField
        ):
            field.choices = [("", _("All")), *list(field.choices)]  # type: ignore[arg-type]
            field.widget = CompactMultiSelect(choices=field.choices)
        elif isinstance(field, forms.ModelChoiceField):
            field.empty_label = _("All")
        if name == "sort":
            field.widget = _HiddenCSV()
        elif name == "year":
            field.widget.attrs["placeholder"] = str(timezone.localdate().year)
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs["class"] = f"{css} {css}-sm"


LONG_TEXTS = (
    "scale_and_content",
    "progress_text",
    "preliminary_progress",
    "problems_text",
    "next_steps",
)
LABELLED: dict[str, type[models.TextChoices]] = {
    "stage": Stage,
    "level": Level,
    "industry": Industry,
    "light": Light,
}


def _labels(choices: type[models.TextChoices]) -> dict[str, str]:
    return {value: str(label) for value, label in choices.choices}


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    filterset, year = ledger_queryset(request)
    # The long texts are not in the table; leaving them out also spares the audit snapshot
    # each fully loaded project takes.
    qs = filterset.qs.select_related("owner_unit", "responsible_unit").defer(*LONG_TEXTS)
    try:
        per_page = int(request.GET.get("per_page", 50))
    except ValueError:
        per_page = 50
    per_page = per_page if per_page in PAGE_SIZES else 50
    sums = cached_totals(filterset.qs, year)
    paginator = LedgerPaginator(qs, per_page)
    paginator.count = sums.pop("count")  # counted with the sums, in the same query
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = query.copy()
    sort_query.pop("sort", None)
    context = {
        "nav": "ledger",
        "filterset": filterset,
        "year": year,
        "page": page,
        "columns": COLUMNS,
        "sort": request.GET.get("sort", ""),
        "totals": sums,
        "query": query.urlencode(),
        "sort_query": sort_query.urlencode(),
        "page_sizes": PAGE_SIZES,
        "per_page": per_page,
        "body": ledger_body(
            list(page.object_list),
            first=page.start_index(),
            year=year,
            labels={"batch": _labels(Batch), **{n: _labels(c) for n, c in LABELLED.items()}},
        ),
        "can_create": request.user.is_programme_office,  # type: ignore[union-attr]
    }
    template = "projects/_ledger_table.html" if request.htmx else "projects/list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _visible_project(request: HttpRequest, pk: int) -> Project:
    return get_object_or_404(
        Project.objects.visible_to(request.user).select_related(
            "owner_unit", "responsible_unit", "jurisdiction"
        ),
        pk=pk,
    )


def _editable_project(request: HttpRequest, pk: int) -> Project:
    project = _visible_project(request, pk)
    if not Project.objects.editable_by(request.user).filter(pk=pk).exists():
        raise PermissionDenied
    return project


HIDDEN_IN_HISTORY = {"version", "updated_at", "created_at", "id"}


def _field(name: str) -> Any:
    return Project._meta.get_field(name.removesuffix("_id"))


def _shown(field: Any, value: Any) -> Any:
    """A logged value as a person reads it: choice labels, unit names, amounts in 万元."""
    if value is None or value == "":
        return None
    if field.choices:
        return dict(field.flatchoices).get(value, value)
    if field.is_relation:
        target = field.related_model.objects.filter(pk=value).first()
        return str(target) if target else value
    if field.name in {"total_investment"}:
        return wan(value)
    return value


def timeline(project: Project) -> list[dict[str, Any]]:
    """Stage changes and audited edits, newest first."""
    items: list[dict[str, Any]] = [
        {"at": c.at, "kind": "stage", "change": c, "by": c.actor}
        for c in project.stage_changes.select_related("actor")
    ]
    entries = AuditEntry.objects.filter(model="projects.project", object_id=str(project.pk))
    for entry in entries.order_by("-seq")[:100]:
        changed = []
        if entry.action == Action.UPDATE:
            changed = [
                (field.verbose_name, _shown(field, old), _shown(field, new))
                for name, old, new in entry.changed_fields()
                if name not in HIDDEN_IN_HISTORY
                for field in [_field(name)]
            ]
        items.append({"at": entry.at, "kind": "audit", "entry": entry, "changed": changed})
    items.sort(key=lambda item: item["at"], reverse=True)
    return items


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = _visible_project(request, pk)
    year = _year(request)
    can_edit = Project.objects.editable_by(request.user).filter(pk=pk).exists()
    return render(
        request,
        "projects/detail.html",
        {
            "nav": "ledger",
            "project": project,
            "year": year,
            "batch": project.batch(year),
            "batch_labels": dict(Batch.choices),
            "plans": project.annual_plans.order_by("-year"),
            "timeline": timeline(project),
            "can_edit": can_edit,
            "can_change_stage": can_edit and bool(allowed_transitions(project.stage)),
            "can_delete": request.user.is_programme_office,  # type: ignore[union-attr]
            "supervision": project_supervision(project, request.user),
        },
    )


@programme_office_required
@require_http_methods(["GET", "POST"])
def project_add(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = ProjectCreateForm(request.POST or None, units=visible_units(user))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in EDITABLE_FIELDS}
        jurisdiction_id = user.jurisdiction_id or data["owner_unit"].jurisdiction_id
        try:
            project = project_create(
                jurisdiction_id=jurisdiction_id, stage=form.cleaned_data["stage"], **data
            )
        except ValidationError as error:
            _attach(form, error)
        else:
            messages.success(request, _("The project was added to the ledger."))
            return redirect("projects:detail", pk=project.pk)
    return render(request, "projects/form.html", {"nav": "ledger", "form": form, "adding": True})


def _attach(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errs in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, error)


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    project = _editable_project(request, pk)
    form = ProjectForm(request.POST or None, instance=project, units=visible_units(request.user))
    conflict: EditConflict | None = None
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data.get("version") or project.version
        data = {k: v for k, v in form.cleaned_data.items() if k in EDITABLE_FIELDS}
        try:
            project_update(project=project, version=version, **data)
        except EditConflict as exc:
            conflict = exc
            # Keep what this person typed; saving again now overwrites knowingly.
            data = form.data.copy()  # type: ignore[attr-defined]
            data["version"] = str(exc.project.version)
            form.data = data
        except ValidationError as error:
            _attach(form, error)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("projects:detail", pk=project.pk)
    return render(
        request,
        "projects/form.html",
        {"nav": "ledger", "form": form, "project": project, "conflict": conflict},
        status=409 if conflict else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_stage(request: HttpRequest, pk: int) -> HttpResponse:
    project = _editable_project(request, pk)
    form = StageForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            project_advance_stage(
                project=project,
                to=form.cleaned_data["to"],
                reason=form.cleaned_data["reason"],
                effective_date=form.cleaned_data["effective_date"],
            )
        except ValidationError as error:
            _attach(form, error)
        else:
            messages.success(request, _("The stage was changed."))
            return redirect("projects:detail", pk=project.pk)
    return render(
        request, "projects/stage.html", {"nav": "ledger", "form": form, "project": project}
    )


@login_required
@require_http_methods(["GET", "POST"])
def annual_plan_edit(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    project = _editable_project(request, pk)
    if not 2000 <= year <= 2100:
        raise PermissionDenied
    plan = AnnualPlan.objects.filter(project=project, year=year).first()
    form = AnnualPlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        try:
            annual_plan_set(project=project, year=year, **form.cleaned_data)
        except ValidationError as error:
            _attach(form, error)
        else:
            messages.success(request, _("The annual plan was saved."))
            return redirect("projects:detail", pk=project.pk)
    return render(
        request,
        "projects/plan.html",
        {"nav": "ledger", "form": form, "project": project, "year": year},
    )


@programme_office_required
@require_POST
def project_delete(request: HttpRequest, pk: int) -> HttpResponse:
    project = _editable_project(request, pk)
    with transaction.atomic():
        project.delete()
    messages.success(request, _("“%(name)s” was deleted from the ledger.") % {"name": project.name})
    return redirect("projects:list")
