"""Reads other capabilities use: overdue hazards (alerts), a safety summary per unit and
project over a period (assessment), and whose safety record a person may read."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from keyprojects.organisations.choices import Role
from keyprojects.projects.models import Project

from .choices import HazardStatus, ItemSeverity
from .models import READS_ALL, Hazard, HazardQuerySet, Incident, Inspection


def overdue_hazards(
    jurisdiction_ids: Iterable[int] | None, today: dt.date | None = None
) -> HazardQuerySet:
    """Hazards not rectified by their deadline, oldest deadline first; every jurisdiction
    when `jurisdiction_ids` is None."""
    hazards = Hazard.objects.overdue(today or timezone.localdate())
    if jurisdiction_ids is not None:
        hazards = hazards.filter(jurisdiction_id__in=list(jurisdiction_ids))
    return hazards.select_related("project", "responsible_unit").order_by("deadline", "id")


@dataclass
class SafetyCounts:
    inspections: int = 0
    hazards: int = 0
    major_hazards: int = 0
    hazards_closed: int = 0
    # Rectified after the deadline, or not rectified by the end of the period though due.
    hazards_late: int = 0
    incidents: int = 0
    incidents_by_grade: Counter[str] = field(default_factory=Counter)
    deaths: int = 0
    serious_injuries: int = 0
    direct_loss: Decimal = Decimal(0)


@dataclass
class SafetySummary:
    """Counts for a period, by project and by unit. A hazard counts for the unit responsible
    for rectifying it; an inspection or an incident for the project's owner unit."""

    start: dt.date
    end: dt.date
    by_project: dict[int, SafetyCounts]
    by_unit: dict[int, SafetyCounts]
    total: SafetyCounts


def safety_summary(
    jurisdiction_ids: Iterable[int] | None, start: dt.date, end: dt.date
) -> SafetySummary:
    """Completed inspections dated, hazards found and incidents occurring from `start` to `end`
    (both included). Three queries, whatever the number of records."""
    ids = None if jurisdiction_ids is None else list(jurisdiction_ids)
    where = Q() if ids is None else Q(jurisdiction_id__in=ids)
    by_project: dict[int, SafetyCounts] = {}
    by_unit: dict[int, SafetyCounts] = {}
    total = SafetyCounts()

    def rows(project_id: int, unit_id: int) -> tuple[SafetyCounts, ...]:
        return (
            by_project.setdefault(project_id, SafetyCounts()),
            by_unit.setdefault(unit_id, SafetyCounts()),
            total,
        )

    inspections = Inspection.objects.filter(
        where, status="completed", date__gte=start, date__lte=end
    ).values_list("project_id", "project__owner_unit_id")
    for project_id, unit_id in inspections:
        for counts in rows(project_id, unit_id):
            counts.inspections += 1

    found = Hazard.objects.filter(
        where, inspection__date__gte=start, inspection__date__lte=end
    ).exclude(status=HazardStatus.CANCELLED)
    for project_id, unit_id, severity, status, deadline, rectified_at in found.values_list(
        "project_id", "responsible_unit_id", "severity", "status", "deadline", "rectified_at"
    ):
        rectified_on = timezone.localdate(rectified_at) if rectified_at else None
        late = deadline < end and (rectified_on is None or rectified_on > deadline)
        for counts in rows(project_id, unit_id):
            counts.hazards += 1
            counts.major_hazards += severity == ItemSeverity.MAJOR
            counts.hazards_closed += status == HazardStatus.CLOSED
            counts.hazards_late += late

    incidents = Incident.objects.filter(
        where, occurred_on__gte=start, occurred_on__lte=end
    ).values_list(
        "project_id", "project__owner_unit_id", "severity", "deaths", "serious_injuries",
        "direct_loss",
    )  # fmt: skip
    for project_id, unit_id, grade, deaths, injuries, loss in incidents:
        for counts in rows(project_id, unit_id):
            counts.incidents += 1
            counts.incidents_by_grade[grade] += 1
            counts.deaths += deaths
            counts.serious_injuries += injuries
            counts.direct_loss += loss
    return SafetySummary(start, end, by_project, by_unit, total)


def safety_projects(user: Any) -> Any:
    """Projects whose safety record (inspections, hazards, incidents) `user` may read."""
    projects = Project.objects.visible_to(user)
    if not getattr(user, "is_authenticated", False):
        return projects.none()
    if user.is_superuser or user.role in READS_ALL:
        return projects
    if user.role == Role.UNIT_USER and user.unit_id:
        return projects.filter(Q(owner_unit_id=user.unit_id) | Q(responsible_unit_id=user.unit_id))
    return projects.none()
