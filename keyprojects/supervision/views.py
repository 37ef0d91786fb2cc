from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from keyprojects.organisations.models import Unit, User
from keyprojects.web.widgets import bootstrap

from . import services
from .choices import OPEN_STATUSES, TaskStatus
from .forms import TaskFilter, TaskForm
from .models import Task
from .paging import UnionList

PAGE_SIZES = (25, 50, 100)


def _related(tasks: QuerySet[Task]) -> QuerySet[Task]:
    return tasks.select_related("owner_unit", "owner_person", "project")


def _page(request: HttpRequest, tasks: QuerySet[Task] | UnionList) -> Any:
    try:
        size = int(request.GET.get("per_page") or 50)
    except ValueError:
        size = 50
    size = size if size in PAGE_SIZES else 50
    if isinstance(tasks, QuerySet):
        tasks = _related(tasks)
    return Paginator(tasks, size).get_page(request.GET.get("page"))  # type: ignore[arg-type]


def _messages(error: ValidationError) -> str:
    return " ".join(error.messages)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """我的待办: what is waiting on this person, soonest deadline first."""
    user: Any = request.user
    today = timezone.localdate()
    tab = request.GET.get("tab") or "mine"
    base = Task.objects.visible_to(user)
    tabs: dict[str, QuerySet[Task] | UnionList] = {
        "mine": UnionList(Task.objects.inbox_branches(user), _related)
    }
    if user.unit_id:
        tabs["overdue"] = Task.objects.of_unit(user.unit, user).overdue(today)
    if user.is_programme_office:
        tabs["waiting"] = base.filter(status=TaskStatus.SUBMITTED)
        tabs["escalated"] = base.open().filter(escalation_level__gte=1)
    if services.can_issue(user):
        tabs["issued"] = base.open().filter(issued_by_id=user.pk)
    tab = tab if tab in tabs else "mine"
    chosen = tabs[tab]
    page = _page(
        request, chosen if isinstance(chosen, UnionList) else chosen.order_by("deadline", "id")
    )
    return render(
        request,
        "supervision/inbox.html",
        {
            "nav": "tasks",
            "page": page,
            "tab": tab,
            "tabs": list(tabs),
            "today": today,
            "can_issue": services.can_issue(user),
        },
    )


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    today = timezone.localdate()
    form = TaskFilter(request.GET or None, user=user)
    bootstrap(form)
    tasks = Task.objects.visible_to(user)
    if form.is_valid():
        data = form.cleaned_data
        status = data.get("status")
        if status == "any":
            pass
        elif status:
            tasks = tasks.filter(status=status)
        else:
            tasks = tasks.filter(status__in=OPEN_STATUSES)
        if data.get("source_kind"):
            tasks = tasks.filter(source_kind=data["source_kind"])
        if data.get("owner_unit"):
            tasks = tasks.filter(owner_unit=data["owner_unit"])
        if data.get("overdue"):
            tasks = tasks.overdue(today)
        if data.get("project"):
            tasks = tasks.filter(project_id=data["project"])
        if data.get("q"):
            q = data["q"].strip()
            tasks = tasks.filter(Q(title__icontains=q) | Q(project__name__icontains=q))
    else:
        tasks = tasks.open()
    page = _page(request, tasks.order_by("deadline", "id"))
    return render(
        request,
        "supervision/list.html",
        {
            "nav": "tasks",
            "page": page,
            "form": form,
            "today": today,
            "can_issue": services.can_issue(user),
        },
    )


@login_required
def unit_overdue(request: HttpRequest, unit_id: int) -> HttpResponse:
    """A unit's overdue tasks, oldest deadline first: what a bulletin would name it for."""
    user: Any = request.user
    ids = user.visible_jurisdiction_ids()
    units = Unit.objects.all() if ids is None else Unit.objects.filter(jurisdiction_id__in=ids)
    unit = get_object_or_404(units, pk=unit_id)
    today = timezone.localdate()
    tasks = Task.objects.of_unit(unit, user).overdue(today)
    page = _page(request, tasks.order_by("deadline", "id"))
    return render(
        request,
        "supervision/unit_overdue.html",
        {"nav": "tasks", "page": page, "unit": unit, "today": today},
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_add(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not services.can_issue(user):
        raise PermissionDenied
    initial = {}
    if request.GET.get("project"):
        initial["project"] = request.GET["project"]
    form = TaskForm(request.POST or None, user=user, initial=initial)
    bootstrap(form, small=False)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            task = services.create_task(
                title=data["title"],
                detail=data["detail"],
                project=data["project"],
                owner_unit=data["owner_unit"],
                owner_person=data["owner_person"],
                deadline=data["deadline"],
                needs_evidence=data["needs_evidence"],
                issued_by=user,
                jurisdiction_id=(
                    data["project"].jurisdiction_id
                    if data["project"]
                    else _home_jurisdiction(user, data["owner_unit"])
                ),
            )
        except ValidationError as error:
            form.add_error(None, _messages(error))
        else:
            messages.success(request, _("The task was assigned."))
            return redirect("supervision:detail", task.pk)
    return render(request, "supervision/form.html", {"nav": "tasks", "form": form})


def _home_jurisdiction(user: Any, unit: Unit) -> int:
    return user.jurisdiction_id or unit.jurisdiction_id


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    task = get_object_or_404(
        Task.objects.visible_to(user).select_related(
            "owner_unit", "owner_person", "project", "issued_by", "source_type"
        ),
        pk=pk,
    )
    units: QuerySet[Unit] = Unit.objects.none()
    people: QuerySet[User] = User.objects.none()
    can_decide = services.can_decide(user, task)
    if can_decide:
        units = Unit.objects.filter(jurisdiction_id=task.owner_unit.jurisdiction_id).order_by(
            "name"
        )
        people = User.objects.filter(unit__in=units, is_active=True).order_by("username")
    return render(
        request,
        "supervision/detail.html",
        {
            "nav": "tasks",
            "task": task,
            "updates": task.updates.select_related("author"),
            "can_work": services.can_work(user, task),
            "can_decide": can_decide,
            "can_check": services.can_check(user, task),
            "today": timezone.localdate(),
            "units": units,
            "people": people,
        },
    )


@login_required
@require_POST
def task_act(request: HttpRequest, pk: int) -> HttpResponse:
    """Every change to a task: the form names the action; the service refuses what the
    task's state or the person's role does not allow, with the reason."""
    user: Any = request.user
    task = get_object_or_404(Task.objects.visible_to(user), pk=pk)
    action = request.POST.get("action", "")
    text = request.POST.get("text", "")
    upload = request.FILES.get("file")
    try:
        version = int(request.POST.get("version") or task.version)
    except ValueError:
        version = -1
    task.version = version  # a form read before someone else's change is refused
    try:
        if action == "comment":
            services.task_comment(task, user=user, text=text, upload=upload)
            done = _("Saved.")
        elif action == "submit":
            services.task_submit(task, user=user, text=text, upload=upload)
            done = _("Reported done; waiting for acceptance.")
        elif action == "accept":
            services.task_accept(task, user=user, text=text)
            done = _("Accepted; the task is closed.")
        elif action == "return":
            services.task_return(task, user=user, reason=text)
            done = _("Returned to the owner.")
        elif action == "cancel":
            services.task_cancel(task, user=user, reason=text)
            done = _("Cancelled.")
        elif action == "reopen":
            services.task_reopen(task, user=user, reason=text)
            done = _("Reopened.")
        elif action == "extend":
            try:
                deadline = dt.date.fromisoformat(request.POST.get("deadline", ""))
            except ValueError:
                raise ValidationError(_("Give the new deadline as a date.")) from None
            services.task_extend(task, user=user, deadline=deadline, reason=text)
            done = _("The deadline was changed.")
        elif action == "reassign":
            unit = Unit.objects.filter(
                pk=request.POST.get("owner_unit") or 0,
                jurisdiction_id=task.owner_unit.jurisdiction_id,
            ).first()
            if unit is None:
                raise ValidationError(_("Choose the unit to reassign to."))
            person = None
            if request.POST.get("owner_person"):
                person = User.objects.filter(pk=request.POST["owner_person"]).first()
            services.task_reassign(
                task, user=user, owner_unit=unit, owner_person=person, reason=text
            )
            done = _("Reassigned.")
        else:
            raise ValidationError(_("Unknown action."))
    except ValidationError as error:
        messages.error(request, _messages(error))
    else:
        messages.success(request, done)
    return redirect("supervision:detail", task.pk)
