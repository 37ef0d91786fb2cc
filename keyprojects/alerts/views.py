from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from keyprojects.organisations.models import Jurisdiction
from keyprojects.projects.permissions import programme_office_required
from keyprojects.web.widgets import bootstrap

from . import services
from .choices import ACTIVE_STATUSES, AlertKind, AlertStatus, EventKind, Severity
from .forms import AlertFilter, RuleForm
from .models import RED_FIRST, Alert, AlertRule
from .rules import installed

PAGE_SIZES = (25, 50, 100)


def _page(request: HttpRequest, alerts: QuerySet[Alert]) -> Any:
    try:
        size = int(request.GET.get("per_page") or 50)
    except ValueError:
        size = 50
    size = size if size in PAGE_SIZES else 50
    alerts = alerts.select_related("project", "owner_unit", "task")
    return Paginator(alerts, size).get_page(request.GET.get("page"))


def _filtered(request: HttpRequest, form: AlertFilter) -> tuple[QuerySet[Alert], QuerySet[Alert]]:
    """The alerts the filter asks for, and the same without the kind (to count by kind)."""
    alerts = Alert.objects.visible_to(request.user)
    if not form.is_valid():
        alerts = alerts.active()
        return alerts, alerts
    data = form.cleaned_data
    status = data.get("status")
    if status == "any":
        pass
    elif status:
        alerts = alerts.filter(status=status)
    else:
        alerts = alerts.filter(status__in=ACTIVE_STATUSES)
    if data.get("severity"):
        alerts = alerts.filter(severity=data["severity"])
    if data.get("unit"):
        alerts = alerts.filter(owner_unit=data["unit"])
    if data.get("project"):
        alerts = alerts.filter(project_id=data["project"])
    if data.get("q"):
        q = data["q"].strip()
        alerts = alerts.filter(Q(project__name__icontains=q) | Q(label__icontains=q))
    every_kind = alerts
    if data.get("kind"):
        alerts = alerts.filter(kind=data["kind"])
    return alerts, every_kind


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    """预警: what the rules found, red first, with a count for each kind."""
    user: Any = request.user
    form = AlertFilter(request.GET or None, user=user)
    bootstrap(form)
    alerts, every_kind = _filtered(request, form)
    counts = {
        row["kind"]: row
        for row in every_kind.order_by()
        .values("kind")
        .annotate(n=Count("id"), red=Count("id", filter=Q(severity=Severity.RED)))
    }
    by_kind = [
        (kind, label, counts.get(kind, {}).get("n", 0), counts.get(kind, {}).get("red", 0))
        for kind, label in AlertKind.choices
    ]
    page = _page(request, alerts.order_by(RED_FIRST, "-opened_at", "-id"))
    query = request.GET.copy()
    query.pop("kind", None)
    query.pop("page", None)
    return render(
        request,
        "alerts/list.html",
        {
            "nav": "alerts",
            "page": page,
            "form": form,
            "by_kind": by_kind,
            "kind": request.GET.get("kind", ""),
            "base_query": query.urlencode(),
            "today": timezone.localdate(),
            "can_manage": user.is_programme_office,
        },
    )


@login_required
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    alert = get_object_or_404(
        Alert.objects.visible_to(user).select_related(
            "project", "owner_unit", "task", "rule", "acknowledged_by", "resolved_by"
        ),
        pk=pk,
    )
    lights: list[Any] = []
    if alert.kind == AlertKind.PACE_LAG and alert.project_id:
        from keyprojects.progress.models import MonthlyLight

        lights = list(
            MonthlyLight.objects.filter(
                project_id=alert.project_id, year=alert.params.get("year")
            ).order_by("month")
        )
    earlier = (
        Alert.objects.filter(rule_id=alert.rule_id, subject=alert.subject)
        .exclude(pk=alert.pk)
        .order_by("-opened_at")[:10]
    )
    return render(
        request,
        "alerts/detail.html",
        {
            "nav": "alerts",
            "alert": alert,
            "message": alert.message(),
            "events": alert.events.select_related("actor"),
            "lights": lights,
            "earlier": earlier,
            "figures": _figures(alert),
            "can_acknowledge": alert.status == AlertStatus.OPEN
            and services.can_acknowledge(user, alert),
            "can_resolve": alert.is_active and services.can_resolve(user, alert),
            "event_kinds": EventKind,
            "today": timezone.localdate(),
        },
    )


FIGURE_LABELS = {
    "year": gettext_lazy("Year"),
    "month": gettext_lazy("Month"),
    "gap": gettext_lazy("Gap (points)"),
    "expected": gettext_lazy("Expected share (%)"),
    "actual": gettext_lazy("Actual share (%)"),
    "target": gettext_lazy("Annual plan (yuan)"),
    "ytd": gettext_lazy("Completed this year (yuan)"),
    "planned_start": gettext_lazy("Planned start"),
    "baseline": gettext_lazy("Baseline"),
    "baseline_date": gettext_lazy("Date in the baseline"),
    "current_date": gettext_lazy("Date now"),
    "slip_days": gettext_lazy("Slip (working days)"),
    "late_days": gettext_lazy("Worst lateness (working days)"),
    "activities": gettext_lazy("Activities with negative float"),
    "deadline": gettext_lazy("Deadline"),
    "finish": gettext_lazy("Finish forecast"),
    "due": gettext_lazy("Due"),
    "what": gettext_lazy("What"),
    "amount": gettext_lazy("Amount (yuan)"),
    "estimate": gettext_lazy("Approved estimate (yuan)"),
    "percent": gettext_lazy("Over the estimate (%)"),
    "major": gettext_lazy("Major hazard"),
}


def _figures(alert: Alert) -> list[tuple[str, Any]]:
    return [(str(FIGURE_LABELS.get(k, k)), v) for k, v in (alert.params or {}).items()]


@login_required
@require_POST
def alert_act(request: HttpRequest, pk: int) -> HttpResponse:
    """Acknowledge or resolve: the service refuses what the alert's state or the person's
    role does not allow, with the reason."""
    user: Any = request.user
    alert = get_object_or_404(Alert.objects.visible_to(user), pk=pk)
    action = request.POST.get("action", "")
    note = request.POST.get("note", "")
    try:
        version = int(request.POST.get("version") or alert.version)
    except ValueError:
        version = -1
    try:
        if action == "acknowledge":
            services.alert_acknowledge(alert, user=user, note=note, version=version)
            done = _("Acknowledged.")
        elif action == "resolve":
            services.alert_resolve(alert, user=user, note=note, version=version)
            done = _("Resolved.")
        else:
            raise ValidationError(_("Unknown action."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("alerts:detail", alert.pk)


def _jurisdiction_for(request: HttpRequest) -> Jurisdiction:
    user: Any = request.user
    ids = user.visible_jurisdiction_ids()
    places = Jurisdiction.objects.all() if ids is None else Jurisdiction.objects.filter(pk__in=ids)
    wanted = request.GET.get("jurisdiction") or request.POST.get("jurisdiction")
    if wanted and str(wanted).isdigit():
        return get_object_or_404(places, pk=int(wanted))
    place = places.filter(pk=user.jurisdiction_id).first() or places.order_by("pk").first()
    if place is None:
        raise PermissionDenied
    return place


@programme_office_required
@require_http_methods(["GET", "POST"])
def rule_list(request: HttpRequest) -> HttpResponse:
    """The office's settings: each rule on or off, its thresholds and what it makes."""
    user: Any = request.user
    jurisdiction = _jurisdiction_for(request)
    if not services.can_manage_rules(user, jurisdiction.pk):
        raise PermissionDenied
    rules = services.rules_for(jurisdiction.pk)
    forms: dict[int, RuleForm] = {}
    if request.method == "POST":
        rule = get_object_or_404(
            AlertRule.objects.filter(jurisdiction=jurisdiction), pk=request.POST.get("rule") or 0
        )
        form = RuleForm(request.POST, rule=rule)
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = services.rule_update(
                    rule=rule,
                    user=user,
                    version=data["version"],
                    enabled=data["enabled"],
                    params=form.params(),
                    owner=data["owner"],
                    creates_task=data["creates_task"] and rule.kind != AlertKind.TASK_OVERDUE,
                    task_severity=data["task_severity"],
                    task_deadline_days=data["task_deadline_days"],
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                if saved.job is not None:
                    return redirect("jobs:detail", pk=saved.job.pk)
                messages.success(
                    request,
                    _("Saved “%(rule)s”; its alerts now follow the new settings.")
                    % {"rule": rule.get_kind_display()},
                )
                return redirect(f"{request.path}?jurisdiction={jurisdiction.pk}#rule-{rule.pk}")
        forms[rule.pk] = form
    active = dict(
        Alert.objects.filter(jurisdiction=jurisdiction, status__in=ACTIVE_STATUSES)
        .values_list("kind")
        .annotate(n=Count("id"))
    )
    rows = []
    for kind, rule in rules.items():
        form = forms.get(rule.pk) or RuleForm(rule=rule)
        bootstrap(form)
        for name in form.errors:
            if name in form.fields:
                widget = form.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
        rows.append(
            {
                "rule": rule,
                "form": form,
                "installed": installed(kind),
                "active": active.get(kind, 0),
            }
        )
    ids = user.visible_jurisdiction_ids()
    places = Jurisdiction.objects.all() if ids is None else Jurisdiction.objects.filter(pk__in=ids)
    return render(
        request,
        "alerts/rules.html",
        {"nav": "alerts", "rows": rows, "jurisdiction": jurisdiction, "places": places},
    )


def _add_errors(form: RuleForm, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.message_dict.items():
        field = f"p_{name.removeprefix('params.')}" if name.startswith("params.") else name
        for message in errors:
            form.add_error(field if field in form.fields else None, message)


@programme_office_required
@require_POST
def evaluate_now(request: HttpRequest) -> HttpResponse:
    """Run every rule of the jurisdiction now, rather than waiting for the night."""
    user: Any = request.user
    jurisdiction = _jurisdiction_for(request)
    if not services.can_manage_rules(user, jurisdiction.pk):
        raise PermissionDenied
    if services.too_large(jurisdiction.pk):
        job = services.evaluate_later(
            user=user,
            jurisdiction_id=jurisdiction.pk,
            kinds=None,
            title=_("Alerts of %(place)s evaluated") % {"place": jurisdiction.name},
        )
        return redirect("jobs:detail", pk=job.pk)
    outcome = services.alerts_evaluate(jurisdiction_id=jurisdiction.pk)
    counts = outcome.counts()
    messages.success(
        request,
        _("Evaluated: %(opened)d opened, %(raised)d turned red, %(cleared)d cleared.") % counts,
    )
    return redirect("alerts:list")
