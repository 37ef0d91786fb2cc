"""Checklists, inspections and the hazards they find.

An inspection is recorded as a draft, item by item, then completed: its results are then
fixed, and each failed item becomes a hazard whose rectification is a supervised task
(needing evidence). The hazard follows its task: reported rectified, accepted (closed, 销号),
returned or cancelled. Pages and the API call these, so both refuse the same moves with the
same reasons.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from keyprojects.audit.choices import Action
from keyprojects.audit.services import Change, record_changes, snapshot
from keyprojects.notifications.services import notify
from keyprojects.organisations.choices import Role
from keyprojects.organisations.models import Unit, User
from keyprojects.projects.models import Project
from keyprojects.supervision import services as tasks
from keyprojects.supervision.choices import SourceKind, TaskStatus
from keyprojects.supervision.models import Task
from keyprojects.supervision.services import IllegalMove

from .checklists import templates_ensure
from .choices import HazardStatus, InspectionStatus, ItemSeverity, Outcome
from .models import (
    ChecklistTemplate,
    Hazard,
    Inspection,
    InspectionResult,
)
from .permissions import can_delete_inspection, can_record, is_inspector

# -- inspections ------------------------------------------------------------------------------


@dataclass
class ResultEntry:
    """What an inspector records for one item of a draft. `None` leaves a field as it is."""

    result_id: int
    outcome: str | None = None
    note: str | None = None
    photo: Any = None
    remove_photo: bool = False
    deadline: dt.date | None = None
    clear_deadline: bool = False
    responsible_unit: Unit | None = None
    clear_responsible_unit: bool = False
    # What the person saw of the fields they set (outcome, note, deadline, responsible_unit
    # as a unit id), when they set them on a page read earlier: a field someone else changed
    # since is not overwritten but reported (`Conflict`).
    seen: dict[str, Any] | None = None


@dataclass(frozen=True)
class Conflict:
    """A field two people changed on the same draft: the later change was not saved."""

    position: int | None  # the item; None for the inspection's own fields
    field: str
    current: Any  # what the other person saved
    yours: Any  # what was not saved


def inspection_start(
    *,
    user: Any,
    project: Project,
    template: ChecklistTemplate,
    date: dt.date,
    inspectors: str = "",
    inspecting_unit: Unit | None = None,
    note: str = "",
    today: dt.date | None = None,
) -> Inspection:
    """A draft inspection with one result per item of the checklist as it is today."""
    if not can_record(user, project):
        raise PermissionDenied
    today = today or timezone.localdate()
    if date > today:
        raise ValidationError({"date": _("An inspection cannot be dated in the future.")})
    templates_ensure(jurisdiction=project.jurisdiction)
    if not ChecklistTemplate.objects.usable_for(project).filter(pk=template.pk).exists():
        raise ValidationError(
            {"template": _("This checklist is out of use or not one of the project's district.")}
        )
    items = list(template.items.order_by("position", "id"))
    if not items:
        raise ValidationError({"template": _("This checklist has no items yet.")})
    inspectors = (inspectors or "").strip() or _person_name(user)
    if inspecting_unit is None and getattr(user, "role", "") == Role.UNIT_USER:
        inspecting_unit = user.unit
    if inspecting_unit is not None:
        _check_unit(inspecting_unit, project, "inspecting_unit")
    with transaction.atomic():
        inspection = Inspection(
            jurisdiction_id=project.jurisdiction_id,
            project=project,
            template=template,
            template_version=template.version,
            kind=template.kind,
            date=date,
            inspectors=inspectors[:200],
            inspecting_unit=inspecting_unit,
            note=(note or "").strip(),
            recorded_by=user if getattr(user, "pk", None) else None,
        )
        inspection.full_clean()
        inspection.save()
        results = [
            InspectionResult(
                inspection=inspection,
                item=item,
                position=n,
                text=item.text,
                category=item.category,
                severity=item.severity,
                rectification_days=item.rectification_days,
            )
            for n, item in enumerate(items, start=1)
        ]
        InspectionResult.objects.bulk_create(results)
        record_changes([Change(Action.CREATE, r, None, snapshot(r)) for r in results])
    return inspection


def _person_name(user: Any) -> str:
    return str(getattr(user, "full_name", "") or getattr(user, "username", "") or "")


def units_for_project(project: Project) -> Any:
    """The units that may answer for a hazard of the project: those of its jurisdiction."""
    return Unit.objects.filter(jurisdiction_id__in=project.jurisdiction.subtree_ids()).order_by(
        "name"
    )


def _check_unit(unit: Unit, project: Project, field: str) -> None:
    if unit.jurisdiction_id not in project.jurisdiction.subtree_ids():
        raise ValidationError({field: _("This unit belongs to another jurisdiction.")})


def _draft_only(inspection: Inspection) -> None:
    if not inspection.is_draft:
        raise IllegalMove(
            _("This inspection was completed on %(date)s; its results can no longer change.")
            % {"date": timezone.localtime(inspection.completed_at).date().isoformat()}
            if inspection.completed_at
            else _("This inspection is completed; its results can no longer change.")
        )


def inspection_record(
    *,
    user: Any,
    inspection: Inspection,
    entries: list[ResultEntry],
    date: dt.date | None = None,
    inspectors: str | None = None,
    note: str | None = None,
    header_seen: dict[str, Any] | None = None,
    today: dt.date | None = None,
) -> list[Conflict]:
    """Save what was found on a draft: item outcomes, notes, photos, deadlines. Fields the
    person set on a page read before someone else changed them are left as the other person
    saved them, and returned; everything else is saved."""
    if not is_inspector(user, inspection):
        raise PermissionDenied
    _draft_only(inspection)
    today = today or timezone.localdate()
    if date is not None and date > today:
        raise ValidationError({"date": _("An inspection cannot be dated in the future.")})
    if inspectors is not None and not inspectors.strip():
        raise ValidationError({"inspectors": _("Name the inspectors.")})
    old_files: list[str] = []
    conflicts: list[Conflict] = []
    with transaction.atomic():
        locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
        for name in ("date", "inspectors", "note", "version"):
            setattr(inspection, name, getattr(locked, name))
        results = {r.pk: r for r in inspection.results.all()}
        project = inspection.project
        header_values: dict[str, Any] = {"date": date, "inspectors": inspectors, "note": note}
        for name, seen in (header_seen or {}).items():
            current, yours = getattr(inspection, name), header_values.get(name)
            if isinstance(yours, str):
                yours = yours.strip()[:200] if name == "inspectors" else yours.strip()
            if yours is not None and _stale(current, seen, yours):
                conflicts.append(Conflict(None, name, current, yours))
                header_values[name] = None
        date, inspectors, note = (header_values[k] for k in ("date", "inspectors", "note"))
        when = date or inspection.date
        changed: list[tuple[InspectionResult, set[str], Any]] = []
        for entry in entries:
            result = results.get(entry.result_id)
            if result is None:
                raise ValidationError(_("An item does not belong to this inspection."))
            conflicts += _keep_theirs(result, entry)
            fields, photo = _apply(result, entry, project)
            if fields:
                changed.append((result, fields, photo))
        for result in results.values():
            if result.deadline is not None and result.deadline < when:
                raise ValidationError(
                    _("Item %(n)d: the rectification deadline cannot be before the inspection.")
                    % {"n": result.position}
                )
        header: list[str] = []
        if date is not None and date != inspection.date:
            inspection.date = date
            header.append("date")
        if inspectors is not None and inspectors.strip() != inspection.inspectors:
            inspection.inspectors = inspectors.strip()[:200]
            header.append("inspectors")
        if note is not None and note.strip() != inspection.note:
            inspection.note = note.strip()
            header.append("note")
        if header:
            inspection.version += 1
            inspection.save(update_fields=[*header, "version"])
        for result, fields, photo in changed:
            if "photo" in fields:
                old_files += [f.name for f in (result.photo, result.thumbnail) if f]
                _store_photo(result, photo)
            result.save(update_fields=sorted(fields))
        transaction.on_commit(lambda: _delete_files(old_files))
    return conflicts


def _stale(current: Any, seen: Any, yours: Any) -> bool:
    """Someone else changed the field since it was read, to something other than yours."""
    return bool(current != seen and current != yours)


# ResultEntry's fields, and the result's attribute each sets.
_ENTRY_FIELDS = {
    "outcome": "outcome",
    "note": "note",
    "deadline": "deadline",
    "responsible_unit": "responsible_unit_id",
}


def _keep_theirs(result: InspectionResult, entry: ResultEntry) -> list[Conflict]:
    """Take out of `entry` the fields someone else changed since the person read them."""
    found = []
    for name, seen in (entry.seen or {}).items():
        current = getattr(result, _ENTRY_FIELDS[name])
        yours: Any
        if name == "deadline":
            yours = None if entry.clear_deadline else entry.deadline
        elif name == "responsible_unit":
            unit = entry.responsible_unit
            yours = None if entry.clear_responsible_unit or unit is None else unit.pk
        elif name == "note":
            yours = None if entry.note is None else entry.note.strip()[:500]
        else:
            yours = entry.outcome
        if not _stale(current, seen, yours):
            continue
        found.append(Conflict(result.position, name, current, yours))
        if name == "deadline":
            entry.deadline, entry.clear_deadline = None, False
        elif name == "responsible_unit":
            entry.responsible_unit, entry.clear_responsible_unit = None, False
        else:
            setattr(entry, name, None)
    return found


NO_PHOTO = object()


def _apply(result: InspectionResult, entry: ResultEntry, project: Project) -> tuple[set[str], Any]:
    """Set `entry` on `result` in memory: the names of the fields that changed, and the new
    photo (processed), `NO_PHOTO` to remove it, or None to keep it."""
    fields: set[str] = set()
    if entry.outcome is not None and entry.outcome != result.outcome:
        if entry.outcome not in {*Outcome.values, ""}:
            raise ValidationError(_("Item %(n)d: unknown result.") % {"n": result.position})
        result.outcome = entry.outcome
        fields.add("outcome")
    if entry.note is not None and entry.note.strip() != result.note:
        result.note = entry.note.strip()[:500]
        fields.add("note")
    if entry.clear_deadline or (entry.deadline and entry.deadline != result.deadline):
        result.deadline = None if entry.clear_deadline else entry.deadline
        fields.add("deadline")
    unit = entry.responsible_unit
    if entry.clear_responsible_unit or (unit is not None and unit.pk != result.responsible_unit_id):
        if unit is not None and not entry.clear_responsible_unit:
            _check_unit(unit, project, "responsible_unit")
        result.responsible_unit = None if entry.clear_responsible_unit else unit
        fields.add("responsible_unit")
    photo: Any = None
    if entry.photo is not None:
        from keyprojects.progress.photos import process

        try:
            photo = process(entry.photo.read())
        except ValidationError as error:
            raise ValidationError(
                _("Item %(n)d: %(error)s")
                % {"n": result.position, "error": " ".join(error.messages)}
            ) from None
        fields |= {"photo", "thumbnail"}
    elif entry.remove_photo and result.photo:
        photo = NO_PHOTO
        fields |= {"photo", "thumbnail"}
    return fields, photo


def _store_photo(result: InspectionResult, processed: Any) -> None:
    if processed is NO_PHOTO:
        result.photo, result.thumbnail = "", ""
        return
    result.photo.save("photo.jpg", ContentFile(processed.image), save=False)
    result.thumbnail.save("thumb.jpg", ContentFile(processed.thumbnail), save=False)


def _delete_files(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        default_storage.delete(name)


def inspection_complete(
    *, user: Any, inspection: Inspection, today: dt.date | None = None
) -> list[Hazard]:
    """Fix the results; each failed item becomes a hazard with its rectification task."""
    if not is_inspector(user, inspection):
        raise PermissionDenied
    today = today or timezone.localdate()
    with transaction.atomic():
        # Two inspectors completing at once would make every hazard twice: the second waits
        # for the first, then finds the inspection completed.
        locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
        _draft_only(locked)
        results = list(locked.results.select_related("responsible_unit").order_by("position"))
        unmarked = [str(r.position) for r in results if not r.outcome]
        if unmarked:
            raise IllegalMove(
                _("Mark every item before completing; not yet marked: %(items)s.")
                % {"items": ", ".join(unmarked)}
            )
        project = Project.objects.select_related("owner_unit", "jurisdiction").get(
            pk=locked.project_id
        )
        failed = [r for r in results if r.outcome == Outcome.FAIL]
        for result in failed:
            deadline = result.deadline or result.default_deadline(locked.date)
            if deadline < today:
                raise IllegalMove(
                    _(
                        "Item %(n)d: the rectification deadline %(date)s has already passed; "
                        "set a later one."
                    )
                    % {"n": result.position, "date": deadline.isoformat()}
                )
        hazards = [_make_hazard(locked, project, result, user) for result in failed]
        locked.status = InspectionStatus.COMPLETED
        locked.completed_by = user if getattr(user, "pk", None) else None
        locked.completed_at = timezone.now()
        locked.version += 1
        locked.save(update_fields=["status", "completed_by", "completed_at", "version"])
    inspection.refresh_from_db()
    _tell_major(hazards)
    return hazards


def _make_hazard(
    inspection: Inspection, project: Project, result: InspectionResult, user: Any
) -> Hazard:
    description = result.text + (f"：{result.note}" if result.note else "")
    hazard = Hazard.objects.create(
        jurisdiction_id=inspection.jurisdiction_id,
        project=project,
        inspection=inspection,
        result=result,
        kind=inspection.kind,
        description=description[:800],
        category=result.category,
        severity=result.severity,
        deadline=result.deadline or result.default_deadline(inspection.date),
        responsible_unit=result.responsible_unit or project.owner_unit,
    )
    detail = "\n".join(
        line
        for line in (
            str(inspection),
            f"{result.category} · {hazard.get_severity_display()}".strip(" ·"),
            result.note,
        )
        if line
    )
    task = tasks.create_task(
        title=_("Rectify hazard: %(hazard)s") % {"hazard": description},
        owner_unit=hazard.responsible_unit,
        deadline=hazard.deadline,
        source_kind=SourceKind.INSPECTION,
        source=hazard,
        project=project,
        # A unit's self-inspection issues nothing: the office decides and hears of the
        # rectification, as for any task without an issuing office or leader.
        issued_by=user if tasks.can_issue(user) else None,
        detail=detail,
        needs_evidence=True,
        jurisdiction_id=inspection.jurisdiction_id,
    )
    hazard.task = task
    hazard.save(update_fields=["task"])
    return hazard


def _offices(jurisdiction_id: int) -> list[User]:
    return list(
        User.objects.filter(
            role=Role.PROGRAMME_OFFICE, jurisdiction_id=jurisdiction_id, is_active=True
        )
    )


def _tell_major(hazards: list[Hazard]) -> None:
    for hazard in hazards:
        if hazard.severity == ItemSeverity.MAJOR:
            notify(
                _offices(hazard.jurisdiction_id),
                kind="hazard_found",
                key=str(hazard.pk),
                title=_("Major hazard found: %(project)s") % {"project": hazard.project.name},
                body=hazard.description,
                url=hazard.get_absolute_url(),
            )


def inspection_delete(*, user: Any, inspection: Inspection) -> int:
    """Delete an inspection. Its hazards go with it; their tasks stay, marked and their owners
    told (see supervision.sources). Returns how many hazards went."""
    if not can_delete_inspection(user, inspection):
        raise PermissionDenied
    files = [
        name
        for result in inspection.results.all()
        for name in (result.photo.name, result.thumbnail.name)
        if name
    ]
    with transaction.atomic():
        count = inspection.hazards.count()
        inspection.delete()
        transaction.on_commit(lambda: _delete_files(files))
    return count


# -- hazards ----------------------------------------------------------------------------------


def _task_of(hazard: Hazard, version: int | None) -> Task:
    task = Task.objects.filter(pk=hazard.task_id).first() if hazard.task_id else None
    if task is None:
        raise IllegalMove(_("This hazard has no rectification task."))
    if version is not None:
        task.version = version  # a page read before someone else's change is refused
    return task


def hazard_rectify(
    *, user: Any, hazard: Hazard, text: str = "", upload: Any = None, version: int | None = None
) -> Hazard:
    """The responsible unit reports the hazard rectified, with a photo or file as evidence;
    the office, or the unit that found the hazard, then accepts (closes) or returns it."""
    task = _task_of(hazard, version)
    if not tasks.can_work(user, task):
        raise PermissionDenied
    if hazard.status not in (HazardStatus.OPEN, HazardStatus.RETURNED):
        raise IllegalMove(
            _("Only a hazard to rectify can be reported rectified; this one is %(status)s.")
            % {"status": hazard.get_status_display()}
        )
    if upload is None:
        raise IllegalMove(_("Attach a photo or file that shows the rectification."))
    tasks.task_submit(task, user=user, text=text or _("Rectified."), upload=upload)
    hazard.refresh_from_db()
    return hazard


def hazard_accept(
    *, user: Any, hazard: Hazard, text: str = "", version: int | None = None
) -> Hazard:
    task = _task_of(hazard, version)
    if not tasks.can_check(user, task):
        raise PermissionDenied
    if hazard.status != HazardStatus.RECTIFIED:
        raise IllegalMove(
            _("Only a rectified hazard can be accepted; this one is %(status)s.")
            % {"status": hazard.get_status_display()}
        )
    tasks.task_accept(task, user=user, text=text)
    hazard.refresh_from_db()
    return hazard


def hazard_return(*, user: Any, hazard: Hazard, reason: str, version: int | None = None) -> Hazard:
    task = _task_of(hazard, version)
    if not tasks.can_check(user, task):
        raise PermissionDenied
    if hazard.status != HazardStatus.RECTIFIED:
        raise IllegalMove(
            _("Only a rectified hazard can be returned; this one is %(status)s.")
            % {"status": hazard.get_status_display()}
        )
    tasks.task_return(task, user=user, reason=reason)
    hazard.refresh_from_db()
    return hazard


def _hazard_type_id() -> int:
    return ContentType.objects.get_for_model(Hazard).pk


def hazard_follow_status(*, task: Task, old: str, new: str) -> Hazard | None:
    """Keep a hazard's status in step with its task's (the task_status_changed signal)."""
    if task.source_type_id != _hazard_type_id() or task.source_id is None:
        return None
    hazard = Hazard.objects.filter(pk=task.source_id).first()
    if hazard is None:
        return None
    now = timezone.now()
    fields = ["status"]
    if new == TaskStatus.SUBMITTED:
        hazard.status, hazard.rectified_at = HazardStatus.RECTIFIED, now
        fields.append("rectified_at")
    elif new == TaskStatus.DONE:
        hazard.status, hazard.closed_at = HazardStatus.CLOSED, now
        fields.append("closed_at")
    elif new == TaskStatus.CANCELLED:
        hazard.status, hazard.closed_at = HazardStatus.CANCELLED, now
        fields.append("closed_at")
    elif new == TaskStatus.OPEN:
        hazard.status = HazardStatus.RETURNED if old == TaskStatus.SUBMITTED else HazardStatus.OPEN
        hazard.closed_at = None
        fields.append("closed_at")
    hazard.save(update_fields=fields)
    return hazard


def hazard_follow_task(task: Task) -> None:
    """A task's deadline or owner changed (extended, reassigned): the hazard follows, and a
    deadline moved past today takes back its escalation."""
    if task.source_type_id != _hazard_type_id() or task.source_id is None:
        return
    hazard = Hazard.objects.filter(pk=task.source_id).first()
    if hazard is None:
        return
    fields = []
    if hazard.deadline != task.deadline:
        hazard.deadline = task.deadline
        fields.append("deadline")
        if task.deadline >= timezone.localdate() and hazard.escalated_at:
            hazard.escalated_at = None
            fields.append("escalated_at")
    if hazard.responsible_unit_id != task.owner_unit_id:
        hazard.responsible_unit_id = task.owner_unit_id
        fields.append("responsible_unit")
    if fields:
        hazard.save(update_fields=fields)


def hazards_check_deadlines(today: dt.date | None = None) -> int:
    """Mark hazards not rectified by their deadline as escalated and tell the programme office
    and the project's leader in charge, once per deadline. Returns how many escalated.

    The supervision deadline check escalates the hazards' tasks on its own schedule."""
    today = today or timezone.localdate()
    late = Hazard.objects.overdue(today).filter(escalated_at__isnull=True)
    offices: dict[int, list[User]] = {}
    count = 0
    for hazard in late.select_related("project", "responsible_unit").iterator():
        with transaction.atomic():
            hazard.escalated_at = timezone.now()
            hazard.save(update_fields=["escalated_at"])
            jurisdiction_id = hazard.jurisdiction_id
            if jurisdiction_id not in offices:
                offices[jurisdiction_id] = _offices(jurisdiction_id)
            leaders = tasks.leaders_for(hazard.project, jurisdiction_id)
            days = (today - hazard.deadline).days
            notify(
                [*offices[jurisdiction_id], *leaders],
                kind="hazard_overdue",
                key=f"{hazard.pk}:{hazard.deadline.isoformat()}",
                title=_("Hazard not rectified in time: %(project)s")
                % {"project": hazard.project.name},
                body=ngettext(
                    "%(hazard)s. Deadline %(date)s, overdue by %(days)d day; %(unit)s.",
                    "%(hazard)s. Deadline %(date)s, overdue by %(days)d days; %(unit)s.",
                    days,
                )
                % {
                    "hazard": hazard.description,
                    "date": hazard.deadline.isoformat(),
                    "days": days,
                    "unit": hazard.responsible_unit,
                },
                url=reverse("inspections:hazard", args=[hazard.pk]),
            )
        count += 1
    return count
