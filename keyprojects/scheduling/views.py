from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from keyprojects.projects.filtersets import visible_units
from keyprojects.projects.models import Project
from keyprojects.projects.permissions import project_for

from . import engine as e
from .forms import (
    ActivityAddForm,
    ActivityForm,
    CalendarExceptionForm,
    RelationAddForm,
    ScheduleCreateForm,
    ScheduleDatesForm,
    ScheduleFileForm,
    style,
)
from .gantt import ZOOMS, WbsLine, layout, wbs_lines
from .models import Activity, ProjectSchedule, Relation, ScheduleCalendar, wall
from .services import (
    activity_add,
    activity_delete,
    activity_update,
    baseline_compare,
    baseline_save,
    calendar_cover_year,
    calendar_exception_remove,
    calendar_exception_set,
    relation_add,
    relation_delete,
    schedule_create,
    schedule_export,
    schedule_import,
    schedule_result,
    schedule_set_dates,
)


def _can_edit(request: HttpRequest, project: Project) -> bool:
    return Project.objects.editable_by(request.user).filter(pk=project.pk).exists()


@login_required
def schedule_page(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk)
    schedule = ProjectSchedule.objects.filter(project=project).first()
    context: dict[str, Any] = {
        "nav": "ledger",
        "project": project,
        "schedule": schedule,
        "can_edit": _can_edit(request, project),
        "file_form": ScheduleFileForm(),
        "create_form": style(ScheduleCreateForm(initial={"days_per_week": 5})),
        "zooms": list(ZOOMS),
    }
    if schedule is not None:
        zoom = request.GET.get("zoom", "month")
        zoom = zoom if zoom in ZOOMS else "month"
        baseline = None
        baseline_id = request.GET.get("baseline")
        if baseline_id and baseline_id.isdigit():
            baseline = schedule.baselines.filter(pk=int(baseline_id)).first()
        activities = list(schedule.activities.select_related("responsible_unit"))
        relations = list(schedule.relations.all())
        result = schedule_result(schedule)
        start_by = {
            a.key: e.start_by_text(result.activities[a.key], a.name or a.code)
            for a in activities
            if a.key in result.activities
        }
        slips = {}
        if baseline is not None:
            slips = {
                s.activity_id: s for s in baseline_compare(schedule=schedule, baseline=baseline)
            }
        grouped = request.GET.get("group") == "wbs" and bool(schedule.wbs)
        lines: list[Activity | WbsLine] = (
            wbs_lines(activities, schedule.wbs) if grouped else list(activities)
        )
        negative = [a for a in activities if (a.total_float_minutes or 0) < 0 and not a.complete]
        context.update(
            {
                "zoom": zoom,
                "chart": layout(schedule, lines, relations, zoom=zoom, baseline=baseline),
                "rows": [
                    (line, "", None)
                    if isinstance(line, WbsLine)
                    else (line, start_by.get(line.key, ""), slips.get(line.key))
                    for line in lines
                ],
                "grouped": grouped,
                "has_wbs": bool(schedule.wbs),
                "baseline": baseline,
                "baselines": schedule.baselines.all(),
                "critical_count": sum(1 for a in activities if a.critical and not a.complete),
                "negative_float": negative,
                "activity_form": _activity_add_form(request, schedule),
                "relation_form": _relation_add_form(schedule),
                "dates_form": ScheduleDatesForm(
                    initial={
                        "data_date": wall(schedule.data_date),
                        "deadline": wall(schedule.deadline),
                        "version": schedule.version,
                    }
                ),
            }
        )
    return render(request, "scheduling/schedule.html", context)


def _activity_add_form(request: HttpRequest, schedule: ProjectSchedule) -> ActivityAddForm:
    form = ActivityAddForm(initial={"version": schedule.version, "kind": "task"})
    form.fields["responsible_unit"].queryset = visible_units(request.user)  # type: ignore[attr-defined]
    style(form)
    return form


def _relation_add_form(schedule: ProjectSchedule) -> RelationAddForm:
    form = RelationAddForm(initial={"version": schedule.version, "kind": "FS", "lag_days": 0})
    for name in ("predecessor", "successor"):
        form.fields[name].queryset = schedule.activities.all()  # type: ignore[attr-defined]
    style(form)
    return form


@login_required
@require_POST
def schedule_upload(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk, edit=True)
    form = ScheduleFileForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            schedule = schedule_import(project=project, data=upload.read(), filename=upload.name)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("The schedule was imported: %(n)s activities.")
                % {"n": schedule.activities.count()},
            )
    else:
        messages.error(request, _("Choose a file to import."))
    return redirect("scheduling:page", pk=project.pk)


@login_required
def schedule_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in ("xer", "xml"):
        raise Http404
    project = project_for(request, pk)
    schedule = get_object_or_404(ProjectSchedule, project=project)
    text = schedule_export(schedule=schedule, fmt=fmt)
    if fmt == "xer":
        response = HttpResponse(text.encode("utf-8"), content_type="application/octet-stream")
        name = f"{project.name}.xer"
    else:
        response = HttpResponse(text.encode("utf-8"), content_type="application/xml")
        name = f"{project.name}.xml"
    response["Content-Disposition"] = content_disposition_header(True, name) or ""
    return response


@login_required
@require_POST
def schedule_dates(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk, edit=True)
    schedule = get_object_or_404(ProjectSchedule, project=project)
    form = ScheduleDatesForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the data date and the deadline as dates and times."))
    elif form.cleaned_data["version"] != schedule.version:
        messages.error(
            request, _("Someone changed this schedule after you opened it; reload and try again.")
        )
    else:
        deadline = form.cleaned_data["deadline"]
        try:
            schedule_set_dates(
                schedule=schedule,
                data_date=form.cleaned_data["data_date"].replace(tzinfo=None),
                deadline=deadline.replace(tzinfo=None) if deadline else None,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Rescheduled from the new dates."))
    return redirect("scheduling:page", pk=project.pk)


@login_required
@require_POST
def baseline_create(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk, edit=True)
    schedule = get_object_or_404(ProjectSchedule, project=project)
    baseline = baseline_save(schedule=schedule, name=request.POST.get("name", "")[:100])
    messages.success(request, _("Baseline “%(name)s” saved.") % {"name": baseline.name})
    return redirect(f"{request.path.rsplit('baseline/', 1)[0]}?baseline={baseline.pk}")


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, pk: int, activity_id: int) -> HttpResponse:
    project = project_for(request, pk, edit=True)
    schedule = get_object_or_404(ProjectSchedule, project=project)
    activity = get_object_or_404(Activity, pk=activity_id, schedule=schedule)
    form = ActivityForm.for_activity(
        activity, schedule.version, request.POST or None, units=visible_units(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            activity_update(
                activity=activity, version=form.cleaned_data["version"], **form.changes(activity)
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved and rescheduled."))
            return redirect("scheduling:page", pk=project.pk)
    relations = schedule.relations.select_related("predecessor", "successor").filter(
        Q(predecessor=activity) | Q(successor=activity)
    )
    return render(
        request,
        "scheduling/activity_form.html",
        {
            "nav": "ledger",
            "project": project,
            "activity": activity,
            "form": form,
            "relations": relations,
            "version": schedule.version,
        },
    )


def _error_message(request: HttpRequest, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


@login_required
@require_POST
def schedule_new(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk, edit=True)
    form = ScheduleCreateForm(request.POST)
    if not form.is_valid():
        _error_message(request, ValidationError(list(form.errors.values())))
        return redirect("scheduling:page", pk=project.pk)
    deadline = form.cleaned_data["deadline"]
    try:
        schedule_create(
            project=project,
            name=form.cleaned_data["name"],
            days_per_week=form.cleaned_data["days_per_week"],
            data_date=form.cleaned_data["data_date"].replace(tzinfo=None),
            deadline=deadline.replace(tzinfo=None) if deadline else None,
        )
    except ValidationError as error:
        _error_message(request, error)
    else:
        messages.success(request, _("The schedule was created; add its activities."))
    return redirect("scheduling:page", pk=project.pk)


@login_required
@require_POST
def activity_new(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk, edit=True)
    schedule = get_object_or_404(ProjectSchedule, project=project)
    form = ActivityAddForm(request.POST)
    form.fields["responsible_unit"].queryset = visible_units(request.user)  # type: ignore[attr-defined]
    if form.is_valid():
        data = form.cleaned_data
        try:
            activity_add(
                schedule=schedule, version=data["version"], code=data["code"], name=data["name"],
                kind=data["kind"], duration_days=float(data["duration_days"]),
                responsible_unit=data["responsible_unit"],
            )  # fmt: skip
        except ValidationError as error:
            _error_message(request, error)
        else:
            messages.success(request, _("Activity added and rescheduled."))
    else:
        _error_message(request, ValidationError([e for errs in form.errors.values() for e in errs]))
    return redirect("scheduling:page", pk=project.pk)


@login_required
@require_POST
def relation_new(request: HttpRequest, pk: int) -> HttpResponse:
    project = project_for(request, pk, edit=True)
    schedule = get_object_or_404(ProjectSchedule, project=project)
    form = RelationAddForm(request.POST)
    for name in ("predecessor", "successor"):
        form.fields[name].queryset = schedule.activities.all()  # type: ignore[attr-defined]
    if form.is_valid():
        data = form.cleaned_data
        try:
            relation_add(
                schedule=schedule, version=data["version"], predecessor=data["predecessor"],
                successor=data["successor"], kind=data["kind"],
                lag_days=float(data["lag_days"] or 0),
            )  # fmt: skip
        except ValidationError as error:
            _error_message(request, error)
        else:
            messages.success(request, _("Relation added and rescheduled."))
    else:
        _error_message(request, ValidationError([e for errs in form.errors.values() for e in errs]))
    return redirect("scheduling:page", pk=project.pk)


@login_required
@require_POST
def relation_remove(request: HttpRequest, pk: int, relation_id: int) -> HttpResponse:
    project = project_for(request, pk, edit=True)
    schedule = get_object_or_404(ProjectSchedule, project=project)
    relation = get_object_or_404(Relation, pk=relation_id, schedule=schedule)
    back = request.POST.get("back") or ""
    try:
        relation_delete(relation=relation, version=_version(request))
    except ValidationError as error:
        _error_message(request, error)
    if back.isdigit():
        return redirect("scheduling:activity", pk=project.pk, activity_id=int(back))
    return redirect("scheduling:page", pk=project.pk)


@login_required
@require_POST
def activity_remove(request: HttpRequest, pk: int, activity_id: int) -> HttpResponse:
    project = project_for(request, pk, edit=True)
    schedule = get_object_or_404(ProjectSchedule, project=project)
    activity = get_object_or_404(Activity, pk=activity_id, schedule=schedule)
    try:
        activity_delete(activity=activity, version=_version(request))
    except ValidationError as error:
        _error_message(request, error)
    else:
        messages.success(request, _("Activity deleted and rescheduled."))
    return redirect("scheduling:page", pk=project.pk)


def _version(request: HttpRequest) -> int:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else -1


@login_required
@require_http_methods(["GET", "POST"])
def calendars(request: HttpRequest, pk: int) -> HttpResponse:
    """The schedule's working calendars; the programme office edits their exceptions."""
    project = project_for(request, pk)
    schedule = get_object_or_404(ProjectSchedule, project=project)
    user: Any = request.user
    can_edit = user.is_programme_office and _can_edit(request, project)
    form = style(CalendarExceptionForm(initial={"version": schedule.version}))
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        calendar = get_object_or_404(
            ScheduleCalendar, schedule=schedule, pk=request.POST.get("calendar")
        )
        action = request.POST.get("action")
        try:
            if action == "remove":
                calendar_exception_remove(
                    calendar=calendar,
                    day=dt.date.fromisoformat(request.POST.get("day", "")),
                    version=_version(request),
                )
            elif action == "cover":
                calendar_cover_year(
                    calendar=calendar, year=int(request.POST.get("year", "0")),
                    version=_version(request),
                )  # fmt: skip
            else:
                form = style(CalendarExceptionForm(request.POST))
                if form.is_valid():
                    calendar_exception_set(
                        calendar=calendar, day=form.cleaned_data["day"],
                        working=form.cleaned_data["working"], version=form.cleaned_data["version"],
                    )  # fmt: skip
                else:
                    raise ValidationError(_("Enter a date."))
        except (ValidationError, ValueError) as error:
            messages.error(
                request,
                " ".join(error.messages)
                if isinstance(error, ValidationError)
                else _("Enter a date."),
            )
        else:
            messages.success(request, _("The calendar was changed and the schedule recomputed."))
            return redirect("scheduling:calendars", pk=project.pk)
    rows = []
    for calendar in schedule.calendars.all():
        exceptions = sorted(calendar.exceptions.items())
        rows.append(
            {
                "calendar": calendar,
                "week": [bool(day) for day in calendar.week],
                "exceptions": [(dt.date.fromisoformat(k), bool(v)) for k, v in exceptions],
                "next_year": (calendar.covered_years or [0, 0])[1] + 1,
            }
        )
    return render(
        request,
        "scheduling/calendars.html",
        {"nav": "ledger", "project": project, "schedule": schedule, "rows": rows,
         "can_edit": can_edit, "form": form},
    )  # fmt: skip
