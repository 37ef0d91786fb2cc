"""Pages: the periods, a period's ranking and lists, a score's arithmetic, the indicator sets.

Everyone who sees a jurisdiction reads its assessment, every unit's arithmetic included: the
rankings are published in the bulletins, and a unit should see how others earned theirs.
Only the programme office opens, closes and reopens periods and edits the indicator sets.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from keyprojects.organisations.models import Jurisdiction
from keyprojects.web.widgets import bootstrap

from . import explain, services
from .choices import IndicatorKind, PeriodKind, SubjectKind, UnitBasis
from .forms import IndicatorSetForm, PeriodForm
from .models import IndicatorSet, Period
from .results import results_for, results_intact, stored_results, subject_detail
from .rules import params_of


def _home(user: Any) -> Jurisdiction | None:
    """The jurisdiction the office works in: its own."""
    return user.jurisdiction


def _reason(error: ValidationError) -> str:
    return " ".join(error.messages)


def _period(request: HttpRequest, pk: int) -> Period:
    return get_object_or_404(services.visible_periods(request.user), pk=pk)


@login_required
def period_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    periods = list(services.visible_periods(user).order_by("-year", "kind", "-number"))
    home = _home(user)
    return render(
        request,
        "assessment/list.html",
        {
            "nav": "assessment",
            "periods": periods,
            "can_manage": home is not None and services.can_manage(user, home.pk),
            "many_jurisdictions": len({p.jurisdiction_id for p in periods}) > 1,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def period_add(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    home = _home(user)
    if home is None or not services.can_manage(user, home.pk):
        raise PermissionDenied
    today = timezone.localdate()
    last_month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    sets = IndicatorSet.objects.filter(jurisdiction=home).order_by("-active", "name")
    form = PeriodForm(
        request.POST or None,
        sets=sets,
        initial={"kind": PeriodKind.MONTH, "year": last_month[0], "number": last_month[1]},
    )
    bootstrap(form)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            period = services.period_create(
                jurisdiction=home,
                kind=data["kind"],
                year=data["year"],
                number=data["number"] or 0,
                user=user,
                indicator_set=data["indicator_set"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("%(period)s is open.") % {"period": period.label})
            return redirect(period)
    return render(request, "assessment/period_form.html", {"nav": "assessment", "form": form})


def _form_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, found in error.message_dict.items():
            form.add_error(field if field in form.fields else None, found)
    else:
        form.add_error(None, error.messages)


@login_required
def period_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    period = _period(request, pk)
    subject = request.GET.get("subject") or SubjectKind.UNIT
    subject = subject if subject in SubjectKind.values else SubjectKind.UNIT
    edition = _edition(request, period)
    if edition and not (period.is_closed and edition == period.edition):
        results = stored_results(period, edition)  # an earlier closing
    else:
        edition = period.edition if period.is_closed else 0
        results = results_for(period)
    rows = results.units if subject == SubjectKind.UNIT else results.projects
    can_manage = services.can_manage(user, period.jurisdiction_id)
    events = list(period.events.select_related("actor"))
    return render(
        request,
        "assessment/period.html",
        {
            "nav": "assessment",
            "period": period,
            "results": results,
            "rows": rows,
            "subject": subject,
            "edition": edition,
            "indicators": results.rules.indicators,
            "can_manage": can_manage,
            "closing_refusal": services.closing_refusal(period) if can_manage else None,
            "intact": results_intact(period, edition) if edition else None,
            "events": events,
            "basis": UnitBasis(results.rules.unit_basis).label,
            "rules_text": _rules_text(results.rules),
        },
    )


def _edition(request: HttpRequest, period: Period) -> int:
    try:
        edition = int(request.GET.get("edition") or 0)
    except ValueError:
        return 0
    return edition if 0 < edition <= period.edition else 0


def _rules_text(rules: Any) -> list[dict[str, Any]]:
    """Each indicator of the rules with its parameters in words."""
    found = []
    for rule in rules.indicators:
        specs = {p.name: p for p in params_of(rule.kind)}
        params = [
            {"label": specs[name].label if name in specs else name, "value": value}
            for name, value in rule.params.items()
        ]
        found.append(
            {"kind": rule.kind, "label": rule.label, "weight": rule.weight, "params": params}
        )
    return found


@login_required
@require_POST
def period_close(request: HttpRequest, pk: int) -> HttpResponse:
    period = _period(request, pk)
    try:
        services.period_close(period=period, user=request.user)
    except ValidationError as error:
        messages.error(request, _reason(error))
    else:
        messages.success(
            request, _("%(period)s is closed; its results are final.") % {"period": period.label}
        )
    return redirect(period)


@login_required
@require_POST
def period_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    period = _period(request, pk)
    try:
        services.period_reopen(
            period=period, user=request.user, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        messages.error(request, _reason(error))
    else:
        messages.success(
            request,
            _("%(period)s is open again; its scores are provisional.") % {"period": period.label},
        )
    return redirect(period)


@login_required
@require_POST
def period_delete(request: HttpRequest, pk: int) -> HttpResponse:
    period = _period(request, pk)
    try:
        services.period_delete(period=period, user=request.user)
    except ValidationError as error:
        messages.error(request, _reason(error))
        return redirect(period)
    messages.success(request, _("%(period)s was deleted.") % {"period": period.label})
    return redirect("assessment:list")


@login_required
def unit_score(request: HttpRequest, pk: int, unit_id: int) -> HttpResponse:
    return _score(request, pk, SubjectKind.UNIT, unit_id)


@login_required
def project_score(request: HttpRequest, pk: int, project_id: int) -> HttpResponse:
    return _score(request, pk, SubjectKind.PROJECT, project_id)


def _score(request: HttpRequest, pk: int, subject_kind: str, subject_id: int) -> HttpResponse:
    period = _period(request, pk)
    edition = _edition(request, period) or None
    detail = subject_detail(period, subject_kind, subject_id, edition=edition)
    if detail is None:
        raise Http404
    result = detail.result
    lines = [
        {"line": line, "steps": explain.steps(line), "template": _items_template(line.kind)}
        for line in result.lines
    ]
    return render(
        request,
        "assessment/score.html",
        {
            "nav": "assessment",
            "period": period,
            "detail": detail,
            "result": result,
            "lines": lines,
            "total_steps": explain.total_steps(result),
            "subject_kind": subject_kind,
            "window": detail.window,
            "basis": UnitBasis(detail.rules.unit_basis).label,
            "edition_param": f"?edition={detail.edition}" if edition else "",
        },
    )


def _items_template(kind: str) -> str:
    if kind in (IndicatorKind.PROBLEM_CLOSURE, IndicatorKind.TASK_CLOSURE):
        return "assessment/items/closure.html"
    return f"assessment/items/{kind}.html"


# -- indicator sets --------------------------------------------------------------------------


@login_required
def set_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    sets = (
        IndicatorSet.objects.visible_to(user)
        .select_related("jurisdiction")
        .prefetch_related("indicators")
    )
    home = _home(user)
    return render(
        request,
        "assessment/sets.html",
        {
            "nav": "assessment",
            "sets": sets,
            "can_manage": home is not None and services.can_manage(user, home.pk),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def set_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The office edits; everyone else who sees the set reads it here."""
    user: Any = request.user
    instance = None
    if pk is not None:
        instance = get_object_or_404(
            IndicatorSet.objects.visible_to(user).prefetch_related("indicators"), pk=pk
        )
        jurisdiction = instance.jurisdiction
    else:
        home = _home(user)
        if home is None:
            raise PermissionDenied
        jurisdiction = home
    can_manage = services.can_manage(user, jurisdiction.pk)
    if not can_manage and (instance is None or request.method == "POST"):
        raise PermissionDenied
    form = IndicatorSetForm(request.POST or None, instance=instance)
    bootstrap(form)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.indicator_set_save(
                jurisdiction=jurisdiction,
                user=user,
                name=data["name"],
                indicators=form.indicators(),
                active=data["active"],
                unit_basis=data["unit_basis"],
                red_list_size=data["red_list_size"],
                black_list_size=data["black_list_size"],
                black_below=data["black_below"],
                indicator_set=instance,
                version=data.get("version"),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The indicator set was saved."))
            return redirect(saved)
    return render(
        request,
        "assessment/set_form.html",
        {
            "nav": "assessment",
            "form": form,
            "instance": instance,
            "can_manage": can_manage,
            "rows": form.bound_rows(),
        },
    )


@login_required
@require_POST
def set_delete(request: HttpRequest, pk: int) -> HttpResponse:
    indicator_set = get_object_or_404(IndicatorSet.objects.visible_to(request.user), pk=pk)
    try:
        services.indicator_set_delete(indicator_set=indicator_set, user=request.user)
    except ValidationError as error:
        messages.error(request, _reason(error))
        return redirect(indicator_set)
    messages.success(request, _("The indicator set was deleted."))
    return redirect("assessment:sets")
