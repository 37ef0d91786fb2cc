"""Hazards (隐患): the list with its filters, and one hazard with its rectification."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from keyprojects.supervision.models import TaskUpdate

from . import permissions, services
from .forms import HazardFilter
from .models import Hazard
from .views import error_text, page_of


@login_required
def hazard_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    today = timezone.localdate()
    form = HazardFilter(request.GET or None, user=user)
    hazards = Hazard.objects.visible_to(user)
    state = ""
    if form.is_valid():
        data = form.cleaned_data
        state = data["state"]
        if data["q"]:
            q = data["q"].strip()
            hazards = hazards.filter(Q(description__icontains=q) | Q(project__name__icontains=q))
        if data["severity"]:
            hazards = hazards.filter(severity=data["severity"])
        if data["kind"]:
            hazards = hazards.filter(kind=data["kind"])
        if data["unit"]:
            hazards = hazards.filter(responsible_unit=data["unit"])
    if state == "overdue":
        hazards = hazards.overdue(today)
    elif state == "unresolved":
        hazards = hazards.unresolved()
    elif state == "any":
        pass
    elif state:
        hazards = hazards.filter(status=state)
    else:
        hazards = hazards.awaiting()
    if request.GET.get("project"):
        hazards = hazards.filter(project_id=_int(request.GET["project"]))
    hazards = hazards.select_related("project", "responsible_unit", "inspection")
    page = page_of(request, hazards.order_by("deadline", "id"))
    return render(
        request,
        "inspections/hazards.html",
        {"nav": "inspections", "tab": "hazards", "page": page, "form": form, "today": today},
    )


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return 0


def _visible(request: HttpRequest, pk: int) -> Hazard:
    return get_object_or_404(
        Hazard.objects.visible_to(request.user).select_related(
            "project", "responsible_unit", "inspection", "result", "task"
        ),
        pk=pk,
    )


@login_required
def hazard_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    hazard = _visible(request, pk)
    updates = (
        TaskUpdate.objects.filter(task_id=hazard.task_id).select_related("author")
        if hazard.task_id
        else TaskUpdate.objects.none()
    )
    return render(
        request,
        "inspections/hazard.html",
        {
            "nav": "inspections",
            "hazard": hazard,
            "updates": updates,
            "can_rectify": permissions.can_rectify(user, hazard),
            "can_decide": permissions.can_decide(user, hazard),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def hazard_act(request: HttpRequest, pk: int) -> HttpResponse:
    """Report rectified (with evidence), accept or return: through the hazard's task."""
    user: Any = request.user
    hazard = _visible(request, pk)
    action = request.POST.get("action", "")
    text = request.POST.get("text", "")
    try:
        version: int | None = int(request.POST.get("version") or 0) or None
    except ValueError:
        version = -1
    try:
        if action == "rectify":
            services.hazard_rectify(
                user=user, hazard=hazard, text=text, upload=request.FILES.get("file"),
                version=version,
            )  # fmt: skip
            done = _("Reported rectified; waiting for the office's acceptance.")
        elif action == "accept":
            services.hazard_accept(user=user, hazard=hazard, text=text, version=version)
            done = _("Accepted; the hazard is closed (销号).")
        elif action == "return":
            services.hazard_return(user=user, hazard=hazard, reason=text, version=version)
            done = _("Returned for further rectification.")
        else:
            raise ValidationError(_("Unknown action."))
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, done)
    return redirect("inspections:hazard", hazard.pk)
