"""Who may change meetings and visits. Who may read them is the querysets' (`visible_to`)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from keyprojects.organisations.choices import Role

from .models import SiteVisit, VisitLeader


def can_create(user: Any) -> bool:
    """The programme office plans meetings and visits."""
    return bool(getattr(user, "is_authenticated", False) and user.is_programme_office)


def can_run(user: Any, record: Any) -> bool:
    """The programme office of the record's jurisdiction runs the meeting or visit: agenda,
    attendance, minutes, decisions, stops, photos, instructions."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    if user.role != Role.PROGRAMME_OFFICE:
        return False
    return record.jurisdiction_id in (user.visible_jurisdiction_ids() or [])


def took_part(user: Any, visit: SiteVisit) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.role == Role.LEADER
        and VisitLeader.objects.filter(visit=visit, leader_id=user.pk).exists()
    )


def can_instruct(user: Any, visit: SiteVisit) -> bool:
    """Record an instruction (批示) or add a photo: the office, or a leader who was there."""
    return can_run(user, visit) or took_part(user, visit)


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied
