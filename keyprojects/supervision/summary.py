"""What is being chased on one project: its tasks, problems, hazards and alerts, for the
project's page. Each list is read through its own visibility."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import timezone

from keyprojects.projects.models import Project

from .models import Task


@dataclass
class Line:
    label: str
    count: int
    overdue: int
    url: str
    items: list[Any] = field(default_factory=list)


def project_supervision(project: Project, user: Any, *, show: int = 3) -> list[Line]:
    from django.utils.translation import gettext as _

    from keyprojects.alerts.models import Alert
    from keyprojects.alerts.services import project_alerts
    from keyprojects.inspections.models import Hazard
    from keyprojects.problems.models import Problem

    today = timezone.localdate()
    tasks = Task.objects.visible_to(user).open().filter(project=project)
    problems = Problem.objects.visible_to(user).open().filter(project=project)
    hazards = Hazard.objects.visible_to(user).unresolved().filter(project=project)
    alert_ids = Alert.objects.visible_to(user).values("pk")
    alerts = project_alerts(project).filter(pk__in=alert_ids)
    return [
        Line(
            _("Open tasks"), tasks.count(), tasks.overdue(today).count(),
            reverse("supervision:list") + f"?project={project.pk}",
            list(tasks.select_related("owner_unit").order_by("deadline", "id")[:show]),
        ),
        Line(
            _("Open problems"), problems.count(), problems.overdue(today).count(),
            reverse("problems:list") + f"?project={project.pk}",
            list(problems.order_by("deadline", "id")[:show]),
        ),
        Line(
            _("Hazards to rectify"), hazards.count(), hazards.overdue(today).count(),
            reverse("inspections:hazards") + f"?project={project.pk}",
            list(hazards.order_by("deadline", "id")[:show]),
        ),
        Line(
            _("Active alerts"), alerts.count(), 0,
            reverse("alerts:list") + f"?project={project.pk}", list(alerts[:show]),
        ),
    ]  # fmt: skip
