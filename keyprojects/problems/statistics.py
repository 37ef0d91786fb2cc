"""How each unit deals with the problems it is given, over a period.

- assigned: the unit's assignments made in the period (cancelled ones do not count);
- response time: from an assignment to the unit's first response to it (on the problem's
  page or the task's), on average;
- closure rate: the share of those assignments done (accepted by the office);
- overdue: assignments still open past their deadline, or reported done after it;
- satisfaction: the raisers' average rating of the problems the unit worked on, once closed.

Two queries whatever the number of problems: one for what units raised, one for the
assignments with their first response and their problem's rating.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone

from keyprojects.organisations.models import Unit
from keyprojects.supervision.choices import TaskStatus, UpdateKind
from keyprojects.supervision.models import TaskUpdate

from .models import Problem, tasks_for_problems


@dataclass
class UnitStats:
    unit: Unit
    raised: int = 0
    assigned: int = 0
    responded: int = 0
    done: int = 0
    overdue: int = 0
    response_hours: list[float] = field(default_factory=list, repr=False)
    ratings: dict[int, int] = field(default_factory=dict, repr=False)

    @property
    def average_response_hours(self) -> float | None:
        if not self.response_hours:
            return None
        return round(sum(self.response_hours) / len(self.response_hours), 1)

    @property
    def closure_rate(self) -> float | None:
        """Percent of the unit's assignments done."""
        if not self.assigned:
            return None
        return round(100 * self.done / self.assigned, 1)

    @property
    def rated(self) -> int:
        return len(self.ratings)

    @property
    def satisfaction(self) -> float | None:
        if not self.ratings:
            return None
        return round(sum(self.ratings.values()) / len(self.ratings), 2)


def unit_statistics(
    *,
    jurisdiction_ids: Iterable[int] | None,
    start: dt.date,
    end: dt.date,
    today: dt.date | None = None,
    unit_ids: Iterable[int] | None = None,
) -> list[UnitStats]:
    """One row per unit that raised or was assigned a problem in [start, end], the busiest
    first. `jurisdiction_ids` None means all; `unit_ids` limits the rows."""
    today = today or timezone.localdate()
    problems = Problem.objects.filter(raised_at__date__gte=start, raised_at__date__lte=end)
    tasks = tasks_for_problems().filter(created_at__date__gte=start, created_at__date__lte=end)
    if jurisdiction_ids is not None:
        ids = list(jurisdiction_ids)
        problems = problems.filter(jurisdiction_id__in=ids)
        tasks = tasks.filter(jurisdiction_id__in=ids)
    if unit_ids is not None:
        wanted = list(unit_ids)
        problems = problems.filter(raised_by_unit_id__in=wanted)
        tasks = tasks.filter(owner_unit_id__in=wanted)
    raised = dict(
        problems.values("raised_by_unit_id")
        .annotate(n=Count("id"))
        .values_list("raised_by_unit_id", "n")
        .order_by()
    )
    # A unit answers on the problem's page (mirrored into the task) or on the task's own page:
    # either way its first word is in the task's history, written by one of its people.
    first_response = (
        TaskUpdate.objects.filter(
            task_id=OuterRef("pk"),
            kind__in=[UpdateKind.COMMENT, UpdateKind.EVIDENCE, UpdateKind.SUBMITTED],
            author__unit_id=OuterRef("owner_unit_id"),
        )
        .order_by("at")
        .values("at")[:1]
    )
    problem = Problem.objects.filter(pk=OuterRef("source_id"))
    query = (
        tasks.exclude(status=TaskStatus.CANCELLED)
        .annotate(
            first_response=Subquery(first_response),
            rating=Subquery(problem.values("rating")[:1]),
        )
        .values_list(*Assignment._fields)
        .order_by()
    )
    rows = [Assignment(*row) for row in query]
    unit_ids_seen = set(raised) | {row.owner_unit_id for row in rows}
    stats = {u.pk: UnitStats(unit=u) for u in Unit.objects.filter(pk__in=unit_ids_seen)}
    for unit_id, n in raised.items():
        stats[unit_id].raised = n
    for row in rows:
        line = stats[row.owner_unit_id]
        line.assigned += 1
        if row.first_response is not None:
            line.responded += 1
            hours = (row.first_response - row.created_at).total_seconds() / 3600
            line.response_hours.append(max(hours, 0.0))
        if row.status == TaskStatus.DONE:
            line.done += 1
        if row.was_overdue(today):
            line.overdue += 1
        if row.rating is not None and row.source_id is not None:
            line.ratings[row.source_id] = row.rating
    return sorted(stats.values(), key=lambda s: (-s.assigned, -s.raised, s.unit.name))


class Assignment(NamedTuple):
    owner_unit_id: int
    source_id: int | None
    status: str
    deadline: dt.date
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    closed_at: dt.datetime | None
    first_response: dt.datetime | None
    rating: int | None

    def was_overdue(self, today: dt.date) -> bool:
        """Late by the unit's own doing: open past the deadline, or reported done after it
        (the office's time to accept does not count against the unit)."""
        if self.status == TaskStatus.OPEN:
            return self.deadline < today
        finished = self.submitted_at or self.closed_at
        return finished is not None and timezone.localdate(finished) > self.deadline
