"""Inspections: the list, starting one, recording it item by item on a phone, the record as
completed, and a project's safety record."""

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
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from . import permissions, services
from .checklists import templates_ensure
from .choices import UNRESOLVED, InspectionStatus, Outcome
from .forms import (
    InspectionFilter,
    InspectionHeaderForm,
    InspectionStartForm,
    ResultForm,
    SeenForm,
)
from .models import Hazard, Incident, Inspection
from .selectors import safety_projects

PAGE_SIZES = (25, 50, 100)


def page_of(request: HttpRequest, items: QuerySet[Any]) -> Any:
    try:
        size = int(request.GET.get("per_page") or 50)
    except ValueError:
        size = 50
    size = size if size in PAGE_SIZES else 50
    return Paginator(items, size).get_page(request.GET.get("page"))


def error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _with_counts(inspections: QuerySet[Inspection]) -> QuerySet[Inspection]:
    return inspections.select_related("project", "template", "inspecting_unit").annotate(
        failed=Count("results", filter=Q(results__outcome=Outcome.FAIL), distinct=True),
        unresolved=Count("hazards", filter=Q(hazards__status__in=UNRESOLVED), distinct=True),
    )


@login_required
def inspection_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = InspectionFilter(request.GET or None)
    inspections = Inspection.objects.visible_to(user)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            q = data["q"].strip()
            inspections = inspections.filter(
                Q(project__name__icontains=q) | Q(inspectors__icontains=q)
            )
        if data["kind"]:
            inspections = inspections.filter(kind=data["kind"])
        if data["status"]:
            inspections = inspections.filter(status=data["status"])
    page = page_of(request, _with_counts(inspections).order_by("-date", "-id"))
    return render(
        request,
        "inspections/list.html",
        {
            "nav": "inspections",
            "tab": "inspections",
            "page": page,
            "form": form,
            "can_record": permissions.can_record_anywhere(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def inspection_add(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not permissions.can_record_anywhere(user):
        raise PermissionDenied
    templates_ensure(jurisdiction=user.jurisdiction)
    initial: dict[str, Any] = {
        "date": timezone.localdate(),
        "inspectors": user.full_name or user.username,
        "inspecting_unit": user.unit_id,
    }
    if request.GET.get("project"):
        initial["project"] = request.GET["project"]
    form = InspectionStartForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection = services.inspection_start(
                user=user,
                project=data["project"],
                template=data["template"],
                date=data["date"],
                inspectors=data["inspectors"],
                inspecting_unit=data["inspecting_unit"],
                note=data["note"],
            )
        except ValidationError as error:
            form.add_error(None, error_text(error))
        else:
            return redirect("inspections:record", inspection.pk)
    return render(request, "inspections/start.html", {"nav": "inspections", "form": form})


def _visible(request: HttpRequest, pk: int) -> Inspection:
    return get_object_or_404(
        Inspection.objects.visible_to(request.user).select_related(
            "project", "template", "inspecting_unit", "recorded_by", "completed_by"
        ),
        pk=pk,
    )


@login_required
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    inspection = _visible(request, pk)
    results = list(inspection.results.select_related("responsible_unit", "hazard"))
    tally = {o: sum(1 for r in results if r.outcome == o) for o in Outcome.values}
    return render(
        request,
        "inspections/detail.html",
        {
            "nav": "inspections",
            "inspection": inspection,
            "results": results,
            "tally": tally,
            "unmarked": sum(1 for r in results if not r.outcome),
            "can_edit": permissions.can_edit_inspection(user, inspection),
            "can_delete": permissions.can_delete_inspection(user, inspection),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def inspection_record(request: HttpRequest, pk: int) -> HttpResponse:
    """The phone page: one row per item with pass / fail / not applicable, a note, a photo."""
    user: Any = request.user
    inspection = _visible(request, pk)
    if not permissions.is_inspector(user, inspection):
        raise PermissionDenied
    if not inspection.is_draft:
        messages.info(request, _("This inspection is completed; its results can no longer change."))
        return redirect("inspections:detail", inspection.pk)
    results = list(inspection.results.select_related("responsible_unit"))
    units = services.units_for_project(inspection.project)
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    header = InspectionHeaderForm(
        data,
        initial={
            "date": inspection.date,
            "inspectors": inspection.inspectors,
            "note": inspection.note,
        },
    )
    forms = [ResultForm(data, files, result=r, units=units) for r in results]
    if request.method == "POST":
        if header.is_valid() and all(f.is_valid() for f in forms):
            changed = header.changed()
            try:
                conflicts = services.inspection_record(
                    user=user,
                    inspection=inspection,
                    entries=[_entry(f) for f in forms],
                    header_seen={n: header.seen(n) for n in changed} if header.has_seen() else None,
                    **{n: header.cleaned_data[n] for n in changed},
                )
            except ValidationError as error:
                messages.error(request, error_text(error))
            else:
                if conflicts:
                    # Theirs stays; yours stays on the page, over what they saved, to keep by
                    # saving again.
                    messages.warning(request, _conflict_text(conflicts))
                    data = _over_theirs(request, inspection, header, forms)
                    return _record_page(request, inspection, data)
                if "complete" not in request.POST:
                    messages.success(request, _("Saved. Complete the inspection when done."))
                    return redirect("inspections:record", inspection.pk)
                try:
                    hazards = services.inspection_complete(user=user, inspection=inspection)
                except ValidationError as error:
                    messages.error(request, error_text(error))
                    return redirect("inspections:record", inspection.pk)
                messages.success(
                    request,
                    ngettext(
                        "The inspection is completed; %(count)d hazard was assigned for "
                        "rectification.",
                        "The inspection is completed; %(count)d hazards were assigned for "
                        "rectification.",
                        len(hazards),
                    )
                    % {"count": len(hazards)},
                )
                return redirect("inspections:detail", inspection.pk)
        else:
            messages.error(request, _("Some values are not valid; see the marked items."))
    return _page(request, inspection, header, forms, units)


def _page(
    request: HttpRequest, inspection: Any, header: Any, forms: list[ResultForm], units: Any
) -> HttpResponse:
    return render(
        request,
        "inspections/record.html",
        {
            "nav": "inspections",
            "inspection": inspection,
            "header": header,
            "forms": forms,
            "unit_choices": list(units),
        },
    )


def _record_page(request: HttpRequest, inspection: Any, data: Any) -> HttpResponse:
    results = list(inspection.results.select_related("responsible_unit"))
    units = services.units_for_project(inspection.project)
    header = InspectionHeaderForm(data, initial=_header_initial(inspection))
    forms = [ResultForm(data, result=r, units=units) for r in results]
    for form in [header, *forms]:
        form.is_valid()
    return _page(request, inspection, header, forms, units)


def _header_initial(inspection: Any) -> dict[str, Any]:
    return {"date": inspection.date, "inspectors": inspection.inspectors, "note": inspection.note}


def _over_theirs(
    request: HttpRequest, inspection: Any, header: SeenForm, forms: list[ResultForm]
) -> Any:
    """The page after a save that met someone else's: every field as saved now, except
    those this person changed, which keep their value; each shows what was saved as seen."""
    data = request.POST.copy()

    def show(form: SeenForm, saved: dict[str, Any]) -> None:
        mine = form.changed()
        for name, value in saved.items():
            shown = "" if value is None else str(value)
            data[form.add_initial_prefix(name)] = shown
            if name not in mine:
                data[form.add_prefix(name)] = shown

    inspection.refresh_from_db()
    show(header, _header_initial(inspection))
    saved = {r.pk: r for r in inspection.results.all()}
    for form in forms:
        result = saved[form.result.pk]
        show(form, {
            "outcome": result.outcome,
            "note": result.note,
            "deadline": result.deadline,
            "responsible_unit": result.responsible_unit_id,
        })  # fmt: skip
    return data


def _conflict_text(conflicts: list[services.Conflict]) -> str:
    labels = {
        "outcome": _("result"),
        "note": _("note"),
        "deadline": _("rectify by"),
        "responsible_unit": _("responsible unit"),
        "date": _("date"),
        "inspectors": _("inspectors"),
    }
    places = [
        _("item %(n)s, %(field)s") % {"n": c.position, "field": labels.get(c.field, c.field)}
        if c.position is not None
        else str(labels.get(c.field, c.field))
        for c in conflicts
    ]
    return _(
        "Someone else changed %(places)s while you were recording; their values were kept and "
        "the rest of yours was saved. Yours are still on the page: save again to keep them."
    ) % {"places": "; ".join(places)}


def _entry(form: ResultForm) -> services.ResultEntry:
    """What this person changed on the item, with what the page showed of it."""
    data, changed = form.cleaned_data, form.changed()
    entry = services.ResultEntry(
        result_id=form.result.pk, photo=data["photo"], remove_photo=data["remove_photo"]
    )
    if "outcome" in changed:
        entry.outcome = data["outcome"] or ""
    if "note" in changed:
        entry.note = data["note"]
    if "deadline" in changed:
        entry.deadline, entry.clear_deadline = data["deadline"], data["deadline"] is None
    if "responsible_unit" in changed:
        unit = data["responsible_unit"]
        entry.responsible_unit, entry.clear_responsible_unit = unit, unit is None
    if form.has_seen():
        entry.seen = {name: form.seen(name) for name in changed}
    return entry


@login_required
@require_POST
def inspection_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    inspection = _visible(request, pk)
    try:
        count = services.inspection_delete(user=user, inspection=inspection)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("inspections:detail", pk)
    if count:
        messages.success(
            request,
            ngettext(
                "The inspection was deleted with its %(count)d hazard; its task stays, marked, "
                "and its owners were told.",
                "The inspection was deleted with its %(count)d hazards; their tasks stay, "
                "marked, and their owners were told.",
                count,
            )
            % {"count": count},
        )
    else:
        messages.success(request, _("The inspection was deleted."))
    return redirect("inspections:list")


@login_required
def project_record(request: HttpRequest, pk: int) -> HttpResponse:
    """A project's safety record: its inspections, hazards and incidents."""
    user: Any = request.user
    project = get_object_or_404(safety_projects(user), pk=pk)
    inspections = _with_counts(Inspection.objects.visible_to(user).filter(project=project))
    hazards = (
        Hazard.objects.visible_to(user)
        .filter(project=project)
        .select_related("responsible_unit", "inspection")
        .order_by("-inspection__date", "-id")
    )
    incidents = Incident.objects.visible_to(user).filter(project=project)
    return render(
        request,
        "inspections/project.html",
        {
            "nav": "inspections",
            "project": project,
            "inspections": inspections.order_by("-date", "-id")[:100],
            "hazards": hazards[:200],
            "unresolved": hazards.filter(status__in=UNRESOLVED).count(),
            "incidents": incidents,
            "can_record": permissions.can_record(user, project),
            "today": timezone.localdate(),
            "completed": InspectionStatus.COMPLETED,
        },
    )
