"""Dispatch meeting pages. The services decide what is allowed; the views only translate
requests into calls and refusals into messages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from keyprojects.supervision.choices import OPEN_STATUSES
from keyprojects.web.widgets import bootstrap

from . import agenda, attendance, services
from .agenda import agenda_propose, item_state, opening, with_sources
from .choices import MeetingStatus, Presence
from .forms import AgendaItemForm, AttendanceForm, DecisionForm, MeetingForm
from .models import Attendance, Meeting, outcome_of
from .permissions import can_create, can_run


def messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


def _meeting(request: HttpRequest, pk: int, *, run: bool = False) -> Meeting:
    """The meeting as the person may see it: 404 outside their view, 403 when they may read
    it but `run` is asked."""
    meeting = get_object_or_404(
        Meeting.objects.visible_to(request.user).select_related("jurisdiction", "chair"), pk=pk
    )
    if run and not can_run(request.user, meeting):
        raise PermissionDenied
    return meeting


def _version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST["version"])
    except (KeyError, ValueError):
        return None


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    today = timezone.localdate()
    meetings = Meeting.objects.visible_to(user)
    status = request.GET.get("status", "")
    if status in MeetingStatus.values:
        meetings = meetings.filter(status=status)
    year = request.GET.get("year", "")
    if year.isdigit():
        meetings = meetings.filter(date__year=int(year))
    q = request.GET.get("q", "").strip()
    if q:
        meetings = meetings.filter(title__icontains=q)
    open_tasks = Q(decisions__task__status__in=OPEN_STATUSES)
    meetings = (
        meetings.select_related("chair")
        .annotate(
            items=Count("agenda", distinct=True),
            decided=Count("decisions", distinct=True),
            still_open=Count("decisions", filter=open_tasks, distinct=True),
            overdue=Count(
                "decisions",
                filter=open_tasks & Q(decisions__task__deadline__lt=today),
                distinct=True,
            ),
        )
        .order_by("-date", "-id")
    )
    page = Paginator(meetings, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "meetings/list.html",
        {
            "nav": "meetings",
            "page": page,
            "statuses": MeetingStatus.choices,
            "status": status,
            "year": year,
            "q": q,
            "can_create": can_create(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_add(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not can_create(user):
        raise PermissionDenied
    form = MeetingForm(request.POST or None, user=user)
    bootstrap(form, small=False)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.meeting_create(
                user=user,
                jurisdiction=data["jurisdiction"],
                date=data["date"],
                title=data["title"],
                start_time=data["start_time"],
                place=data["place"],
                chair=data["chair"],
                chair_name=data["chair_name"],
            )
        except ValidationError as error:
            form.add_error(None, messages_of(error))
        else:
            messages.success(request, _("The meeting was planned. Next, build its agenda."))
            return redirect(meeting)
    return render(request, "meetings/form.html", {"nav": "meetings", "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, run=True)
    initial = {
        "date": meeting.date,
        "start_time": meeting.start_time,
        "title": meeting.title,
        "place": meeting.place,
        "chair": meeting.chair,
        "chair_name": meeting.chair_name,
    }
    form = MeetingForm(request.POST or None, user=request.user, meeting=meeting, initial=initial)
    bootstrap(form, small=False)
    if request.method == "POST" and form.is_valid():
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.meeting_update(
                meeting, user=request.user, version=_version(request), **changed
            )
        except ValidationError as error:
            form.add_error(None, messages_of(error))
        else:
            messages.success(request, _("Saved."))
            return redirect(meeting)
    return render(
        request, "meetings/form.html", {"nav": "meetings", "form": form, "meeting": meeting}
    )


def _detail(request: HttpRequest, meeting: Meeting, **bound: Any) -> HttpResponse:
    user: Any = request.user
    today = timezone.localdate()
    run = can_run(user, meeting)
    items = list(with_sources(meeting.agenda.all()))
    for item in items:
        item.state = item_state(item, today)  # type: ignore[attr-defined]
    decisions = list(
        meeting.decisions.select_related(
            "owner_unit", "owner_person", "project", "task", "agenda_item"
        )
    )
    for decision in decisions:
        decision.state = outcome_of(decision.task, today)  # type: ignore[attr-defined]
    editable = run and meeting.is_open
    forms: dict[str, Any] = {}
    if editable:
        forms = {
            "agenda_form": AgendaItemForm(user=user, meeting=meeting),
            "attendance_form": AttendanceForm(meeting=meeting),
            "decision_form": DecisionForm(user=user, meeting=meeting),
        }
        forms.update(bound)
        for form in forms.values():
            bootstrap(form)
    return render(
        request,
        "meetings/detail.html",
        {
            "nav": "meetings",
            "meeting": meeting,
            "opening": opening(meeting, today),
            "agenda": items,
            "attendance": list(meeting.attendance.select_related("unit", "person")),
            "decisions": decisions,
            "presences": Presence.choices,
            "can_run": run,
            "editable": editable,
            "today": today,
            **forms,
        },
        status=422 if bound else 200,
    )


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _meeting(request, pk))


def _back(meeting: Meeting, anchor: str = "") -> HttpResponse:
    return redirect(
        reverse("meetings:detail", args=[meeting.pk]) + (f"#{anchor}" if anchor else "")
    )


@login_required
@require_POST
def meeting_act(request: HttpRequest, pk: int) -> HttpResponse:
    """Every move of the meeting itself; the form names the action."""
    meeting = _meeting(request, pk, run=True)
    user: Any = request.user
    action = request.POST.get("action", "")
    version = _version(request)
    anchor = ""
    try:
        if action == "propose":
            added = agenda_propose(meeting, user=user)
            done = (
                ngettext("%(n)d item proposed.", "%(n)d items proposed.", len(added))
                % {"n": len(added)}
                if added
                else _("Nothing new to propose: everything that calls for it is on the agenda.")
            )
            anchor = "agenda"
        elif action == "invite":
            n = attendance.attendance_invite_agenda_units(meeting, user=user)
            done = ngettext("%(n)d unit invited.", "%(n)d units invited.", n) % {"n": n}
            anchor = "attendance"
        elif action == "minutes":
            services.meeting_minutes_save(
                meeting, user=user, minutes=request.POST.get("minutes", ""), version=version
            )
            done, anchor = _("The minutes were saved."), "minutes"
        elif action == "hold":
            services.meeting_hold(
                meeting, user=user, minutes=request.POST.get("minutes", ""), version=version
            )
            done = _("The meeting is recorded as held. Record its decisions, then close it.")
        elif action == "close":
            tasks = services.meeting_close(meeting, user=user, version=version)
            done = ngettext(
                "The meeting is closed; %(n)d decision was issued as a task.",
                "The meeting is closed; %(n)d decisions were issued as tasks.",
                len(tasks),
            ) % {"n": len(tasks)}
        elif action == "cancel":
            services.meeting_cancel(
                meeting, user=user, reason=request.POST.get("reason", ""), version=version
            )
            done = _("The meeting was cancelled.")
        elif action == "delete":
            n = services.meeting_delete(meeting, user=user)
            messages.success(
                request,
                _("The meeting was deleted.")
                + (
                    " "
                    + ngettext(
                        "Its %(n)d task stays, and its owner was told.",
                        "Its %(n)d tasks stay, and their owners were told.",
                        n,
                    )
                    % {"n": n}
                    if n
                    else ""
                ),
            )
            return redirect("meetings:list")
        else:
            raise ValidationError(_("Unknown action."))
    except ValidationError as error:
        messages.error(request, messages_of(error))
    else:
        messages.success(request, done)
    return _back(meeting, anchor)


@login_required
@require_POST
def agenda_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, run=True)
    form = AgendaItemForm(request.POST, user=request.user, meeting=meeting)
    if not form.is_valid():
        return _detail(request, meeting, agenda_form=form)
    data = form.cleaned_data
    try:
        agenda.agenda_add(
            meeting,
            user=request.user,
            text=data["text"],
            kind=data["kind"],
            project=data["project"],
            unit=data["unit"],
        )
    except ValidationError as error:
        form.add_error(None, messages_of(error))
        return _detail(request, meeting, agenda_form=form)
    messages.success(request, _("The item was added to the agenda."))
    return _back(meeting, "agenda")


@login_required
@require_POST
def agenda_item_act(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    meeting = _meeting(request, pk, run=True)
    item = get_object_or_404(meeting.agenda, pk=item_id)
    item.meeting = meeting
    action = request.POST.get("action", "")
    try:
        if action in ("up", "down"):
            agenda.agenda_move(item, user=request.user, up=action == "up")
        elif action == "remove":
            agenda.agenda_remove(item, user=request.user)
            messages.success(request, _("The item was removed from the agenda."))
        else:
            raise ValidationError(_("Unknown action."))
    except ValidationError as error:
        messages.error(request, messages_of(error))
    return _back(meeting, "agenda")


@login_required
@require_POST
def attendance_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, run=True)
    form = AttendanceForm(request.POST, meeting=meeting)
    if not form.is_valid():
        return _detail(request, meeting, attendance_form=form)
    data = form.cleaned_data
    try:
        attendance.attendance_add(
            meeting, user=request.user, unit=data["unit"], person=data["person"], name=data["name"]
        )
    except ValidationError as error:
        form.add_error(None, messages_of(error))
        return _detail(request, meeting, attendance_form=form)
    messages.success(request, _("Added to the list."))
    return _back(meeting, "attendance")


@login_required
@require_POST
def attendance_mark(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole list at once: presence_<id> and delegate_<id> for each row."""
    meeting = _meeting(request, pk, run=True)
    marks: dict[int, tuple[str, str]] = {}
    for key in request.POST:
        if key.startswith("presence_") and key[9:].isdigit():
            row = int(key[9:])
            marks[row] = (request.POST.get(key, ""), request.POST.get(f"delegate_{row}", ""))
    try:
        n = attendance.attendance_mark(meeting, user=request.user, marks=marks)
    except ValidationError as error:
        messages.error(request, messages_of(error))
    else:
        messages.success(request, _("Attendance saved.") if n else _("Nothing changed."))
    return _back(meeting, "attendance")


@login_required
@require_POST
def attendance_remove(request: HttpRequest, pk: int, row_id: int) -> HttpResponse:
    meeting = _meeting(request, pk, run=True)
    row: Attendance = get_object_or_404(meeting.attendance, pk=row_id)
    row.meeting = meeting
    try:
        attendance.attendance_remove(row, user=request.user)
    except ValidationError as error:
        messages.error(request, messages_of(error))
    return _back(meeting, "attendance")


@login_required
@require_POST
def decision_add(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk, run=True)
    form = DecisionForm(request.POST, user=request.user, meeting=meeting)
    if not form.is_valid():
        return _detail(request, meeting, decision_form=form)
    data = form.cleaned_data
    try:
        services.decision_add(meeting, user=request.user, **data)
    except ValidationError as error:
        form.add_error(None, messages_of(error))
        return _detail(request, meeting, decision_form=form)
    messages.success(request, _("The decision was recorded; it is issued as a task on closing."))
    return _back(meeting, "decisions")


@login_required
@require_http_methods(["GET", "POST"])
def decision_edit(request: HttpRequest, pk: int, decision_id: int) -> HttpResponse:
    meeting = _meeting(request, pk, run=True)
    decision = get_object_or_404(meeting.decisions, pk=decision_id)
    decision.meeting = meeting
    initial = {
        name: getattr(decision, name)
        for name in ("text", "agenda_item", "project", "owner_unit", "owner_person", "deadline",
                     "needs_evidence")
    }  # fmt: skip
    form = DecisionForm(request.POST or None, user=request.user, meeting=meeting, initial=initial)
    bootstrap(form, small=False)
    if request.method == "POST":
        if request.POST.get("action") == "remove":
            try:
                services.decision_remove(decision, user=request.user)
            except ValidationError as error:
                messages.error(request, messages_of(error))
            else:
                messages.success(request, _("The decision was removed."))
            return _back(meeting, "decisions")
        if form.is_valid():
            changed = {name: form.cleaned_data[name] for name in form.changed_data}
            try:
                services.decision_update(decision, user=request.user, **changed)
            except ValidationError as error:
                form.add_error(None, messages_of(error))
            else:
                messages.success(request, _("Saved."))
                return _back(meeting, "decisions")
    return render(
        request,
        "meetings/decision_form.html",
        {"nav": "meetings", "form": form, "meeting": meeting, "decision": decision},
    )
