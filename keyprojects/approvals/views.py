from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from keyprojects.projects.models import Project
from keyprojects.projects.permissions import programme_office_required, project_for

from .forms import StepForm
from .models import Phase, ProcedureStep, ProcedureTemplate, TemplateStep
from .services import (
    blocking_steps,
    checklist_create,
    durations,
    step_update,
    template_step_add,
    template_step_delete,
    template_step_move,
    templates_ensure,
)


@login_required
def checklist(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk)
    can_edit = Project.objects.editable_by(request.user).filter(pk=pk).exists()
    steps = list(ProcedureStep.objects.filter(project=project).select_related("department"))
    templates = templates_ensure(jurisdiction=project.jurisdiction) if not steps else []
    return render(
        request,
        "approvals/checklist.html",
        {
            "nav": "ledger", "project": project, "can_edit": can_edit, "templates": templates,
            "rows": [(s, StepForm(instance=s, prefix=f"s{s.pk}")) for s in steps],
        },
    )  # fmt: skip


@login_required
@require_POST
def checklist_start(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk, edit=True)
    template = get_object_or_404(
        ProcedureTemplate, pk=request.POST.get("template"), jurisdiction=project.jurisdiction
    )
    try:
        checklist_create(project=project, template=template)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("approvals:checklist", pk=project.pk)


@login_required
@require_http_methods(["POST"])
def step_edit(request: HttpRequest, pk: int, step_id: int) -> HttpResponse:
    project = project_for(request, pk, edit=True)
    step = get_object_or_404(ProcedureStep, project=project, pk=step_id)
    form = StepForm(request.POST, request.FILES, instance=step, prefix=f"s{step.pk}")
    if form.is_valid():
        try:
            step_update(step=ProcedureStep.objects.get(pk=step.pk), **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, f"{step.name}: " + " ".join(error.messages))
        else:
            messages.success(request, _("“%(step)s” saved.") % {"step": step.name})
    else:
        problems = [str(e) for errs in form.errors.values() for e in errs]
        messages.error(request, f"{step.name}: " + " ".join(problems))
    return redirect("approvals:checklist", pk=project.pk)


@login_required
def blocking(request: HttpRequest) -> HttpResponse:
    rows = blocking_steps(Project.objects.visible_to(request.user))
    return render(request, "approvals/blocking.html", {"nav": "procedures", "rows": rows})


@login_required
def duration_report(request: HttpRequest) -> HttpResponse:
    projects = Project.objects.visible_to(request.user)
    return render(
        request,
        "approvals/durations.html",
        {
            "nav": "procedures",
            "by_step": durations(projects, by="step"),
            "by_department": durations(projects, by="department"),
        },
    )


@programme_office_required
@require_http_methods(["GET", "POST"])
def templates(request: HttpRequest) -> HttpResponse:
    """The programme office edits the steps new checklists are made from."""
    user: Any = request.user
    jurisdiction = user.jurisdiction
    if jurisdiction is None:
        raise PermissionDenied
    mine = templates_ensure(jurisdiction=jurisdiction)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "add":
                template = get_object_or_404(
                    ProcedureTemplate, pk=request.POST.get("template"), jurisdiction=jurisdiction
                )
                template_step_add(
                    template=template, name=request.POST.get("name", ""),
                    phase=request.POST.get("phase", ""),
                    department=request.POST.get("department", ""),
                    before_start=bool(request.POST.get("before_start")),
                )  # fmt: skip
            else:
                step = get_object_or_404(
                    TemplateStep, pk=request.POST.get("step"), template__jurisdiction=jurisdiction
                )
                if action == "delete":
                    template_step_delete(step=step)
                elif action in ("up", "down"):
                    template_step_move(step=step, up=action == "up")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The template was changed."))
        return redirect("approvals:templates")
    return render(
        request, "approvals/templates.html",
        {"nav": "procedures", "templates": mine, "phases": Phase.choices},
    )  # fmt: skip
