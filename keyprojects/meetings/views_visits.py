"""Site visit pages; the instruction form is made for a leader's phone on site."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from keyprojects.supervision.choices import OPEN_STATUSES
from keyprojects.web.widgets import bootstrap

from . import visits as services
from .forms import FindingsForm, InstructionForm, StopForm, VisitForm
from .models import Instruction, SiteVisit, VisitPhoto, VisitStop, outcome_of
from .permissions import can_create, can_instruct, can_run
from .views import messages_of


def _visit(request: HttpRequest, pk: int, *, run: bool = False) -> SiteVisit:
    visit = get_object_or_404(
        SiteVisit.objects.visible_to(request.user).select_related("jurisdiction"), pk=pk
    )
    if run and not can_run(request.user, visit):
        raise PermissionDenied
    return visit


def _back(visit: SiteVisit, anchor: str = "") -> HttpResponse:
    return redirect(reverse("meetings:visit", args=[visit.pk]) + (f"#{anchor}" if anchor else ""))


@login_required
def visit_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    visits = SiteVisit.objects.visible_to(user)
    year = request.GET.get("year", "")
    if year.isdigit():
        visits = visits.filter(date__year=int(year))
    q = request.GET.get("q", "").strip()
    if q:
        visits = visits.filter(Q(title__icontains=q) | Q(stops__name__icontains=q)).distinct()
    open_tasks = Q(instructions__task__status__in=OPEN_STATUSES)
    visits = (
        visits.annotate(
            stop_count=Count("stops", distinct=True),
            instruction_count=Count("instructions", distinct=True),
            still_open=Count("instructions", filter=open_tasks, distinct=True),
        )
        .prefetch_related("leaders")
        .order_by("-date", "-id")
    )
    page = Paginator(visits, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "meetings/visit_list.html",
        {"nav": "visits", "page": page, "year": year, "q": q, "can_create": can_create(user)},
    )


def _visit_form_save(request: HttpRequest, form: VisitForm, visit: SiteVisit | None) -> Any:
    data = form.cleaned_data
    try:
        if visit is None:
            return services.visit_create(user=request.user, **data)
        return services.visit_update(visit, user=request.user, **data)
    except ValidationError as error:
        form.add_error(None, messages_of(error))
        return None


@login_required
@require_http_methods(["GET", "POST"])
def visit_add(request: HttpRequest) -> HttpResponse:
    if not can_create(request.user):
        raise PermissionDenied
    form = VisitForm(request.POST or None, user=request.user)
    bootstrap(form, small=False)
    if request.method == "POST" and form.is_valid():
        visit = _visit_form_save(request, form, None)
        if visit is not None:
            messages.success(request, _("The visit was recorded. Next, add the stops in order."))
            return redirect(visit)
    return render(request, "meetings/visit_form.html", {"nav": "visits", "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def visit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk, run=True)
    initial = {
        "date": visit.date,
        "title": visit.title,
        "leaders": list(visit.leaders.all()),
        "leader_names": visit.leader_names,
        "units": list(visit.units.all()),
        "summary": visit.summary,
    }
    form = VisitForm(request.POST or None, user=request.user, visit=visit, initial=initial)
    bootstrap(form, small=False)
    if request.method == "POST" and form.is_valid() and _visit_form_save(request, form, visit):
        messages.success(request, _("Saved."))
        return redirect(visit)
    return render(
        request, "meetings/visit_form.html", {"nav": "visits", "form": form, "visit": visit}
    )


@login_required
@require_POST
def visit_delete(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk, run=True)
    n = services.visit_delete(visit, user=request.user)
    text = _("The visit was deleted.")
    if n:
        text += " " + _("Its tasks stay, and their owners were told.")
    messages.success(request, text)
    return redirect("meetings:visits")


def _detail(request: HttpRequest, visit: SiteVisit, **bound: Any) -> HttpResponse:
    user: Any = request.user
    today = timezone.localdate()
    instructions = Instruction.objects.select_related(
        "leader", "owner_unit", "owner_person", "task", "project"
    )
    stops = list(
        visit.stops.select_related("project", "project__owner_unit", "project__responsible_unit")
        .prefetch_related(
            Prefetch("photos", queryset=VisitPhoto.objects.order_by("uploaded_at", "id")),
            Prefetch("instructions", queryset=instructions),
        )
        .order_by("order", "id")
    )
    loose = list(instructions.filter(visit=visit, stop__isnull=True))
    for instruction in [*loose, *(i for s in stops for i in s.instructions.all())]:
        instruction.state = outcome_of(instruction.task, today)  # type: ignore[attr-defined]
    run = can_run(user, visit)
    forms: dict[str, Any] = {}
    if run:
        forms["stop_form"] = bound.get("stop_form") or StopForm(user=user, visit=visit)
        bootstrap(forms["stop_form"])
    return render(
        request,
        "meetings/visit_detail.html",
        {
            "nav": "visits",
            "visit": visit,
            "leaders": list(visit.leaders.all()),
            "units": list(visit.units.all()),
            "stops": stops,
            "loose": loose,
            "can_run": run,
            "can_instruct": can_instruct(user, visit),
            "today": today,
            **forms,
        },
        status=422 if bound else 200,
    )


@login_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _visit(request, pk))


@login_required
@require_POST
def stop_add(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit(request, pk, run=True)
    form = StopForm(request.POST, user=request.user, visit=visit)
    if not form.is_valid():
        return _detail(request, visit, stop_form=form)
    try:
        services.stop_add(
            visit, user=request.user, project=form.cleaned_data["project"],
            name=form.cleaned_data["name"],
        )  # fmt: skip
    except ValidationError as error:
        form.add_error(None, messages_of(error))
        return _detail(request, visit, stop_form=form)
    return _back(visit, "route")


def _stop(visit: SiteVisit, stop_id: int) -> VisitStop:
    stop = get_object_or_404(visit.stops.select_related("project"), pk=stop_id)
    stop.visit = visit
    return stop


@login_required
@require_http_methods(["GET", "POST"])
def stop_edit(request: HttpRequest, pk: int, stop_id: int) -> HttpResponse:
    """What was found at a stop."""
    visit = _visit(request, pk, run=True)
    stop = _stop(visit, stop_id)
    form = FindingsForm(
        request.POST or None, initial={"name": stop.name, "findings": stop.findings}
    )
    bootstrap(form, small=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.stop_update(stop, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, messages_of(error))
        else:
            messages.success(request, _("Saved."))
            return _back(visit, f"stop-{stop.pk}")
    return render(
        request,
        "meetings/stop_form.html",
        {"nav": "visits", "form": form, "visit": visit, "stop": stop},
    )


@login_required
@require_POST
def stop_act(request: HttpRequest, pk: int, stop_id: int) -> HttpResponse:
    visit = _visit(request, pk, run=True)
    stop = _stop(visit, stop_id)
    action = request.POST.get("action", "")
    try:
        if action in ("up", "down"):
            services.stop_move(stop, user=request.user, up=action == "up")
        elif action == "remove":
            services.stop_remove(stop, user=request.user)
            messages.success(request, _("The stop was removed from the route."))
        else:
            raise ValidationError(_("Unknown action."))
    except ValidationError as error:
        messages.error(request, messages_of(error))
    return _back(visit, "route")


@login_required
@require_POST
def photo_upload(request: HttpRequest, pk: int, stop_id: int) -> HttpResponse:
    visit = _visit(request, pk)
    if not can_instruct(request.user, visit):
        raise PermissionDenied
    stop = _stop(visit, stop_id)
    files = request.FILES.getlist("photos")
    if not files:
        messages.error(request, _("Choose one or more photos."))
    added = 0
    for upload in files:
        try:
            services.photo_add(
                stop, user=request.user, data=upload.read(),
                caption=request.POST.get("caption", ""),
            )  # fmt: skip
        except ValidationError as error:
            messages.error(request, f"{upload.name}: " + messages_of(error))
        else:
            added += 1
    if added:
        messages.success(request, _("%(n)d photo(s) added.") % {"n": added})
    return _back(visit, f"stop-{stop.pk}")


@login_required
@require_POST
def photo_remove(request: HttpRequest, pk: int, photo_id: int) -> HttpResponse:
    visit = _visit(request, pk)
    photo = get_object_or_404(VisitPhoto.objects.filter(stop__visit=visit), pk=photo_id)
    services.photo_remove(photo, user=request.user)
    messages.success(request, _("The photo was removed."))
    return _back(visit, f"stop-{photo.stop_id}")


@login_required
@require_http_methods(["GET", "POST"])
def instruction_add(request: HttpRequest, pk: int) -> HttpResponse:
    """A leader on site, or the office after them, records an instruction; it is issued as a
    task at once."""
    visit = _visit(request, pk)
    user: Any = request.user
    if not can_instruct(user, visit):
        raise PermissionDenied
    for_office = can_run(user, visit)
    initial: dict[str, Any] = {}
    stop_id = request.GET.get("stop", "")
    stop = visit.stops.select_related("project").filter(pk=stop_id).first() if stop_id else None
    if stop is not None:
        initial["stop"] = stop
        if stop.project:
            initial["owner_unit"] = stop.project.responsible_unit_id
    form = InstructionForm(
        request.POST or None, visit=visit, for_office=for_office, initial=initial
    )
    bootstrap(form, small=False)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            instruction = services.instruction_add(visit, user=user, **data)
        except ValidationError as error:
            form.add_error(None, messages_of(error))
        else:
            messages.success(request, _("The instruction was recorded and issued as a task."))
            return _back(visit, f"instruction-{instruction.pk}")
    return render(
        request,
        "meetings/instruction_form.html",
        {"nav": "visits", "form": form, "visit": visit, "for_office": for_office},
    )
