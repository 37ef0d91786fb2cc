"""Incidents (事故/事件): recorded by the office or the project's units, graded by the national
classification, told to the office and, when grave, to the leader in charge."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.notifications.services import notify
from keyprojects.organisations.choices import Role
from keyprojects.organisations.models import User
from keyprojects.projects.models import Project
from keyprojects.supervision.services import IllegalMove, leaders_for

from .choices import SEVERITY_RANK, IncidentKind, IncidentSeverity
from .models import Incident
from .permissions import can_delete_incident, can_record

# (grade, deaths, serious injuries, direct loss in yuan): the lower bound of each grade.
# Work-safety accidents: 生产安全事故报告和调查处理条例 第三条. Quality accidents use the same
# casualty bounds; their loss bounds start at 1,000,000 yuan (建质〔2010〕111号).
THRESHOLDS = [
    (IncidentSeverity.ESPECIALLY_MAJOR, 30, 100, Decimal(100_000_000)),
    (IncidentSeverity.MAJOR, 10, 50, Decimal(50_000_000)),
    (IncidentSeverity.LARGER, 3, 10, Decimal(10_000_000)),
]


def minimum_severity(
    kind: str, deaths: int, serious_injuries: int, direct_loss: Decimal
) -> IncidentSeverity | None:
    """The least grade the figures allow; None for epidemic cases, which are graded by the
    health authorities on other grounds."""
    if kind == IncidentKind.EPIDEMIC:
        return None
    for grade, least_deaths, least_injuries, least_loss in THRESHOLDS:
        if (
            deaths >= least_deaths
            or serious_injuries >= least_injuries
            or direct_loss >= least_loss
        ):
            return grade
    return IncidentSeverity.GENERAL


def incident_save(
    *,
    user: Any,
    project: Project,
    occurred_on: dt.date,
    kind: str,
    description: str,
    severity: str = "",
    deaths: int = 0,
    serious_injuries: int = 0,
    direct_loss: Decimal = Decimal(0),
    measures: str = "",
    incident: Incident | None = None,
    version: int | None = None,
    today: dt.date | None = None,
) -> Incident:
    """Record an incident, or correct one. An empty grade takes the least the figures allow; a
    grade below it is refused."""
    if not can_record(user, project):
        raise PermissionDenied
    if (
        incident is not None
        and incident.project_id != project.pk
        and not can_record(user, incident.project)
    ):
        raise PermissionDenied
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if occurred_on > today:
        errors["occurred_on"] = _("An incident cannot be dated in the future.")
    description = (description or "").strip()
    if not description:
        errors["description"] = _("Say what happened.")
    if deaths < 0 or serious_injuries < 0:
        errors["deaths"] = _("Casualties cannot be negative.")
    if direct_loss < 0:
        errors["direct_loss"] = _("The loss cannot be negative.")
    if kind not in IncidentKind.values:
        errors["kind"] = _("Choose the kind of incident.")
    least = minimum_severity(kind, deaths, serious_injuries, direct_loss) if not errors else None
    if severity and severity not in IncidentSeverity.values:
        errors["severity"] = _("Choose a grade.")
    elif severity and least and SEVERITY_RANK[IncidentSeverity(severity)] < SEVERITY_RANK[least]:
        errors["severity"] = _(
            "By the national classification these casualties and this loss make it at least "
            "%(grade)s."
        ) % {"grade": least.label}
    if errors:
        raise ValidationError(errors)
    if incident is not None and version is not None and version != incident.version:
        raise IllegalMove(_("Someone else changed this incident first. Reload it and try again."))
    new = incident is None
    with transaction.atomic():
        if incident is None:
            incident = Incident(recorded_by=user if getattr(user, "pk", None) else None)
        else:
            incident.version += 1
        incident.jurisdiction_id = project.jurisdiction_id
        incident.project = project
        incident.occurred_on = occurred_on
        incident.kind = kind
        incident.severity = severity or least or IncidentSeverity.GENERAL
        incident.deaths, incident.serious_injuries = deaths, serious_injuries
        incident.direct_loss = direct_loss
        incident.description, incident.measures = description, (measures or "").strip()
        incident.full_clean()
        incident.save()
        if new:
            _tell(incident)
    return incident


def _tell(incident: Incident) -> None:
    """The office hears of every incident; the leader in charge of a grave one or one with
    deaths."""
    people = list(
        User.objects.filter(
            role=Role.PROGRAMME_OFFICE, jurisdiction_id=incident.jurisdiction_id, is_active=True
        )
    )
    grave = incident.deaths > 0 or incident.severity != IncidentSeverity.GENERAL
    if grave:
        people += leaders_for(incident.project, incident.jurisdiction_id)
    notify(
        people,
        kind="incident_recorded",
        key=str(incident.pk),
        title=_("%(kind)s (%(grade)s): %(project)s")
        % {
            "kind": incident.get_kind_display(),
            "grade": incident.get_severity_display(),
            "project": incident.project.name,
        },
        body=incident.description,
        url=incident.get_absolute_url(),
    )


def incident_delete(*, user: Any, incident: Incident) -> None:
    if not can_delete_incident(user, incident):
        raise PermissionDenied
    incident.delete()
