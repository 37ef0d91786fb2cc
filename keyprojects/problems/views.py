from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from keyprojects.organisations.choices import Role
from keyprojects.supervision import services as supervision
from keyprojects.supervision.choices import TaskStatus
from keyprojects.supervision.models import Task
from keyprojects.supervision.sources import tasks_of
from keyprojects.web.widgets import bootstrap

from . import rules, services
from .choices import OPEN_STATUSES, ProblemStatus, Severity
from .deadlines import counts_working_days, days_for
from .forms import AssignForm, ConfirmForm, PeriodForm, ProblemFilter, RaiseForm, RespondForm
from .models import Problem, ProblemQuerySet, tasks_for_problems
from .statistics import UnitStats, unit_statistics

PAGE_SIZES = (25, 50, 100)


def _messages(error: ValidationError) -> str:
    return " ".join(error.messages)


def _form_errors(form: Any) -> str:
    return " ".join(f"{form[name].label if name in form.fields else ''} {' '.join(errors)}".strip()
                    for name, errors in form.errors.items())  # fmt: skip


def filter_problems(problems: ProblemQuerySet, data: dict[str, Any], today: dt.date) -> Any:
    """Every filter but the status, so the status counts can be taken from the result."""
    if data.get("q"):
        q = data["q"].strip().lstrip("#")
        match = Q(title__icontains=q) | Q(need__icontains=q) | Q(project__name__icontains=q)
        if q.isdigit():
            match |= Q(pk=int(q))
        problems = problems.filter(match)
    if data.get("category"):
        problems = problems.filter(category=data["category"])
    if data.get("severity"):
        problems = problems.filter(severity=data["severity"])
    if data.get("unit"):
        unit = data["unit"]
        problems = problems.filter(raised_by_unit=unit) | problems.assigned_to(unit.pk)
    if data.get("project"):
        problems = problems.filter(project=data["project"])
    if data.get("overdue"):
        problems = problems.overdue(today)
    return problems


def with_status(problems: Any, status: str) -> Any:
    if status == "any":
        return problems
    if status:
        return problems.filter(status=status)
    return problems.filter(status__in=OPEN_STATUSES)


def assigned_units(problem_ids: list[int]) -> dict[int, list[Task]]:
    """The live assignments of the problems on a page, in one query."""
    found: dict[int, list[Task]] = defaultdict(list)
    tasks = (
        tasks_for_problems()
        .filter(source_id__in=problem_ids)
        .exclude(status=TaskStatus.CANCELLED)
        .select_related("owner_unit")
        .order_by("created_at", "id")
    )
    for task in tasks:
        if task.source_id is not None:
            found[task.source_id].append(task)
    return found


def latest_per_unit(tasks: list[Task]) -> list[Task]:
    """Each unit once, by its latest assignment (a reopened problem has two per unit)."""
    latest: dict[int, Task] = {}
    for task in tasks:
        latest[task.owner_unit_id] = task
    return list(latest.values())


@login_required
def problem_list(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    today = timezone.localdate()
    form = ProblemFilter(request.GET or None, user=user)
    bootstrap(form)
    problems: Any = Problem.objects.visible_to(user)
    status = ""
    if form.is_valid():
        problems = filter_problems(problems, form.cleaned_data, today)
        status = form.cleaned_data.get("status") or ""
    counts = dict(problems.values_list("status").annotate(n=Count("id")).order_by())
    overdue = problems.overdue(today).count()
    try:
        size = int(request.GET.get("per_page") or 50)
    except ValueError:
        size = 50
    size = size if size in PAGE_SIZES else 50
    shown = (
        with_status(problems, status)
        .select_related("project", "raised_by_unit")
        .order_by("-raised_at", "-id")
    )
    page = Paginator(shown, size).get_page(request.GET.get("page"))
    assignments = assigned_units([p.pk for p in page])
    rows = [(p, latest_per_unit(assignments.get(p.pk, []))) for p in page]
    query = request.GET.copy()
    query.pop("status", None)
    query.pop("page", None)
    return render(
        request,
        "problems/list.html",
        {
            "nav": "problems",
            "form": form,
            "page": page,
            "rows": rows,
            "today": today,
            "status": status,
            "counts": [(s.value, s.label, counts.get(s, 0)) for s in ProblemStatus],
            "open_count": sum(counts.get(s, 0) for s in OPEN_STATUSES),
            "overdue_count": overdue,
            "base_query": query.urlencode(),
            "can_raise": rules.may_raise_somewhere(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def problem_add(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if not rules.may_raise_somewhere(user):
        raise PermissionDenied
    initial: dict[str, Any] = {}
    if request.GET.get("project", "").isdigit():
        initial["project"] = int(request.GET["project"])
    form = RaiseForm(request.POST or None, request.FILES or None, user=user, initial=initial)
    bootstrap(form, small=False)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            problem = services.problem_raise(
                user=user,
                project=data["project"],
                raised_by_unit=data.get("raised_by_unit"),
                category=data["category"],
                severity=data["severity"],
                title=data["title"],
                description=data["description"],
                need=data["need"],
                needed_from_unit=data["needed_from_unit"],
                needed_from=data["needed_from"],
                upload=data.get("attachment"),
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, _messages(error))
        else:
            messages.success(request, _("The problem was raised; the programme office assigns it."))
            return redirect("problems:detail", problem.pk)
    days = {s.value: days_for(s.value) for s in Severity}
    return render(
        request,
        "problems/form.html",
        {"nav": "problems", "form": form, "days": days, "working_days": counts_working_days()},
    )


def _problem_for(request: HttpRequest, pk: int) -> Problem:
    return get_object_or_404(
        Problem.objects.visible_to(request.user).select_related(
            "project",
            "jurisdiction",
            "raised_by_unit",
            "raised_by",
            "needed_from_unit",
            "merged_into",
        ),
        pk=pk,
    )


@login_required
def problem_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    problem = _problem_for(request, pk)
    today = timezone.localdate()
    tasks = list(tasks_of(problem).select_related("owner_unit").order_by("created_at", "id"))
    responses = list(problem.responses.select_related("unit", "author"))
    events = list(problem.events.select_related("author", "unit"))
    # A response comes before what it set off (a part reported done) at the same moment.
    timeline = sorted(
        [("response", r.at, r) for r in responses] + [("event", e.at, e) for e in events],
        key=lambda item: item[1],
    )
    actions = rules.actions_for(user, problem)
    decidable = {
        t.pk for t in tasks if t.status == TaskStatus.SUBMITTED and supervision.can_decide(user, t)
    }
    context: dict[str, Any] = {
        "nav": "problems",
        "problem": problem,
        "tasks": tasks,
        "decidable": decidable,
        "responses": responses,
        "timeline": timeline,
        "duplicates": list(problem.merged_from.select_related("raised_by_unit")),
        "actions": actions,
        "today": today,
        "overdue": problem.is_overdue(today),
    }
    if "assign" in actions:
        context["assign_form"] = bootstrap(AssignForm(problem=problem))
        context["days"] = {s.value: days_for(s.value) for s in Severity}
        context["working_days"] = counts_working_days()
    if "respond" in actions:
        context["respond_form"] = bootstrap(RespondForm())
        context["my_task"] = rules.responder_task(user, problem)
    if "confirm" in actions:
        context["confirm_form"] = ConfirmForm()
    if "merge" in actions:
        context["merge_candidates"] = (
            Problem.objects.visible_to(user)
            .open()
            .filter(project_id=problem.project_id)
            .exclude(pk=problem.pk)
            .order_by("-raised_at")
        )
    return render(request, "problems/detail.html", context)


@login_required
@require_POST
def problem_act(request: HttpRequest, pk: int) -> HttpResponse:
    """Every change to a problem: the form names the action; the service refuses what the
    problem's state or the person's role does not allow, with the reason."""
    user: Any = request.user
    problem = _problem_for(request, pk)
    action = request.POST.get("action", "")
    try:
        version = int(request.POST.get("version") or problem.version)
    except ValueError:
        version = -1
    problem.version = version  # a form read before someone else's change is refused
    reason = request.POST.get("reason", "")
    try:
        done = _act(request, user, problem, action, reason)
    except ValidationError as error:
        messages.error(request, _messages(error))
    else:
        messages.success(request, done)
    return redirect("problems:detail", problem.pk)


def _act(request: HttpRequest, user: Any, problem: Problem, action: str, reason: str) -> str:
    if action == "assign":
        form = AssignForm(request.POST, problem=problem)
        if not form.is_valid():
            raise ValidationError(_form_errors(form))
        data = form.cleaned_data
        tasks = services.problem_assign(
            problem,
            user=user,
            units=list(data["units"]),
            severity=data["severity"],
            deadline=data["deadline"],
            note=data["note"],
        )
        return _("Assigned; deadline %(date)s.") % {"date": tasks[0].deadline.isoformat()}
    if action == "deadline":
        try:
            deadline = dt.date.fromisoformat(request.POST.get("deadline", ""))
        except ValueError:
            raise ValidationError(_("Give the new deadline as a date.")) from None
        services.problem_set_deadline(problem, user=user, deadline=deadline, reason=reason)
        return _("The deadline was changed.")
    if action == "respond":
        respond = RespondForm(request.POST, request.FILES)
        if not respond.is_valid():
            raise ValidationError(_form_errors(respond))
        services.problem_respond(
            problem,
            user=user,
            text=respond.cleaned_data["text"],
            upload=respond.cleaned_data.get("file"),
            done=respond.cleaned_data["done"],
        )
        return _("Your response was saved.")
    if action in ("accept", "return"):
        return _decide_part(request, user, problem, action, reason)
    if action == "confirm":
        confirm = ConfirmForm(request.POST)
        if not confirm.is_valid():
            raise ValidationError(_("Rate the resolution from 1 to 5."))
        services.problem_confirm(
            problem,
            user=user,
            rating=confirm.cleaned_data["rating"],
            comment=confirm.cleaned_data["comment"],
        )
        return _("Confirmed and closed (销号). Thank you for the rating.")
    if action == "reopen":
        services.problem_reopen(problem, user=user, reason=reason)
        return _("Reopened; the units have it again.")
    if action == "merge":
        raw = request.POST.get("into_number") or request.POST.get("into") or ""
        raw = raw.strip().lstrip("#")
        target = (
            Problem.objects.visible_to(user).filter(pk=int(raw)).first() if raw.isdigit() else None
        )
        if target is None:
            raise ValidationError(_("Choose the problem this one duplicates."))
        services.problem_merge(problem, user=user, into=target, reason=reason)
        return _("Merged into %(target)s.") % {"target": target}
    if action == "withdraw":
        services.problem_withdraw(problem, user=user, reason=reason)
        return _("Withdrawn.")
    raise ValidationError(_("Unknown action."))


def _decide_part(
    request: HttpRequest, user: Any, problem: Problem, action: str, reason: str
) -> str:
    """Accept or return a unit's part (its task), from the problem's page."""
    task = tasks_of(problem).filter(pk=request.POST.get("task") or 0).first()
    if task is None:
        raise ValidationError(_("That assignment is not part of this problem."))
    try:
        task.version = int(request.POST.get("task_version") or task.version)
    except ValueError:
        task.version = -1
    if action == "accept":
        supervision.task_accept(task, user=user, text=reason)
        return _("The unit's part was accepted.")
    supervision.task_return(task, user=user, reason=reason)
    return _("The unit's part was returned.")


@login_required
def problem_stats(request: HttpRequest) -> HttpResponse:
    """Per unit: response time, closure rate, overdue count, satisfaction, for a period."""
    user: Any = request.user
    today = timezone.localdate()
    start, end = dt.date(today.year, 1, 1), today
    form = PeriodForm(request.GET or None, initial={"start": start, "end": end})
    bootstrap(form)
    if form.is_valid():
        start = form.cleaned_data.get("start") or start
        end = form.cleaned_data.get("end") or end
    unit_ids: list[int] | None = None
    if not (user.is_superuser or user.role in {Role.PROGRAMME_OFFICE, Role.LEADER, Role.AUDITOR}):
        # A unit sees its own figures; the others' are the office's to publish.
        unit_ids = [user.unit_id] if user.unit_id else []
    rows = unit_statistics(
        jurisdiction_ids=user.visible_jurisdiction_ids(),
        start=start,
        end=end,
        today=today,
        unit_ids=unit_ids,
    )
    return render(
        request,
        "problems/stats.html",
        {
            "nav": "problems",
            "form": form,
            "rows": rows,
            "total": _total(rows),
            "start": start,
            "end": end,
        },
    )


def _total(rows: list[UnitStats]) -> dict[str, Any]:
    assigned = sum(r.assigned for r in rows)
    done = sum(r.done for r in rows)
    hours = [h for r in rows for h in r.response_hours]
    ratings = list({k: v for r in rows for k, v in r.ratings.items()}.values())
    return {
        "raised": sum(r.raised for r in rows),
        "assigned": assigned,
        "responded": sum(r.responded for r in rows),
        "done": done,
        "overdue": sum(r.overdue for r in rows),
        "closure_rate": round(100 * done / assigned, 1) if assigned else None,
        "average_response_hours": round(sum(hours) / len(hours), 1) if hours else None,
        "satisfaction": round(sum(ratings) / len(ratings), 2) if ratings else None,
    }
