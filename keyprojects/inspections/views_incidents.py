"""Incidents (事故/事件): the list, recording and correcting one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import incidents, permissions
from .choices import IncidentKind, IncidentSeverity
from .forms import IncidentForm
from .models import Incident
from .views import page_of


@login_required
def incident_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    items = Incident.objects.visible_to(user).select_related("project")
    kind = request.GET.get("kind", "")
    severity = request.GET.get("severity", "")
    q = (request.GET.get("q") or "").strip()
    if kind in IncidentKind.values:
        items = items.filter(kind=kind)
    if severity in IncidentSeverity.values:
        items = items.filter(severity=severity)
    if q:
        items = items.filter(Q(project__name__icontains=q) | Q(description__icontains=q))
    return render(
        request,
        "inspections/incidents.html",
        {
            "nav": "inspections",
            "tab": "incidents",
            "page": page_of(request, items.order_by("-occurred_on", "-id")),
            "kinds": IncidentKind.choices,
            "severities": IncidentSeverity.choices,
            "kind": kind,
            "severity": severity,
            "q": q,
            "can_record": permissions.can_record_anywhere(user),
        },
    )


def _visible(request: HttpRequest, pk: int) -> Incident:
    return get_object_or_404(
        Incident.objects.visible_to(request.user).select_related("project", "recorded_by"),
        pk=pk,
    )


@login_required
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    incident = _visible(request, pk)
    return render(
        request,
        "inspections/incident.html",
        {
            "nav": "inspections",
            "incident": incident,
            "can_edit": permissions.can_edit_incident(user, incident),
            "can_delete": permissions.can_delete_incident(user, incident),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def incident_add(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not permissions.can_record_anywhere(user):
        raise PermissionDenied
    initial: dict[str, Any] = {"occurred_on": timezone.localdate()}
    if request.GET.get("project"):
        initial["project"] = request.GET["project"]
    return _form(request, None, initial)


@login_required
@require_http_methods(["GET", "POST"])
def incident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _visible(request, pk)
    if not permissions.can_edit_incident(request.user, incident):
        raise PermissionDenied
    initial = {
        "project": incident.project_id,
        "occurred_on": incident.occurred_on,
        "kind": incident.kind,
        "severity": incident.severity,
        "deaths": incident.deaths,
        "serious_injuries": incident.serious_injuries,
        "direct_loss": incident.direct_loss,
        "description": incident.description,
        "measures": incident.measures,
    }
    return _form(request, incident, initial)


def _form(request: HttpRequest, incident: Incident | None, initial: dict[str, Any]) -> HttpResponse:
    user: Any = request.user
    form = IncidentForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            version = int(request.POST.get("version") or 0) or None
        except ValueError:
            version = -1
        try:
            saved = incidents.incident_save(
                user=user,
                incident=incident,
                version=version,
                project=data["project"],
                occurred_on=data["occurred_on"],
                kind=data["kind"],
                severity=data["severity"],
                deaths=data["deaths"],
                serious_injuries=data["serious_injuries"],
                direct_loss=data["direct_loss"],
                description=data["description"],
                measures=data["measures"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, " ".join(error.messages))
        else:
            messages.success(request, _("The incident was recorded."))
            return redirect("inspections:incident", saved.pk)
    return render(
        request,
        "inspections/incident_form.html",
        {"nav": "inspections", "form": form, "incident": incident},
    )


@login_required
@require_POST
def incident_delete(request: HttpRequest, pk: int) -> HttpResponse:
    incident = _visible(request, pk)
    incidents.incident_delete(user=request.user, incident=incident)
    messages.success(request, _("The incident was deleted."))
    return redirect("inspections:incidents")
