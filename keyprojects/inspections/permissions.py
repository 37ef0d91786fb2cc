"""Who may change what. Who may read is the querysets' (`visible_to`)."""

from __future__ import annotations

from typing import Any

from keyprojects.organisations.choices import Role
from keyprojects.projects.models import Project
from keyprojects.supervision import services as tasks

from .models import ChecklistTemplate, Hazard, Incident, Inspection


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_office_for(user: Any, jurisdiction_id: int) -> bool:
    if not _signed_in(user):
        return False
    if user.is_superuser:
        return True
    return user.role == Role.PROGRAMME_OFFICE and jurisdiction_id in (
        user.visible_jurisdiction_ids() or []
    )


def can_record(user: Any, project: Project) -> bool:
    """Record an inspection or an incident: the office, and the project's owner and
    responsible units (self-inspection)."""
    return _signed_in(user) and Project.objects.editable_by(user).filter(pk=project.pk).exists()


def can_record_anywhere(user: Any) -> bool:
    return _signed_in(user) and Project.objects.editable_by(user).exists()


def is_inspector(user: Any, inspection: Inspection) -> bool:
    """The office, the person who began the inspection and their unit, whatever its state."""
    if not _signed_in(user):
        return False
    if is_office_for(user, inspection.jurisdiction_id):
        return True
    return user.role == Role.UNIT_USER and (
        inspection.recorded_by_id == user.pk
        or (user.unit_id is not None and inspection.inspecting_unit_id == user.unit_id)
    )


def can_edit_inspection(user: Any, inspection: Inspection) -> bool:
    """A draft is its inspectors' to record and complete; a completed one is fixed."""
    return inspection.is_draft and is_inspector(user, inspection)


def can_delete_inspection(user: Any, inspection: Inspection) -> bool:
    """A draft goes with its inspectors; a completed one, whose hazards are tasks, only with
    the office."""
    if inspection.is_draft:
        return can_edit_inspection(user, inspection)
    return is_office_for(user, inspection.jurisdiction_id)


def can_rectify(user: Any, hazard: Hazard) -> bool:
    return hazard.task is not None and hazard.is_awaiting and tasks.can_work(user, hazard.task)


def can_decide(user: Any, hazard: Hazard) -> bool:
    """Accept or return a rectification: the office, or the unit that found the hazard
    (not when it is also the unit that rectifies it)."""
    return hazard.task is not None and tasks.can_check(user, hazard.task)


def can_edit_incident(user: Any, incident: Incident) -> bool:
    return can_record(user, incident.project)


def can_delete_incident(user: Any, incident: Incident) -> bool:
    return is_office_for(user, incident.jurisdiction_id)


def can_edit_template(user: Any, template: ChecklistTemplate) -> bool:
    return ChecklistTemplate.objects.editable_by(user).filter(pk=template.pk).exists()
