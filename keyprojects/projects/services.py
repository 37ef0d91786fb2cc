"""Writes to the ledger. Each runs in one transaction and calls full_clean()."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keyprojects.audit.models import AuditEntry

from .choices import Stage
from .models import AnnualPlan, Project, StageChange

DEFAULT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    Stage.RESERVE: (Stage.PRELIMINARY, Stage.CANCELLED),
    Stage.PRELIMINARY: (Stage.CONSTRUCTION, Stage.RESERVE, Stage.CANCELLED),
    Stage.CONSTRUCTION: (Stage.COMPLETED, Stage.CANCELLED),
    Stage.COMPLETED: (Stage.OPERATING,),
    Stage.OPERATING: (),
    Stage.CANCELLED: (Stage.RESERVE,),
}


def allowed_transitions(stage: str) -> tuple[str, ...]:
    table: dict[str, tuple[str, ...]] = getattr(
        settings, "KEYPROJECTS_STAGE_TRANSITIONS", DEFAULT_TRANSITIONS
    )
    return tuple(table.get(stage, ()))


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    theirs: Any
    by: str
    at: dt.datetime | None


class EditConflict(Exception):
    """Someone saved the project after it was opened for this edit."""

    def __init__(self, project: Project, changes: list[FieldChange]) -> None:
        super().__init__(_("Someone else saved this project while you were editing it."))
        self.project = project
        self.changes = changes


EDITABLE_FIELDS = [
    "code", "name", "level", "industry", "site", "latitude", "longitude", "scale_and_content",
    "owner_unit", "responsible_unit", "responsible_person", "contact", "leader_in_charge",
    "start_year", "end_year", "planned_start", "planned_completion", "actual_start",
    "actual_completion", "total_investment", "funding_sources", "progress_percent",
    "progress_text", "preliminary_progress", "problems_text", "next_steps", "light",
]  # fmt: skip


def project_create(*, jurisdiction_id: int, stage: str = Stage.RESERVE, **fields: Any) -> Project:
    project = Project(jurisdiction_id=jurisdiction_id, stage=stage, **fields)
    project.full_clean()
    with transaction.atomic():
        project.save()
        StageChange.objects.create(
            project=project,
            from_stage="",
            to_stage=stage,
            reason=_("Entered in the ledger"),
            at=timezone.now(),
            actor=_current_actor(),
        )
    return project


def changes_since(project: Project, version: int) -> list[FieldChange]:
    """What others changed in `project` after `version`, field by field, newest last."""
    entries = AuditEntry.objects.filter(
        model=Project._meta.label_lower, object_id=str(project.pk)
    ).order_by("seq")
    found: dict[str, FieldChange] = {}
    for entry in entries:
        after = entry.after or {}
        if int(after.get("version", 0)) <= version:
            continue
        for name, _before, new in entry.changed_fields():
            if name in {"version", "updated_at"}:
                continue
            field: Any = Project._meta.get_field(name.removesuffix("_id"))
            found[name] = FieldChange(
                name, str(field.verbose_name), new, entry.actor_name or "—", entry.at
            )
    return list(found.values())


def project_update(*, project: Project, version: int, **fields: Any) -> Project:
    """Save `fields` unless someone saved the project after `version` was read."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    with transaction.atomic():
        current = Project.objects.select_for_update().get(pk=project.pk)
        if current.version != version:
            raise EditConflict(current, changes_since(current, version))
        for name, value in fields.items():
            setattr(current, name, value)
        current.version = version + 1
        current.full_clean()
        current.save()
    return current


def project_advance_stage(
    *,
    project: Project,
    to: str,
    reason: str,
    effective_date: dt.date | None = None,
) -> Project:
    """Move the project along its lifecycle; the reason is required and kept."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason for the change of stage.")})
    with transaction.atomic():
        current = Project.objects.select_for_update().get(pk=project.pk)
        if to not in allowed_transitions(current.stage):
            raise ValidationError(
                {
                    "to": _("A project cannot go from “%(from)s” to “%(to)s”.")
                    % {"from": Stage(current.stage).label, "to": Stage(to).label}
                }
            )
        when = effective_date or timezone.localdate()
        if to == Stage.CONSTRUCTION and not current.actual_start:
            current.actual_start = when
        if to == Stage.COMPLETED and not current.actual_completion:
            current.actual_completion = when
        StageChange.objects.create(
            project=current,
            from_stage=current.stage,
            to_stage=to,
            reason=reason.strip(),
            at=timezone.now(),
            effective_date=effective_date,
            actor=_current_actor(),
        )
        current.stage = to
        current.version += 1
        current.full_clean()
        current.save()
    return current


def annual_plan_set(*, project: Project, year: int, **fields: Any) -> AnnualPlan:
    with transaction.atomic():
        plan = AnnualPlan.objects.filter(project=project, year=year).first() or AnnualPlan(
            project=project, year=year
        )
        for name, value in fields.items():
            setattr(plan, name, value)
        plan.full_clean()
        plan.save()
    return plan


def _current_actor() -> Any:
    from keyprojects.audit.context import current

    actor = current().actor
    return actor if getattr(actor, "pk", None) else None
