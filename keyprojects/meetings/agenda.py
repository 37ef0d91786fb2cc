"""What a dispatch meeting should settle, proposed from the records that call for it, and
what became of the last meeting's decisions (the meeting opens with them)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db import transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.organisations.models import Unit
from keyprojects.progress.models import MonthlyLight
from keyprojects.projects.choices import Light, Stage
from keyprojects.projects.models import Project
from keyprojects.supervision.choices import OPEN_STATUSES
from keyprojects.supervision.models import Task
from keyprojects.supervision.sources import source_fields

from .choices import AgendaKind, DecisionOutcome, MeetingStatus
from .models import AgendaItem, Decision, Meeting, outcome_of
from .permissions import can_run, require
from .services import (
    check,
    check_project,
    check_unit,
    clean_text,
    lock_meeting,
    move_row,
    next_order,
    renumber,
    require_open,
    scope_ids,
)


@dataclass(frozen=True)
class Proposal:
    kind: str
    text: str
    source: Any
    project: Project | None
    unit: Unit | None


def carried_over(meeting: Meeting, ids: list[int]) -> QuerySet[Decision]:
    """Decisions of earlier meetings whose tasks are still open: on the table until done."""
    earlier = Q(meeting__date__lt=meeting.date) | Q(
        meeting__date=meeting.date, meeting_id__lt=meeting.pk
    )
    return (
        Decision.objects.filter(
            earlier, meeting__jurisdiction_id__in=ids, task__status__in=OPEN_STATUSES
        )
        .exclude(meeting=meeting)
        .select_related("meeting", "task", "owner_unit", "project")
        .order_by("meeting__date", "meeting_id", "order")
    )


def late_tasks(ids: list[int], today: dt.date) -> QuerySet[Task]:
    """Open tasks that are overdue or were escalated to the office and the next meeting."""
    return (
        Task.objects.filter(jurisdiction_id__in=ids)
        .open()
        .filter(Q(escalation_level__gte=1) | Q(deadline__lt=today))
        .select_related("owner_unit", "project")
        .order_by("-escalation_level", "deadline", "id")
    )


def problems_for_agenda(ids: list[int], today: dt.date) -> list[Any]:
    """Open problems that are overdue or escalated, from the problems ledger when it offers
    them (`keyprojects.problems.services.agenda_problems`)."""
    name = "keyprojects.problems.services"
    try:
        module = import_module(name)
    except ModuleNotFoundError as missing:
        if missing.name != name:
            raise
        return []
    finder = getattr(module, "agenda_problems", None)
    return list(finder(ids, today)) if finder is not None else []


def _problem_unit(problem: Any) -> Unit | None:
    """Who reports on a problem: the unit it is needed from, else the project's responsible
    unit."""
    unit = getattr(problem, "needed_from_unit", None)
    if isinstance(unit, Unit):
        return unit
    project = getattr(problem, "project", None)
    return project.responsible_unit if isinstance(project, Project) else None


def lagging_lights(ids: list[int], today: dt.date) -> QuerySet[MonthlyLight]:
    """The latest month's red and yellow lights of projects still being built, red first,
    furthest behind first."""
    known = MonthlyLight.objects.filter(project__jurisdiction_id__in=ids).filter(
        Q(year__lt=today.year) | Q(year=today.year, month__lte=today.month)
    )
    latest = known.order_by("-year", "-month").values_list("year", "month").first()
    if latest is None:
        return MonthlyLight.objects.none()
    return (
        known.filter(year=latest[0], month=latest[1], light__in=[Light.RED, Light.YELLOW])
        .exclude(project__stage__in=[Stage.CANCELLED, Stage.COMPLETED, Stage.OPERATING])
        .select_related("project", "project__owner_unit")
        .annotate(
            rank=Case(
                When(light=Light.RED, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("rank", "gap_points", "project__name")
    )


def proposals(meeting: Meeting, today: dt.date) -> list[Proposal]:
    """Carried-over decisions first, then late tasks, late problems and lagging projects."""
    ids = meeting.jurisdiction.subtree_ids()
    found: list[Proposal] = []
    carried = list(carried_over(meeting, ids))
    for decision in carried:
        found.append(
            Proposal(
                AgendaKind.CARRIED_OVER, decision.text, decision, decision.project,
                decision.owner_unit,
            )
        )  # fmt: skip
    problems = problems_for_agenda(ids, today)
    problem_keys = {(source_fields(p)["source_type"].pk, p.pk) for p in problems}
    carried_tasks = {d.task_id for d in carried}
    for task in late_tasks(ids, today):
        if task.pk in carried_tasks or (task.source_type_id, task.source_id) in problem_keys:
            continue
        found.append(
            Proposal(AgendaKind.ESCALATED_TASK, task.title, task, task.project, task.owner_unit)
        )
    for problem in problems:
        text = getattr(problem, "title", "") or str(problem)
        found.append(
            Proposal(
                AgendaKind.OVERDUE_PROBLEM, text, problem, getattr(problem, "project", None),
                _problem_unit(problem),
            )
        )  # fmt: skip
    for light in lagging_lights(ids, today):
        text = _(
            "%(project)s: %(light)s light, %(gap)s points against the time-proportional "
            "target in %(year)d-%(month)02d"
        ) % {
            "project": light.project.name,
            "light": Light(light.light).label,
            "gap": light.gap_points,
            "year": light.year,
            "month": light.month,
        }
        found.append(
            Proposal(
                AgendaKind.LAGGING_PROJECT, text, light, light.project, light.project.owner_unit
            )
        )
    return found


def agenda_propose(
    meeting: Meeting, *, user: Any, today: dt.date | None = None
) -> list[AgendaItem]:
    """Add to a planned meeting's agenda what calls for it and is not on it yet: proposing
    twice adds nothing twice. Returns the new items."""
    require(can_run(user, meeting))
    today = today or timezone.localdate()
    with transaction.atomic():
        lock_meeting(meeting)
        check(
            meeting.status == MeetingStatus.PLANNED,
            _("The agenda is proposed before the meeting; this one is %(status)s.")
            % {"status": meeting.get_status_display()},
        )
        existing = meeting.agenda.all()
        sources = set(
            existing.filter(source_id__isnull=False).values_list("source_type_id", "source_id")
        )
        lagging = set(
            existing.filter(kind=AgendaKind.LAGGING_PROJECT).values_list("project_id", flat=True)
        )
        order = next_order(existing)
        created = []
        for proposal in proposals(meeting, today):
            fields = source_fields(proposal.source)
            key = (fields["source_type"].pk, fields["source_id"])
            if key in sources:
                continue
            if proposal.kind == AgendaKind.LAGGING_PROJECT and proposal.project:
                if proposal.project.pk in lagging:
                    continue
                lagging.add(proposal.project.pk)
            sources.add(key)
            item = AgendaItem(
                meeting=meeting,
                order=order,
                kind=proposal.kind,
                text=proposal.text,
                project=proposal.project,
                unit=proposal.unit,
                **fields,
            )
            item.save()
            created.append(item)
            order += 1
    return created


# -- editing by hand ----------------------------------------------------------------------------


def agenda_add(
    meeting: Meeting,
    *,
    user: Any,
    text: str,
    kind: str = AgendaKind.OTHER,
    project: Project | None = None,
    unit: Unit | None = None,
    source: Any = None,
) -> AgendaItem:
    require(can_run(user, meeting))
    text = clean_text(text, _("Say what the item is about."))
    ids = scope_ids(meeting)
    if project is not None:
        check_project(project, ids)
    if unit is not None:
        check_unit(unit, ids)
    with transaction.atomic():
        lock_meeting(meeting)
        require_open(meeting)
        if source is not None:
            fields = source_fields(source)
            check(
                not meeting.agenda.filter(
                    source_type=fields["source_type"], source_id=fields["source_id"]
                ).exists(),
                _("That is already on the agenda."),
            )
        else:
            fields = {}
        item = AgendaItem(
            meeting=meeting,
            order=next_order(meeting.agenda),
            kind=kind,
            text=text,
            project=project,
            unit=unit,
            **fields,
        )
        item.full_clean(exclude=["source_type"])
        item.save()
    return item


def agenda_remove(item: AgendaItem, *, user: Any) -> None:
    meeting = item.meeting
    require(can_run(user, meeting))
    with transaction.atomic():
        lock_meeting(meeting)
        require_open(meeting)
        check(
            not item.decisions.exists(),
            _("A decision refers to this item; remove the decision first."),
        )
        item.delete()
        renumber(meeting.agenda.all())


def agenda_move(item: AgendaItem, *, user: Any, up: bool) -> None:
    """Swap the item with its neighbour above or below."""
    meeting = item.meeting
    require(can_run(user, meeting))
    with transaction.atomic():
        lock_meeting(meeting)
        require_open(meeting)
        move_row(list(meeting.agenda.all()), item.pk, up)


def with_sources(items: QuerySet[AgendaItem]) -> QuerySet[AgendaItem]:
    """Agenda items with the records they are about, and those records' tasks, in a few
    queries whatever the number of items."""
    querysets: list[QuerySet[Any]] = [
        Task.objects.all(),
        Decision.objects.select_related("task", "meeting"),
    ]
    return items.select_related("project", "unit", "source_type").prefetch_related(
        GenericPrefetch("source", querysets)
    )


def item_state(item: AgendaItem, today: dt.date) -> str | None:
    """The live state of what an agenda item is about: its task's, or the problem's."""
    source = item.source
    if isinstance(source, Task):
        return outcome_of(source, today)
    task = getattr(source, "task", None)
    if isinstance(task, Task) or (isinstance(source, Decision) and task is None):
        return outcome_of(task, today)
    if source is not None and hasattr(source, "is_overdue") and hasattr(source, "is_open"):
        if not source.is_open:
            return DecisionOutcome.DONE
        return DecisionOutcome.OVERDUE if source.is_overdue(today) else DecisionOutcome.OPEN
    return None


@dataclass
class Opening:
    """The last meeting's decisions and what became of them."""

    previous: Meeting | None
    decisions: list[Decision] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def tally(self) -> list[tuple[str, int]]:
        """How many decisions came to each outcome, in the outcomes' order."""
        return [
            (state, self.counts[state]) for state in DecisionOutcome.values if self.counts[state]
        ]


def opening(meeting: Meeting, today: dt.date | None = None) -> Opening:
    previous = meeting.previous()
    if previous is None:
        return Opening(None)
    decisions = list(
        previous.decisions.select_related("task", "owner_unit", "owner_person", "project")
    )
    counts: Counter[str] = Counter()
    for decision in decisions:
        decision.state = outcome_of(decision.task, today)  # type: ignore[attr-defined]
        counts[decision.state] += 1  # type: ignore[attr-defined]
    return Opening(previous, decisions, counts)
